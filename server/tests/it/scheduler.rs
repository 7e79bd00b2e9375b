//! The scheduler decides what starts: due schedules, manual requests, the
//! global job limit and the per-server connection limit. Jobs run for real
//! against Dovecot; only the clock of `tick` is chosen by the test.

use crate::harness::{Services, TestDb, databases, endpoint, services, session};
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use std::sync::Arc;
use tresor::db::entity::job;
use tresor::imap::{self, Security};
use tresor::mailbox::MailboxInput;
use tresor::scheduler::{Requested, Scheduler};

struct Setup {
    scheduler: Arc<Scheduler>,
    ids: Vec<i64>,
    _services: Services,
}

/// Mailboxes A and B on `localhost` (one connection allowed), C on
/// `127.0.0.1` (two allowed), D without a schedule; all read one small folder.
async fn setup(db: &TestDb, folder: &str) -> Setup {
    let ca = std::env::var("TRESOR_TEST_DOVECOT_CA").unwrap();
    let port: u16 = std::env::var("TRESOR_TEST_IMAPS_PORT")
        .unwrap()
        .parse()
        .unwrap();
    let services = services(db).await;
    let mut ids = Vec::new();
    for (name, host, max_connections, schedule) in [
        ("A", "localhost", 1, Some("1h")),
        ("B", "localhost", 1, Some("1h")),
        ("C", "127.0.0.1", 2, Some("1h")),
        ("D", "localhost", 1, None),
    ] {
        let profile = MailboxInput {
            port,
            ca_file: Some(ca.clone()),
            folder_rules: folder.to_string(),
            max_connections,
            schedule: schedule.map(str::to_string),
            ..MailboxInput::new(name, host, "alice")
        };
        let row = services.add_mailbox(None, &profile, Some("alicepw")).await;
        ids.push(row.id);
    }
    Setup {
        scheduler: Scheduler::new(db.connection.clone(), services.engine.clone(), 2),
        ids,
        _services: services,
    }
}

#[tokio::test]
async fn schedules_and_limits_decide_what_starts() {
    let Some(endpoint) = endpoint(Security::ImplicitTls, None) else {
        return;
    };
    let mut session = session(&endpoint, "alice", "alicepw").await;
    let folder = format!("it-scheduler-{}", rand::random::<u32>());
    session.create(&folder).await.unwrap();
    session
        .append(&folder, None, None, crate::harness::synthetic_message(7))
        .await
        .unwrap();
    imap::logout(session, std::time::Duration::from_secs(30))
        .await
        .unwrap();

    for db in databases().await {
        let setup = setup(&db, &folder).await;
        let scheduler = &setup.scheduler;
        let [a, b, c, d] = setup.ids[..] else {
            unreachable!()
        };
        let now = Utc::now();

        // Never run, so due; A and B share a server that allows one connection.
        let first = scheduler.tick(now).await.unwrap();
        assert_eq!(first, vec![a, c], "{}", db.name);
        scheduler.wait_idle().await;
        assert_eq!(scheduler.tick(now).await.unwrap(), vec![b], "{}", db.name);
        scheduler.wait_idle().await;
        assert!(
            scheduler.tick(now).await.unwrap().is_empty(),
            "nothing is due again within the hour ({})",
            db.name
        );

        // A request runs a mailbox now, schedule or not.
        assert_eq!(scheduler.request_run(d), Requested::Queued);
        assert_eq!(scheduler.tick(now).await.unwrap(), vec![d], "{}", db.name);
        scheduler.wait_idle().await;

        // An hour later all three are due; the global limit is two.
        let later = now + Duration::minutes(61);
        assert_eq!(scheduler.tick(later).await.unwrap().len(), 2, "{}", db.name);
        scheduler.wait_idle().await;

        let jobs = job::Entity::find().all(&db.connection).await.unwrap();
        assert_eq!(jobs.len(), 6, "{}", db.name);
        assert!(
            jobs.iter().all(|job| job.status == "succeeded"),
            "{}: {jobs:?}",
            db.name
        );
    }
}

#[tokio::test]
async fn jobs_left_running_by_a_crash_are_marked_interrupted() {
    for db in databases().await {
        let services = services(&db).await;
        let mailbox = services
            .add_mailbox(
                None,
                &MailboxInput::new("crashed", "localhost", "alice"),
                Some("pw"),
            )
            .await;
        let scheduler = Scheduler::new(db.connection.clone(), services.engine.clone(), 1);
        let left = job::ActiveModel {
            mailbox_id: Set(mailbox.id),
            status: Set("running".into()),
            started_at: Set(Utc::now()),
            finished_at: Set(None),
            error: Set(None),
            log: Set("{}".into()),
            ..Default::default()
        }
        .insert(&db.connection)
        .await
        .unwrap();
        assert_eq!(
            scheduler.fail_interrupted().await.unwrap(),
            1,
            "{}",
            db.name
        );
        let row = job::Entity::find_by_id(left.id)
            .one(&db.connection)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.status, "failed");
        assert!(row.error.unwrap().starts_with("interrupted"));
    }
}
