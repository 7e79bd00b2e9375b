//! Retention policies and legal holds as administrators see and enter them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyView {
    pub id: i64,
    pub name: String,
    /// "All mail", "Mailbox sales", "Folder Finance of sales", "Label dept=hr".
    pub covers: String,
    pub keep_years: u32,
    /// "message date" or "archive date".
    pub from: String,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldView {
    pub id: i64,
    pub reason: String,
    /// "Mailbox sales", "Search: from:ceo", "Messages 1, 2".
    pub holds: String,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub released_at: Option<DateTime<Utc>>,
    pub released_by: Option<String>,
    pub release_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionOverview {
    pub policies: Vec<PolicyView>,
    pub holds: Vec<HoldView>,
    /// Every mailbox, for the forms: (id, name).
    pub mailboxes: Vec<(i64, String)>,
}

/// A new policy as the form sends it; empty fields mean "not restricted".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyInput {
    pub name: String,
    pub years: String,
    /// `message_date` or `archived_at`.
    pub basis: String,
    #[serde(default)]
    pub mailbox_id: String,
    #[serde(default)]
    pub folder: String,
    /// `key=value`.
    #[serde(default)]
    pub label: String,
}

/// A new hold: exactly one of mailbox, query, message ids.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldInput {
    pub reason: String,
    /// `mailbox`, `query` or `messages`.
    pub kind: String,
    #[serde(default)]
    pub mailbox_id: String,
    #[serde(default)]
    pub query: String,
    /// Ids separated by commas or spaces.
    #[serde(default)]
    pub message_ids: String,
}

/// What applying retention now would do (or did).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionSummary {
    pub deletable: u64,
    pub messages_to_delete: u64,
    pub held: u64,
    pub kept: u64,
    pub uncovered: u64,
    /// `None` for a preview; what was deleted after applying.
    pub deleted_messages: Option<u64>,
    pub deleted_copies: Option<u64>,
}
