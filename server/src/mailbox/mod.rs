//! Mailbox profiles: what to archive from where, and how. Today: the
//! source-folder rules; the stored profile, its secrets and schedule follow.

pub mod folder_rules;

pub use folder_rules::{Folder, FolderRules, RuleError, SpecialUse};
