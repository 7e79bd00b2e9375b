//! Typed models shared by browser and server. Each type says its direction:
//! `*View` goes to the browser, `*Input` comes from it. Nothing secret lives here:
//! password hashes and session tokens are server-only types in `server/`.

pub mod access;
pub mod archive;
pub mod audit;
pub mod batch;
pub mod job;
pub mod mailbox;
pub mod mailbox_form;
pub mod mailbox_profile;
mod named_enum;
pub mod notifications;
pub mod oauth;
pub mod probe;
pub mod retention;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a signed-in person may do. Checked on the server in every server function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages users, shared mailboxes, templates, retention; sees every job log.
    Admin,
    /// Connects their own mailboxes and sees the archive of what they own or were granted.
    User,
    /// Read-only search over what the auditor role is granted; every access is logged.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::User, Role::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::User => "user",
            Role::Auditor => "auditor",
        }
    }

    /// The role's name as people read it, in `lang`.
    pub fn label(self, lang: crate::i18n::Lang) -> String {
        match self {
            Role::Admin => crate::t!(lang, "role-admin"),
            Role::User => crate::t!(lang, "role-user"),
            Role::Auditor => crate::t!(lang, "role-auditor"),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected admin, user or auditor")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "user" => Ok(Role::User),
            "auditor" => Ok(Role::Auditor),
            _ => Err(UnknownRole(text.to_string())),
        }
    }
}

/// The person behind the current request, as the UI needs to know them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// The language they chose; `None` until they do (the browser's decides).
    #[serde(default)]
    pub language: Option<crate::i18n::Lang>,
}

impl SessionUser {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// One row of the admin's user table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// What an admin submits to create a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUserInput {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// Ignored when `invite` is set.
    pub password: String,
    /// Mail the new user a link to choose their own password instead
    /// (needs the instance's mail settings).
    pub invite: bool,
}

/// What an admin changes of a user: each field as it is to be afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserEdit {
    pub email: String,
    pub display_name: String,
    pub role: Role,
}

/// Minimum password length, enforced on the server for every way a password is set.
pub const MIN_PASSWORD_LEN: usize = 10;

/// The dashboard's figures, over what the caller may see (an admin: all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardView {
    /// Only filled for admins.
    pub user_count: Option<u64>,
    pub mailbox_count: u64,
    /// Distinct messages in the archive.
    pub message_count: u64,
    /// Their original size in bytes (before compression and de-duplication).
    pub message_bytes: u64,
    pub archived_last_day: u64,
    /// Mailboxes that need someone's attention, most urgent first.
    pub attention: Vec<Attention>,
    /// Only filled for admins.
    pub integrity: Option<IntegrityView>,
}

/// Whether the archive is as it was archived: the last verification, the
/// last clean one, and the ledger head to note or sign elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityView {
    pub last_check: Option<VerificationSummary>,
    pub last_clean_at: Option<DateTime<Utc>>,
    /// `None` before the ledger has begun.
    pub head_seq: Option<i64>,
    pub head_hash: Option<String>,
    /// When the head was last written to the head file, and where that is.
    pub head_written_at: Option<DateTime<Utc>>,
    pub head_file: String,
    /// When the daily routine checks next (`None`: only when asked).
    #[serde(default)]
    pub next_check_at: Option<DateTime<Utc>>,
    /// Messages archived since the last check began: not covered by it yet.
    #[serde(default)]
    pub archived_since_check: u64,
}

/// What "verify now" did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VerifyStart {
    Started,
    /// A check of this server is going on already; it covers the new mail.
    AlreadyRunning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationSummary {
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// `running`, `clean`, `findings` or `failed`.
    pub status: String,
    pub blobs: u64,
    pub bytes: u64,
    pub finding_count: u64,
    /// The first findings in words (or why the check failed).
    pub first_findings: Vec<String>,
}

/// A mailbox that needs attention, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attention {
    pub mailbox_id: i64,
    pub mailbox: String,
    /// What is wrong, in words: the last error, or a weakened TLS setting.
    pub problem: String,
    /// For a failing mailbox: the start of the first of its failed runs in a row.
    pub failing_since: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_round_trips_through_its_name() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert_eq!(" Admin ".parse::<Role>(), Ok(Role::Admin));
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn role_serializes_as_lowercase_name() {
        assert_eq!(
            serde_json::to_string(&Role::Auditor).unwrap(),
            "\"auditor\""
        );
    }
}
