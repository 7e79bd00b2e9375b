//! Restores never carry another person's flags (item 2): restoring a
//! message read through a grant takes flags and internal date only from
//! the restorer's own copies.

use crate::harness::{ann_and_bob, endpoint, services, session, sqlite, synthetic_message};
use futures::TryStreamExt;
use std::time::Duration;
use tresor::imap::{self, Security};
use tresor::mailbox::MailboxInput;
use tresor::viewer::Reader;

#[tokio::test]
async fn restore_never_takes_flags_or_date_from_another_persons_copy() {
    let Some(endpoint) = endpoint(Security::ImplicitTls, None) else {
        return;
    };
    let ca = std::env::var("TRESOR_TEST_DOVECOT_CA").unwrap();
    let run = rand::random::<u32>();
    let (source, empty) = (format!("it-bob-{run}"), format!("it-ann-{run}"));
    let (ann_target, bob_target) = (
        format!("it-ann-restored-{run}"),
        format!("it-bob-restored-{run}"),
    );
    // Its own date (the Date header) is 2 Nov 2026 10:07 +0100.
    let message = synthetic_message(7);
    let mut imap_session = session(&endpoint, "alice", "alicepw").await;
    imap_session.create(&source).await.unwrap();
    imap_session.create(&empty).await.unwrap();
    imap_session
        .append(
            &source,
            Some("(\\Flagged $BobsSecret)"),
            Some("\"05-Mar-2024 10:11:12 +0000\""),
            &message,
        )
        .await
        .unwrap();

    let db = sqlite().await;
    // The test's Dovecot listens on loopback, which users' mailboxes may
    // reach only where the configuration allows it, as `services` does.
    let services = services(&db).await;
    let mailboxes = &services.mailboxes;
    let (ann, bob) = ann_and_bob(&db.connection).await;
    let profile = |name: &str, folders: &str| MailboxInput {
        port: endpoint.port,
        ca_file: Some(ca.clone()),
        folder_rules: folders.to_string(),
        ..MailboxInput::new(name, "localhost", "alice")
    };
    let bobs = services
        .add_mailbox(Some(bob.id), &profile("bob-mail", &source), Some("alicepw"))
        .await;
    let anns = services
        .add_mailbox(Some(ann.id), &profile("ann-mail", &empty), Some("alicepw"))
        .await;
    // Bob lets Ann read his mailbox; her own has no copy of the message.
    mailboxes
        .set_sharing(bobs.id, Some(bob.id), &[ann.id].into())
        .await
        .unwrap();
    let log = services.engine.archive("bob-mail").await.unwrap();
    assert_eq!(log.archived, 1, "{log:?}");
    services.indexer.drain(|_| {}).await.unwrap();
    let viewer = &services.viewer;
    let page = viewer
        .search(Reader::User(ann.id), &Default::default())
        .await
        .unwrap();
    let id = page.hits[0].id;

    let report = restore_one(viewer, Reader::User(ann.id), id, anns.id, &ann_target).await;
    assert_eq!(report.restored(), 1, "{report:?}");
    // Bob restoring into his own mailbox keeps his flags and date.
    let report = restore_one(viewer, Reader::User(bob.id), id, bobs.id, &bob_target).await;
    assert_eq!(report.restored(), 1, "{report:?}");

    let (flags, date) = flags_and_date(&mut imap_session, &ann_target).await;
    assert!(
        !flags
            .iter()
            .any(|flag| flag.contains("BobsSecret") || flag.contains("Flagged")),
        "Bob's flags leaked into Ann's mailbox: {flags:?}"
    );
    assert_eq!(date, "2026-11-02T09:07:00+00:00", "the message's own date");
    let (flags, date) = flags_and_date(&mut imap_session, &bob_target).await;
    assert!(
        flags.iter().any(|flag| flag.contains("BobsSecret")),
        "{flags:?}"
    );
    assert_eq!(date, "2024-03-05T10:11:12+00:00");
    imap::logout(imap_session, Duration::from_secs(30))
        .await
        .unwrap();
}

async fn restore_one(
    viewer: &tresor::viewer::Viewer,
    reader: tresor::viewer::Reader,
    id: i64,
    mailbox_id: i64,
    folder: &str,
) -> app::model::archive::RestoreReport {
    let input = app::model::archive::RestoreInput {
        message_ids: vec![id],
        mailbox_id: Some(mailbox_id),
        folder: folder.to_string(),
        force: false,
    };
    viewer.restore(reader, &input).await.unwrap()
}

/// The flags and internal date (UTC) of the one message in `folder`.
async fn flags_and_date(session: &mut imap::Session, folder: &str) -> (Vec<String>, String) {
    session.select(folder).await.unwrap();
    let fetched: Vec<_> = session
        .fetch("1:*", "(FLAGS INTERNALDATE)")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let flags = fetched[0].flags().map(|flag| format!("{flag:?}")).collect();
    let date = fetched[0]
        .internal_date()
        .unwrap()
        .with_timezone(&chrono::Utc);
    (flags, date.to_rfc3339())
}
