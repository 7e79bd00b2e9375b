//! The blob store over real, odd mail: every message of ../shared/corpus/tricky-mime
//! comes back byte-for-byte, and identical messages are stored once.

use std::collections::HashSet;
use std::path::PathBuf;
use tresor::store::{BlobStore, Check, Digest};

/// `../shared/corpus/<name>` beside the repository, or `None` (said loudly) when absent.
pub fn corpus_dir(name: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus")
        .join(name);
    if dir.exists() {
        Some(dir)
    } else {
        eprintln!(
            "\n*** SKIPPING: {} is absent (../shared is not beside the repository) ***\n",
            dir.display()
        );
        None
    }
}

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
