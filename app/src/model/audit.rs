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
pub const AUDIT_ACTIONS: [(&str, &str); 32] = [
    ("sign_in", "Signed in"),
    ("sign_in_failed", "Sign-in failed"),
    ("sign_out", "Signed out"),
    ("password_changed", "Password changed"),
    ("password_reset_requested", "Password reset requested"),
    ("user_created", "User created"),
    ("user_changed", "User changed"),
    ("user_deleted", "User deleted"),
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

/// One field an entry says was changed: its value before and after, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    /// Empty when the field did not exist before (a creation).
    pub before: String,
    /// Empty when it does not exist after (a deletion).
    pub after: String,
}

/// What an entry's JSON details say, read for people: the fields changed
/// (from `before`/`after` objects, field by field) and the other facts
/// (every other key), each as text. Details that are not a JSON object
/// come back as one fact named `details`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryDetails {
    pub changes: Vec<FieldChange>,
    pub facts: Vec<(String, String)>,
}

impl EntryDetails {
    pub fn parse(details: &str) -> EntryDetails {
        use serde_json::Value;
        let object = match serde_json::from_str::<Value>(details) {
            Ok(Value::Object(object)) => object,
            Ok(Value::Null) | Err(_) if details.trim().is_empty() => {
                return EntryDetails::default();
            }
            _ => {
                return EntryDetails {
                    changes: Vec::new(),
                    facts: vec![("details".into(), details.to_string())],
                };
            }
        };
        let side = |key: &str| match object.get(key) {
            Some(Value::Object(fields)) => fields.clone(),
            _ => serde_json::Map::new(),
        };
        let (before, after) = (side("before"), side("after"));
        let mut fields: Vec<&String> = before.keys().chain(after.keys()).collect();
        fields.sort();
        fields.dedup();
        let changes = fields
            .into_iter()
            .map(|field| FieldChange {
                field: field_label(field),
                before: before.get(field).map(value_text).unwrap_or_default(),
                after: after.get(field).map(value_text).unwrap_or_default(),
            })
            .collect();
        let facts = object
            .iter()
            .filter(|(key, value)| {
                !(matches!(key.as_str(), "before" | "after") && value.is_object())
            })
            .map(|(key, value)| (field_label(key), value_text(value)))
            .collect();
        EntryDetails { changes, facts }
    }

    /// The value `field` (a key of the details, unlabelled) had after the change.
    fn after(details: &serde_json::Value, field: &str) -> Option<String> {
        details.get("after")?.get(field).map(value_text)
    }

    fn before(details: &serde_json::Value, field: &str) -> Option<String> {
        details.get("before")?.get(field).map(value_text)
    }
}

/// A key of the details as people read it: `display_name` → `display name`.
fn field_label(key: &str) -> String {
    key.replace('_', " ")
}

/// A JSON value as plain text: strings without quotes, lists joined,
/// nothing as "—".
fn value_text(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "—".into(),
        Value::String(text) => text.clone(),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::Number(number) => number.to_string(),
        Value::Array(items) if items.is_empty() => "none".into(),
        Value::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join(", "),
        Value::Object(fields) => fields
            .iter()
            .map(|(key, value)| format!("{}: {}", field_label(key), value_text(value)))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// "1 message", "3 messages".
fn count_of(count: u64, what: &str) -> String {
    match count {
        1 => format!("1 {what}"),
        _ => format!("{count} {what}s"),
    }
}

/// What the entry's actor did, in a sentence without the actor ("changed
/// the role of bob@example.com from user to admin"); the action's label
/// with its target where nothing more specific is known.
pub fn describe(entry: &AuditEntryView) -> String {
    let details: serde_json::Value = serde_json::from_str(&entry.details).unwrap_or_default();
    let whom = entry.target.strip_prefix("user ").unwrap_or(&entry.target);
    let number = |key: &str| details.get(key).and_then(serde_json::Value::as_u64);
    match entry.action.as_str() {
        "user_created" => match EntryDetails::after(&details, "role") {
            Some(role) => format!("created the user {whom} ({role})"),
            None => format!("created the user {whom}"),
        },
        "user_deleted" => format!("deleted the user {whom}"),
        "user_changed" => describe_user_change(&details, whom),
        "password_changed" => match details.get("by").and_then(|by| by.as_str()) {
            Some("administrator") => format!("set a new password for {whom}"),
            Some("reset link") => format!("chose a new password for {whom} by a mailed link"),
            _ => format!("changed the password of {whom}"),
        },
        "password_reset_requested" => match details.get("link").and_then(|link| link.as_str()) {
            Some("invitation") => format!("mailed {whom} an invitation to choose a password"),
            Some(_) => format!("mailed {whom} a link to choose a new password"),
            None => "asked for a password-reset link".into(),
        },
        "restore" => {
            let restored = details
                .get("report")
                .and_then(|report| report.get("restored"))
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0);
            let mailbox = details
                .get("mailbox")
                .and_then(|name| name.as_str().map(str::to_string))
                .or_else(|| number("mailbox_id").map(|id| format!("mailbox {id}")))
                .unwrap_or_else(|| "a mailbox".into());
            let folder = details.get("folder").and_then(|folder| folder.as_str());
            let place = match folder {
                Some(folder) if !folder.is_empty() => format!("{mailbox} / {folder}"),
                _ => mailbox,
            };
            format!("restored {} to {place}", count_of(restored, "message"))
        }
        "export" => {
            let format = details
                .get("format")
                .and_then(|f| f.as_str())
                .unwrap_or("eml");
            match number("messages") {
                Some(count) => format!("exported {} as {format}", count_of(count, "message")),
                None => "exported messages".into(),
            }
        }
        action => {
            let label = AUDIT_ACTIONS
                .iter()
                .find(|(name, _)| *name == action)
                .map(|(_, label)| label.to_lowercase())
                .unwrap_or_else(|| action.replace('_', " "));
            match entry.target.as_str() {
                "" | "sign-in" => label,
                target => format!("{label}: {target}"),
            }
        }
    }
}

/// "changed the role of bob from user to admin", "disabled bob", or the
/// changed fields named.
fn describe_user_change(details: &serde_json::Value, whom: &str) -> String {
    let after = |field| EntryDetails::after(details, field);
    let before = |field| EntryDetails::before(details, field);
    let mut parts = Vec::new();
    if let Some(disabled) = after("disabled") {
        parts.push(match disabled.as_str() {
            "yes" => format!("disabled {whom}"),
            _ => format!("enabled {whom}"),
        });
    }
    if let Some(role) = after("role") {
        let from = before("role").unwrap_or_else(|| "—".into());
        parts.push(format!("changed the role of {whom} from {from} to {role}"));
    }
    if let Some(email) = after("email") {
        parts.push(format!("changed the address of {whom} to {email}"));
    }
    if let Some(name) = after("display_name") {
        parts.push(format!("renamed {whom} to {name}"));
    }
    match parts.is_empty() {
        true => format!("changed the user {whom}"),
        false => parts.join("; "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str, target: &str, details: serde_json::Value) -> AuditEntryView {
        AuditEntryView {
            id: 1,
            at: chrono::Utc::now(),
            actor: "root@example.com".into(),
            client: None,
            action: action.into(),
            target: target.into(),
            details: details.to_string(),
            outcome: "ok".into(),
        }
    }

    #[test]
    fn changes_are_read_field_by_field_and_other_keys_are_facts() {
        let details = serde_json::json!({
            "before": { "role": "user", "display_name": "Bob" },
            "after": { "role": "admin", "display_name": "Robert" },
            "secret_changed": false,
            "granted_user_ids": [3, 4],
        });
        let read = EntryDetails::parse(&details.to_string());
        assert_eq!(
            read.changes,
            vec![
                FieldChange {
                    field: "display name".into(),
                    before: "Bob".into(),
                    after: "Robert".into()
                },
                FieldChange {
                    field: "role".into(),
                    before: "user".into(),
                    after: "admin".into()
                },
            ]
        );
        assert_eq!(
            read.facts,
            vec![
                ("granted user ids".into(), "3, 4".into()),
                ("secret changed".into(), "no".into()),
            ]
        );
        let created = EntryDetails::parse(r#"{"after":{"email":"a@b.c"}}"#);
        assert_eq!(created.changes[0].before, "");
        assert_eq!(EntryDetails::parse("not json").facts[0].1, "not json");
        assert_eq!(EntryDetails::parse("{}"), EntryDetails::default());
    }

    #[test]
    fn actions_are_described_in_words() {
        let role = entry(
            "user_changed",
            "user bob@example.com",
            serde_json::json!({ "before": { "role": "user" }, "after": { "role": "admin" } }),
        );
        assert_eq!(
            describe(&role),
            "changed the role of bob@example.com from user to admin"
        );
        let disabled = entry(
            "user_changed",
            "user bob@example.com",
            serde_json::json!({ "before": { "disabled": false }, "after": { "disabled": true } }),
        );
        assert_eq!(describe(&disabled), "disabled bob@example.com");
        let restore = entry(
            "restore",
            "restore",
            serde_json::json!({ "message_ids": [7], "mailbox": "alice", "mailbox_id": 2,
                "folder": "INBOX", "report": { "restored": 1, "failed": [] } }),
        );
        assert_eq!(describe(&restore), "restored 1 message to alice / INBOX");
        let by_id = entry(
            "restore",
            "restore",
            serde_json::json!({ "mailbox_id": 2, "folder": "INBOX", "report": { "restored": 3 } }),
        );
        assert_eq!(describe(&by_id), "restored 3 messages to mailbox 2 / INBOX");
        let viewed = entry("message_viewed", "message 9", serde_json::json!({}));
        assert_eq!(describe(&viewed), "message viewed: message 9");
        let sign_in = entry("sign_in", "sign-in", serde_json::json!({}));
        assert_eq!(describe(&sign_in), "signed in");
    }
}
