//! Mailboxes as the pages list and edit them: a row of the mailbox list, the
//! editor's load (the form and the templates it may inherit from), a row of
//! the template list. The profile itself (its choices and `MailboxInput`) is
//! `mailbox_profile`; it is re-exported here, so `model::mailbox::Source`
//! names it as before.

use super::mailbox_form::MailboxForm;
pub use super::mailbox_profile::{
    Action, AuthMethod, DEFAULT_PAGE_SIZE, DuplicateMatch, DuplicatePolicy, GRAPH_SERVICE_ROOT,
    IdentityKind, MailboxInput, Security, Source,
};
use super::oauth::SignInState;
use serde::{Deserialize, Serialize};

/// One row of the mailbox list: what it reads, how its last run went, and
/// what needs attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxSummary {
    pub id: i64,
    pub name: String,
    pub source: Source,
    /// `user@host:port`; empty for imported mail.
    pub server: String,
    /// The owner's e-mail address; `None` for a shared (organisation) mailbox.
    pub owner: Option<String>,
    /// Scheduled runs are on (manual runs are always possible).
    pub enabled: bool,
    pub schedule: Option<String>,
    pub last_job: Option<JobSummary>,
    /// Things an administrator should know, in words (e.g. weakened TLS checks).
    pub warnings: Vec<String>,
    /// Owned by the organisation (`owner` is `None`), read by those it is granted to.
    pub shared: bool,
    /// The caller may change, run and delete it; otherwise it is granted, read-only.
    pub can_manage: bool,
    /// The template it inherits from.
    pub template: Option<String>,
    /// For an OAuth mailbox with a sign-in app: how it stands.
    #[serde(default)]
    pub sign_in: Option<SignInState>,
}

/// How one archiving run ended (or that it is still running).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobSummary {
    pub id: i64,
    /// `running`, `succeeded` or `failed`.
    pub status: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    pub archived: u64,
    pub duplicates: u64,
    pub failed: u64,
    pub error: Option<String>,
}

/// What the editor loads: the mailbox (empty for a new one) and the
/// templates it may inherit from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxEditor {
    pub form: MailboxForm,
    /// A password or token is stored (the field shows "unchanged").
    pub has_secret: bool,
    pub templates: Vec<TemplateChoice>,
    /// The caller is an admin: the editor offers sharing.
    pub can_share: bool,
}

/// A template as the mailbox editor offers it: its values fill the inherited fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateChoice {
    pub id: i64,
    pub name: String,
    pub form: MailboxForm,
}

/// One row of the template list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSummary {
    pub id: i64,
    pub name: String,
    /// `host:port (security)`.
    pub server: String,
    pub schedule: Option<String>,
    /// How many mailboxes inherit from it.
    pub mailboxes: u64,
}
