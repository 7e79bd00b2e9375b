//! Exports and the audit CSV read a page at a time (item 3), and write the
//! same bytes as when read at once.

use crate::harness::{Site, databases, synthetic_message, urlencode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::sync::Arc;

#[tokio::test]
async fn exports_read_a_page_at_a_time_and_write_the_same_bytes() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let messages: Vec<(String, Vec<u8>)> = (0..7)
            .map(|index| (format!("m{index}"), synthetic_message(index)))
            .collect();
        let files: Vec<(&str, &[u8])> = messages
            .iter()
            .map(|(name, raw)| (name.as_str(), raw.as_slice()))
            .collect();
        let ids = site.archive_for(site.user_id, "Exports", &files).await;
        let mailbox = site.services.mailboxes.by_name("Exports").await.unwrap();
        let folder = tresor::db::entity::message_location::Entity::find()
            .filter(tresor::db::entity::message_location::Column::MailboxId.eq(mailbox.id))
            .one(&site.services.db)
            .await
            .unwrap()
            .unwrap()
            .folder;
        let mut listed: Vec<i64> = ids.values().copied().collect();
        listed.sort_unstable();
        // An id given twice and one the user may not see change nothing.
        let given = format!(
            "{},{},999999",
            listed
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(","),
            listed[0]
        );
        let exports = [
            format!("/export?format=mbox&mailbox={}", mailbox.id),
            format!("/export?format=eml&mailbox={}", mailbox.id),
            format!(
                "/export?format=mbox&mailbox={}&folder={}",
                mailbox.id,
                urlencode(&folder)
            ),
            format!("/export?format=mbox&query={}", urlencode("fox")),
            format!("/export?format=eml&ids={given}"),
        ];
        let cookie = site.sign_in("user@example.com", "user-password").await;
        let mut whole = Vec::new();
        for path in &exports {
            let (status, _, body) = site.get(path, Some(&cookie)).await;
            assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
            whole.push(body);
        }
        let mbox = String::from_utf8_lossy(&whole[0]);
        assert_eq!(
            mbox.lines()
                .filter(|line| line.starts_with("From "))
                .count(),
            7,
            "every message, once"
        );

        // Pages of two messages: many page boundaries, the same bytes.
        let paged = site.services.new_viewer().with_export_page_size(2);
        let site = site.with_state(|mut state| {
            state.viewer = Arc::new(paged);
            state
        });
        let cookie = site.sign_in("user@example.com", "user-password").await;
        for (path, expected) in exports.iter().zip(&whole) {
            let (status, _, body) = site.get(path, Some(&cookie)).await;
            assert_eq!(status, 200, "{}: {path}", db.name);
            assert!(&body == expected, "{}: {path} differs when paged", db.name);
        }
    }
}

#[tokio::test]
async fn the_audit_csv_is_complete_and_in_order_across_pages() {
    use tresor::audit::{Action, Actor, AuditLog, Outcome};
    use tresor::db::entity::audit_entry;
    for db in databases().await {
        let site = Site::new(&db).await;
        for n in 0..11 {
            site.state
                .audit
                .record(
                    &Actor::Operator,
                    None,
                    Action::Search,
                    &format!("search, number {n}"),
                    serde_json::json!({ "query": format!("\"quoted\", {n}") }),
                    Outcome::Ok,
                )
                .await
                .unwrap();
        }
        let admin = site.sign_in("root@example.com", "root-password").await;
        let recorded: Vec<i64> = audit_entry::Entity::find()
            .order_by_asc(audit_entry::Column::Id)
            .all(&site.services.db)
            .await
            .unwrap()
            .into_iter()
            .map(|entry| entry.id)
            .collect();
        assert!(recorded.len() > 3 * 3, "more than three pages");

        let site = site.with_state(|mut state| {
            state.audit = AuditLog::new(state.db.clone()).with_csv_page_size(3);
            state
        });
        let (status, _, csv) = site.get("/admin/audit.csv", Some(&admin)).await;
        assert_eq!(status, 200);
        let csv = String::from_utf8(csv).unwrap();
        let mut lines = csv.split("\r\n");
        assert!(lines.next().unwrap().starts_with("id,time (UTC),actor"));
        let ids: Vec<i64> = lines
            .filter(|line| !line.is_empty())
            .map(|line| line.split(',').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(
            ids, recorded,
            "{}: every entry, oldest first, once",
            db.name
        );
        assert!(csv.contains("search, number 10"), "fields quoted as before");

        // The export's own record counts what it wrote (and is not in it).
        let own = audit_entry::Entity::find()
            .filter(audit_entry::Column::Action.eq("audit_exported"))
            .one(&site.services.db)
            .await
            .unwrap()
            .unwrap();
        assert!(!ids.contains(&own.id));
        let details: serde_json::Value = serde_json::from_str(&own.details).unwrap();
        assert_eq!(details["entries"], recorded.len() as u64);
    }
}
