//! POP3 mailboxes archived by the engine, set up and run through the CLI
//! as an administrator would: byte for byte over POP3S, STLS and plain; a
//! second run that fetches only new mail; "delete after archiving" that
//! never deletes a message whose commit failed; a wrong password told as
//! such; the connection test's capabilities and message count; and the
//! unique ids archived kept on SQLite and PostgreSQL alike.

use super::{add_to_maildrop, fill_maildrop, maildrop_digests, pop3_endpoint, tricky_messages};
use crate::actions::archive_json;
use crate::harness::{
    add_owner, databases, export_digests, services, stderr, stdout, synthetic_message, tresor,
};
use app::model::mailbox::{AuthMethod, MailboxInput, Security as ProfileSecurity, Source};
use sea_orm::{ConnectionTrait, Database};
use std::collections::BTreeSet;
use std::path::Path;
use tresor::imap::Security;
use tresor::store::Digest;

/// Adds the POP3 mailbox `name` for Dovecot user `user` (owned by
/// alice@example.com) with `security` and `extra` options; returns what
/// the CLI printed.
pub(super) fn add_pop3_mailbox(
    data_dir: &Path,
    name: &str,
    user: &str,
    password: &str,
    security: Security,
    extra: &[&str],
) -> String {
    let ca = std::env::var("TRESOR_TEST_DOVECOT_CA").unwrap();
    let (security, port) = match security {
        Security::ImplicitTls => ("tls", "TRESOR_TEST_POP3S_PORT"),
        Security::StartTls => ("starttls", "TRESOR_TEST_POP3_PORT"),
        Security::Plain => ("plain", "TRESOR_TEST_POP3_PORT"),
    };
    let port = std::env::var(port).unwrap();
    add_owner(data_dir);
    let mut args = vec![
        "mailbox",
        "add",
        "--owner",
        "alice@example.com",
        "--name",
        name,
        "--source",
        "pop3",
        "--host",
        "localhost",
        "--port",
        &port,
        "--security",
        security,
        "--auth",
        "login",
        "--username",
        user,
        "--password-stdin",
        "--ca-file",
        &ca,
    ];
    args.extend_from_slice(extra);
    let added = tresor(data_dir, &args, Some(&format!("{password}\n")));
    assert!(added.status.success(), "{}", stderr(&added));
    stdout(&added)
}

fn digests(messages: &[Vec<u8>]) -> BTreeSet<Digest> {
    messages.iter().map(|message| Digest::of(message)).collect()
}

#[tokio::test]
async fn pop3s_stls_and_plain_archive_byte_for_byte_and_then_only_new_mail() {
    if pop3_endpoint(Security::ImplicitTls).is_none() {
        return;
    }
    let mut messages = tricky_messages();
    messages.extend((0..20).map(synthetic_message));
    fill_maildrop("pop2", "pop2pw", &messages).await;
    // One archive each: in one, the second mailbox's copies would be duplicates.
    let data_dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    for (data_dir, (name, security)) in data_dirs.iter().zip([
        ("pop3s", Security::ImplicitTls),
        ("stls", Security::StartTls),
        ("plain", Security::Plain),
    ]) {
        let printed = add_pop3_mailbox(data_dir.path(), name, "pop2", "pop2pw", security, &[]);
        // Plain gets the warning IMAP gets.
        assert_eq!(
            printed.contains("Unencrypted connection"),
            security == Security::Plain,
            "{printed}"
        );
        let log = archive_json(data_dir.path(), name);
        let inbox = &log["folders"][0];
        assert_eq!(inbox["name"], "INBOX", "{log}");
        assert_eq!(inbox["server_count"].as_u64(), Some(messages.len() as u64));
        assert_eq!(
            inbox["archived_total"].as_u64(),
            Some(messages.len() as u64)
        );
        assert_eq!(log["status"], "succeeded", "{log}");
        let exported = export_digests(data_dir.path(), name);
        assert_eq!(exported.len(), messages.len(), "{name}");
        assert_eq!(
            exported.into_iter().collect::<BTreeSet<_>>(),
            digests(&messages)
        );
    }
    // "Leave on server" left everything there.
    assert_eq!(
        maildrop_digests("pop2", "pop2pw").await.len(),
        messages.len()
    );

    // A second run fetches nothing; after two new messages, only those.
    let data_dir = &data_dirs[0];
    let again = archive_json(data_dir.path(), "pop3s");
    assert_eq!(again["archived"].as_u64(), Some(0), "{again}");
    assert_eq!(again["duplicates"].as_u64(), Some(0), "{again}");
    let new = [synthetic_message(100), synthetic_message(101)];
    add_to_maildrop("pop2", "pop2pw", &new).await;
    let next = archive_json(data_dir.path(), "pop3s");
    assert_eq!(next["archived"].as_u64(), Some(2), "{next}");
    assert_eq!(next["duplicates"].as_u64(), Some(0), "{next}");
    assert_eq!(
        next["folders"][0]["archived_total"].as_u64(),
        Some(messages.len() as u64 + 2),
        "{next}"
    );
    let exported = export_digests(data_dir.path(), "pop3s");
    messages.extend(new);
    assert_eq!(
        exported.into_iter().collect::<BTreeSet<_>>(),
        digests(&messages)
    );
}

#[tokio::test]
async fn delete_after_archiving_never_deletes_a_message_whose_commit_failed() {
    if pop3_endpoint(Security::ImplicitTls).is_none() {
        return;
    }
    // More than one fetch chunk (1,000): the first chunk commits and is
    // marked deleted before the second one's commit fails.
    let messages: Vec<Vec<u8>> = (0..1100).map(synthetic_message).collect();
    fill_maildrop("pop3", "pop3pw", &messages).await;
    let data_dir = tempfile::tempdir().unwrap();
    add_pop3_mailbox(
        data_dir.path(),
        "deleting",
        "pop3",
        "pop3pw",
        Security::ImplicitTls,
        &["--action", "delete"],
    );
    // The database refuses every location above the first chunk: that
    // batch's transaction fails and nothing of it is recorded.
    let database = data_dir.path().join("tresor.db");
    let db = Database::connect(format!("sqlite://{}", database.display()))
        .await
        .unwrap();
    db.execute_unprepared(
        "CREATE TRIGGER refuse_late_locations BEFORE INSERT ON message_locations \
         WHEN NEW.uid > 1000 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
    )
    .await
    .unwrap();

    let failed = tresor(data_dir.path(), &["archive", "deleting", "--json"], None);
    assert!(!failed.status.success(), "{}", stdout(&failed));
    let log: serde_json::Value = serde_json::from_str(&stdout(&failed)).unwrap();
    assert_eq!(log["status"], "failed", "{log}");
    let inbox = &log["folders"][0];
    assert!(
        inbox["error"]
            .as_str()
            .unwrap()
            .contains("refused by the test"),
        "{log}"
    );
    assert_eq!(inbox["deleted"].as_u64(), Some(1000), "{log}");
    // What is still on the server is exactly what the archive lacks.
    let left: BTreeSet<Digest> = maildrop_digests("pop3", "pop3pw")
        .await
        .into_iter()
        .collect();
    let archived: BTreeSet<Digest> = export_digests(data_dir.path(), "deleting")
        .into_iter()
        .collect();
    assert_eq!(left.len(), 100, "{log}");
    assert_eq!(archived.len(), 1000);
    assert!(left.is_disjoint(&archived));
    assert_eq!(
        left.union(&archived).copied().collect::<BTreeSet<_>>(),
        digests(&messages)
    );

    // Once the database takes them, the rest is archived and then deleted.
    db.execute_unprepared("DROP TRIGGER refuse_late_locations")
        .await
        .unwrap();
    let log = archive_json(data_dir.path(), "deleting");
    assert_eq!(log["archived"].as_u64(), Some(100), "{log}");
    assert_eq!(log["folders"][0]["deleted"].as_u64(), Some(100), "{log}");
    assert!(maildrop_digests("pop3", "pop3pw").await.is_empty());
    let archived: BTreeSet<Digest> = export_digests(data_dir.path(), "deleting")
        .into_iter()
        .collect();
    assert_eq!(archived, digests(&messages));
}

#[tokio::test]
async fn age_filters_go_by_the_date_a_message_carries() {
    if pop3_endpoint(Security::ImplicitTls).is_none() {
        return;
    }
    let old = b"Message-ID: <old@example.com>\r\nDate: Mon, 1 Jan 2018 10:00:00 +0000\r\nSubject: old\r\n\r\nold\r\n".to_vec();
    let young = format!(
        "Message-ID: <young@example.com>\r\nDate: {}\r\nSubject: young\r\n\r\nyoung\r\n",
        chrono::Utc::now().to_rfc2822()
    )
    .into_bytes();
    fill_maildrop("pop4", "pop4pw", &[old.clone(), young.clone()]).await;
    let data_dir = tempfile::tempdir().unwrap();
    add_pop3_mailbox(
        data_dir.path(),
        "aging",
        "pop4",
        "pop4pw",
        Security::StartTls,
        &["--action", "delete", "--delete-older-than-days", "30"],
    );
    let log = archive_json(data_dir.path(), "aging");
    assert_eq!(log["archived"].as_u64(), Some(2), "{log}");
    assert_eq!(log["folders"][0]["deleted"].as_u64(), Some(1), "{log}");
    assert_eq!(
        maildrop_digests("pop4", "pop4pw").await,
        [Digest::of(&young)]
    );

    // Archiving only old mail reads the date from the header (`TOP`)
    // before fetching: the young one waits on the server for a later run.
    fill_maildrop("pop4", "pop4pw", &[old.clone(), young.clone()]).await;
    let data_dir = tempfile::tempdir().unwrap();
    add_pop3_mailbox(
        data_dir.path(),
        "patient",
        "pop4",
        "pop4pw",
        Security::ImplicitTls,
        &["--older-than-days", "30"],
    );
    let log = archive_json(data_dir.path(), "patient");
    assert_eq!(log["archived"].as_u64(), Some(1), "{log}");
    assert_eq!(log["folders"][0]["skipped"].as_u64(), Some(1), "{log}");
    assert_eq!(
        export_digests(data_dir.path(), "patient"),
        [Digest::of(&old)]
    );
}

#[tokio::test]
async fn a_wrong_password_fails_the_test_and_the_run_in_words() {
    if pop3_endpoint(Security::ImplicitTls).is_none() {
        return;
    }
    fill_maildrop(
        "pop5",
        "pop5pw",
        &[synthetic_message(1), synthetic_message(2)],
    )
    .await;
    let data_dir = tempfile::tempdir().unwrap();
    add_pop3_mailbox(
        data_dir.path(),
        "right",
        "pop5",
        "pop5pw",
        Security::ImplicitTls,
        &[],
    );
    let tested = tresor(
        data_dir.path(),
        &["mailbox", "test", "right", "--json"],
        None,
    );
    assert!(tested.status.success(), "{}", stderr(&tested));
    let report: serde_json::Value = serde_json::from_str(&stdout(&tested)).unwrap();
    let capabilities: Vec<&str> = report["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|capability| capability.as_str().unwrap())
        .collect();
    assert!(capabilities.contains(&"UIDL"), "{report}");
    assert!(
        capabilities
            .iter()
            .any(|capability| capability.starts_with("SASL")),
        "{report}"
    );
    assert_eq!(
        report["folders"][0]["messages"].as_u64(),
        Some(2),
        "{report}"
    );
    assert!(report["certificate"]["sha256"].is_string(), "{report}");
    let told = tresor(data_dir.path(), &["mailbox", "test", "right"], None);
    assert!(
        stdout(&told).contains("messages on the server: 2"),
        "{}",
        stdout(&told)
    );

    add_pop3_mailbox(
        data_dir.path(),
        "wrong",
        "pop5",
        "not-the-password",
        Security::ImplicitTls,
        &[],
    );
    let tested = tresor(
        data_dir.path(),
        &["mailbox", "test", "wrong", "--json"],
        None,
    );
    assert!(!tested.status.success());
    let report: serde_json::Value = serde_json::from_str(&stdout(&tested)).unwrap();
    assert_eq!(report["error_kind"], "authentication", "{report}");
    assert!(
        report["error"]
            .as_str()
            .unwrap()
            .starts_with("authentication failed"),
        "{report}"
    );
    let run = tresor(data_dir.path(), &["archive", "wrong", "--json"], None);
    assert!(!run.status.success());
    let log: serde_json::Value = serde_json::from_str(&stdout(&run)).unwrap();
    assert!(
        log["error"]
            .as_str()
            .unwrap()
            .starts_with("authentication failed"),
        "{log}"
    );
}

#[tokio::test]
async fn a_message_above_the_maximum_size_is_skipped_and_listed_the_rest_archived() {
    if pop3_endpoint(Security::ImplicitTls).is_none() {
        return;
    }
    let mut large = b"Message-ID: <large@example.com>\r\nSubject: large\r\n\r\n".to_vec();
    large.extend(std::iter::repeat_n(b'x', 100_000));
    large.extend_from_slice(b"\r\n");
    let messages = vec![synthetic_message(1), large, synthetic_message(2)];
    fill_maildrop("pop6", "pop6pw", &messages).await;
    let data_dir = tempfile::tempdir().unwrap();
    add_pop3_mailbox(
        data_dir.path(),
        "limited",
        "pop6",
        "pop6pw",
        Security::ImplicitTls,
        &["--max-size", "50000", "--action", "delete"],
    );
    let log = archive_json(data_dir.path(), "limited");
    let inbox = &log["folders"][0];
    assert_eq!(log["archived"].as_u64(), Some(2), "{log}");
    assert_eq!(inbox["skipped"].as_u64(), Some(1), "{log}");
    assert!(
        inbox["skips"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("larger than the limit of 50000 bytes"),
        "{log}"
    );
    // Only the archived ones were deleted: the large one waits on the server.
    assert_eq!(inbox["deleted"].as_u64(), Some(2), "{log}");
    assert_eq!(
        maildrop_digests("pop6", "pop6pw").await,
        [Digest::of(&messages[1])]
    );
}

#[tokio::test]
async fn the_set_of_unique_ids_archived_is_kept_on_sqlite_and_postgresql() {
    let Some(pop3s) = pop3_endpoint(Security::ImplicitTls) else {
        return;
    };
    let ca = std::env::var("TRESOR_TEST_DOVECOT_CA").unwrap();
    for db in databases().await {
        fill_maildrop(
            "pop8",
            "pop8pw",
            &[synthetic_message(1), synthetic_message(2)],
        )
        .await;
        let services = services(&db).await;
        let input = MailboxInput {
            source: Source::Pop3,
            port: pop3s.port,
            security: ProfileSecurity::Tls,
            auth_method: AuthMethod::Login,
            ca_file: Some(ca.clone()),
            ..MailboxInput::new("kept", "localhost", "pop8")
        };
        services.add_mailbox(None, &input, Some("pop8pw")).await;
        let first = services.engine.archive("kept").await.unwrap();
        assert_eq!(
            (first.archived, first.duplicates),
            (2, 0),
            "{}: {first:?}",
            db.name
        );
        add_to_maildrop("pop8", "pop8pw", &[synthetic_message(3)]).await;
        let second = services.engine.archive("kept").await.unwrap();
        assert_eq!(
            (second.archived, second.duplicates),
            (1, 0),
            "{}: {second:?}",
            db.name
        );
        assert_eq!(second.folders[0].archived_total, 3, "{}", db.name);
    }
}
