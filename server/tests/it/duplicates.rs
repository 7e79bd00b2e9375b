//! Duplicate policies (SPEC "Mailbox configuration", Dr.DOC
//! `Archive_Target_Duplicate`): a second mailbox meets mail the archive has
//! already, as the same bytes and as a copy a gateway altered (same
//! Message-ID, Date and From, one header more).

use crate::actions::{archive_json, seed};
use crate::archive::add_mailbox_with;
use crate::harness::synthetic_message;
use sea_orm::{ConnectionTrait, Statement};
use std::collections::BTreeMap;
use tresor::store::Digest;

/// What the database says about the second mailbox's messages, by UID
/// order: (listed, message sha256) and each message's revision link.
struct Recorded {
    /// sha256 of every stored message → the sha256 it supersedes.
    messages: BTreeMap<String, Option<String>>,
    /// The second mailbox's locations in UID order: (message sha256, listed).
    second: Vec<(String, bool)>,
}

async fn recorded(data_dir: &std::path::Path) -> Recorded {
    let url = format!("sqlite://{}?mode=ro", data_dir.join("tresor.db").display());
    let db = sea_orm::Database::connect(url).await.unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT m.sha256, old.sha256 AS supersedes FROM messages m \
             LEFT JOIN messages old ON old.id = m.supersedes_id",
        ))
        .await
        .unwrap();
    let messages = rows
        .iter()
        .map(|row| {
            (
                row.try_get::<String>("", "sha256").unwrap(),
                row.try_get::<Option<String>>("", "supersedes").unwrap(),
            )
        })
        .collect();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT m.sha256, l.listed FROM message_locations l \
             JOIN messages m ON m.id = l.message_id \
             JOIN mailboxes b ON b.id = l.mailbox_id \
             WHERE b.name = 'second' ORDER BY l.uid",
        ))
        .await
        .unwrap();
    let second = rows
        .iter()
        .map(|row| {
            (
                row.try_get::<String>("", "sha256").unwrap(),
                row.try_get::<bool>("", "listed").unwrap(),
            )
        })
        .collect();
    Recorded { messages, second }
}

/// The same message as a gateway passes it on: one header more.
fn stamped(message: &[u8]) -> Vec<u8> {
    let mut altered = b"X-Gateway: scanned, clean\r\n".to_vec();
    altered.extend_from_slice(message);
    altered
}

fn sha(bytes: &[u8]) -> String {
    Digest::of(bytes).to_string()
}

/// Archives `first` (messages 1 and 2), then `second` (1 again, 2 stamped,
/// 3 new) with the given options; returns the second job's log.
async fn archive_both(
    data_dir: &std::path::Path,
    second_options: &[&str],
) -> Option<serde_json::Value> {
    let (one, two, three) = (
        synthetic_message(1),
        synthetic_message(2),
        synthetic_message(3),
    );
    let first = seed("dup-first", &[(one.clone(), None), (two.clone(), None)]).await?;
    let second = seed(
        "dup-second",
        &[(one, None), (stamped(&two), None), (three, None)],
    )
    .await?;
    add_mailbox_with(data_dir, "first", &first, "alicepw", &[]);
    add_mailbox_with(data_dir, "second", &second, "alicepw", second_options);
    let log = archive_json(data_dir, "first");
    assert_eq!(log["archived"].as_u64(), Some(2), "{log}");
    Some(archive_json(data_dir, "second"))
}

#[tokio::test]
async fn drop_by_content_only_counts_the_copy_and_does_not_list_it() {
    let data_dir = tempfile::tempdir().unwrap();
    let Some(log) = archive_both(data_dir.path(), &["--duplicates", "drop"]).await else {
        return;
    };
    // Message 1 is the same bytes; the stamped 2 is different bytes: new.
    assert_eq!(log["archived"].as_u64(), Some(2), "{log}");
    assert_eq!(log["duplicates"].as_u64(), Some(1), "{log}");
    let recorded = recorded(data_dir.path()).await;
    assert_eq!(recorded.messages.len(), 4);
    let listed: Vec<bool> = recorded.second.iter().map(|(_, listed)| *listed).collect();
    assert_eq!(listed, [false, true, true]);
    assert_eq!(recorded.second[0].0, sha(&synthetic_message(1)));
    // The job log lists the copy, with the archived message it is the same as.
    let listed = &log["folders"][0]["duplicate_of"];
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{log}");
    assert_eq!(listed[0]["uid"].as_u64(), Some(1), "{log}");
    let of = listed[0]["message_id"].as_i64().expect("a message id");
    assert_eq!(
        sha_of_message(data_dir.path(), of).await,
        sha(&synthetic_message(1))
    );
}

async fn sha_of_message(data_dir: &std::path::Path, id: i64) -> String {
    let url = format!("sqlite://{}?mode=ro", data_dir.join("tresor.db").display());
    let db = sea_orm::Database::connect(url).await.unwrap();
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT sha256 FROM messages WHERE id = {id}"),
        ))
        .await
        .unwrap()
        .expect("the listed message exists");
    row.try_get::<String>("", "sha256").unwrap()
}

#[tokio::test]
async fn change_by_headers_lists_the_existing_message_and_keeps_no_altered_copy() {
    let data_dir = tempfile::tempdir().unwrap();
    let Some(log) = archive_both(
        data_dir.path(),
        &["--duplicates", "change", "--duplicate-match", "headers"],
    )
    .await
    else {
        return;
    };
    assert_eq!(log["archived"].as_u64(), Some(1), "{log}");
    assert_eq!(log["duplicates"].as_u64(), Some(2), "{log}");
    let recorded = recorded(data_dir.path()).await;
    // 1, 2 and 3; the stamped copy of 2 is not stored, neither row nor blob.
    assert_eq!(recorded.messages.len(), 3);
    let stamped_sha = sha(&stamped(&synthetic_message(2)));
    assert!(!recorded.messages.contains_key(&stamped_sha));
    let blob = tresor::store::BlobStore::open(data_dir.path().join("blobs"))
        .unwrap()
        .path_of(&stamped_sha.parse().unwrap());
    assert!(!blob.exists(), "the altered copy's blob was kept");
    // Its location points at the original 2, listed under the second mailbox.
    assert_eq!(
        recorded.second,
        [
            (sha(&synthetic_message(1)), true),
            (sha(&synthetic_message(2)), true),
            (sha(&synthetic_message(3)), true),
        ]
    );
}

#[tokio::test]
async fn replace_by_headers_stores_a_revision_and_keeps_the_original() {
    let data_dir = tempfile::tempdir().unwrap();
    let Some(log) = archive_both(
        data_dir.path(),
        &["--duplicates", "replace", "--duplicate-match", "headers"],
    )
    .await
    else {
        return;
    };
    assert_eq!(log["archived"].as_u64(), Some(2), "{log}");
    assert_eq!(log["revisions"].as_u64(), Some(1), "{log}");
    assert_eq!(log["duplicates"].as_u64(), Some(1), "{log}");
    let recorded = recorded(data_dir.path()).await;
    let original = sha(&synthetic_message(2));
    let revision = sha(&stamped(&synthetic_message(2)));
    assert_eq!(recorded.messages.len(), 4);
    assert_eq!(recorded.messages[&revision], Some(original.clone()));
    assert_eq!(recorded.messages[&original], None, "the original stays");
    assert_eq!(recorded.second[1], (revision, true));
    // A second run finds everything archived: nothing new, no new revision.
    let again = archive_json(data_dir.path(), "second");
    assert_eq!(again["archived"].as_u64(), Some(0), "{again}");
    assert_eq!(recorded_count(data_dir.path()).await, 4);
}

async fn recorded_count(data_dir: &std::path::Path) -> usize {
    recorded(data_dir).await.messages.len()
}
