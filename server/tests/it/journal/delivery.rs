//! Delivering journal copies: stored byte for byte, once, numbered without
//! clashes when they arrive at once; Exchange journal reports unwrapped,
//! with their envelope recorded and searchable; on SQLite and PostgreSQL.

use super::{JOURNAL_ADDRESS, describe, envelope, journal_archive, journal_report, original};
use crate::harness::databases;
use app::model::archive::SearchInput;
use sea_orm::{ConnectionTrait, Statement};
use tresor::db::entity::message_location::RecordedEnvelope;
use tresor::smtp::Deliver;
use tresor::store::Digest;
use tresor::viewer::Reader;

/// The journal mailbox's locations in number order: (UID, message SHA-256,
/// duplicate, envelope).
async fn locations(
    db: &impl ConnectionTrait,
    mailbox_id: i64,
) -> Vec<(i64, String, bool, RecordedEnvelope)> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT l.uid, m.sha256, l.duplicate, l.envelope FROM message_locations l \
                 JOIN messages m ON m.id = l.message_id \
                 WHERE l.mailbox_id = {mailbox_id} ORDER BY l.uid"
            ),
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|row| {
            let envelope: Option<String> = row.try_get("", "envelope").unwrap();
            (
                row.try_get("", "uid").unwrap(),
                row.try_get("", "sha256").unwrap(),
                row.try_get("", "duplicate").unwrap(),
                serde_json::from_str(&envelope.expect("an envelope is recorded")).unwrap(),
            )
        })
        .collect()
}

/// The ids of what `query` finds for an administrator.
async fn found(archive: &super::JournalArchive, query: &str) -> Vec<i64> {
    let input = SearchInput {
        query: query.to_string(),
        ..Default::default()
    };
    let page = archive
        .services
        .viewer
        .search(Reader::Everyone, &input)
        .await
        .unwrap();
    page.hits.iter().map(|hit| hit.id).collect()
}

async fn raw(archive: &super::JournalArchive, id: i64) -> Vec<u8> {
    let (_, bytes) = archive
        .services
        .viewer
        .raw_of(Reader::Everyone, id)
        .await
        .unwrap();
    bytes
}

#[tokio::test]
async fn a_plain_copy_is_stored_byte_for_byte_once_with_its_envelope() {
    for db in databases().await {
        let archive = journal_archive(&db).await;
        let message = original("plain");
        archive.deliver("alice@example.org", &message).await;
        // The MTA did not hear the 250 and delivers again.
        archive.deliver("alice@example.org", &message).await;

        let ids = found(&archive, "subject:plain").await;
        assert_eq!(ids.len(), 1, "{}: stored once", db.name);
        assert_eq!(raw(&archive, ids[0]).await, message, "{}", db.name);
        let recorded = locations(&db.connection, archive.mailbox.id).await;
        let sha256 = Digest::of(&message).to_string();
        assert_eq!(recorded.len(), 2, "{}: both deliveries recorded", db.name);
        assert_eq!((recorded[0].0, recorded[1].0), (1, 2), "{}", db.name);
        assert_eq!((recorded[0].2, recorded[1].2), (false, true), "{}", db.name);
        assert!(recorded.iter().all(|location| location.1 == sha256));
        assert_eq!(
            recorded[0].3,
            RecordedEnvelope {
                sender: "alice@example.org".into(),
                recipients: vec![JOURNAL_ADDRESS.into()],
                report_sha256: None,
                note: None,
            },
            "{}",
            db.name
        );
    }
}

#[tokio::test]
async fn a_journal_report_is_unwrapped_and_its_bcc_recipients_are_searchable() {
    // A fresh database per encoding: the same original twice would be a duplicate.
    for encoding in [None, Some("base64")] {
        for db in databases().await {
            let archive = journal_archive(&db).await;
            let message = original("unwrapped");
            let report = journal_report(&message, encoding);
            archive.deliver("postmaster@example.org", &report).await;

            let what = format!("{} {encoding:?}", db.name);
            let bcc = found(&archive, "to:dave@example.org").await;
            assert_eq!(bcc.len(), 1, "{what}: to: finds the Bcc recipient");
            assert_eq!(
                raw(&archive, bcc[0]).await,
                message,
                "{what}: byte for byte"
            );
            // Expanded list members are recipients too.
            assert_eq!(found(&archive, "to:erin@example.org").await, bcc, "{what}");

            let recorded = locations(&db.connection, archive.mailbox.id).await;
            assert_eq!(recorded.len(), 2, "{what}: the original and the report");
            let (original_at, report_at) = (&recorded[0], &recorded[1]);
            assert_eq!(original_at.1, Digest::of(&message).to_string(), "{what}");
            assert_eq!(report_at.1, Digest::of(&report).to_string(), "{what}");
            assert_eq!(original_at.3.sender, "alice@example.org", "{what}");
            assert_eq!(
                original_at.3.recipients,
                [
                    "bob@example.org",
                    "dave@example.org",
                    "erin@example.org",
                    "sales@example.org"
                ],
                "{what}"
            );
            assert_eq!(
                original_at.3.report_sha256.as_deref(),
                Some(report_at.1.as_str()),
                "{what}: the original names the report kept beside it"
            );
        }
    }
}

#[tokio::test]
async fn a_report_without_its_original_is_stored_as_it_came_with_a_note() {
    let db = crate::harness::sqlite().await;
    let archive = journal_archive(&db).await;
    let broken = b"From: postmaster@example.org\r\n\
        To: journal@archive.example.org\r\n\
        Subject: broken report\r\n\
        X-MS-Journal-Report: \r\n\
        Content-Type: text/plain\r\n\
        \r\n\
        Sender: alice@example.org\r\n\
        Bcc: dave@example.org\r\n";
    archive.deliver("postmaster@example.org", broken).await;
    let ids = found(&archive, "subject:broken").await;
    assert_eq!(raw(&archive, ids[0]).await, broken);
    let recorded = locations(&db.connection, archive.mailbox.id).await;
    assert_eq!(recorded.len(), 1);
    assert!(recorded[0].3.note.is_some(), "{:?}", recorded[0].3);
}

#[tokio::test]
async fn recipients_choose_the_journal_mailbox_and_a_catch_all_takes_the_rest() {
    let db = crate::harness::sqlite().await;
    let archive = journal_archive(&db).await;
    let journal = &archive.journal;
    assert!(journal.accepts(JOURNAL_ADDRESS).await.ok().unwrap());
    assert!(
        journal
            .accepts("<Journal@Archive.Example.org>")
            .await
            .ok()
            .unwrap()
    );
    assert!(!journal.accepts("someone@example.org").await.ok().unwrap());

    let catch_all = tresor::journal::add_mailbox(
        &archive.services.db,
        &archive.services.mailboxes,
        "Everything else",
        &["*".to_string()],
    )
    .await
    .unwrap();
    assert!(journal.accepts("someone@example.org").await.ok().unwrap());
    let message = original("elsewhere");
    let delivered = journal
        .deliver(
            &envelope("alice@example.org", &["someone@example.org"]),
            &message,
        )
        .await;
    assert!(
        delivered.is_ok(),
        "{:?}",
        delivered.err().map(|r| describe(&r))
    );
    assert_eq!(locations(&db.connection, catch_all.id).await.len(), 1);
    assert!(
        locations(&db.connection, archive.mailbox.id)
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn deliveries_at_once_into_one_mailbox_are_all_numbered_apart() {
    for db in databases().await {
        let archive = journal_archive(&db).await;
        let deliveries = (0..12).map(|n| {
            let journal = archive.journal.clone();
            tokio::spawn(async move {
                let envelope = envelope("alice@example.org", &[JOURNAL_ADDRESS]);
                journal
                    .deliver(&envelope, &original(&format!("parallel-{n}")))
                    .await
                    .map_err(|refusal| describe(&refusal))
            })
        });
        for delivery in futures::future::join_all(deliveries).await {
            delivery.unwrap().unwrap();
        }
        let uids: Vec<i64> = locations(&db.connection, archive.mailbox.id)
            .await
            .iter()
            .map(|location| location.0)
            .collect();
        assert_eq!(uids, (1..=12).collect::<Vec<_>>(), "{}", db.name);
    }
}
