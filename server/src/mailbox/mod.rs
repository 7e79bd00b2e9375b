//! Mailbox profiles: what to archive from where, and how.
//!
//! - `profile` — the typed profile and its validation.
//! - `folder_rules` — the source-folder rule language.
//! - `schedule` — intervals and cron expressions for unattended runs.
//! - `mailboxes` — the `Mailboxes` service: profiles as stored, read back.
//! - `connection` — where and how a run logs in (secret, OAuth token).
//! - `checks` — what a profile passes before it is saved or tried.
//! - `changes` — writing profiles (creating, replacing, pausing).
//! - `sharing` — grants, and who sees which mailbox (`visible_to`).
//! - `templates` — defaults mailboxes inherit field by field.
//! - `editing` — the changes people make, with their rules and audit entries.
//! - `csv` — reading a mailbox list for batch import.
//! - `batch` — many mailboxes at once: a master-user batch or a CSV list.
//!
//! Each module uses only those above it in this list.

pub mod batch;
mod changes;
mod checks;
mod connection;
pub mod csv;
mod editing;
pub mod folder_rules;
pub mod mailboxes;
pub mod profile;
pub mod schedule;
mod sharing;
pub mod templates;

pub use checks::CheckedChange;
pub use connection::warnings;
pub use editing::Author;
pub use folder_rules::{Folder, FolderRules, RuleError, SpecialUse};
pub use mailboxes::{Editor, MailboxError, MailboxRow, Mailboxes};
pub use profile::{
    Action, BadGraphRoot, DEFAULT_MAX_MESSAGE_BYTES, DuplicateMatch, DuplicatePolicy, GraphRoots,
    MAX_MESSAGE_BYTES_CEILING, MailboxInput, Source, Validation,
};
pub use schedule::Schedule;
pub use templates::{Inheritance, TemplateRow, Templates};
