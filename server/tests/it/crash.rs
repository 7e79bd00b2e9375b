//! The engine's central promise: `kill -9` at any moment, then run again, and
//! the archive holds exactly what the server held, nothing twice, nothing lost,
//! and no message was moved off the server before it was in the archive.

use crate::harness::{
    endpoint, export_digests, files_under, server_digests, session, stderr, stdout,
    synthetic_message, tresor,
};
use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tresor::imap::{self, Security};
use tresor::store::Digest;

const MESSAGES: usize = 10_000;

#[tokio::test]
async fn a_run_killed_at_any_point_resumes_without_loss_or_duplicates() {
    let Some(endpoint) = endpoint(Security::ImplicitTls, None) else {
        return;
    };
    let mut session = session(&endpoint, "alice", "alicepw").await;
    let folder = format!("it-crash-{}", rand::random::<u32>());
    let target = format!("Archived/{folder}");
    session.create(&folder).await.unwrap();
    for index in 0..MESSAGES {
        session
            .append(&folder, None, None, synthetic_message(index))
            .await
            .unwrap();
    }
    let originals: BTreeSet<Digest> = server_digests(&mut session, &folder)
        .await
        .into_iter()
        .collect();
    assert_eq!(originals.len(), MESSAGES);
    imap::logout(session, Duration::from_secs(10))
        .await
        .unwrap();

    let data_dir = tempfile::tempdir().unwrap();
    crate::archive::add_mailbox_with(
        data_dir.path(),
        "crash",
        &folder,
        "alicepw",
        &["--action", "move", "--success-folder", "Archived"],
    );

    // Kill the archiver once during start-up, then whenever the blob store has
    // reached the next count: progress-based, so a slow or busy machine kills
    // at the same points of the work as a fast one.
    let blobs = data_dir.path().join("blobs");
    let mut blobs_after_kills: Vec<usize> = Vec::new();
    let mut moved_after_kills: Vec<usize> = Vec::new();
    for kill_point in [
        KillPoint::During(Duration::from_millis(30)),
        KillPoint::AtBlobs(1),
        KillPoint::AtBlobs(1_000),
        KillPoint::AtBlobs(3_000),
        KillPoint::AtBlobs(5_500),
        KillPoint::AtBlobs(8_000),
        KillPoint::AtBlobs(9_500),
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tresor"))
            .arg("--data-dir")
            .arg(data_dir.path())
            .args(["archive", "crash"])
            .env("RUST_LOG", "warn")
            // alice's mailbox points at the test bed on loopback.
            .env("TRESOR_ALLOW_PRIVATE_DESTINATIONS", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        loop {
            if child.try_wait().unwrap().is_some() {
                panic!("the archiver finished before {kill_point:?}; raise MESSAGES");
            }
            let due = match kill_point {
                KillPoint::During(delay) => started.elapsed() >= delay,
                KillPoint::AtBlobs(count) => stored_blobs(&blobs) >= count,
            };
            if due {
                // SIGKILL: no cleanup, no flush, no goodbye.
                child.kill().unwrap();
                child.wait().unwrap();
                blobs_after_kills.push(stored_blobs(&blobs));
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(300),
                "no progress towards {kill_point:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        // The server may still be finishing the killed client's last MOVE;
        // judge the state it leaves behind, not a snapshot taken mid-command.
        wait_until_quiet(&endpoint, &folder, &target).await;
        // After every kill: each message is on the server exactly once (in
        // the source or already moved), and whatever was moved is archived.
        let source = digests_of(&endpoint, &folder).await;
        let moved = digests_of(&endpoint, &target).await;
        assert_eq!(source.len() + moved.len(), MESSAGES, "after {kill_point:?}");
        let on_server: BTreeSet<Digest> = source.iter().chain(&moved).copied().collect();
        assert_eq!(on_server, originals, "after {kill_point:?}");
        let archived = archived_digests(data_dir.path()).await;
        let unarchived_but_moved = moved
            .iter()
            .filter(|digest| !archived.contains(digest))
            .count();
        assert_eq!(
            unarchived_but_moved, 0,
            "after {kill_point:?}: moved before it was archived"
        );
        moved_after_kills.push(moved.len());
    }
    assert!(
        blobs_after_kills
            .iter()
            .filter(|count| **count > 0 && **count < MESSAGES)
            .count()
            >= 4,
        "the kills did not land in the middle of archiving (blob files after each kill: {blobs_after_kills:?})"
    );
    eprintln!(
        "after each kill: blob files {blobs_after_kills:?}, messages moved {moved_after_kills:?}"
    );
    assert!(
        moved_after_kills
            .iter()
            .any(|moved| *moved > 0 && *moved < MESSAGES),
        "some kill landed after messages were moved: {moved_after_kills:?}"
    );

    let last = tresor(data_dir.path(), &["archive", "crash", "--json"], None);
    assert!(
        last.status.success(),
        "{}\n{}",
        stdout(&last),
        stderr(&last)
    );
    let log: serde_json::Value = serde_json::from_str(&stdout(&last)).unwrap();
    assert_eq!(
        log["folders"][0]["archived_total"].as_u64(),
        Some(MESSAGES as u64),
        "{log}"
    );

    // Everything is moved now, exactly once, and the source is empty.
    assert!(digests_of(&endpoint, &folder).await.is_empty());
    let moved = digests_of(&endpoint, &target).await;
    assert_eq!(moved.len(), MESSAGES);
    assert_eq!(moved.into_iter().collect::<BTreeSet<_>>(), originals);

    let exported = export_digests(data_dir.path(), "crash");
    assert_eq!(exported.len(), MESSAGES, "one file per message, none twice");
    assert_eq!(exported.into_iter().collect::<BTreeSet<_>>(), originals);

    // Blobs of a killed batch are found again by hash, not written twice; and the
    // temporary files of killed writers were cleared by the next open.
    let blob_files = files_under(&data_dir.path().join("blobs"));
    let temp_files = blob_files
        .iter()
        .filter(|path| path.parent().unwrap().ends_with("tmp"))
        .count();
    assert_eq!(temp_files, 0, "{blob_files:?}");
    assert_eq!(blob_files.len(), MESSAGES);

    // The ledger recorded each message once, in the transactions that
    // survived the kills: every row, blob and entry agrees.
    let verify = tresor(data_dir.path(), &["verify", "--json"], None);
    let report: serde_json::Value = serde_json::from_str(&stdout(&verify)).unwrap();
    assert!(verify.status.success(), "{report}");
    assert_eq!(report["ledger_entries"].as_u64(), Some(MESSAGES as u64));
}

/// Every message in `folder` on the server (none if it does not exist yet).
async fn digests_of(endpoint: &tresor::imap::Endpoint, folder: &str) -> Vec<Digest> {
    let mut session = session(endpoint, "alice", "alicepw").await;
    let exists = imap::list_folders(&mut session, Duration::from_secs(30))
        .await
        .unwrap()
        .iter()
        .any(|listed| listed.name == folder);
    let digests = if exists {
        server_digests(&mut session, folder).await
    } else {
        Vec::new()
    };
    imap::logout(session, Duration::from_secs(30))
        .await
        .unwrap();
    digests
}

/// Waits until the message counts of `source` and `target` stop changing
/// (three equal readings 200 ms apart, at most 20 s): Dovecot completes a
/// command whose client was killed in its own time.
async fn wait_until_quiet(endpoint: &tresor::imap::Endpoint, source: &str, target: &str) {
    let mut session = session(endpoint, "alice", "alicepw").await;
    let started = Instant::now();
    let mut readings: Vec<(u32, u32)> = Vec::new();
    while started.elapsed() < Duration::from_secs(20) {
        let mut counts = [0u32; 2];
        for (count, folder) in counts.iter_mut().zip([source, target]) {
            // A target folder that does not exist yet holds nothing.
            if let Ok(status) = session.status(folder, "(MESSAGES)").await {
                *count = status.exists;
            }
        }
        readings.push((counts[0], counts[1]));
        if readings.len() >= 3
            && readings[readings.len() - 3..]
                .windows(2)
                .all(|w| w[0] == w[1])
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    imap::logout(session, Duration::from_secs(30))
        .await
        .unwrap();
}

/// What the archive's database says it holds.
pub(crate) async fn archived_digests(data_dir: &std::path::Path) -> BTreeSet<Digest> {
    use sea_orm::{ConnectionTrait, Statement};
    let url = format!("sqlite://{}?mode=ro", data_dir.join("tresor.db").display());
    let db = sea_orm::Database::connect(url).await.unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT sha256 FROM messages",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|row| {
            row.try_get::<String>("", "sha256")
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect()
}

#[derive(Debug, Clone, Copy)]
enum KillPoint {
    /// This long after start, whatever it is doing.
    During(Duration),
    /// As soon as this many blobs are in the store.
    AtBlobs(usize),
}

/// Blob files in place (not temporary files of a writer in progress).
pub(crate) fn stored_blobs(root: &std::path::Path) -> usize {
    if !root.exists() {
        return 0;
    }
    files_under(root)
        .iter()
        .filter(|path| !path.parent().unwrap().ends_with("tmp"))
        .count()
}
