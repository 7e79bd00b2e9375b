//! The audit log as admins read it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Entries per page of the audit log.
pub const AUDIT_PAGE_SIZE: usize = 100;

/// What the admin filters by; empty fields filter nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// An action name, e.g. `sign_in_failed` (see `AUDIT_ACTIONS`).
    #[serde(default)]
    pub action: String,
    /// Part of the actor's address.
    #[serde(default)]
    pub actor: String,
    /// `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryView {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub client: Option<String>,
    pub action: String,
    pub target: String,
    /// JSON, secrets masked.
    pub details: String,
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntryView>,
    pub total: u64,
    pub offset: usize,
}

/// Every action the audit log records, with what it means, for the filter.
pub const AUDIT_ACTIONS: [(&str, &str); 31] = [
    ("sign_in", "Signed in"),
    ("sign_in_failed", "Sign-in failed"),
    ("sign_out", "Signed out"),
    ("password_changed", "Password changed"),
    ("password_reset_requested", "Password reset requested"),
    ("user_created", "User created"),
    ("user_changed", "User changed"),
    ("mailbox_created", "Mailbox created"),
    ("mailbox_changed", "Mailbox changed"),
    ("mailbox_deleted", "Mailbox deleted"),
    ("template_saved", "Template saved"),
    ("template_deleted", "Template deleted"),
    ("batch_created", "Mailboxes created in a batch"),
    ("search", "Archive searched (auditors)"),
    ("message_viewed", "Message viewed"),
    ("message_downloaded", "Message downloaded (EML)"),
    ("attachment_downloaded", "Attachment downloaded"),
    ("export", "Messages exported"),
    ("restore", "Messages restored"),
    ("hold_placed", "Legal hold placed"),
    ("hold_released", "Legal hold released"),
    ("policy_added", "Retention policy added"),
    ("policy_removed", "Retention policy removed"),
    ("retention_applied", "Retention applied (deletions)"),
    ("audit_exported", "Audit log exported"),
    ("smtp_changed", "Mail settings changed"),
    ("smtp_removed", "Mail settings removed"),
    ("sign_in_app_saved", "Sign-in app saved"),
    ("sign_in_app_removed", "Sign-in app removed"),
    ("mailbox_signed_in", "Mailbox signed in (OAuth)"),
    ("mailbox_signed_out", "Mailbox signed out (OAuth)"),
];
