//! Mailbox profiles. Every user manages their own; admins see every one.

mod list;

pub use list::*;
