//! Restore: archived messages go back into Dovecot by APPEND, with their
//! flags and internal date, and can be read there byte for byte.

use crate::harness::{endpoint, services, session, sqlite};
use futures::TryStreamExt;
use tresor::imap::{self, Security};
use tresor::mailbox::MailboxInput;
use tresor::viewer::Reader;

#[tokio::test]
async fn restore_appends_into_dovecot_with_flags_and_date() {
    let Some(endpoint) = endpoint(Security::ImplicitTls, None) else {
        return;
    };
    let ca = std::env::var("TRESOR_TEST_DOVECOT_CA").unwrap();
    let folder = format!("it-restore-src-{}", rand::random::<u32>());
    let target = format!("it-restored-{}", rand::random::<u32>());
    let message = crate::harness::synthetic_message(42);
    let mut imap_session = session(&endpoint, "alice", "alicepw").await;
    imap_session.create(&folder).await.unwrap();
    imap_session
        .append(
            &folder,
            Some("(\\Seen $Important)"),
            Some("\"05-Mar-2024 10:11:12 +0000\""),
            &message,
        )
        .await
        .unwrap();

    let db = sqlite().await;
    let services = services(&db).await;
    let profile = MailboxInput {
        port: endpoint.port,
        ca_file: Some(ca),
        folder_rules: folder.clone(),
        ..MailboxInput::new("restore-test", "localhost", "alice")
    };
    let row = services.add_mailbox(None, &profile, Some("alicepw")).await;
    let log = services.engine.archive("restore-test").await.unwrap();
    assert_eq!(log.archived, 1, "{log:?}");
    services.indexer.drain(|_| {}).await.unwrap();
    let viewer = &services.viewer;
    let page = viewer
        .search(
            Reader::Everyone,
            &app::model::archive::SearchInput::default(),
        )
        .await
        .unwrap();
    let id = page.hits[0].id;

    let report = viewer
        .restore(
            Reader::Everyone,
            &app::model::archive::RestoreInput {
                message_ids: vec![id, 999_999],
                mailbox_id: row.id,
                folder: target.clone(),
            },
        )
        .await
        .unwrap();
    assert_eq!(report.restored, 1, "{report:?}");
    assert_eq!(
        report.failed.len(),
        1,
        "an unknown message is reported, the rest goes on"
    );

    // Read it back from Dovecot: same bytes, same flags, same date.
    imap_session.select(&target).await.unwrap();
    let fetched: Vec<_> = imap_session
        .fetch("1:*", "(FLAGS INTERNALDATE BODY.PEEK[])")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(fetched.len(), 1);
    assert_eq!(fetched[0].body().unwrap(), &message[..]);
    let flags: Vec<String> = fetched[0].flags().map(|flag| format!("{flag:?}")).collect();
    assert!(flags.iter().any(|flag| flag.contains("Seen")), "{flags:?}");
    assert!(
        flags.iter().any(|flag| flag.contains("$Important")),
        "{flags:?}"
    );
    assert_eq!(
        fetched[0].internal_date().unwrap().to_rfc3339(),
        "2024-03-05T10:11:12+00:00"
    );
    imap::logout(imap_session, std::time::Duration::from_secs(30))
        .await
        .unwrap();
}
