//! After-archive actions and filters, checked on the real Dovecot: what the
//! archive holds and what the server shows afterwards.

use crate::archive::add_mailbox_with;
use crate::harness::{
    endpoint, export_digests, server_digests, session, stderr, stdout, synthetic_message, tresor,
};
use futures::TryStreamExt;
use std::collections::BTreeSet;
use std::time::Duration;
use tresor::engine::{ActionContext, move_messages};
use tresor::imap::{self, Capabilities, Security};
use tresor::store::Digest;

const TIMEOUT: Duration = Duration::from_secs(30);
/// Quoted: async-imap passes the date into APPEND as it is.
const OLD: &str = "\"01-Jan-2020 10:00:00 +0000\"";

/// A fresh folder of alice's holding `messages` (body, internal date); returns its name.
pub async fn seed(prefix: &str, messages: &[(Vec<u8>, Option<&str>)]) -> Option<String> {
    let endpoint = endpoint(Security::ImplicitTls, None)?;
    let mut session = session(&endpoint, "alice", "alicepw").await;
    let folder = format!("it-{prefix}-{}", rand::random::<u32>());
    session.create(&folder).await.unwrap();
    for (message, date) in messages {
        session
            .append(&folder, None, *date, message.clone())
            .await
            .unwrap();
    }
    imap::logout(session, TIMEOUT).await.unwrap();
    Some(folder)
}

async fn digests_in(folder: &str) -> Option<Vec<Digest>> {
    let endpoint = endpoint(Security::ImplicitTls, None).unwrap();
    let mut session = session(&endpoint, "alice", "alicepw").await;
    let folders = imap::list_folders(&mut session, TIMEOUT).await.unwrap();
    let digests = if folders.iter().any(|listed| listed.name == folder) {
        Some(server_digests(&mut session, folder).await)
    } else {
        None
    };
    imap::logout(session, TIMEOUT).await.unwrap();
    digests
}

pub fn archive_json(data_dir: &std::path::Path, name: &str) -> serde_json::Value {
    let run = tresor(data_dir, &["archive", name, "--json"], None);
    assert!(run.status.success(), "{}\n{}", stdout(&run), stderr(&run));
    serde_json::from_str(&stdout(&run)).unwrap()
}

#[tokio::test]
async fn tag_marks_archived_and_duplicate_messages_on_the_server() {
    let messages = [
        (synthetic_message(1), None),
        (synthetic_message(1), None),
        (synthetic_message(2), None),
    ];
    let Some(folder) = seed("tag", &messages).await else {
        return;
    };
    let data_dir = tempfile::tempdir().unwrap();
    add_mailbox_with(
        data_dir.path(),
        "tag",
        &folder,
        "alicepw",
        &[
            "--action",
            "tag",
            "--success-tag",
            "$Archiviert",
            "--duplicate-tag",
            "$Dublette",
        ],
    );
    let log = archive_json(data_dir.path(), "tag");
    assert_eq!(
        (
            log["archived"].as_u64(),
            log["duplicates"].as_u64(),
            log["tagged"].as_u64()
        ),
        (Some(2), Some(1), Some(3)),
        "{log}"
    );

    let flags: Vec<Vec<String>> = {
        let endpoint = endpoint(Security::ImplicitTls, None).unwrap();
        let mut session = session(&endpoint, "alice", "alicepw").await;
        session.examine(&folder).await.unwrap();
        let mut fetched: Vec<_> = session
            .uid_fetch("1:*", "(UID FLAGS)")
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        fetched.sort_by_key(|fetch| fetch.uid);
        imap::logout(session, TIMEOUT).await.unwrap();
        fetched
            .iter()
            .map(|fetch| fetch.flags().map(|flag| format!("{flag:?}")).collect())
            .collect()
    };
    let has = |flags: &Vec<String>, tag: &str| flags.iter().any(|flag| flag.contains(tag));
    assert!(
        has(&flags[0], "$Archiviert") && !has(&flags[0], "$Dublette"),
        "{flags:?}"
    );
    assert!(
        has(&flags[1], "$Dublette"),
        "the identical second copy is a duplicate: {flags:?}"
    );
    assert!(has(&flags[2], "$Archiviert"), "{flags:?}");
    assert!(
        flags.iter().all(|flags| !has(flags, "Seen")),
        "archiving does not mark mail as read: {flags:?}"
    );

    let again = archive_json(data_dir.path(), "tag");
    assert_eq!(
        (again["archived"].as_u64(), again["tagged"].as_u64()),
        (Some(0), Some(0)),
        "{again}"
    );
}

#[tokio::test]
async fn move_creates_the_target_folders_and_empties_the_source() {
    let messages = [
        (synthetic_message(11), None),
        (synthetic_message(12), None),
        (synthetic_message(11), None),
    ];
    let Some(folder) = seed("move", &messages).await else {
        return;
    };
    let originals: BTreeSet<Digest> = messages.iter().map(|(body, _)| Digest::of(body)).collect();
    let data_dir = tempfile::tempdir().unwrap();
    add_mailbox_with(
        data_dir.path(),
        "move",
        &folder,
        "alicepw",
        &[
            "--action",
            "move",
            "--success-folder",
            "Archiv-Ablage",
            "--duplicate-folder",
            "Dubletten-Übersicht",
        ],
    );
    let log = archive_json(data_dir.path(), "move");
    assert_eq!(
        (
            log["archived"].as_u64(),
            log["duplicates"].as_u64(),
            log["moved"].as_u64()
        ),
        (Some(2), Some(1), Some(3)),
        "{log}"
    );

    assert_eq!(
        digests_in(&folder).await,
        Some(Vec::new()),
        "the source folder is empty"
    );
    let moved = digests_in(&format!("Archiv-Ablage/{folder}"))
        .await
        .expect("target created");
    assert_eq!(moved.iter().copied().collect::<BTreeSet<_>>(), originals);
    let duplicates_folder = format!(
        "{}/{folder}",
        tresor::imap::utf7::encode("Dubletten-Übersicht")
    );
    let duplicates = digests_in(&duplicates_folder)
        .await
        .expect("duplicate target created, UTF-7 encoded");
    assert_eq!(duplicates, vec![Digest::of(&synthetic_message(11))]);
    // What left the server is in the archive, byte for byte.
    let exported: BTreeSet<Digest> = export_digests(data_dir.path(), "move")
        .into_iter()
        .collect();
    assert_eq!(exported, originals);

    // The targets are not archived again, and nothing is left to move.
    let again = archive_json(data_dir.path(), "move");
    assert_eq!(
        (again["archived"].as_u64(), again["moved"].as_u64()),
        (Some(0), Some(0)),
        "{again}"
    );
}

#[tokio::test]
async fn move_falls_back_to_copy_and_uid_expunge_without_the_move_extension() {
    let messages = [
        (synthetic_message(21), None),
        (synthetic_message(22), None),
        (synthetic_message(23), None),
    ];
    let Some(folder) = seed("fallback", &messages).await else {
        return;
    };
    let endpoint = endpoint(Security::ImplicitTls, None).unwrap();
    let mut session = session(&endpoint, "alice", "alicepw").await;
    let target = format!("{folder}-target");
    session.create(&target).await.unwrap();
    session.select(&folder).await.unwrap();
    // Someone else marked message 3 deleted: a plain EXPUNGE would remove it.
    session
        .uid_store("3", "+FLAGS (\\Deleted)")
        .await
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    let capabilities = Capabilities::from_names(["IMAP4REV1", "UIDPLUS"]);
    let mut existing = Default::default();
    let mut context = ActionContext {
        session: &mut session,
        capabilities: &capabilities,
        existing_folders: &mut existing,
        timeout: TIMEOUT,
        now: chrono::Utc::now(),
    };
    move_messages(&mut context, &[1, 2], &target).await.unwrap();
    let without_either = Capabilities::from_names(["IMAP4REV1"]);
    context.capabilities = &without_either;
    let refused = move_messages(&mut context, &[3], &target)
        .await
        .expect_err("no safe way to remove");
    assert!(
        refused.to_string().contains("neither MOVE nor UIDPLUS"),
        "{refused}"
    );
    imap::logout(session, TIMEOUT).await.unwrap();

    let moved: BTreeSet<Digest> = digests_in(&target).await.unwrap().into_iter().collect();
    let expected: BTreeSet<Digest> = messages[..2]
        .iter()
        .map(|(body, _)| Digest::of(body))
        .collect();
    assert_eq!(moved, expected);
    assert_eq!(
        digests_in(&folder).await.unwrap(),
        vec![Digest::of(&synthetic_message(23))],
        "only the moved UIDs were expunged"
    );
}

#[tokio::test]
async fn delete_removes_only_archived_messages_older_than_the_limit() {
    let messages = [
        (synthetic_message(31), Some(OLD)),
        (synthetic_message(32), Some(OLD)),
        (synthetic_message(33), None),
    ];
    let Some(folder) = seed("delete", &messages).await else {
        return;
    };
    let data_dir = tempfile::tempdir().unwrap();
    add_mailbox_with(
        data_dir.path(),
        "delete",
        &folder,
        "alicepw",
        &["--action", "delete", "--delete-older-than-days", "30"],
    );
    let log = archive_json(data_dir.path(), "delete");
    assert_eq!(
        (log["archived"].as_u64(), log["deleted"].as_u64()),
        (Some(3), Some(2)),
        "{log}"
    );
    assert_eq!(
        digests_in(&folder).await.unwrap(),
        vec![Digest::of(&synthetic_message(33))],
        "the young message stays on the server"
    );
    assert_eq!(
        export_digests(data_dir.path(), "delete").len(),
        3,
        "all three are archived"
    );
    let again = archive_json(data_dir.path(), "delete");
    assert_eq!(
        (again["archived"].as_u64(), again["deleted"].as_u64()),
        (Some(0), Some(0)),
        "{again}"
    );
}

#[tokio::test]
async fn filters_leave_young_and_large_messages_on_the_server_and_say_so() {
    let mut large = synthetic_message(41);
    large.extend(std::iter::repeat_n(b'x', 20_000));
    large.extend_from_slice(b"\r\n");
    let messages = [
        (synthetic_message(42), Some(OLD)),
        (synthetic_message(43), None),
        (large, Some(OLD)),
        (synthetic_message(44), Some(OLD)),
    ];
    let Some(folder) = seed("filters", &messages).await else {
        return;
    };
    let data_dir = tempfile::tempdir().unwrap();
    add_mailbox_with(
        data_dir.path(),
        "filters",
        &folder,
        "alicepw",
        &["--older-than-days", "30", "--max-size", "10000"],
    );
    let log = archive_json(data_dir.path(), "filters");
    assert_eq!(
        (log["archived"].as_u64(), log["skipped"].as_u64()),
        (Some(2), Some(2)),
        "{log}"
    );
    let skips = log["folders"][0]["skips"].as_array().unwrap();
    assert_eq!(skips.len(), 1, "only the permanent skip is listed: {log}");
    assert!(
        skips[0]["reason"]
            .as_str()
            .unwrap()
            .contains("larger than the limit of 10000 bytes"),
        "{log}"
    );
    let exported: BTreeSet<Digest> = export_digests(data_dir.path(), "filters")
        .into_iter()
        .collect();
    let expected: BTreeSet<Digest> = [
        Digest::of(&synthetic_message(42)),
        Digest::of(&synthetic_message(44)),
    ]
    .into();
    assert_eq!(exported, expected);

    // The young message is looked at again (the checkpoint stayed below it),
    // and so is the large one above it; what was archived is not fetched twice.
    let again = archive_json(data_dir.path(), "filters");
    assert_eq!(
        (
            again["archived"].as_u64(),
            again["duplicates"].as_u64(),
            again["skipped"].as_u64()
        ),
        (Some(0), Some(0), Some(2)),
        "{again}"
    );
}

#[tokio::test]
async fn a_base_folder_with_a_dot_is_refused_with_a_clear_message() {
    let data_dir = tempfile::tempdir().unwrap();
    let Some(_) = endpoint(Security::ImplicitTls, None) else {
        return;
    };
    crate::harness::add_owner(data_dir.path());
    let added = tresor(
        data_dir.path(),
        &[
            "mailbox",
            "add",
            "--owner",
            "alice@example.com",
            "--name",
            "drdoc",
            "--host",
            "localhost",
            "--username",
            "alice",
            "--password-stdin",
            "--action",
            "move",
            "--success-folder",
            "Dr. Doc",
        ],
        Some("alicepw\n"),
    );
    assert!(!added.status.success());
    assert!(
        stderr(&added).contains("\"Dr. Doc\" contains \".\" or \"/\""),
        "{}",
        stderr(&added)
    );
}
