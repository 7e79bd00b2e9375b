//! What retention is made of: policies (what they cover, from when, for how
//! long) and legal holds (what they keep), as read from their rows.

use super::RetentionError;
use crate::db::entity::{legal_hold, retention_policy};
use chrono::{DateTime, Utc};

/// From when a policy counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The message's Date header (its archive date when it has none).
    MessageDate,
    /// When the location was archived.
    ArchivedAt,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::MessageDate => "message_date",
            Basis::ArchivedAt => "archived_at",
        }
    }

    pub fn parse(text: &str) -> Option<Basis> {
        match text {
            "message_date" | "message-date" | "date" => Some(Basis::MessageDate),
            "archived_at" | "archive-date" | "archived" => Some(Basis::ArchivedAt),
            _ => None,
        }
    }
}

/// Which locations a policy covers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PolicyScope {
    All,
    Mailbox {
        mailbox_id: i64,
    },
    /// The folder and its subfolders.
    Folder {
        mailbox_id: i64,
        folder: String,
    },
    /// Locations archived with this label.
    Label {
        key: String,
        value: String,
    },
}

impl PolicyScope {
    /// From what a form or the command line gives: a mailbox (and a folder
    /// of it), or a label `key=value`, or neither (all mail).
    pub fn from_parts(
        mailbox_id: Option<i64>,
        folder: &str,
        label: &str,
    ) -> Result<PolicyScope, RetentionError> {
        let (folder, label) = (folder.trim().trim_matches('/'), label.trim());
        match (mailbox_id, folder.is_empty(), label.is_empty()) {
            (Some(_), _, false) => Err(RetentionError::Field {
                field: "label",
                message: "a policy covers a mailbox or a label, not both".into(),
            }),
            (Some(mailbox_id), true, true) => Ok(PolicyScope::Mailbox { mailbox_id }),
            (Some(mailbox_id), false, true) => Ok(PolicyScope::Folder {
                mailbox_id,
                folder: folder.to_string(),
            }),
            (None, false, _) => Err(RetentionError::Field {
                field: "mailbox_id",
                message: "a folder belongs to a mailbox: choose one".into(),
            }),
            (None, true, true) => Ok(PolicyScope::All),
            (None, true, false) => {
                let (key, value) = label.split_once('=').ok_or(RetentionError::Field {
                    field: "label",
                    message: "write the label as key=value, e.g. dept=finance".into(),
                })?;
                Ok(PolicyScope::Label {
                    key: key.trim().into(),
                    value: value.trim().into(),
                })
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Policy {
    pub id: i64,
    pub name: String,
    pub scope: PolicyScope,
    pub keep_years: u32,
    pub basis: Basis,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

/// What a hold keeps.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HoldScope {
    Mailbox {
        mailbox_id: i64,
    },
    /// Every message the query finds, now and later (evaluated at each run).
    Query {
        query: String,
    },
    Messages {
        message_ids: Vec<i64>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Hold {
    pub id: i64,
    pub reason: String,
    pub scope: HoldScope,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub released_at: Option<DateTime<Utc>>,
    pub released_by: Option<String>,
    pub release_reason: Option<String>,
}

pub(super) fn policy_of(row: retention_policy::Model) -> Result<Policy, RetentionError> {
    let broken = || RetentionError::Invalid(format!("retention policy {} is malformed", row.id));
    let scope = match row.scope.as_str() {
        "all" => PolicyScope::All,
        "mailbox" => PolicyScope::Mailbox {
            mailbox_id: row.mailbox_id.ok_or_else(broken)?,
        },
        "folder" => PolicyScope::Folder {
            mailbox_id: row.mailbox_id.ok_or_else(broken)?,
            folder: row.folder.clone().ok_or_else(broken)?,
        },
        "label" => PolicyScope::Label {
            key: row.label_key.clone().ok_or_else(broken)?,
            value: row.label_value.clone().unwrap_or_default(),
        },
        _ => return Err(broken()),
    };
    Ok(Policy {
        id: row.id,
        scope,
        keep_years: u32::try_from(row.keep_years).map_err(|_| broken())?,
        basis: Basis::parse(&row.basis).ok_or_else(broken)?,
        name: row.name,
        created_at: row.created_at,
        created_by: row.created_by,
    })
}

pub(super) fn hold_of(row: legal_hold::Model) -> Result<Hold, RetentionError> {
    let broken = || RetentionError::Invalid(format!("legal hold {} is malformed", row.id));
    let scope = match row.scope.as_str() {
        "mailbox" => HoldScope::Mailbox {
            mailbox_id: row.mailbox_id.ok_or_else(broken)?,
        },
        "query" => HoldScope::Query {
            query: row.query.clone().ok_or_else(broken)?,
        },
        "messages" => HoldScope::Messages {
            message_ids: row
                .message_ids
                .as_deref()
                .and_then(|json| serde_json::from_str(json).ok())
                .ok_or_else(broken)?,
        },
        _ => return Err(broken()),
    };
    Ok(Hold {
        id: row.id,
        reason: row.reason,
        scope,
        created_at: row.created_at,
        created_by: row.created_by,
        released_at: row.released_at,
        released_by: row.released_by,
        release_reason: row.release_reason,
    })
}
