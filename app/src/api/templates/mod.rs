//! Mailbox templates: defaults mailboxes inherit. Admins manage them; the
//! mailbox editor offers them to everyone (they hold no secrets).

mod delete;
mod editor;
mod list;
mod save;

pub use delete::*;
pub use editor::*;
pub use list::*;
pub use save::*;
