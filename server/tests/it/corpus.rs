//! The blob store over real, odd mail: every message of ../shared/corpus/tricky-mime
//! comes back byte-for-byte, and identical messages are stored once.

use crate::harness::corpus_dir;
use std::collections::HashSet;
use tresor::store::{BlobStore, Check, Digest};

#[test]
fn every_tricky_mime_message_round_trips_byte_for_byte() {
    let Some(dir) = corpus_dir("tricky-mime") else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let store = BlobStore::open(scratch.path().join("blobs")).unwrap();

    let mut message_count = 0;
    let mut distinct = HashSet::new();
    let mut mismatches = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|extension| extension != "eml") {
            continue;
        }
        let original = std::fs::read(&path).unwrap();
        message_count += 1;
        let stored = store.put(&original).unwrap();
        assert_eq!(
            stored.newly_written,
            distinct.insert(stored.digest),
            "{}",
            path.display()
        );
        if store.get(&stored.digest).unwrap() != original {
            mismatches.push(path.clone());
        }
        assert_eq!(
            store.check(&stored.digest).unwrap(),
            Check::Intact {
                raw_len: original.len() as u64
            }
        );
    }
    assert!(
        message_count >= 800,
        "expected the 846 tricky-mime messages, found {message_count}"
    );
    assert!(mismatches.is_empty(), "not byte-identical: {mismatches:?}");

    // Storing everything again writes nothing new.
    for digest in &distinct {
        let bytes = store.get(digest).unwrap();
        assert!(!store.put(&bytes).unwrap().newly_written);
        assert_eq!(Digest::of(&bytes), *digest);
    }
}

#[test]
fn metadata_is_read_from_every_tricky_mime_message_without_failing() {
    use tresor::metadata::MessageMetadata;
    let Some(dir) = corpus_dir("tricky-mime") else {
        return;
    };
    let mut message_count = 0;
    let mut with_sender = 0;
    let mut parser_failures = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|extension| extension != "eml") {
            continue;
        }
        let raw = std::fs::read(&path).unwrap();
        let metadata = MessageMetadata::read(&raw);
        message_count += 1;
        assert_eq!(metadata.size, raw.len() as u64);
        if metadata
            .from
            .iter()
            .any(|mailbox| mailbox.address.is_some())
        {
            with_sender += 1;
        }
        if metadata
            .defects
            .iter()
            .any(|defect| defect.contains("parser failed"))
        {
            parser_failures.push(path.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    assert!(message_count >= 800, "found {message_count} messages");
    assert!(
        with_sender * 10 >= message_count * 8,
        "only {with_sender} of {message_count} have a sender"
    );
    assert!(
        parser_failures.is_empty(),
        "mail-parser panicked on {parser_failures:?}"
    );

    let known = MessageMetadata::read(
        &std::fs::read(dir.join("fx-cpython__Lib_test_test_email_data_msg_01.txt.eml")).unwrap(),
    );
    assert_eq!(known.subject.as_deref(), Some("This is a test message"));
    assert_eq!(
        known.message_id.as_deref(),
        Some("15090.61304.110929.45684@aaa.zzz.org")
    );
    assert_eq!(known.from[0].address.as_deref(), Some("bbb@ddd.com"));
    assert_eq!(
        known.date.unwrap().to_rfc3339(),
        "2001-05-04T18:05:44+00:00"
    );

    let rfc2231 = MessageMetadata::read(
        &std::fs::read(dir.join("fx-php-mime-mail-parser__tests_mails_issue274.eml.eml")).unwrap(),
    );
    assert!(
        rfc2231
            .attachment_names
            .iter()
            .any(|name| name == "Cours-Tutoriels-Serge-Tahé-1568x268.png"),
        "{:?}",
        rfc2231.attachment_names
    );
}
