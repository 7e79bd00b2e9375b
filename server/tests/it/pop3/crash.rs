//! `kill -9` a POP3 mailbox's run (delete after archiving) at any moment,
//! then run again: the archive holds exactly what the maildrop held,
//! nothing twice, and no message left the server before it was archived —
//! POP3 removes marked messages only at `QUIT`, which a killed run never
//! sends, and a run only marks settled ones.

use super::engine::add_pop3_mailbox;
use super::{fill_maildrop, maildrop_digests, pop3_endpoint};
use crate::crash::{archived_digests, stored_blobs};
use crate::harness::{export_digests, files_under, stdout, synthetic_message, tresor};
use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tresor::imap::Security;
use tresor::store::Digest;

const MESSAGES: usize = 3_000;

#[tokio::test]
async fn a_pop3_run_killed_at_any_point_resumes_without_loss_or_duplicates() {
    if pop3_endpoint(Security::ImplicitTls).is_none() {
        return;
    }
    let messages: Vec<Vec<u8>> = (0..MESSAGES)
        .map(|index| synthetic_message(50_000 + index))
        .collect();
    fill_maildrop("pop7", "pop7pw", &messages).await;
    let originals: BTreeSet<Digest> = messages.iter().map(|message| Digest::of(message)).collect();
    let data_dir = tempfile::tempdir().unwrap();
    add_pop3_mailbox(
        data_dir.path(),
        "crash",
        "pop7",
        "pop7pw",
        Security::ImplicitTls,
        &["--action", "delete"],
    );
    let blobs = data_dir.path().join("blobs");
    let mut after_kills = Vec::new();
    for blobs_at_kill in [1, 700, 1_500, 2_300, 2_900] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tresor"))
            .arg("--data-dir")
            .arg(data_dir.path())
            .args(["archive", "crash"])
            .env("RUST_LOG", "warn")
            .env("TRESOR_ALLOW_PRIVATE_DESTINATIONS", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while stored_blobs(&blobs) < blobs_at_kill {
            assert!(
                child.try_wait().unwrap().is_none(),
                "the run finished before {blobs_at_kill} blobs; raise MESSAGES"
            );
            assert!(started.elapsed() < Duration::from_secs(300), "no progress");
            std::thread::sleep(Duration::from_millis(5));
        }
        // SIGKILL: no QUIT, so the server removes nothing this run marked.
        child.kill().unwrap();
        child.wait().unwrap();
        let on_server: BTreeSet<Digest> = maildrop_digests("pop7", "pop7pw")
            .await
            .into_iter()
            .collect();
        let archived = archived_digests(data_dir.path()).await;
        assert!(archived.is_subset(&originals));
        let gone: Vec<_> = originals.difference(&on_server).collect();
        assert!(
            gone.iter().all(|digest| archived.contains(digest)),
            "after {blobs_at_kill} blobs: a message left the server unarchived"
        );
        after_kills.push((archived.len(), on_server.len()));
    }
    eprintln!("after each kill (archived, on the server): {after_kills:?}");
    assert!(
        after_kills
            .iter()
            .any(|(archived, _)| *archived > 0 && *archived < MESSAGES),
        "some kill landed in the middle: {after_kills:?}"
    );

    let last = tresor(data_dir.path(), &["archive", "crash", "--json"], None);
    assert!(last.status.success(), "{}", stdout(&last));
    let log: serde_json::Value = serde_json::from_str(&stdout(&last)).unwrap();
    assert_eq!(
        log["folders"][0]["archived_total"].as_u64(),
        Some(MESSAGES as u64),
        "{log}"
    );
    assert!(
        maildrop_digests("pop7", "pop7pw").await.is_empty(),
        "all deleted once archived"
    );
    let exported = export_digests(data_dir.path(), "crash");
    assert_eq!(exported.len(), MESSAGES, "one file per message, none twice");
    assert_eq!(exported.into_iter().collect::<BTreeSet<_>>(), originals);
    let blob_files = files_under(&blobs);
    assert_eq!(
        blob_files.len(),
        MESSAGES,
        "no blob twice, no temporary file left"
    );
    let verify = tresor(data_dir.path(), &["verify", "--json"], None);
    assert!(verify.status.success(), "{}", stdout(&verify));
}
