//! The dashboard (`app::api::dashboard`): the caller's figures, failing
//! mailboxes, and the archive's last check for administrators.

use super::OWN_MAIL;
use crate::harness::{Site, databases};
use axum::http::StatusCode;

#[tokio::test]
async fn the_dashboard_counts_what_the_caller_sees_and_names_failing_mailboxes() {
    use app::model::DashboardView;
    use app::model::mailbox::MailboxInput;
    use chrono::{Duration, Utc};
    use sea_orm::{ActiveModelTrait, Set};
    use tresor::db::entity::{message, message_location};
    for db in databases().await {
        let site = Site::new(&db).await;
        let own = site
            .add_imap_mailbox(site.user_id, "user-mail", "user")
            .await;
        let mut insecure = MailboxInput::new("root-mail", "imap.example.com", "root");
        insecure.accept_invalid_certs = true;
        site.add_mailbox(site.root_id, &insecure).await;
        let archived = message::ActiveModel {
            sha256: Set("ab".repeat(32)),
            size: Set(1500),
            from_text: Set("a@example.com".into()),
            to_text: Set(String::new()),
            cc_text: Set(String::new()),
            attachment_names: Set("[]".into()),
            has_attachments: Set(false),
            references: Set("[]".into()),
            archived_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&site.services.db)
        .await
        .unwrap();
        message_location::ActiveModel {
            message_id: Set(archived.id),
            mailbox_id: Set(own.id),
            folder: Set("INBOX".into()),
            uid_validity: Set(1),
            uid: Set(1),
            flags: Set("[]".into()),
            labels: Set("{}".into()),
            archived_at: Set(Utc::now()),
            duplicate: Set(false),
            listed: Set(true),
            ..Default::default()
        }
        .insert(&site.services.db)
        .await
        .unwrap();
        // Succeeded three hours ago, then failed twice: failing since two hours.
        let first_failure = Utc::now() - Duration::hours(2);
        for (started_at, error) in [
            (Utc::now() - Duration::hours(3), None),
            (first_failure, Some("authentication failed")),
            (
                Utc::now() - Duration::hours(1),
                Some("authentication failed: invalid credentials"),
            ),
        ] {
            let mut log = tresor::engine::JobLog::new("user-mail", started_at);
            if let Some(error) = error {
                log.fail(error.to_string());
            }
            log.finish(Utc::now());
            site.add_job(own.id, &log).await;
        }

        let user_cookie = site.sign_in("user@example.com", "user-password").await;
        let (status, body, _) = site
            .call("/api/dashboard/summary", "", Some(&user_cookie))
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.name);
        let seen: DashboardView = serde_json::from_str(&body).unwrap();
        assert_eq!(seen.user_count, None);
        assert_eq!(
            (seen.mailbox_count, seen.message_count, seen.message_bytes),
            (1, 1, 1500)
        );
        assert_eq!(seen.archived_last_day, 1);
        assert_eq!(seen.attention.len(), 1, "{body}");
        assert_eq!(
            seen.attention[0].problem,
            "authentication failed: invalid credentials"
        );
        let since = seen.attention[0].failing_since.expect("since when");
        assert!(
            (since - first_failure).num_seconds().abs() <= 1,
            "{since} vs {first_failure}"
        );

        let admin_cookie = site.sign_in("root@example.com", "root-password").await;
        let (_, body, _) = site
            .call("/api/dashboard/summary", "", Some(&admin_cookie))
            .await;
        let seen: DashboardView = serde_json::from_str(&body).unwrap();
        assert_eq!((seen.user_count, seen.mailbox_count), (Some(2), 2));
        let problems: Vec<&str> = seen
            .attention
            .iter()
            .map(|item| item.mailbox.as_str())
            .collect();
        assert_eq!(
            problems,
            ["user-mail", "root-mail"],
            "failing first, then TLS warnings"
        );
    }
}

/// The scheduled routine writes the day's ledger head and verifies; admins
/// see the result (and the last clean check) on the dashboard, users do not.
#[tokio::test]
async fn the_dashboard_shows_admins_the_last_check_and_the_ledger_head() {
    use app::model::DashboardView;
    use tresor::store::ledger::HeadFile;
    use tresor::store::verify::{Verifier, history, run_schedule};
    for db in databases().await {
        let site = Site::new(&db).await;
        let own = site
            .archive_for(site.user_id, "user-mail", &[("own", OWN_MAIL)])
            .await["own"];
        let admin = site.sign_in("root@example.com", "root-password").await;
        let summary = |cookie: String| {
            let site = &site;
            async move {
                let (status, body, _) =
                    site.call("/api/dashboard/summary", "", Some(&cookie)).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                serde_json::from_str::<DashboardView>(&body).unwrap()
            }
        };
        let before = summary(admin.clone()).await.integrity.expect("for admins");
        assert_eq!(before.last_check, None);
        assert_eq!(before.head_seq, Some(1), "one message, one entry");

        // The routine, as `tresor serve` runs it, with a check due at once.
        let heads_dir = tempfile::tempdir().unwrap();
        let heads = HeadFile::in_data_dir(heads_dir.path());
        let verifier = std::sync::Arc::new(Verifier::new(
            site.services.db.clone(),
            site.services.store.clone(),
            Some(heads.clone()),
        ));
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let routine = tokio::spawn(run_schedule(
            verifier.clone(),
            Some(std::time::Duration::ZERO),
            stopped,
        ));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while history(&site.services.db).await.unwrap().1.is_none() {
            assert!(std::time::Instant::now() < deadline, "the routine verified");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        stop.send(true).unwrap();
        routine.await.unwrap();
        let written: Vec<_> = heads.read().unwrap().into_iter().flatten().collect();
        assert_eq!(written.len(), 1);
        assert_eq!(Some(written[0].hash.clone()), before.head_hash);

        let after = summary(admin.clone()).await.integrity.unwrap();
        let check = after.last_check.expect("a check");
        assert_eq!(
            (check.status.as_str(), check.blobs),
            ("clean", 1),
            "{check:?}"
        );
        assert!(after.last_clean_at.is_some());

        // A damaged blob: the next check reports it, the last clean one stays.
        let sha256: String = {
            use sea_orm::EntityTrait;
            tresor::db::entity::message::Entity::find_by_id(own)
                .one(&site.services.db)
                .await
                .unwrap()
                .unwrap()
                .sha256
        };
        let path = site.services.store.path_of(&sha256.parse().unwrap());
        std::fs::write(&path, b"not zstd").unwrap();
        assert!(!verifier.verify_and_record().await.unwrap().is_clean());
        let damaged = summary(admin).await.integrity.unwrap();
        let check = damaged.last_check.unwrap();
        assert_eq!(
            (check.status.as_str(), check.finding_count),
            ("findings", 1)
        );
        assert!(
            check.first_findings[0].starts_with(&format!("altered blob {sha256}")),
            "{check:?}"
        );
        assert_eq!(damaged.last_clean_at, after.last_clean_at);

        let user = site.sign_in("user@example.com", "user-password").await;
        assert_eq!(summary(user).await.integrity, None, "admins only");
    }
}

/// "Verify now": an administrator starts a check from the dashboard; mail
/// archived after the last check is counted until a check covers it, and
/// the dashboard says when the daily check comes next. Nobody else may.
#[tokio::test]
async fn an_admin_verifies_now_when_mail_arrived_since_the_last_check() {
    use app::model::{DashboardView, VerifyStart};
    use sea_orm::{EntityTrait, PaginatorTrait};
    use tresor::store::verify::{Verifier, history};
    for db in databases().await {
        let site = Site::new(&db).await;
        let verifier = std::sync::Arc::new(Verifier::new(
            site.services.db.clone(),
            site.services.store.clone(),
            None,
        ));
        let site = site.with_state(|state| state.with_verifier(verifier.clone()));
        let admin = site.sign_in("root@example.com", "root-password").await;
        let integrity = |cookie: String| {
            let site = &site;
            async move {
                let (status, body, _) =
                    site.call("/api/dashboard/summary", "", Some(&cookie)).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                serde_json::from_str::<DashboardView>(&body)
                    .unwrap()
                    .integrity
                    .expect("for admins")
            }
        };
        let verify_now = |cookie: String| {
            let site = &site;
            async move {
                site.call("/api/dashboard/verify_now", "", Some(&cookie))
                    .await
            }
        };
        let wait_for_checks = |count: usize| {
            let site = &site;
            async move {
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
                loop {
                    let (last, _) = history(&site.services.db).await.unwrap();
                    let done = last.as_ref().is_some_and(|row| row.status != "running");
                    let checks = tresor::db::entity::verification::Entity::find()
                        .count(&site.services.db)
                        .await
                        .unwrap();
                    if done && checks as usize >= count {
                        return;
                    }
                    assert!(std::time::Instant::now() < deadline, "the check finished");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            }
        };
        site.archive_for(site.user_id, "user-mail", &[("own", OWN_MAIL)])
            .await;
        let (status, body, _) = verify_now(admin.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            serde_json::from_str::<VerifyStart>(&body).unwrap(),
            VerifyStart::Started
        );
        wait_for_checks(1).await;
        let checked = integrity(admin.clone()).await;
        let check = checked.last_check.clone().expect("the check");
        assert_eq!(
            (check.status.as_str(), check.blobs),
            ("clean", 1),
            "{check:?}"
        );
        assert_eq!(checked.archived_since_check, 0);
        // The daily routine (24 h by default) comes a day after this check began.
        assert_eq!(
            checked.next_check_at,
            Some(check.started_at + chrono::Duration::hours(24))
        );

        // New mail after the check: counted until the next check covers it.
        site.archive_for(
            site.user_id,
            "user-mail-2",
            &[(
                "later",
                b"From: b@example.com\r\nSubject: Later\r\n\r\nLater.\r\n".as_slice(),
            )],
        )
        .await;
        assert_eq!(integrity(admin.clone()).await.archived_since_check, 1);
        let (status, _, _) = verify_now(admin.clone()).await;
        assert_eq!(status, StatusCode::OK);
        wait_for_checks(2).await;
        assert_eq!(integrity(admin.clone()).await.archived_since_check, 0);

        let entries = tresor::db::entity::audit_entry::Entity::find()
            .all(&site.services.db)
            .await
            .unwrap();
        let started: Vec<_> = entries
            .iter()
            .filter(|entry| entry.action == "verification_started")
            .collect();
        assert_eq!(started.len(), 2, "each start is audited");
        assert!(
            started
                .iter()
                .all(|entry| entry.actor_id == Some(site.root_id))
        );

        // A user or an auditor may not; nothing starts.
        let user = site.sign_in("user@example.com", "user-password").await;
        let (status, _, _) = verify_now(user).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let checks = tresor::db::entity::verification::Entity::find()
            .count(&site.services.db)
            .await
            .unwrap();
        assert_eq!(checks, 2);
    }
}
