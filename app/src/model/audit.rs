//! The audit log as admins read it: the filter, the entries, and each
//! entry's action, sentence and details in the reader's language.

use crate::i18n::Lang;
use crate::t;
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

/// Every action the audit log records, for the filter (`action_label` says
/// what each means).
pub const AUDIT_ACTIONS: [&str; 34] = [
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "password_changed",
    "password_reset_requested",
    "user_created",
    "user_changed",
    "user_deleted",
    "mailbox_created",
    "mailbox_changed",
    "mailbox_deleted",
    "template_saved",
    "template_deleted",
    "batch_created",
    "search",
    "message_viewed",
    "message_downloaded",
    "attachment_downloaded",
    "export",
    "restore",
    "hold_placed",
    "hold_released",
    "policy_added",
    "policy_removed",
    "retention_applied",
    "audit_exported",
    "smtp_changed",
    "smtp_removed",
    "sign_in_app_saved",
    "sign_in_app_removed",
    "mailbox_signed_in",
    "mailbox_signed_out",
    "verification_started",
    "import_uploaded",
];

/// What the action named `action` means, in `lang`; the name itself for an
/// action this version does not know.
pub fn action_label(lang: Lang, action: &str) -> String {
    known_action_label(lang, action).unwrap_or_else(|| action.to_string())
}

fn known_action_label(lang: Lang, action: &str) -> Option<String> {
    Some(match action {
        "sign_in" => t!(lang, "audit-action-sign-in"),
        "sign_in_failed" => t!(lang, "audit-action-sign-in-failed"),
        "sign_out" => t!(lang, "audit-action-sign-out"),
        "password_changed" => t!(lang, "audit-action-password-changed"),
        "password_reset_requested" => t!(lang, "audit-action-password-reset-requested"),
        "user_created" => t!(lang, "audit-action-user-created"),
        "user_changed" => t!(lang, "audit-action-user-changed"),
        "user_deleted" => t!(lang, "audit-action-user-deleted"),
        "mailbox_created" => t!(lang, "audit-action-mailbox-created"),
        "mailbox_changed" => t!(lang, "audit-action-mailbox-changed"),
        "mailbox_deleted" => t!(lang, "audit-action-mailbox-deleted"),
        "template_saved" => t!(lang, "audit-action-template-saved"),
        "template_deleted" => t!(lang, "audit-action-template-deleted"),
        "batch_created" => t!(lang, "audit-action-batch-created"),
        "search" => t!(lang, "audit-action-search"),
        "message_viewed" => t!(lang, "audit-action-message-viewed"),
        "message_downloaded" => t!(lang, "audit-action-message-downloaded"),
        "attachment_downloaded" => t!(lang, "audit-action-attachment-downloaded"),
        "export" => t!(lang, "audit-action-export"),
        "restore" => t!(lang, "audit-action-restore"),
        "hold_placed" => t!(lang, "audit-action-hold-placed"),
        "hold_released" => t!(lang, "audit-action-hold-released"),
        "policy_added" => t!(lang, "audit-action-policy-added"),
        "policy_removed" => t!(lang, "audit-action-policy-removed"),
        "retention_applied" => t!(lang, "audit-action-retention-applied"),
        "audit_exported" => t!(lang, "audit-action-audit-exported"),
        "smtp_changed" => t!(lang, "audit-action-smtp-changed"),
        "smtp_removed" => t!(lang, "audit-action-smtp-removed"),
        "sign_in_app_saved" => t!(lang, "audit-action-sign-in-app-saved"),
        "sign_in_app_removed" => t!(lang, "audit-action-sign-in-app-removed"),
        "mailbox_signed_in" => t!(lang, "audit-action-mailbox-signed-in"),
        "mailbox_signed_out" => t!(lang, "audit-action-mailbox-signed-out"),
        "verification_started" => t!(lang, "audit-action-verification-started"),
        "import_uploaded" => t!(lang, "audit-action-import-uploaded"),
        _ => return None,
    })
}

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
/// come back as one fact named `details`. Field names and values are in
/// `lang`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryDetails {
    pub changes: Vec<FieldChange>,
    pub facts: Vec<(String, String)>,
}

impl EntryDetails {
    pub fn parse(lang: Lang, details: &str) -> EntryDetails {
        use serde_json::Value;
        let object = match serde_json::from_str::<Value>(details) {
            Ok(Value::Object(object)) => object,
            Ok(Value::Null) | Err(_) if details.trim().is_empty() => {
                return EntryDetails::default();
            }
            _ => {
                return EntryDetails {
                    changes: Vec::new(),
                    facts: vec![(field_label(lang, "details"), details.to_string())],
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
                field: field_label(lang, field),
                before: before
                    .get(field)
                    .map(|value| value_text(lang, value))
                    .unwrap_or_default(),
                after: after
                    .get(field)
                    .map(|value| value_text(lang, value))
                    .unwrap_or_default(),
            })
            .collect();
        let facts = object
            .iter()
            .filter(|(key, value)| {
                !(matches!(key.as_str(), "before" | "after") && value.is_object())
            })
            .map(|(key, value)| (field_label(lang, key), value_text(lang, value)))
            .collect();
        EntryDetails { changes, facts }
    }

    /// The value `field` (a key of the details, unlabelled) had after the change.
    fn after<'a>(details: &'a serde_json::Value, field: &str) -> Option<&'a serde_json::Value> {
        details.get("after")?.get(field)
    }

    fn before<'a>(details: &'a serde_json::Value, field: &str) -> Option<&'a serde_json::Value> {
        details.get("before")?.get(field)
    }
}

/// A key of the details as people read it: `display_name` → `display name`
/// (`Anzeigename`); a key this version does not name, with spaces for
/// underscores.
fn field_label(lang: Lang, key: &str) -> String {
    match key {
        "applied" => t!(lang, "audit-field-applied"),
        "auth_method" => t!(lang, "audit-field-auth-method"),
        "by" => t!(lang, "audit-field-by"),
        "ca_file" => t!(lang, "audit-field-ca-file"),
        "client_id" => t!(lang, "audit-field-client-id"),
        "details" => t!(lang, "audit-field-details"),
        "disabled" => t!(lang, "audit-field-disabled"),
        "display_name" => t!(lang, "audit-field-display-name"),
        "email" => t!(lang, "audit-field-email"),
        "email_address" => t!(lang, "audit-field-email-address"),
        "entries" => t!(lang, "audit-field-entries"),
        "error" => t!(lang, "audit-field-error"),
        "extra_recipients" => t!(lang, "audit-field-extra-recipients"),
        "failed" => t!(lang, "audit-field-failed"),
        "filter" => t!(lang, "audit-field-filter"),
        "folder" => t!(lang, "audit-field-folder"),
        "folder_rules" => t!(lang, "audit-field-folder-rules"),
        "folders" => t!(lang, "audit-field-folders"),
        "force" => t!(lang, "audit-field-force"),
        "format" => t!(lang, "audit-field-format"),
        "from_address" => t!(lang, "audit-field-from-address"),
        "from_name" => t!(lang, "audit-field-from-name"),
        "hits" => t!(lang, "audit-field-hits"),
        "host" => t!(lang, "audit-field-host"),
        "labels" => t!(lang, "audit-field-labels"),
        "link" => t!(lang, "audit-field-link"),
        "mailbox" => t!(lang, "audit-field-mailbox"),
        "mailbox_id" => t!(lang, "audit-field-mailbox-id"),
        "master_user" => t!(lang, "audit-field-master-user"),
        "message_ids" => t!(lang, "audit-field-message-ids"),
        "messages" => t!(lang, "audit-field-messages"),
        "name" => t!(lang, "audit-field-name"),
        "new" => t!(lang, "audit-field-new"),
        "port" => t!(lang, "audit-field-port"),
        "provider" => t!(lang, "audit-field-provider"),
        "query" => t!(lang, "audit-field-query"),
        "reason" => t!(lang, "audit-field-reason"),
        "report" => t!(lang, "audit-field-report"),
        "restored" => t!(lang, "audit-field-restored"),
        "role" => t!(lang, "audit-field-role"),
        "schedule" => t!(lang, "audit-field-schedule"),
        "scope" => t!(lang, "audit-field-scope"),
        "scopes" => t!(lang, "audit-field-scopes"),
        "secret_change" => t!(lang, "audit-field-secret-change"),
        "secret_changed" => t!(lang, "audit-field-secret-changed"),
        "security" => t!(lang, "audit-field-security"),
        "sent_to" => t!(lang, "audit-field-sent-to"),
        "skipped" => t!(lang, "audit-field-skipped"),
        "subject" => t!(lang, "audit-field-subject"),
        "summary_recipients" => t!(lang, "audit-field-summary-recipients"),
        "tenant" => t!(lang, "audit-field-tenant"),
        "user_agent" => t!(lang, "audit-field-user-agent"),
        "username" => t!(lang, "audit-field-username"),
        _ => key.replace('_', " "),
    }
}

/// A JSON value as plain text: strings without quotes, lists joined,
/// nothing as "—".
fn value_text(lang: Lang, value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "—".into(),
        Value::String(text) => text.clone(),
        Value::Bool(true) => t!(lang, "audit-value-yes"),
        Value::Bool(false) => t!(lang, "audit-value-no"),
        Value::Number(number) => number.to_string(),
        Value::Array(items) if items.is_empty() => t!(lang, "audit-value-none"),
        Value::Array(items) => items
            .iter()
            .map(|item| value_text(lang, item))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(fields) => fields
            .iter()
            .map(|(key, value)| format!("{}: {}", field_label(lang, key), value_text(lang, value)))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// What the entry's actor did, in a sentence without the actor ("changed
/// the role of bob@example.com from user to admin"); the action's label
/// with its target where nothing more specific is known.
pub fn describe(lang: Lang, entry: &AuditEntryView) -> String {
    let details: serde_json::Value = serde_json::from_str(&entry.details).unwrap_or_default();
    let whom = entry.target.strip_prefix("user ").unwrap_or(&entry.target);
    let number = |key: &str| details.get(key).and_then(serde_json::Value::as_u64);
    let after = |field| EntryDetails::after(&details, field).map(|value| value_text(lang, value));
    match entry.action.as_str() {
        "user_created" => match after("role") {
            Some(role) => t!(lang, "audit-did-create-user-as", whom = whom, role = role),
            None => t!(lang, "audit-did-create-user", whom = whom),
        },
        "user_deleted" => t!(lang, "audit-did-delete-user", whom = whom),
        "user_changed" => describe_user_change(lang, &details, whom),
        "password_changed" => match details.get("by").and_then(|by| by.as_str()) {
            Some("administrator") => t!(lang, "audit-did-set-password", whom = whom),
            Some("reset link") => t!(lang, "audit-did-choose-password", whom = whom),
            _ => t!(lang, "audit-did-change-password", whom = whom),
        },
        "password_reset_requested" => match details.get("link").and_then(|link| link.as_str()) {
            Some("invitation") => t!(lang, "audit-did-mail-invitation", whom = whom),
            Some(_) => t!(lang, "audit-did-mail-reset-link", whom = whom),
            None => t!(lang, "audit-did-ask-reset-link"),
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
                .or_else(|| {
                    number("mailbox_id")
                        .map(|id| t!(lang, "audit-mailbox-number", id = id.to_string()))
                })
                .unwrap_or_else(|| t!(lang, "audit-a-mailbox"));
            let folder = details.get("folder").and_then(|folder| folder.as_str());
            let place = match folder {
                Some(folder) if !folder.is_empty() => format!("{mailbox} / {folder}"),
                _ => mailbox,
            };
            t!(lang, "audit-did-restore", count = restored, place = place)
        }
        "export" => {
            let format = details
                .get("format")
                .and_then(|f| f.as_str())
                .unwrap_or("eml");
            match number("messages") {
                Some(count) => t!(lang, "audit-did-export", count = count, format = format),
                None => t!(lang, "audit-did-export-some"),
            }
        }
        action => {
            let label = match known_action_label(lang, action) {
                Some(label) => label_in_sentence(lang, label),
                None => action.replace('_', " "),
            };
            match entry.target.as_str() {
                "" | "sign-in" => label,
                target => t!(lang, "audit-did-on-target", action = label, target = target),
            }
        }
    }
}

/// An action's label as the sentence of an entry: lower case in English
/// ("message viewed", after the actor's column); German keeps the capitals
/// its nouns need ("Nachricht angesehen").
fn label_in_sentence(lang: Lang, label: String) -> String {
    match lang {
        Lang::En => label.to_lowercase(),
        Lang::De => label,
    }
}

/// "changed the role of bob from user to admin", "disabled bob", or the
/// changed fields named.
fn describe_user_change(lang: Lang, details: &serde_json::Value, whom: &str) -> String {
    let after = |field| EntryDetails::after(details, field);
    let text = |value: &serde_json::Value| value_text(lang, value);
    let mut parts = Vec::new();
    if let Some(disabled) = after("disabled") {
        parts.push(match disabled.as_bool() {
            Some(true) => t!(lang, "audit-did-disable-user", whom = whom),
            _ => t!(lang, "audit-did-enable-user", whom = whom),
        });
    }
    if let Some(role) = after("role") {
        let from = EntryDetails::before(details, "role").map_or_else(|| "—".into(), text);
        parts.push(t!(
            lang,
            "audit-did-change-role",
            whom = whom,
            from = from,
            to = text(role)
        ));
    }
    if let Some(email) = after("email") {
        parts.push(t!(
            lang,
            "audit-did-change-address",
            whom = whom,
            email = text(email)
        ));
    }
    if let Some(name) = after("display_name") {
        parts.push(t!(
            lang,
            "audit-did-rename-user",
            whom = whom,
            name = text(name)
        ));
    }
    match parts.is_empty() {
        true => t!(lang, "audit-did-change-user", whom = whom),
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
        let read = EntryDetails::parse(Lang::En, &details.to_string());
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
        let created = EntryDetails::parse(Lang::En, r#"{"after":{"email":"a@b.c"}}"#);
        assert_eq!(created.changes[0].before, "");
        assert_eq!(
            EntryDetails::parse(Lang::En, "not json").facts[0].1,
            "not json"
        );
        assert_eq!(EntryDetails::parse(Lang::En, "{}"), EntryDetails::default());
    }

    #[test]
    fn actions_are_described_in_words() {
        let role = entry(
            "user_changed",
            "user bob@example.com",
            serde_json::json!({ "before": { "role": "user" }, "after": { "role": "admin" } }),
        );
        assert_eq!(
            describe(Lang::En, &role),
            "changed the role of bob@example.com from user to admin"
        );
        let disabled = entry(
            "user_changed",
            "user bob@example.com",
            serde_json::json!({ "before": { "disabled": false }, "after": { "disabled": true } }),
        );
        assert_eq!(describe(Lang::En, &disabled), "disabled bob@example.com");
        let restore = entry(
            "restore",
            "restore",
            serde_json::json!({ "message_ids": [7], "mailbox": "alice", "mailbox_id": 2,
                "folder": "INBOX", "report": { "restored": 1, "failed": [] } }),
        );
        assert_eq!(
            describe(Lang::En, &restore),
            "restored 1 message to alice / INBOX"
        );
        let by_id = entry(
            "restore",
            "restore",
            serde_json::json!({ "mailbox_id": 2, "folder": "INBOX", "report": { "restored": 3 } }),
        );
        assert_eq!(
            describe(Lang::En, &by_id),
            "restored 3 messages to mailbox 2 / INBOX"
        );
        let viewed = entry("message_viewed", "message 9", serde_json::json!({}));
        assert_eq!(describe(Lang::En, &viewed), "message viewed: message 9");
        let sign_in = entry("sign_in", "sign-in", serde_json::json!({}));
        assert_eq!(describe(Lang::En, &sign_in), "signed in");
    }

    #[test]
    fn german_readers_get_german_sentences_and_field_names() {
        let role = entry(
            "user_changed",
            "user bob@example.com",
            serde_json::json!({ "before": { "role": "user", "disabled": false },
                "after": { "role": "admin", "disabled": true } }),
        );
        assert_eq!(
            describe(Lang::De, &role),
            "bob@example.com deaktiviert; Rolle von bob@example.com von user auf admin geändert"
        );
        let restore = entry(
            "restore",
            "restore",
            serde_json::json!({ "mailbox_id": 2, "folder": "INBOX", "report": { "restored": 3 } }),
        );
        assert_eq!(
            describe(Lang::De, &restore),
            "3 Nachrichten nach Postfach 2 / INBOX wiederhergestellt"
        );
        let viewed = entry("message_viewed", "message 9", serde_json::json!({}));
        assert_eq!(
            describe(Lang::De, &viewed),
            "Nachricht angesehen: message 9"
        );
        let read = EntryDetails::parse(
            Lang::De,
            r#"{"before":{"display_name":"Bob"},"after":{"display_name":"Robert"},"secret_changed":true}"#,
        );
        assert_eq!(read.changes[0].field, "Anzeigename");
        assert_eq!(read.facts, vec![("Geheimnis geändert".into(), "ja".into())]);
    }

    #[test]
    fn every_action_has_a_label_in_every_language() {
        for lang in Lang::ALL {
            for action in AUDIT_ACTIONS {
                let label = known_action_label(lang, action);
                assert!(
                    label.as_deref().is_some_and(|label| label != action),
                    "{action} has no label in {}",
                    lang.code()
                );
            }
        }
        assert_eq!(action_label(Lang::En, "sign_in_failed"), "Sign-in failed");
        assert_eq!(
            action_label(Lang::De, "sign_in_failed"),
            "Anmeldung fehlgeschlagen"
        );
        assert_eq!(action_label(Lang::De, "something_new"), "something_new");
    }
}
