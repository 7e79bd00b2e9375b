//! Batch archiving (MailStore style): many mailboxes created at once, from a
//! master user's access to every user's mailbox, or from a CSV list. Forms
//! travel as strings like the mailbox editor's; results come back per row.

use super::named_enum::named_enum;
use serde::{Deserialize, Serialize};

named_enum!(
    /// Which Tresor users a master-user batch creates mailboxes for.
    UserSelection { All => "all", AllExcept => "except", Only => "only" }
);

/// A master-user batch as the form posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MasterBatchForm {
    pub host: String,
    pub port: String,
    pub security: String,
    pub ca_file: String,
    pub master_user: String,
    /// The master user's password; sealed into each mailbox created.
    pub secret: String,
    /// `address`, `localpart` or `username`: what the master user logs in as.
    pub identity_kind: String,
    pub selection: String,
    /// E-mail addresses for "all except" / "only", one per line.
    pub users: String,
    /// Settings beyond the connection come from this template (empty: defaults).
    pub template_id: String,
    /// Checkbox: queue a first run of every mailbox created.
    pub run_now: Option<String>,
}

/// A CSV mailbox list as the form posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CsvImportForm {
    pub text: String,
    pub template_id: String,
    pub run_now: Option<String>,
    /// Mail each user the list creates an invitation to choose their own
    /// password (a ticked box sends a value). Without it they cannot sign in
    /// until an administrator sets a password or sends a link.
    #[serde(default)]
    pub invite: Option<String>,
}

/// What an import would do, before anything is saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvPreview {
    /// The separator found, in words (`semicolon`, `comma`, `pipe`, `tab`).
    pub separator: String,
    pub columns: Vec<CsvColumn>,
    pub rows: Vec<CsvRow>,
    /// Rows that would be imported.
    pub valid: u64,
}

/// A header of the file and what Tresor reads it as (`None`: ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvColumn {
    pub header: String,
    pub meaning: Option<String>,
}

/// One record of the file as it would be imported, or why it cannot be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvRow {
    pub line: usize,
    pub email: String,
    pub mailbox: String,
    /// `user@host:port`.
    pub server: String,
    /// The owner's Tresor account does not exist yet and would be created.
    pub new_user: bool,
    /// Empty when the row can be imported.
    pub errors: Vec<String>,
}

/// What a batch did, row by row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchReport {
    pub rows: Vec<BatchRow>,
    pub created: u64,
    pub skipped: u64,
    pub failed: u64,
    /// First runs queued (they start within the concurrent-job limit).
    pub queued: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRow {
    /// The user's address (master-user batch) or `line N: address` (CSV).
    pub subject: String,
    pub mailbox: Option<String>,
    pub mailbox_id: Option<i64>,
    pub outcome: BatchOutcome,
    /// Why it was skipped or failed.
    pub reason: Option<String>,
    /// The user this row created (a CSV list may name people Tresor did not
    /// know yet).
    pub new_user: Option<i64>,
    /// That new user was mailed an invitation.
    #[serde(default)]
    pub invited: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BatchOutcome {
    Created,
    /// Nothing to do (e.g. the mailbox exists already from an earlier batch).
    Skipped,
    Failed,
}

impl BatchReport {
    pub fn from_rows(rows: Vec<BatchRow>, queued: u64) -> BatchReport {
        let count = |outcome| rows.iter().filter(|row| row.outcome == outcome).count() as u64;
        BatchReport {
            created: count(BatchOutcome::Created),
            skipped: count(BatchOutcome::Skipped),
            failed: count(BatchOutcome::Failed),
            queued,
            rows,
        }
    }
}
