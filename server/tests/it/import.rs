//! `tresor import`: .eml files, mbox and Maildir go through the same store,
//! deduplication and job log as IMAP, and come back out byte for byte.

use crate::harness::{corpus_dir, export_digests, stderr, stdout, synthetic_message, tresor};
use std::collections::BTreeSet;
use tresor::store::Digest;

fn import(data_dir: &std::path::Path, paths: &[&std::path::Path]) -> serde_json::Value {
    let mut args = vec![
        "import",
        "--owner",
        "alice@example.com",
        "--name",
        "imported",
        "--json",
    ];
    let paths: Vec<String> = paths
        .iter()
        .map(|path| path.display().to_string())
        .collect();
    args.extend(paths.iter().map(String::as_str));
    let run = tresor(data_dir, &args, None);
    assert!(run.status.success(), "{}\n{}", stdout(&run), stderr(&run));
    serde_json::from_str(&stdout(&run)).unwrap()
}

fn with_owner() -> tempfile::TempDir {
    let data_dir = tempfile::tempdir().unwrap();
    crate::harness::add_owner(data_dir.path());
    data_dir
}

#[test]
fn eml_files_import_byte_for_byte_and_only_once() {
    let Some(corpus) = corpus_dir("tricky-mime") else {
        return;
    };
    let originals: BTreeSet<Digest> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "eml"))
        .map(|path| Digest::of(&std::fs::read(path).unwrap()))
        .collect();
    let data_dir = with_owner();
    let log = import(data_dir.path(), &[&corpus]);
    assert_eq!(log["status"], "succeeded", "{log}");
    assert_eq!(
        log["archived"].as_u64(),
        Some(originals.len() as u64),
        "{log}"
    );
    let exported: BTreeSet<Digest> = export_digests(data_dir.path(), "imported")
        .into_iter()
        .collect();
    assert_eq!(exported, originals);

    let again = import(data_dir.path(), &[&corpus]);
    assert_eq!(
        (again["archived"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(0)),
        "{again}"
    );
}

#[test]
fn mbox_and_maildir_import_with_their_messages_intact() {
    let scratch = tempfile::tempdir().unwrap();
    // An mbox whose messages contain lines that must be escaped.
    let mut originals = BTreeSet::new();
    let mut mbox = Vec::new();
    for index in 0..50 {
        let mut message = synthetic_message(1000 + index);
        message.extend_from_slice(
            b"\r\nFrom here on the line needs escaping.\r\n>From was escaped already.\r\n",
        );
        originals.insert(Digest::of(&message));
        mbox.extend_from_slice(
            format!("From sender{index}@example.com Mon Jan  1 00:00:00 2024\n").as_bytes(),
        );
        for line in message.split_inclusive(|byte| *byte == b'\n') {
            let quotes = line.iter().take_while(|byte| **byte == b'>').count();
            if line[quotes..].starts_with(b"From ") {
                mbox.push(b'>');
            }
            mbox.extend_from_slice(line);
        }
        mbox.extend_from_slice(b"\n");
    }
    let mbox_path = scratch.path().join("Archiv 2019.mbox");
    std::fs::write(&mbox_path, &mbox).unwrap();

    let maildir = scratch.path().join("Projekte");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    for index in 0..20 {
        let message = synthetic_message(2000 + index);
        originals.insert(Digest::of(&message));
        let sub = if index % 2 == 0 { "cur" } else { "new" };
        std::fs::write(
            maildir.join(sub).join(format!("{index}.host:2,S")),
            &message,
        )
        .unwrap();
    }

    let data_dir = with_owner();
    let log = import(data_dir.path(), &[&mbox_path, &maildir]);
    let folders: Vec<&str> = log["folders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|folder| folder["name"].as_str().unwrap())
        .collect();
    assert_eq!(folders, ["Archiv 2019", "Projekte"], "{log}");
    assert_eq!(log["archived"].as_u64(), Some(70), "{log}");
    assert_eq!(
        log["folders"][0]["server_count"].as_u64(),
        Some(50),
        "{log}"
    );
    let exported: BTreeSet<Digest> = export_digests(data_dir.path(), "imported")
        .into_iter()
        .collect();
    assert_eq!(exported, originals, "mbox escaping is undone exactly");
}

#[test]
fn a_missing_path_is_a_clear_error_and_an_imap_mailbox_name_is_refused() {
    let data_dir = with_owner();
    let missing = tresor(
        data_dir.path(),
        &["import", "--name", "x", "/no/such/dir"],
        None,
    );
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("/no/such/dir"),
        "{}",
        stderr(&missing)
    );
}
