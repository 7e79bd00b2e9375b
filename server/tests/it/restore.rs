//! Restore: archived messages go back into Dovecot by APPEND, with their
//! flags and internal date, and can be read there byte for byte; by default
//! each into the folder it came from, never twice into a folder that
//! already holds it unless forced, and only by someone who manages the
//! mailbox it goes into.

use crate::harness::{
    Services, ann_and_bob, endpoint, services, session, sqlite, synthetic_message,
};
use app::model::archive::{RestoreInput, RestoreOutcome, RestorePlace, RestorePlan, RestoreReport};
use futures::TryStreamExt;
use std::time::Duration;
use tresor::imap::{self, Endpoint, Security};
use tresor::mailbox::{MailboxInput, MailboxRow};
use tresor::viewer::{Reader, RestoreError};

#[tokio::test]
async fn restore_appends_into_dovecot_with_flags_and_date() {
    let Some(endpoint) = endpoint(Security::ImplicitTls, None) else {
        return;
    };
    let folder = format!("it-restore-src-{}", rand::random::<u32>());
    let target = format!("it-restored-{}", rand::random::<u32>());
    let message = synthetic_message(42);
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
    let row = add_mailbox(&services, &endpoint, None, "restore-test", &folder).await;
    let ids = archive(&services, "restore-test", Reader::Everyone, 1).await;

    let report = restore(
        &services,
        Reader::Everyone,
        &ids_and(&ids, 999_999),
        Some((row.id, &target)),
        false,
    )
    .await;
    assert_eq!(report.restored(), 1, "{report:?}");
    assert_eq!(
        report.failed(),
        1,
        "an unknown message is reported, the rest goes on"
    );

    // Read it back from Dovecot: same bytes, same flags, same date.
    let fetched = bodies_flags_and_dates(&mut imap_session, &target).await;
    assert_eq!(fetched.len(), 1);
    assert_eq!(fetched[0].0, message);
    assert!(
        fetched[0].1.iter().any(|flag| flag.contains("Seen")),
        "{fetched:?}"
    );
    assert!(
        fetched[0].1.iter().any(|flag| flag.contains("$Important")),
        "{fetched:?}"
    );
    assert_eq!(fetched[0].2, "2024-03-05T10:11:12+00:00");
    logout(imap_session).await;
}

#[tokio::test]
async fn each_message_goes_back_to_its_own_folder_and_a_copy_already_there_is_skipped_unless_forced()
 {
    let Some(endpoint) = endpoint(Security::ImplicitTls, None) else {
        return;
    };
    let run = rand::random::<u32>();
    let (inbox, sent) = (format!("it-back-a-{run}"), format!("it-back-b-{run}"));
    let (first, second) = (synthetic_message(3), synthetic_message(4));
    let mut imap_session =
        dovecot_with(&endpoint, &[(&inbox, Some(&first)), (&sent, Some(&second))]).await;
    let db = sqlite().await;
    let services = services(&db).await;
    let rules = format!("{inbox}\n{sent}");
    let row = add_mailbox(&services, &endpoint, None, "back-test", &rules).await;
    let ids = archive(&services, "back-test", Reader::Everyone, 2).await;

    // The plan proposes the folder each came from.
    let plan = plan_of(&services, Reader::Everyone, &ids).await;
    let place = |folder: &str| RestorePlace {
        mailbox_id: row.id,
        mailbox: "back-test".into(),
        folder: folder.into(),
    };
    let mut proposed: Vec<String> = plan
        .origins
        .iter()
        .map(|(_, origin)| origin.clone().expect("a folder to go back to").folder)
        .collect();
    proposed.sort();
    let mut expected = vec![inbox.clone(), sent.clone()];
    expected.sort();
    assert_eq!(proposed, expected);
    assert!(
        plan.targets
            .iter()
            .any(|target| target.mailbox_id == row.id)
    );

    // Both are still on the server: nothing is appended twice.
    let report = restore(&services, Reader::Everyone, &ids, None, false).await;
    assert_eq!(report.skipped(), 2, "{report:?}");
    assert_eq!(
        bodies_flags_and_dates(&mut imap_session, &inbox)
            .await
            .len(),
        1
    );
    assert_eq!(
        bodies_flags_and_dates(&mut imap_session, &sent).await.len(),
        1
    );

    // Gone from the server, both go back, each into its own folder.
    for folder in [&inbox, &sent] {
        delete_all(&mut imap_session, folder).await;
    }
    let report = restore(&services, Reader::Everyone, &ids, None, false).await;
    assert_eq!(report.restored(), 2, "{report:?}");
    for message in &report.messages {
        let folder = &message.place.as_ref().unwrap().folder;
        assert!(
            message.place == Some(place(folder)) && (folder == &inbox || folder == &sent),
            "{report:?}"
        );
    }
    for (folder, message) in [(&inbox, &first), (&sent, &second)] {
        let fetched = bodies_flags_and_dates(&mut imap_session, folder).await;
        assert_eq!(fetched.len(), 1, "{folder}");
        assert_eq!(&fetched[0].0, message, "{folder} holds its own message");
    }

    // "Restore anyway" appends a second copy.
    let report = restore(&services, Reader::Everyone, &ids[..1], None, true).await;
    assert_eq!(report.restored(), 1, "{report:?}");
    let folder = &report.messages[0].place.as_ref().unwrap().folder;
    assert_eq!(
        bodies_flags_and_dates(&mut imap_session, folder)
            .await
            .len(),
        2
    );
    logout(imap_session).await;
}

#[tokio::test]
async fn a_message_without_message_id_is_recognised_by_its_bytes() {
    let Some(endpoint) = endpoint(Security::ImplicitTls, None) else {
        return;
    };
    let folder = format!("it-no-id-{}", rand::random::<u32>());
    // No Message-ID, and bare line feeds a server may store as CRLF.
    let message = format!(
        "From: a@example.com\nTo: alice@example.com\nSubject: no id {}\nDate: Mon, 2 Nov 2026 10:00:00 +0100\n\nbody\n",
        rand::random::<u32>()
    )
    .into_bytes();
    let mut imap_session = dovecot_with(&endpoint, &[(&folder, Some(&message))]).await;
    let db = sqlite().await;
    let services = services(&db).await;
    add_mailbox(&services, &endpoint, None, "no-id-test", &folder).await;
    let ids = archive(&services, "no-id-test", Reader::Everyone, 1).await;

    let report = restore(&services, Reader::Everyone, &ids, None, false).await;
    assert_eq!(report.skipped(), 1, "{report:?}");
    delete_all(&mut imap_session, &folder).await;
    let report = restore(&services, Reader::Everyone, &ids, None, false).await;
    assert_eq!(report.restored(), 1, "{report:?}");
    logout(imap_session).await;
}

#[tokio::test]
async fn an_ordinary_user_restores_only_their_own_mail_into_their_own_mailbox() {
    let Some(endpoint) = endpoint(Security::ImplicitTls, None) else {
        return;
    };
    let run = rand::random::<u32>();
    let (bobs_folder, anns_folder) = (format!("it-bob-own-{run}"), format!("it-ann-own-{run}"));
    let message = synthetic_message(11);
    let mut imap_session = dovecot_with(
        &endpoint,
        &[(&bobs_folder, Some(&message)), (&anns_folder, None)],
    )
    .await;
    let db = sqlite().await;
    let services = services(&db).await;
    let (ann, bob) = ann_and_bob(&db.connection).await;
    let bobs = add_mailbox(&services, &endpoint, Some(bob.id), "bob-own", &bobs_folder).await;
    let anns = add_mailbox(&services, &endpoint, Some(ann.id), "ann-own", &anns_folder).await;
    let ids = archive(&services, "bob-own", Reader::User(bob.id), 1).await;
    let (ann_reader, bob_reader) = (Reader::User(ann.id), Reader::User(bob.id));

    // Bob's message is not Ann's: no folder proposed, not restored anywhere.
    let plan = plan_of(&services, ann_reader, &ids).await;
    assert_eq!(plan.origins, vec![(ids[0], None)]);
    assert!(
        plan.targets
            .iter()
            .all(|target| target.mailbox_id == anns.id),
        "{plan:?}"
    );
    let report = restore(
        &services,
        ann_reader,
        &ids,
        Some((anns.id, &anns_folder)),
        false,
    )
    .await;
    assert!(
        matches!(&report.messages[0].outcome, RestoreOutcome::Failed(why) if why == "no such message"),
        "{report:?}"
    );
    assert_eq!(
        report.messages[0].subject, "",
        "nothing of Bob's message is told"
    );
    // Nor may she restore anything into Bob's mailbox.
    let refused = services
        .viewer
        .restore(
            ann_reader,
            &input(&ids, Some((bobs.id, &bobs_folder)), false),
        )
        .await;
    assert!(
        matches!(refused, Err(RestoreError::NotManaged)),
        "{refused:?}"
    );

    // Shared with her, she reads it, but its folder is Bob's, not hers.
    services
        .mailboxes
        .set_sharing(bobs.id, Some(bob.id), &[ann.id].into())
        .await
        .unwrap();
    let plan = plan_of(&services, ann_reader, &ids).await;
    assert_eq!(plan.origins, vec![(ids[0], None)]);
    let report = restore(&services, ann_reader, &ids, None, false).await;
    assert_eq!(report.failed(), 1, "{report:?}");
    assert_eq!(
        bodies_flags_and_dates(&mut imap_session, &bobs_folder)
            .await
            .len(),
        1
    );

    // Bob himself puts it back where it came from (where it still is).
    let report = restore(&services, bob_reader, &ids, None, false).await;
    assert_eq!(report.skipped(), 1, "{report:?}");
    logout(imap_session).await;
}

/// A session as alice on the test bed's Dovecot, with `folders` created,
/// each holding its message if it has one.
async fn dovecot_with(endpoint: &Endpoint, folders: &[(&str, Option<&[u8]>)]) -> imap::Session {
    let mut imap_session = session(endpoint, "alice", "alicepw").await;
    for (folder, message) in folders {
        imap_session.create(folder).await.unwrap();
        if let Some(message) = message {
            imap_session
                .append(folder, None, None, message)
                .await
                .unwrap();
        }
    }
    imap_session
}

async fn logout(imap_session: imap::Session) {
    imap::logout(imap_session, Duration::from_secs(30))
        .await
        .unwrap();
}

/// A mailbox on the test bed's Dovecot (user alice) archiving `folders`.
async fn add_mailbox(
    services: &Services,
    endpoint: &Endpoint,
    owner: Option<i64>,
    name: &str,
    folders: &str,
) -> MailboxRow {
    let profile = MailboxInput {
        port: endpoint.port,
        ca_file: Some(std::env::var("TRESOR_TEST_DOVECOT_CA").unwrap()),
        folder_rules: folders.to_string(),
        ..MailboxInput::new(name, "localhost", "alice")
    };
    services.add_mailbox(owner, &profile, Some("alicepw")).await
}

/// Archives mailbox `name` and returns the ids `reader` finds (`expected` of them).
async fn archive(services: &Services, name: &str, reader: Reader, expected: usize) -> Vec<i64> {
    let log = services.engine.archive(name).await.unwrap();
    assert_eq!(log.archived as usize, expected, "{log:?}");
    services.indexer.drain(|_| {}).await.unwrap();
    let page = services
        .viewer
        .search(reader, &Default::default())
        .await
        .unwrap();
    let ids: Vec<i64> = page.hits.iter().map(|hit| hit.id).collect();
    assert_eq!(ids.len(), expected);
    ids
}

fn ids_and(ids: &[i64], more: i64) -> Vec<i64> {
    ids.iter().copied().chain([more]).collect()
}

fn input(ids: &[i64], target: Option<(i64, &str)>, force: bool) -> RestoreInput {
    RestoreInput {
        message_ids: ids.to_vec(),
        mailbox_id: target.map(|(mailbox_id, _)| mailbox_id),
        folder: target
            .map(|(_, folder)| folder.to_string())
            .unwrap_or_default(),
        force,
    }
}

async fn plan_of(services: &Services, reader: Reader, ids: &[i64]) -> RestorePlan {
    services.viewer.restore_plan(reader, ids).await.unwrap()
}

async fn restore(
    services: &Services,
    reader: Reader,
    ids: &[i64],
    target: Option<(i64, &str)>,
    force: bool,
) -> RestoreReport {
    services
        .viewer
        .restore(reader, &input(ids, target, force))
        .await
        .unwrap()
}

/// Marks every message of `folder` deleted and expunges them.
async fn delete_all(session: &mut imap::Session, folder: &str) {
    session.select(folder).await.unwrap();
    let _: Vec<_> = session
        .store("1:*", "+FLAGS (\\Deleted)")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let _: Vec<_> = session
        .expunge()
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
}

/// The bytes, flags and internal date (UTC) of every message in `folder`.
async fn bodies_flags_and_dates(
    session: &mut imap::Session,
    folder: &str,
) -> Vec<(Vec<u8>, Vec<String>, String)> {
    session.select(folder).await.unwrap();
    let fetched: Vec<_> = session
        .fetch("1:*", "(FLAGS INTERNALDATE BODY.PEEK[])")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    fetched
        .iter()
        .map(|fetch| {
            (
                fetch.body().unwrap_or_default().to_vec(),
                fetch.flags().map(|flag| format!("{flag:?}")).collect(),
                fetch
                    .internal_date()
                    .map(|date| date.with_timezone(&chrono::Utc).to_rfc3339())
                    .unwrap_or_default(),
            )
        })
        .collect()
}
