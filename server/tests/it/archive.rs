//! Archiving from the real Dovecot through the `tresor` CLI, as an admin would:
//! every message the server holds arrives byte-identical, and a second run
//! archives nothing new.

use crate::harness::{
    corpus_dir, cyrus_endpoint, endpoint, export_digests, files_under, server_digests, session,
    stderr, stdout, tresor,
};
use std::collections::BTreeSet;
use std::time::Duration;
use tresor::imap::{self, Security};
use tresor::store::Digest;

const TIMEOUT: Duration = Duration::from_secs(30);

/// How a test server takes messages: Dovecot stores what it gets; Cyrus
/// refuses bare LF line endings (RFC 5322 wants CRLF), so for Cyrus they are
/// converted first, as an MTA delivering the message would have.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Seeding {
    AsIs,
    Crlf,
}

/// A fresh folder of `user` holding every message of `corpus`; returns its
/// name, the server's message count, and the distinct SHA-256 of the
/// messages as the server returns them (corpora hold byte-identical copies).
async fn seeded_folder(
    endpoint: &imap::Endpoint,
    seeding: Seeding,
    corpus: &std::path::Path,
    user: &str,
    password: &str,
    expected_at_least: usize,
) -> Option<(String, u64, BTreeSet<Digest>)> {
    let mut session = session(endpoint, user, password).await;
    let folder = format!("it-archive-{}", rand::random::<u32>());
    session.create(&folder).await.unwrap();

    let mut files: Vec<_> = std::fs::read_dir(corpus)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "eml"))
        .collect();
    files.sort();
    let mut appended = 0;
    let mut refused = Vec::new();
    for path in &files {
        let mut message = std::fs::read(path).unwrap();
        if seeding == Seeding::Crlf {
            message = crlf(&message);
        }
        match session.append(&folder, None, None, message).await {
            Ok(()) => appended += 1,
            // Cyrus refuses a few messages (NUL bytes, 8-bit headers); Dovecot none.
            Err(error) if seeding == Seeding::Crlf => {
                refused.push(format!("{}: {error}", path.display()))
            }
            Err(error) => panic!("{}: {error}", path.display()),
        }
    }
    if !refused.is_empty() {
        eprintln!(
            "the server refused {} messages: {refused:#?}",
            refused.len()
        );
    }
    assert!(
        appended >= expected_at_least,
        "expected at least {expected_at_least} messages in {}, found {appended}",
        corpus.display()
    );

    let fetched = server_digests(&mut session, &folder).await;
    let originals: BTreeSet<Digest> = fetched.iter().copied().collect();
    assert_eq!(fetched.len(), appended);
    imap::logout(session, TIMEOUT).await.unwrap();
    Some((folder, fetched.len() as u64, originals))
}

fn crlf(message: &[u8]) -> Vec<u8> {
    let mut converted = Vec::with_capacity(message.len() + message.len() / 40);
    for (index, byte) in message.iter().enumerate() {
        if *byte == b'\n' && (index == 0 || message[index - 1] != b'\r') {
            converted.push(b'\r');
        }
        converted.push(*byte);
    }
    converted
}

pub fn add_mailbox(data_dir: &std::path::Path, name: &str, folder: &str, password: &str) {
    add_mailbox_with(data_dir, name, folder, password, &[]);
}

/// `add_mailbox` with extra `mailbox add` options (action, filters…).
pub fn add_mailbox_with(
    data_dir: &std::path::Path,
    name: &str,
    folder: &str,
    password: &str,
    extra: &[&str],
) {
    let port = std::env::var("TRESOR_TEST_IMAPS_PORT").unwrap();
    add_mailbox_for(data_dir, name, &port, "alice", folder, password, extra);
}

/// A mailbox for Dovecot user `user`, owned by the Tresor user alice@example.com.
pub fn add_mailbox_for(
    data_dir: &std::path::Path,
    name: &str,
    port: &str,
    user: &str,
    folder: &str,
    password: &str,
    extra: &[&str],
) {
    let ca = std::env::var("TRESOR_TEST_DOVECOT_CA").unwrap();
    crate::harness::add_owner(data_dir);
    let added = tresor(
        data_dir,
        &[
            "mailbox",
            "add",
            "--owner",
            "alice@example.com",
            "--name",
            name,
            "--host",
            "localhost",
            "--port",
            port,
            "--security",
            "tls",
            "--auth",
            "plain",
            "--username",
            user,
            "--password-stdin",
            "--ca-file",
            &ca,
            "--folders",
            folder,
            "--label",
            "source=integration-test",
        ]
        .into_iter()
        .chain(extra.iter().copied())
        .collect::<Vec<_>>(),
        Some(&format!("{password}\n")),
    );
    assert!(added.status.success(), "{}", stderr(&added));
}

#[tokio::test]
async fn archives_every_tricky_mime_message_byte_for_byte_and_only_once() {
    let (Some(corpus), Some(endpoint)) = (
        corpus_dir("tricky-mime"),
        endpoint(Security::ImplicitTls, None),
    ) else {
        return;
    };
    let Some(data_dir) =
        archive_corpus_exactly(&endpoint, Seeding::AsIs, &corpus, "alice", "alicepw", 800).await
    else {
        return;
    };
    known_messages_are_found(data_dir.path());
    exports_read_back_byte_identically(data_dir.path());
}

/// Message-IDs of tricky-mime messages each search must find.
const KNOWN: &[(&str, &str)] = &[
    // subject words
    (
        "Invoice 02722027",
        "CAH_ZkVmUSM8t2JxgqcuLCQ8d+R_hkKpNHTubJOQK07y=36+d4Q@mail.gmail.com",
    ),
    (
        "subject:invoice",
        "CAH_ZkVmUSM8t2JxgqcuLCQ8d+R_hkKpNHTubJOQK07y=36+d4Q@mail.gmail.com",
    ),
    // a phrase from the body
    (
        "\"signed CLA from TechDesign House\"",
        "CAC-r_nTpJSn7aN21wLtg1ENJn5o3nN7wOr5qDnBWjOxfAZ+JdQ@mail.gmail.com",
    ),
    // the sender
    (
        "from:marcus.mueller@ettus.com",
        "17f1b1b7-3fae-ebed-3d65-c1e04e35fc53@ettus.com",
    ),
    // a date range
    (
        "after:2021-03-18 before:2021-03-19",
        "17f1b1b7-3fae-ebed-3d65-c1e04e35fc53@ettus.com",
    ),
    // an attachment's name, whole and in part
    (
        "attachment:OpenBMC_CCLA_signed.pdf",
        "CAC-r_nTpJSn7aN21wLtg1ENJn5o3nN7wOr5qDnBWjOxfAZ+JdQ@mail.gmail.com",
    ),
    (
        "attachment:ccla has:attachment",
        "CAC-r_nTpJSn7aN21wLtg1ENJn5o3nN7wOr5qDnBWjOxfAZ+JdQ@mail.gmail.com",
    ),
    // German, with and without umlauts
    ("grüße", "7da78721a8a234894af702fe25fc64a5@proxforge.de"),
    ("GRUSSE", "7da78721a8a234894af702fe25fc64a5@proxforge.de"),
    (
        "from:Müller",
        "17f1b1b7-3fae-ebed-3d65-c1e04e35fc53@ettus.com",
    ),
    (
        "from:muller",
        "17f1b1b7-3fae-ebed-3d65-c1e04e35fc53@ettus.com",
    ),
];

fn search_ids(data_dir: &std::path::Path, query: &str) -> Vec<serde_json::Value> {
    let found = tresor(
        data_dir,
        &["search", query, "--json", "--limit", "1000"],
        None,
    );
    assert!(found.status.success(), "{query}: {}", stderr(&found));
    stdout(&found)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn known_messages_are_found(data_dir: &std::path::Path) {
    for (query, message_id) in KNOWN {
        let hits = search_ids(data_dir, query);
        assert!(
            hits.iter().any(|hit| hit["message_id"] == *message_id),
            "{query} should find <{message_id}>, found {:?}",
            hits.iter()
                .map(|hit| hit["message_id"].clone())
                .collect::<Vec<_>>()
        );
        for hit in &hits {
            for key in ["id", "sha256", "message_id", "subject", "from", "date"] {
                assert!(hit.get(key).is_some(), "{key} missing in {hit}");
            }
        }
    }
    assert!(search_ids(data_dir, "xyzzy-no-such-word-anywhere").is_empty());
    // Everything archived is in the index.
    let everything = search_ids(data_dir, "");
    assert!(everything.len() >= 800, "{}", everything.len());
}

/// A zip and an mbox export of a search, imported again into a fresh
/// archive, give back the same blobs (zip: every byte; mbox: every message
/// that ended with a line break, which mbox needs).
fn exports_read_back_byte_identically(data_dir: &std::path::Path) {
    let out = tempfile::tempdir().unwrap();
    let mbox = out.path().join("all.mbox");
    let exported = tresor(
        data_dir,
        &[
            "export",
            "--query",
            "",
            "--format",
            "mbox",
            "--out",
            mbox.to_str().unwrap(),
        ],
        None,
    );
    assert!(exported.status.success(), "{}", stderr(&exported));
    let zip_path = out.path().join("all.zip");
    let zipped = tresor(
        data_dir,
        &[
            "export",
            "--mailbox",
            "alice",
            "--format",
            "zip",
            "--out",
            zip_path.to_str().unwrap(),
        ],
        None,
    );
    assert!(zipped.status.success(), "{}", stderr(&zipped));

    let originals: BTreeSet<String> = search_ids(data_dir, "")
        .iter()
        .map(|hit| hit["sha256"].as_str().unwrap().to_string())
        .collect();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut from_zip = BTreeSet::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        from_zip.insert(Digest::of(&bytes).to_string());
    }
    assert_eq!(
        from_zip, originals,
        "the zip holds exactly the archived bytes"
    );

    let again = tempfile::tempdir().unwrap();
    let imported = tresor(
        again.path(),
        &[
            "import",
            "--name",
            "reimport",
            "--json",
            mbox.to_str().unwrap(),
        ],
        None,
    );
    assert!(imported.status.success(), "{}", stderr(&imported));
    let note = stdout(&exported);
    let added: usize = note
        .split("note: ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|count| count.parse().ok())
        .unwrap_or(0);
    let reimported: BTreeSet<String> = search_ids(again.path(), "")
        .iter()
        .map(|hit| hit["sha256"].as_str().unwrap().to_string())
        .collect();
    let same = reimported.intersection(&originals).count();
    assert_eq!(
        same + added,
        originals.len(),
        "every message comes back byte-identical, except {added} without a final line break"
    );
}

/// The same test against Cyrus: another server, lower-case special-use
/// flags, stricter about what it accepts.
#[tokio::test]
async fn archives_every_tricky_mime_message_from_cyrus_too() {
    let (Some(corpus), Some(endpoint)) = (corpus_dir("tricky-mime"), cyrus_endpoint()) else {
        return;
    };
    archive_corpus_exactly(&endpoint, Seeding::Crlf, &corpus, "alice", "alicepw", 800).await;
}

#[tokio::test]
async fn archives_every_bulk_realistic_message_byte_for_byte_and_only_once() {
    let (Some(corpus), Some(endpoint)) = (
        crate::harness::bulk_corpus(),
        endpoint(Security::ImplicitTls, None),
    ) else {
        return;
    };
    archive_corpus_exactly(&endpoint, Seeding::AsIs, &corpus, "user3", "pass3", 13_000).await;
}

/// Loads `corpus` into a fresh folder of `user`, archives it, and checks the
/// export against what the server holds; a second run stores nothing.
async fn archive_corpus_exactly(
    endpoint: &imap::Endpoint,
    seeding: Seeding,
    corpus: &std::path::Path,
    user: &str,
    password: &str,
    expected_at_least: usize,
) -> Option<tempfile::TempDir> {
    let (folder, server_count, originals) =
        seeded_folder(endpoint, seeding, corpus, user, password, expected_at_least).await?;
    let data_dir = tempfile::tempdir().unwrap();
    let port = endpoint.port.to_string();
    add_mailbox_for(
        data_dir.path(),
        "alice",
        &port,
        user,
        &folder,
        password,
        &[],
    );

    let listed = tresor(data_dir.path(), &["mailbox", "list", "--json"], None);
    assert!(
        !stdout(&listed).contains(password),
        "secrets are never printed"
    );
    assert!(
        !std::fs::read(data_dir.path().join("tresor.db"))
            .unwrap_or_default()
            .windows(password.len())
            .any(|window| window == password.as_bytes()),
        "secrets are stored sealed"
    );

    let first = tresor(data_dir.path(), &["archive", "alice", "--json"], None);
    assert!(
        first.status.success(),
        "{}\n{}",
        stdout(&first),
        stderr(&first)
    );
    let log: serde_json::Value = serde_json::from_str(&stdout(&first)).unwrap();
    let distinct = originals.len() as u64;
    assert_eq!(
        log["folders"].as_array().unwrap().len(),
        1,
        "only the selected folder: {log}"
    );
    let folder_log = &log["folders"][0];
    assert_eq!(folder_log["name"], folder.as_str());
    assert_eq!(folder_log["server_count"].as_u64(), Some(server_count));
    assert_eq!(
        folder_log["archived_total"].as_u64(),
        Some(server_count),
        "reconciliation: {log}"
    );
    assert_eq!(
        log["archived"].as_u64(),
        Some(distinct),
        "each distinct message stored once"
    );
    assert_eq!(
        log["duplicates"].as_u64(),
        Some(server_count - distinct),
        "identical copies are duplicates"
    );
    assert_eq!(log["failed"].as_u64(), Some(0));

    let exported: BTreeSet<Digest> = export_digests(data_dir.path(), "alice")
        .into_iter()
        .collect();
    assert_eq!(
        exported, originals,
        "the export is byte-identical to what the server holds"
    );
    // Every blob re-hashes to its address; the ledger holds one entry per copy.
    let verify = tresor(data_dir.path(), &["verify", "--json"], None);
    let report: serde_json::Value = serde_json::from_str(&stdout(&verify)).unwrap();
    assert!(verify.status.success(), "{}", report["findings"]);
    assert_eq!(report["blobs"].as_u64(), Some(distinct));
    assert_eq!(report["ledger_entries"].as_u64(), Some(server_count));

    let blobs_before = files_under(&data_dir.path().join("blobs")).len();
    let second = tresor(data_dir.path(), &["archive", "alice", "--json"], None);
    assert!(second.status.success(), "{}", stderr(&second));
    let log: serde_json::Value = serde_json::from_str(&stdout(&second)).unwrap();
    assert_eq!(log["archived"].as_u64(), Some(0), "{log}");
    assert_eq!(
        log["duplicates"].as_u64(),
        Some(0),
        "the checkpoint skips what was archived: {log}"
    );
    assert_eq!(
        log["folders"][0]["unchanged"], true,
        "HIGHESTMODSEQ shows nothing changed: {log}"
    );
    assert_eq!(
        log["folders"][0]["archived_total"].as_u64(),
        Some(server_count)
    );
    assert_eq!(
        files_under(&data_dir.path().join("blobs")).len(),
        blobs_before,
        "no new blobs"
    );
    Some(data_dir)
}

#[tokio::test]
async fn a_wrong_password_fails_the_job_with_a_clear_error() {
    let Some(_endpoint) = endpoint(Security::ImplicitTls, None) else {
        return;
    };
    let data_dir = tempfile::tempdir().unwrap();
    add_mailbox(
        data_dir.path(),
        "alice-wrong",
        "INBOX",
        "not-alices-password",
    );
    let run = tresor(data_dir.path(), &["archive", "alice-wrong"], None);
    assert!(!run.status.success());
    assert!(
        stdout(&run).contains("authentication failed"),
        "{}",
        stdout(&run)
    );
    assert!(
        stderr(&run).contains("1 of 1 archive jobs failed"),
        "{}",
        stderr(&run)
    );
}

#[tokio::test]
async fn identical_copies_in_one_batch_are_stored_once() {
    let Some(endpoint) = endpoint(Security::ImplicitTls, None) else {
        return;
    };
    let mut session = session(&endpoint, "alice", "alicepw").await;
    let folder = format!("it-copies-{}", rand::random::<u32>());
    session.create(&folder).await.unwrap();
    for index in [1, 1, 2] {
        let message = crate::harness::synthetic_message(index);
        session.append(&folder, None, None, message).await.unwrap();
    }
    imap::logout(session, TIMEOUT).await.unwrap();

    let data_dir = tempfile::tempdir().unwrap();
    add_mailbox(data_dir.path(), "copies", &folder, "alicepw");
    let run = tresor(data_dir.path(), &["archive", "copies", "--json"], None);
    assert!(run.status.success(), "{}", stderr(&run));
    let log: serde_json::Value = serde_json::from_str(&stdout(&run)).unwrap();
    assert_eq!(
        (log["archived"].as_u64(), log["duplicates"].as_u64()),
        (Some(2), Some(1)),
        "{log}"
    );
    assert_eq!(
        log["folders"][0]["archived_total"].as_u64(),
        Some(3),
        "every location is recorded"
    );
    assert_eq!(files_under(&data_dir.path().join("blobs")).len(), 2);
}
