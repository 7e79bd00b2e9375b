//! Who sees journal mail: an ordinary user (and an auditor) the journal
//! copies that name their address — as sender, recipient or envelope
//! recipient (a Bcc the headers hide) — and nothing else of the journal
//! mailbox, not even the journal report; an administrator all of it. In the
//! search (the index's visibility) and for a single message alike, on
//! SQLite and PostgreSQL.

use super::{journal_archive, journal_report, original};
use crate::harness::{ann_and_bob, databases};
use app::model::Role;
use app::model::archive::SearchInput;
use std::collections::BTreeSet;
use tresor::viewer::{Reader, Viewer, ViewerError};

/// The subjects `reader` finds with `query`.
async fn subjects(viewer: &Viewer, reader: Reader, query: &str) -> BTreeSet<String> {
    let input = SearchInput {
        query: query.to_string(),
        ..Default::default()
    };
    let page = viewer.search(reader, &input).await.unwrap();
    page.hits.into_iter().map(|hit| hit.subject).collect()
}

fn set(subjects: &[&str]) -> BTreeSet<String> {
    subjects.iter().map(|subject| subject.to_string()).collect()
}

#[tokio::test]
async fn users_see_the_journal_copies_that_name_them_and_nothing_else() {
    for db in databases().await {
        let archive = journal_archive(&db).await;
        let (ann, bob) = ann_and_bob(&db.connection).await;
        let accounts =
            tresor::auth::Accounts::new(db.connection.clone(), std::time::Duration::from_secs(60));
        let carol = accounts
            .create_user(
                "carol@example.com",
                "Carol",
                Role::Auditor,
                "carol-password-1",
            )
            .await
            .unwrap();

        // Ann sent one (a plain copy, as Postfix's always_bcc delivers it).
        let from_ann = String::from_utf8(original("from-ann"))
            .unwrap()
            .replace("Alice <alice@example.org>", "Ann <Ann@Example.com>");
        archive
            .deliver("ann@example.com", from_ann.as_bytes())
            .await;
        // Bob got one only as a Bcc, which only the journal report says.
        let to_bob = original("bcc-bob");
        let report = String::from_utf8(journal_report(&to_bob, None))
            .unwrap()
            .replace("Bcc: dave@example.org", "Bcc: bob@example.com");
        archive
            .deliver("postmaster@example.org", report.as_bytes())
            .await;
        // Carol (an auditor) is the recipient of a third.
        let to_carol = String::from_utf8(original("to-carol"))
            .unwrap()
            .replace("To: bob@example.org", "To: carol@example.com");
        archive
            .deliver("alice@example.org", to_carol.as_bytes())
            .await;

        let viewer = &archive.services.viewer;
        let what = db.name;
        let all = subjects(viewer, Reader::Everyone, "").await;
        assert_eq!(
            all.len(),
            4,
            "{what}: three originals and the report: {all:?}"
        );
        assert_eq!(
            subjects(viewer, Reader::User(ann.id), "").await,
            set(&["Quarterly figures from-ann"]),
            "{what}"
        );
        assert_eq!(
            subjects(viewer, Reader::User(bob.id), "").await,
            set(&["Quarterly figures bcc-bob"]),
            "{what}: the Bcc recipient, not the report that names him"
        );
        assert_eq!(
            subjects(viewer, Reader::Auditor(carol.id), "").await,
            set(&["Quarterly figures to-carol"]),
            "{what}"
        );

        // A single message: readable as the search says, else not found.
        let ids = |subject: &'static str| async move {
            let input = SearchInput {
                query: format!("subject:{subject}"),
                ..Default::default()
            };
            let page = viewer.search(Reader::Everyone, &input).await.unwrap();
            page.hits[0].id
        };
        let anns = ids("from-ann").await;
        let bobs = ids("bcc-bob").await;
        assert!(
            viewer.readable(Reader::User(ann.id), anns).await.is_ok(),
            "{what}"
        );
        assert!(
            viewer.readable(Reader::User(bob.id), bobs).await.is_ok(),
            "{what}"
        );
        for (reader, id) in [
            (Reader::User(ann.id), bobs),
            (Reader::User(bob.id), anns),
            (Reader::Auditor(carol.id), anns),
        ] {
            assert!(
                matches!(
                    viewer.readable(reader, id).await,
                    Err(ViewerError::NotFound)
                ),
                "{what}: {reader:?} reads {id}"
            );
        }
    }
}

/// A party to a message reads it, but cannot find out by searching whom it
/// was Bcc'd to: `to:` looks at the recipients a journal report names only
/// for administrators, readers of the journal mailbox, and the Bcc recipient
/// asking for their own address.
#[tokio::test]
async fn a_recipient_cannot_find_out_who_got_a_bcc() {
    for db in databases().await {
        let archive = journal_archive(&db).await;
        let (ann, bob) = ann_and_bob(&db.connection).await;
        let accounts =
            tresor::auth::Accounts::new(db.connection.clone(), std::time::Duration::from_secs(60));
        let reader = accounts
            .create_user(
                "reader@example.com",
                "Reader",
                Role::User,
                "reader-password-1",
            )
            .await
            .unwrap();
        let granted = BTreeSet::from([reader.id]);
        archive
            .services
            .mailboxes
            .set_sharing(archive.mailbox.id, None, &granted)
            .await
            .unwrap();

        let to_ann = String::from_utf8(original("secret-bcc"))
            .unwrap()
            .replace("To: bob@example.org", "To: ann@example.com");
        let report = String::from_utf8(journal_report(to_ann.as_bytes(), None))
            .unwrap()
            .replace("To: bob@example.org", "To: ann@example.com")
            .replace("Bcc: dave@example.org", "Bcc: bob@example.com");
        archive
            .deliver("postmaster@example.org", report.as_bytes())
            .await;

        let viewer = &archive.services.viewer;
        let what = db.name;
        let secret = set(&["Quarterly figures secret-bcc"]);
        assert_eq!(
            subjects(viewer, Reader::User(ann.id), "").await,
            secret,
            "{what}: Ann is a recipient"
        );
        assert_eq!(
            subjects(viewer, Reader::User(ann.id), "to:bob@example.com").await,
            set(&[]),
            "{what}: Ann must not learn that Bob got a Bcc"
        );
        assert_eq!(
            subjects(viewer, Reader::User(ann.id), "to:ann@example.com").await,
            secret,
            "{what}: Ann finds it by her own address in To"
        );
        assert_eq!(
            subjects(viewer, Reader::User(bob.id), "to:bob@example.com").await,
            secret,
            "{what}: Bob finds what was Bcc'd to him"
        );
        assert_eq!(
            subjects(viewer, Reader::Everyone, "to:bob@example.com").await,
            secret,
            "{what}: an administrator finds the Bcc"
        );
        assert_eq!(
            subjects(viewer, Reader::User(reader.id), "to:bob@example.com").await,
            secret,
            "{what}: so does a reader of the journal mailbox"
        );
    }
}
