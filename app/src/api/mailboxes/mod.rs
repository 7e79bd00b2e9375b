//! Mailbox profiles. Every user manages their own; admins see every one.

mod editor;
mod list;
mod save;

pub use editor::*;
pub use list::*;
pub use save::*;
