//! Retention and legal hold through `tresor retention` and `tresor hold`:
//! a dry run deletes nothing; apply deletes exactly what every covering
//! policy released and no hold keeps; shared blobs stay while another
//! mailbox holds them; the ledger records each deletion and the archive still
//! verifies clean. On SQLite and PostgreSQL.

use crate::harness::{databases, tresor_on_database};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A message dated `year`, with a subject word to find it by.
fn message(name: &str, year: i32) -> Vec<u8> {
    format!(
        "Message-ID: <{name}@example.com>\r\nDate: Mon, 1 Jun {year} 10:00:00 +0000\r\n\
         From: Archive <archive@example.com>\r\nTo: alice@example.com\r\n\
         Subject: {name} from {year}\r\n\r\nBody of {name}.\r\n"
    )
    .into_bytes()
}

fn import(data_dir: &Path, url: &str, mailbox: &str, messages: &[(&str, i32)]) {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec![
        "import".to_string(),
        "--owner".into(),
        "alice@example.com".into(),
        "--name".into(),
        mailbox.into(),
    ];
    for (name, year) in messages {
        let path = dir.path().join(format!("{name}.eml"));
        std::fs::write(&path, message(name, *year)).unwrap();
        args.push(path.display().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(tresor_on_database(data_dir, url, &args));
}

/// The subjects `tresor search` finds (everything, as the operator).
fn subjects(data_dir: &Path, url: &str) -> Vec<String> {
    let out = ok(tresor_on_database(
        data_dir,
        url,
        &[
            "search", "body", "--json", "--limit", "100", "--sort", "oldest",
        ],
    ));
    out.lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).unwrap()["subject"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn retention_deletes_only_released_unheld_mail_and_the_ledger_records_it() {
    for db in databases().await {
        let data = tempfile::tempdir().unwrap();
        let (data_dir, url) = (data.path(), db.url.as_str());
        crate::verify::add_user(data_dir, url, "alice@example.com");
        // `sales`: two old messages, one new; `legal`: one old message, and a
        // copy of sales' "shared" message (same bytes, one blob).
        import(
            data_dir,
            url,
            "sales",
            &[("old-offer", 2010), ("shared", 2011), ("new-offer", 2025)],
        );
        import(
            data_dir,
            url,
            "legal",
            &[("old-case", 2012), ("shared", 2011)],
        );
        assert_eq!(subjects(data_dir, url).len(), 4);

        // No policy: nothing is deletable, everything "not covered".
        let plan: Value = serde_json::from_str(&ok(tresor_on_database(
            data_dir,
            url,
            &["retention", "apply", "--dry-run", "--json"],
        )))
        .unwrap();
        assert_eq!(plan["plan"]["deletable"].as_array().unwrap().len(), 0);
        assert_eq!(plan["plan"]["uncovered"], 5);

        // Ten years from the message date, for all mail; the legal mailbox is
        // under hold, and so is one message found by a search.
        ok(tresor_on_database(
            data_dir,
            url,
            &[
                "retention",
                "add",
                "--name",
                "GoBD 10 years",
                "--years",
                "10",
            ],
        ));
        let refused = tresor_on_database(
            data_dir,
            url,
            &["hold", "add", "--mailbox", "legal", "--reason", " "],
        );
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("needs a reason"));
        ok(tresor_on_database(
            data_dir,
            url,
            &["hold", "add", "--mailbox", "legal", "--reason", "Case 4711"],
        ));
        ok(tresor_on_database(
            data_dir,
            url,
            &[
                "hold",
                "add",
                "--query",
                "subject:old-offer",
                "--reason",
                "Audit 2026",
            ],
        ));

        let dry: Value = serde_json::from_str(&ok(tresor_on_database(
            data_dir,
            url,
            &["retention", "apply", "--dry-run", "--json"],
        )))
        .unwrap();
        let plan = &dry["plan"];
        // Old copies: old-offer (held by query), shared in sales (deletable),
        // old-case and shared in legal (held by mailbox). new-offer is kept.
        assert_eq!(plan["deletable"].as_array().unwrap().len(), 1, "{dry}");
        assert_eq!(
            plan["deletable"][0]["sha256"],
            tresor::store::Digest::of(&message("shared", 2011)).to_string()
        );
        assert_eq!(plan["held"], 3, "{dry}");
        assert_eq!(plan["kept"], 1);
        assert_eq!(
            plan["messages_to_delete"], 0,
            "the shared blob stays for legal"
        );
        assert_eq!(dry["applied"], Value::Null);
        assert_eq!(
            subjects(data_dir, url).len(),
            4,
            "a dry run deletes nothing"
        );

        let applied: Value = serde_json::from_str(&ok(tresor_on_database(
            data_dir,
            url,
            &["retention", "apply", "--json"],
        )))
        .unwrap();
        assert_eq!(applied["applied"]["locations_deleted"], 1, "{applied}");
        assert_eq!(applied["applied"]["messages_deleted"], 0);
        assert_eq!(applied["applied"]["blobs_deleted"], 0);

        // Releasing the query hold lets old-offer go, row and blob.
        let holds: Value = serde_json::from_str(&ok(tresor_on_database(
            data_dir,
            url,
            &["hold", "list", "--json"],
        )))
        .unwrap();
        let query_hold = holds
            .as_array()
            .unwrap()
            .iter()
            .find(|hold| hold["scope"]["kind"] == "query")
            .unwrap()["id"]
            .to_string();
        ok(tresor_on_database(
            data_dir,
            url,
            &["hold", "release", &query_hold, "--reason", "Audit closed"],
        ));
        let applied: Value = serde_json::from_str(&ok(tresor_on_database(
            data_dir,
            url,
            &["retention", "apply", "--json"],
        )))
        .unwrap();
        assert_eq!(applied["applied"]["locations_deleted"], 1, "{applied}");
        assert_eq!(applied["applied"]["messages_deleted"], 1);
        assert_eq!(applied["applied"]["blobs_deleted"], 1);
        let sha256 = applied["plan"]["deletable"][0]["sha256"].as_str().unwrap();
        assert!(
            !data_dir
                .join("blobs")
                .join(&sha256[..2])
                .join(format!("{sha256}.zst"))
                .exists()
        );

        // Held and young mail is all still there; the shared message too.
        let mut left = subjects(data_dir, url);
        left.sort();
        assert_eq!(
            left,
            [
                "new-offer from 2025",
                "old-case from 2012",
                "shared from 2011"
            ]
        );
        // The ledger has the deletions, and everything still verifies.
        let verify = tresor_on_database(data_dir, url, &["verify", "--json"]);
        let report: Value = serde_json::from_slice(&verify.stdout).unwrap();
        assert!(verify.status.success(), "{report}");
        let actions = crate::verify::ledger_actions(&db.connection).await;
        assert_eq!(
            actions.iter().filter(|action| *action == "deleted").count(),
            2
        );
        assert_eq!(
            actions.iter().filter(|action| *action == "purged").count(),
            1
        );
        // A released hold stays on record, with who and why.
        let holds: Value = serde_json::from_str(&ok(tresor_on_database(
            data_dir,
            url,
            &["hold", "list", "--json"],
        )))
        .unwrap();
        let released = holds
            .as_array()
            .unwrap()
            .iter()
            .find(|hold| hold["scope"]["kind"] == "query")
            .unwrap();
        assert_eq!(released["release_reason"], "Audit closed");
        assert!(released["released_at"].is_string());

        // The audit log has the operator's holds, policy and deletions.
        use sea_orm::{EntityTrait, QueryOrder};
        let audit: Vec<(String, String)> = tresor::db::entity::audit_entry::Entity::find()
            .order_by_asc(tresor::db::entity::audit_entry::Column::Id)
            .all(&db.connection)
            .await
            .unwrap()
            .into_iter()
            // The owner's `tresor user add` is in the log too (see `cli_audit`).
            .filter(|entry| entry.action != "user_created")
            .map(|entry| (entry.action, entry.details))
            .collect();
        let actions: Vec<&str> = audit.iter().map(|(action, _)| action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "policy_added",
                "hold_placed",
                "hold_placed",
                "retention_applied",
                "hold_released",
                "retention_applied"
            ]
        );
        assert!(audit[4].1.contains("Audit closed"), "the release's reason");
        assert!(
            audit[5].1.contains("\"messages_deleted\":1"),
            "{}",
            audit[5].1
        );
    }
}
