//! Mailbox profiles: what to archive from where, and how.
//!
//! - `profile` — the typed profile and its validation.
//! - `folder_rules` — the source-folder rule language.
//! - `mailboxes` — saving and loading profiles, sealing their secrets.
//! - `schedule` — intervals and cron expressions for unattended runs.
//! - `templates` — defaults mailboxes inherit field by field.
//! - `csv` — reading a mailbox list for batch import.
//! - `batch` — many mailboxes at once: a master-user batch or a CSV list.

pub mod batch;
pub mod csv;
pub mod folder_rules;
pub mod mailboxes;
pub mod profile;
pub mod schedule;
pub mod templates;

pub use folder_rules::{Folder, FolderRules, RuleError, SpecialUse};
pub use mailboxes::{CheckedChange, Editor, MailboxError, MailboxRow, Mailboxes};
pub use profile::{
    Action, BadGraphRoot, DEFAULT_MAX_MESSAGE_BYTES, DuplicateMatch, DuplicatePolicy, GraphRoots,
    MAX_MESSAGE_BYTES_CEILING, MailboxInput, Source, Validation,
};
pub use schedule::Schedule;
pub use templates::{TemplateRow, Templates};
