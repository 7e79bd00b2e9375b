//! `tresor verify`: a clean archive verifies clean, and each kind of tampering
//! — a changed blob byte, a deleted blob, a row's hash edited, a ledger entry
//! edited, a row slipped in past the ledger, a rewritten chain — is reported
//! with the id of what was touched. On SQLite and PostgreSQL.

use crate::harness::{databases, synthetic_message, tresor_on_database};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

pub fn add_user(data_dir: &Path, database_url: &str, email: &str) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tresor"))
        // English output, whatever the machine's locale (the CLI follows LC_ALL).
        .env("LC_ALL", "C.UTF-8")
        .arg("--data-dir")
        .arg(data_dir)
        .args(["user", "add", "--email", email, "--password-stdin"])
        .env("TRESOR_DATABASE_URL", database_url)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"a-long-enough-password\n").unwrap();
    drop(stdin);
    assert!(child.wait().unwrap().success(), "user add {email}");
}

/// Runs `tresor verify --json`: its exit status and its report.
fn verify(data_dir: &Path, database_url: &str) -> (bool, Value) {
    let run = tresor_on_database(data_dir, database_url, &["verify", "--json"]);
    let report = serde_json::from_slice(&run.stdout).unwrap_or_else(|_| {
        panic!(
            "verify prints JSON: {}\n{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        )
    });
    if !run.status.success() {
        assert!(
            String::from_utf8_lossy(&run.stderr).contains("verify found"),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    (run.status.success(), report)
}

/// The findings, as (kind, the id that matters).
fn findings(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            let kind = finding["kind"].as_str().unwrap().to_string();
            let id = ["location_id", "message_id", "seq", "sha256"]
                .iter()
                .find_map(|key| finding.get(*key))
                .map(|value| value.to_string().trim_matches('"').to_string())
                .unwrap_or_default();
            (kind, id)
        })
        .collect()
}

fn pairs(expected: &[(&str, String)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = expected
        .iter()
        .map(|(kind, id)| (kind.to_string(), id.clone()))
        .collect();
    pairs.sort();
    pairs
}

fn sorted(mut found: Vec<(String, String)>) -> Vec<(String, String)> {
    found.sort();
    found
}

async fn one(db: &DatabaseConnection, sql: &str) -> (i64, String) {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("a row for {sql}"));
    let id: i64 = row.try_get_by_index(0).unwrap();
    let text: String = row.try_get_by_index(1).unwrap();
    (id, text)
}

async fn execute(db: &DatabaseConnection, sql: &str) {
    db.execute_unprepared(sql).await.unwrap();
}

fn blob_path(data_dir: &Path, sha256: &str) -> std::path::PathBuf {
    data_dir
        .join("blobs")
        .join(&sha256[..2])
        .join(format!("{sha256}.zst"))
}

#[tokio::test]
async fn verify_finds_every_kind_of_tampering_by_id() {
    for db in databases().await {
        let data = tempfile::tempdir().unwrap();
        let data_dir = data.path();
        let url = db.url.as_str();
        let mail = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for index in 0..6 {
            let path = mail.path().join(format!("{index}.eml"));
            std::fs::write(&path, synthetic_message(index)).unwrap();
            files.push(path.display().to_string());
        }
        add_user(data_dir, url, "alice@example.com");
        // Two mailboxes; the second holds copies of two of the messages.
        for (name, files) in [("first", &files[..]), ("second", &files[..2])] {
            let mut args = vec!["import", "--owner", "alice@example.com", "--name", name];
            args.extend(files.iter().map(String::as_str));
            let run = tresor_on_database(data_dir, url, &args);
            assert!(
                run.status.success(),
                "{}",
                String::from_utf8_lossy(&run.stderr)
            );
        }

        // Clean: every blob, row and location accounted for, the chain intact.
        let (clean, report) = verify(data_dir, url);
        assert!(clean, "{}: {report}", db.name);
        assert_eq!(report["blobs"], 6);
        assert_eq!(report["messages"], 6);
        assert_eq!(report["locations"], 8);
        assert_eq!(report["ledger_entries"], 8, "one entry per location");
        assert_eq!(report["head"]["seq"], 8);
        let (_, kinds) = one(
            &db.connection,
            "SELECT COUNT(*), CAST(MIN(action) AS TEXT) || ',' || CAST(MAX(action) AS TEXT) FROM ledger",
        )
        .await;
        assert_eq!(kinds, "archived,copy");

        // 1. One byte of a blob changed (recompressed, so it still decompresses).
        let (message_id, sha256) = one(
            &db.connection,
            "SELECT id, sha256 FROM messages ORDER BY id LIMIT 1",
        )
        .await;
        let path = blob_path(data_dir, &sha256);
        let original = std::fs::read(&path).unwrap();
        let mut raw = zstd::decode_all(&original[..]).unwrap();
        raw[10] ^= 0x20;
        std::fs::write(&path, zstd::encode_all(&raw[..], 3).unwrap()).unwrap();
        let (clean, report) = verify(data_dir, url);
        assert!(!clean);
        assert_eq!(
            sorted(findings(&report)),
            pairs(&[("altered_blob", sha256.clone())]),
            "{report}"
        );
        assert_eq!(report["findings"][0]["message_ids"][0], message_id);

        // 2. The blob deleted.
        std::fs::remove_file(&path).unwrap();
        let (clean, report) = verify(data_dir, url);
        assert!(!clean);
        assert_eq!(
            sorted(findings(&report)),
            pairs(&[("missing_blob", message_id.to_string())]),
            "{report}"
        );
        std::fs::write(&path, &original).unwrap();
        assert!(verify(data_dir, url).0, "restored");

        // 3. A row's hash edited to another message's: the row no longer
        // matches its ledger entries, its own blob is orphaned.
        let (other_id, other_sha) = one(
            &db.connection,
            "SELECT id, sha256 FROM messages ORDER BY id DESC LIMIT 1",
        )
        .await;
        let fake = format!("{}0", &other_sha[..63]);
        execute(
            &db.connection,
            &format!("UPDATE messages SET sha256 = '{fake}' WHERE id = {other_id}"),
        )
        .await;
        let (clean, report) = verify(data_dir, url);
        assert!(!clean);
        assert_eq!(
            sorted(findings(&report)),
            pairs(&[
                ("altered_message", other_id.to_string()),
                ("missing_blob", other_id.to_string()),
                ("extra_blob", other_sha.clone()),
            ]),
            "{report}"
        );
        execute(
            &db.connection,
            &format!("UPDATE messages SET sha256 = '{other_sha}' WHERE id = {other_id}"),
        )
        .await;

        // 4. A ledger entry edited: its hash no longer matches.
        let (_, folder) = one(
            &db.connection,
            "SELECT seq, folder FROM ledger WHERE seq = 3",
        )
        .await;
        execute(
            &db.connection,
            "UPDATE ledger SET folder = 'Elsewhere' WHERE seq = 3",
        )
        .await;
        let (clean, report) = verify(data_dir, url);
        assert!(!clean);
        assert_eq!(
            sorted(findings(&report)),
            pairs(&[("altered_ledger_entry", "3".into())]),
            "{report}"
        );
        // … and with its hash recomputed to match, the chain breaks after it.
        let hash = recomputed_hash(&db.connection, 3).await;
        execute(
            &db.connection,
            &format!("UPDATE ledger SET hash = '{hash}' WHERE seq = 3"),
        )
        .await;
        let (_, report) = verify(data_dir, url);
        assert_eq!(
            sorted(findings(&report)),
            pairs(&[("broken_chain", "4".into())]),
            "{report}"
        );
        execute(
            &db.connection,
            &format!("UPDATE ledger SET folder = '{folder}' WHERE seq = 3"),
        )
        .await;
        let restored = recomputed_hash(&db.connection, 3).await;
        execute(
            &db.connection,
            &format!("UPDATE ledger SET hash = '{restored}' WHERE seq = 3"),
        )
        .await;
        assert!(verify(data_dir, url).0, "restored");

        // 5. An entry removed: the chain has a gap.
        execute(&db.connection, "DELETE FROM ledger WHERE seq = 8").await;
        let (_, report) = verify(data_dir, url);
        let found = sorted(findings(&report));
        assert!(
            found.contains(&("head_mismatch".into(), "8".into()))
                && found.iter().any(|(kind, _)| kind == "unrecorded_location"),
            "{report}"
        );

        // 6. A location slipped in past the ledger.
        execute(
            &db.connection,
            &format!(
                "INSERT INTO message_locations (message_id, mailbox_id, folder, uid_validity, uid, flags, labels, archived_at, duplicate, listed) \
                 SELECT {message_id}, mailbox_id, 'Injected', 1, 999, '[]', '{{}}', archived_at, {t}, {t} FROM message_locations WHERE message_id = {message_id} LIMIT 1",
                t = if db.name == "sqlite" { "1" } else { "true" }
            ),
        )
        .await;
        let (_, report) = verify(data_dir, url);
        let (injected, _) = one(
            &db.connection,
            "SELECT id, folder FROM message_locations WHERE folder = 'Injected'",
        )
        .await;
        assert!(
            findings(&report).contains(&("unrecorded_location".into(), injected.to_string())),
            "{report}"
        );
    }
}

/// The daily head file catches a ledger rewritten from an entry to the end,
/// hashes and head row included.
#[tokio::test]
async fn a_rewritten_chain_disagrees_with_the_written_head() {
    let db = databases().await.remove(0);
    let data = tempfile::tempdir().unwrap();
    let (data_dir, url) = (data.path(), db.url.as_str());
    let mail = tempfile::tempdir().unwrap();
    let path = mail.path().join("one.eml");
    std::fs::write(&path, synthetic_message(1)).unwrap();
    add_user(data_dir, url, "bob@example.com");
    let run = tresor_on_database(
        data_dir,
        url,
        &[
            "import",
            "--owner",
            "bob@example.com",
            "--name",
            "one",
            path.to_str().unwrap(),
        ],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let head = tresor::store::ledger::head(&db.connection)
        .await
        .unwrap()
        .unwrap();
    let file = tresor::store::ledger::HeadFile::in_data_dir(data_dir);
    assert!(file.write_daily(&head, chrono::Utc::now()).unwrap());
    assert!(verify(data_dir, url).0);

    // Rewrite entry 1 and its hash, and the head row to match: the database
    // alone is consistent again, but the written head is not in the chain.
    execute(
        &db.connection,
        "UPDATE ledger SET folder = 'Rewritten' WHERE seq = 1",
    )
    .await;
    let hash = recomputed_hash(&db.connection, 1).await;
    execute(
        &db.connection,
        &format!("UPDATE ledger SET hash = '{hash}' WHERE seq = 1"),
    )
    .await;
    execute(
        &db.connection,
        &format!("UPDATE ledger_head SET hash = '{hash}' WHERE id = 1"),
    )
    .await;
    let (clean, report) = verify(data_dir, url);
    assert!(!clean);
    assert_eq!(
        sorted(findings(&report)),
        pairs(&[("head_mismatch", "1".into())]),
        "{report}"
    );
    assert!(
        report["findings"][0]["source"]
            .as_str()
            .unwrap()
            .contains("heads.log")
    );
}

async fn entry(db: &DatabaseConnection, seq: i64) -> tresor::db::entity::ledger::Model {
    use sea_orm::EntityTrait;
    tresor::db::entity::ledger::Entity::find_by_id(seq)
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

/// The hash entry `seq` would have with its current content.
async fn recomputed_hash(db: &DatabaseConnection, seq: i64) -> String {
    tresor::store::ledger::entry_hash(&entry(db, seq).await)
}

/// Jobs commit at the same time: their entries must still form one chain,
/// no seq twice, none skipped (the head row serialises the appends).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_form_one_chain() {
    use sea_orm::{EntityTrait, QueryOrder, TransactionTrait};
    use tresor::store::ledger::{self, Action, NewEntry};
    for db in databases().await {
        let tasks: Vec<_> = (0..8)
            .map(|task| {
                let connection = db.connection.clone();
                tokio::spawn(async move {
                    for round in 0..10 {
                        let transaction = connection.begin().await.unwrap();
                        let entries = (0..5)
                            .map(|index| NewEntry {
                                action: Action::Archived,
                                message_id: task * 1_000 + round * 10 + index,
                                location_id: None,
                                sha256: format!("{task:064}"),
                                mailbox_id: Some(task),
                                folder: "INBOX".into(),
                            })
                            .collect();
                        ledger::append(&transaction, entries).await.unwrap();
                        transaction.commit().await.unwrap();
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let entries = tresor::db::entity::ledger::Entity::find()
            .order_by_asc(tresor::db::entity::ledger::Column::Seq)
            .all(&db.connection)
            .await
            .unwrap();
        assert_eq!(entries.len(), 400, "{}", db.name);
        let mut prev = ledger::GENESIS.to_string();
        for (index, entry) in entries.iter().enumerate() {
            assert_eq!(entry.seq, index as i64 + 1);
            assert_eq!(entry.prev_hash, prev, "{}: entry {}", db.name, entry.seq);
            assert_eq!(ledger::entry_hash(entry), entry.hash);
            prev = entry.hash.clone();
        }
        let head = ledger::head(&db.connection).await.unwrap().unwrap();
        assert_eq!((head.seq, head.hash), (400, prev));
    }
}

/// Every ledger entry's action, in order.
pub async fn ledger_actions(db: &DatabaseConnection) -> Vec<String> {
    use sea_orm::{EntityTrait, QueryOrder};
    tresor::db::entity::ledger::Entity::find()
        .order_by_asc(tresor::db::entity::ledger::Column::Seq)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|entry| entry.action)
        .collect()
}
