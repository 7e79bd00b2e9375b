//! Mailbox profiles. Every user manages their own; admins see every one.

mod delete;
mod editor;
mod list;
mod run;
mod runs;
mod save;
mod set_enabled;
mod subscribe;
mod test;

pub use delete::*;
pub use editor::*;
pub use list::*;
pub use run::*;
pub use runs::*;
pub use save::*;
pub use set_enabled::*;
pub use subscribe::*;
pub use test::*;
