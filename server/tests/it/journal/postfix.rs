//! The real MTA (issue 18 §1): Debian's Postfix on loopback with
//! `always_bcc` to Tresor's journal address, and real retries. Tresor is
//! down while mail flows, so Postfix defers every journal copy and keeps
//! retrying; then `tresor serve` starts with `journal_listen` and Postfix
//! delivers the backlog. Killed and started again, the same. In the end the
//! journal mailbox holds every message exactly once, as Postfix delivered
//! it, with the SMTP envelope recorded.

use super::JOURNAL_ADDRESS;
use crate::harness::{Postfix, PostfixRoute, free_port, postfix_available, stderr, tresor};
use lettre::address::Envelope;
use lettre::transport::smtp::client::Tls;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sea_orm::{ConnectionTrait, Statement};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::Child;
use tresor::db::entity::message_location::RecordedEnvelope;
use tresor::store::BlobStore;

/// Messages sent while Tresor is down (one more goes to a Bcc recipient).
const MESSAGES: usize = 20;
/// Messages sent while Tresor is down the second time, after it ran.
const AFTER_RESTART: usize = 5;
const JOURNAL_DOMAIN: &str = "archive.example.org";
const SENDER: &str = "alice@example.org";

#[tokio::test]
async fn postfix_delivers_the_backlog_once_tresor_is_up_and_nothing_is_lost() {
    if !postfix_available() {
        return;
    }
    let started = Instant::now();
    let data = tempfile::tempdir().unwrap();
    let added = tresor(
        data.path(),
        &[
            "journal",
            "add",
            "--name",
            "Journal",
            "--address",
            JOURNAL_ADDRESS,
        ],
        None,
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let journal_port = free_port();
    let mut postfix = Postfix::start(&PostfixRoute {
        always_bcc: JOURNAL_ADDRESS,
        journal_domain: JOURNAL_DOMAIN,
        tresor_port: journal_port,
    });
    let logs = tempfile::tempdir().unwrap();
    let tresor_log = logs.path().join("tresor.log");

    // Tresor is down: mail flows through Postfix to its ordinary
    // recipients (discarded here), and each journal copy is deferred.
    let submission = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(postfix.port)
        .tls(Tls::None)
        .build();
    let run = rand::random::<u32>();
    let mut sent: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for index in 0..MESSAGES {
        let (message_id, message) = message(run, index, "bob@example.net");
        submit(&submission, &["bob@example.net"], &message).await;
        sent.insert(message_id, message);
    }
    // Carol gets a Bcc: the envelope names her, the headers do not.
    let (bcc_id, bcc_message) = message(run, MESSAGES, "bob@example.net");
    submit(
        &submission,
        &["bob@example.net", "carol@example.net"],
        &bcc_message,
    )
    .await;
    sent.insert(bcc_id, bcc_message);
    wait_until_deferred_and_retried(&postfix, sent.len()).await;
    let down_for = started.elapsed();

    // Tresor starts, listening for journal mail; Postfix's next retry delivers.
    let mut server = serve(data.path(), journal_port, &tresor_log);
    let up_at = Instant::now();
    wait_until_drained(&postfix, &mut server, &tresor_log).await;
    let drained_in = up_at.elapsed();

    // Stopped again while mail flows (a kill: Tresor answers 250 only after
    // the durable commit, so nothing it took is lost), then started again.
    server.kill().await.unwrap();
    for index in MESSAGES + 1..MESSAGES + 1 + AFTER_RESTART {
        let (message_id, message) = message(run, index, "dave@example.net");
        submit(&submission, &["dave@example.net"], &message).await;
        sent.insert(message_id, message);
    }
    wait_until_deferred_and_retried(&postfix, AFTER_RESTART).await;
    let mut server = serve(data.path(), journal_port, &tresor_log);
    wait_until_drained(&postfix, &mut server, &tresor_log).await;
    server.kill().await.unwrap();
    let total = sent.len();

    let delivered = postfix
        .log()
        .lines()
        .filter(|line| {
            line.contains(&format!("to=<{JOURNAL_ADDRESS}>"))
                && line.contains(&format!("relay=127.0.0.1[127.0.0.1]:{journal_port}"))
                && line.contains("status=sent")
        })
        .count();
    postfix.stop();
    assert_eq!(delivered, total, "Postfix's log: each copy delivered once");

    let stored = journal_copies(data.path()).await;
    assert_eq!(
        stored.len(),
        total,
        "the journal mailbox holds one location per message, none twice"
    );
    let mut by_id: BTreeMap<String, (Vec<u8>, RecordedEnvelope)> = BTreeMap::new();
    for (duplicate, bytes, envelope) in stored {
        assert!(!duplicate, "nothing was delivered twice");
        let id = message_id(&bytes).expect("a stored copy has its Message-ID");
        assert!(
            by_id.insert(id.clone(), (bytes, envelope)).is_none(),
            "{id} stored twice"
        );
    }
    assert_eq!(
        by_id.keys().collect::<Vec<_>>(),
        sent.keys().collect::<Vec<_>>(),
        "exactly the messages sent, each found by its Message-ID"
    );
    for (id, original) in &sent {
        let (bytes, envelope) = &by_id[id];
        // As Postfix delivered it: its Received header on top of the
        // message as submitted, byte for byte.
        assert!(
            bytes.starts_with(b"Received: from ")
                && String::from_utf8_lossy(bytes).contains("by mta.tresor.test (Postfix)"),
            "{id}: Postfix's Received header"
        );
        assert!(
            bytes.ends_with(original),
            "{id}: the submitted message is stored as it came: {:?}",
            String::from_utf8_lossy(bytes)
        );
        // The journal copy's own envelope: the sender, and the journal
        // address as its only recipient. `always_bcc` does not tell who
        // else the message went to; Carol (the Bcc) is recorded nowhere.
        assert_eq!(
            envelope,
            &RecordedEnvelope {
                sender: SENDER.into(),
                recipients: vec![JOURNAL_ADDRESS.into()],
                report_sha256: None,
                note: None,
            },
            "{id}"
        );
        assert!(!String::from_utf8_lossy(bytes).contains("carol@"), "{id}");
    }
    eprintln!(
        "Postfix journal test: {} copies deferred and retried for {down_for:.1?} while Tresor \
         was down, delivered {drained_in:.1?} after it started; {AFTER_RESTART} more across a \
         restart; {total} in {:.1?}",
        MESSAGES + 1,
        started.elapsed()
    );
}

/// Waits until the queue holds `expected` messages, each only its journal
/// copy, deferred because Tresor refused the connection, and each refused
/// at least twice (the first try and a retry): Tresor has been down "a while".
async fn wait_until_deferred_and_retried(postfix: &Postfix, expected: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let queue = postfix.queue();
        let log = postfix.log();
        let retried = queue.len() == expected
            && queue.iter().all(|entry| {
                let id = entry["queue_id"].as_str().unwrap_or_default();
                let recipients = entry["recipients"].as_array().cloned().unwrap_or_default();
                entry["queue_name"] == "deferred"
                    && recipients.len() == 1
                    && recipients[0]["address"] == JOURNAL_ADDRESS
                    && recipients[0]["delay_reason"]
                        .as_str()
                        .is_some_and(|reason| reason.contains("Connection refused"))
                    && log
                        .lines()
                        .filter(|line| {
                            line.contains(&format!("{id}: to=<{JOURNAL_ADDRESS}>"))
                                && line.contains("status=deferred")
                        })
                        .count()
                        >= 2
            });
        if retried {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "Postfix did not defer and retry the {expected} journal copies while Tresor was down\n{}",
            postfix.report()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// `tresor serve` over `data_dir` with `journal_listen` on `journal_port`,
/// its log appended to `log`.
fn serve(data_dir: &Path, journal_port: u16, log: &Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    tokio::process::Command::new(env!("CARGO_BIN_EXE_tresor"))
        .env("LC_ALL", "C.UTF-8")
        .arg("--data-dir")
        .arg(data_dir)
        .args(["serve", "--listen", &format!("127.0.0.1:{}", free_port())])
        .env_remove("DATABASE_URL")
        .env_remove("TRESOR_DATABASE_URL")
        .env("TRESOR_JOURNAL_LISTEN", format!("127.0.0.1:{journal_port}"))
        .env("TRESOR_INITIAL_ADMIN_EMAIL", "root@example.com")
        .env("TRESOR_INITIAL_ADMIN_PASSWORD", "root-password")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("tresor serve starts")
}

/// Waits (60 s at most) until Postfix's queue is empty, Tresor still running.
async fn wait_until_drained(postfix: &Postfix, server: &mut Child, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !postfix.queue().is_empty() {
        if let Some(status) = server.try_wait().unwrap() {
            panic!(
                "tresor serve exited ({status}):\n{}\n{}",
                std::fs::read_to_string(log).unwrap_or_default(),
                postfix.report()
            );
        }
        assert!(
            Instant::now() < deadline,
            "Postfix's queue is not empty 60 s after Tresor started\n{}\n--- tresor serve ---\n{}",
            postfix.report(),
            std::fs::read_to_string(log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A distinct message from Alice to `to`, with a line Postfix must dot-stuff.
fn message(run: u32, index: usize, to: &str) -> (String, Vec<u8>) {
    let message_id = format!("<backlog-{run}-{index}@example.org>");
    let bytes = format!(
        "From: Alice <{SENDER}>\r\n\
         To: {to}\r\n\
         Subject: Backlog {index}\r\n\
         Message-ID: {message_id}\r\n\
         Date: Thu, 3 Dec 2026 10:00:{:02} +0000\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=us-ascii\r\n\
         \r\n\
         Message {index} of the backlog.\r\n\
         .a line that starts with a dot\r\n\
         The end.\r\n",
        index % 60
    );
    (message_id, bytes.into_bytes())
}

async fn submit(transport: &AsyncSmtpTransport<Tokio1Executor>, to: &[&str], message: &[u8]) {
    let envelope = Envelope::new(
        Some(SENDER.parse().unwrap()),
        to.iter().map(|rcpt| rcpt.parse().unwrap()).collect(),
    )
    .unwrap();
    // lettre ends DATA with CRLF "." CRLF after the message, so a message
    // that already ends in CRLF would gain an empty line on the wire.
    let message = message.strip_suffix(b"\r\n").unwrap_or(message);
    transport
        .send_raw(&envelope, message)
        .await
        .expect("Postfix takes the message");
}

/// The Message-ID header's value.
fn message_id(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let header = text
        .lines()
        .take_while(|line| !line.is_empty())
        .find(|line| line.to_ascii_lowercase().starts_with("message-id:"))?;
    Some(header["message-id:".len()..].trim().to_string())
}

/// Every location in the data directory's archive (only the journal
/// mailbox has any): whether it is a duplicate, the message's bytes from
/// the blob store, and the envelope recorded.
async fn journal_copies(data_dir: &Path) -> Vec<(bool, Vec<u8>, RecordedEnvelope)> {
    let url = format!("sqlite://{}?mode=ro", data_dir.join("tresor.db").display());
    let db = sea_orm::Database::connect(url).await.unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT m.sha256, l.duplicate, l.envelope FROM message_locations l \
             JOIN messages m ON m.id = l.message_id ORDER BY l.uid",
        ))
        .await
        .unwrap();
    let store = BlobStore::open(data_dir.join("blobs")).unwrap();
    rows.iter()
        .map(|row| {
            let sha256: String = row.try_get("", "sha256").unwrap();
            let envelope: Option<String> = row.try_get("", "envelope").unwrap();
            (
                row.try_get("", "duplicate").unwrap(),
                store.get(&sha256.parse().unwrap()).unwrap(),
                serde_json::from_str(&envelope.expect("an envelope is recorded")).unwrap(),
            )
        })
        .collect()
}
