//! What the command line changes is in the audit log as the web's changes
//! are: the services record them (`Mailboxes`, `Accounts`, `SignInApps`,
//! `Notifier`), so both leave the same action, target and details — here
//! by "operator (command line)".

use crate::harness::{stderr, tresor};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use std::path::Path;
use tresor::db::entity::audit_entry;

/// How the log names the command line.
const OPERATOR: &str = "operator (command line)";

/// Runs `tresor` in `data_dir`, which must succeed.
fn run(data_dir: &Path, args: &[&str], stdin: Option<&str>) {
    let output = tresor(data_dir, args, stdin);
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
}

/// The one entry of `action` in the data dir's audit log: by the command
/// line, with its target and its details.
async fn only_entry(data_dir: &Path, action: &str) -> (String, Value) {
    let url = format!("sqlite://{}?mode=ro", data_dir.join("tresor.db").display());
    let db = sea_orm::Database::connect(url).await.unwrap();
    let entries = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq(action))
        .order_by_asc(audit_entry::Column::Id)
        .all(&db)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1, "one {action} entry: {entries:?}");
    let entry = &entries[0];
    assert_eq!(entry.actor, OPERATOR, "{entry:?}");
    assert_eq!(entry.outcome, "ok", "{entry:?}");
    (
        entry.target.clone(),
        serde_json::from_str(&entry.details).unwrap(),
    )
}

/// The keys of a JSON object, sorted.
fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

#[tokio::test]
async fn adding_a_user_and_a_mailbox_from_the_command_line_is_audited_as_in_the_browser() {
    let dir = tempfile::tempdir().unwrap();
    run(
        dir.path(),
        &[
            "user",
            "add",
            "--email",
            "Alice@Example.com",
            "--password-stdin",
        ],
        Some("alice-tresor-password\n"),
    );
    let (target, details) = only_entry(dir.path(), "user_created").await;
    assert_eq!(target, "user alice@example.com");
    assert_eq!(
        details,
        json!({ "after": { "email": "alice@example.com", "display_name": "alice", "role": "user" } })
    );

    run(
        dir.path(),
        &[
            "mailbox",
            "add",
            "--owner",
            "alice@example.com",
            "--name",
            "Inbox",
            "--host",
            "imap.example.com",
            "--username",
            "alice",
            "--password-stdin",
        ],
        Some("imap-password-never-logged\n"),
    );
    let (target, details) = only_entry(dir.path(), "mailbox_created").await;
    assert_eq!(target, "mailbox 1 (Inbox)");
    // What the mailbox editor's save records, key for key.
    assert_eq!(
        keys(&details),
        ["after", "granted_user_ids", "secret_changed", "shared"]
    );
    assert_eq!(details["after"]["name"], "Inbox");
    assert_eq!(details["after"]["host"], "imap.example.com");
    assert_eq!(details["after"]["username"], "alice");
    assert_eq!(details["secret_changed"], true);
    assert_eq!(details["shared"], false);
    assert_eq!(details["granted_user_ids"], json!([]));
    assert!(!details.to_string().contains("imap-password-never-logged"));
}

#[tokio::test]
async fn sign_in_apps_and_smtp_settings_changed_from_the_command_line_are_audited() {
    let dir = tempfile::tempdir().unwrap();
    run(
        dir.path(),
        &[
            "oauth-app",
            "add",
            "--name",
            "Contoso",
            "--provider",
            "microsoft",
            "--tenant",
            "organizations",
            "--client-id",
            "client-1",
            "--scopes",
            "offline_access",
            "--client-secret-stdin",
        ],
        Some("client-secret-never-logged\n"),
    );
    let (target, details) = only_entry(dir.path(), "sign_in_app_saved").await;
    assert_eq!(target, "sign-in app Contoso");
    assert_eq!(details["provider"], "microsoft");
    assert_eq!(details["client_id"], "client-1");
    assert_eq!(details["secret_change"], "changed");
    assert!(!details.to_string().contains("client-secret-never-logged"));

    run(dir.path(), &["oauth-app", "remove", "Contoso"], None);
    let (target, details) = only_entry(dir.path(), "sign_in_app_removed").await;
    assert_eq!(target, "sign-in app Contoso");
    assert_eq!(keys(&details), ["id"]);

    run(
        dir.path(),
        &[
            "smtp",
            "set",
            "--host",
            "smtp.example.com",
            "--username",
            "archive",
            "--password-stdin",
            "--from",
            "archive@example.com",
        ],
        Some("smtp-password-never-logged\n"),
    );
    let (target, details) = only_entry(dir.path(), "smtp_changed").await;
    assert_eq!(target, "smtp settings of the instance");
    assert_eq!(details["before"], Value::Null);
    assert_eq!(details["after"]["host"], "smtp.example.com");
    assert_eq!(details["after"]["port"], 587);
    assert_eq!(details["password_change"], "changed");
    assert!(!details.to_string().contains("smtp-password-never-logged"));
}
