//! Notifications reach a real SMTP server on loopback (the test bed's
//! aiosmtpd sink: STARTTLS with the test CA, AUTH): a test mail, and failure
//! notices once a day per failing mailbox, for 21 days, with the clock
//! injected. On SQLite and PostgreSQL.

use crate::harness::{TestClock, databases, service_env, services};
use app::i18n::Lang;
use chrono::{DateTime, Duration, Utc};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tresor::notify::{Notifier, PasswordChange, SmtpInput, SmtpSecurity};
use tresor::secrets::Secret;

struct Sink {
    port: u16,
    dir: PathBuf,
}

fn sink() -> Option<Sink> {
    let port = service_env("TRESOR_TEST_SMTP_PORT", "the SMTP sink")?;
    let dir = service_env("TRESOR_TEST_SMTP_DIR", "the SMTP sink")?;
    Some(Sink {
        port: port.parse().expect("a port"),
        dir: dir.into(),
    })
}

/// Mails in the sink whose subject contains `needle`: (subject, envelope).
fn received(dir: &Path, needle: &str) -> Vec<(String, serde_json::Value)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|extension| extension == "eml") {
            let raw = std::fs::read(&path).unwrap();
            let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
            let subject = message.subject().unwrap_or_default().to_string();
            if subject.contains(needle) {
                let envelope = std::fs::read_to_string(path.with_extension("json")).unwrap();
                found.push((subject, serde_json::from_str(&envelope).unwrap()));
            }
        }
    }
    found
}

fn settings(sink: &Sink, password: &str) -> (SmtpInput, Secret) {
    let ca = std::env::var("TRESOR_TEST_DOVECOT_CA").expect("the test CA");
    (
        SmtpInput {
            host: "localhost".into(),
            port: sink.port,
            security: SmtpSecurity::StartTls,
            username: Some("notify".into()),
            from_address: "archive@tresor.test".into(),
            from_name: "Tresor Archiv Übersee".into(),
            ca_file: Some(ca),
            extra_recipients: vec!["compliance@example.com".into()],
            summary_recipients: Vec::new(),
        },
        Secret::new(password),
    )
}

#[tokio::test]
async fn failure_notices_arrive_once_a_day_for_three_weeks() {
    let Some(sink) = sink() else {
        return;
    };
    for db in databases().await {
        let services = services(&db).await;
        let start = DateTime::parse_from_rfc3339("2026-11-02T03:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = Arc::new(TestClock::at(start));
        let notifier = Notifier::new(
            db.connection.clone(),
            services.secrets.clone(),
            clock.clone(),
            Some("https://archive.example.com".into()),
        );
        let accounts = tresor::auth::Accounts::new(
            db.connection.clone(),
            std::time::Duration::from_secs(3600),
        );
        accounts
            .create_user(
                "boss@example.com",
                "Boss",
                app::model::Role::Admin,
                "boss-password-1",
            )
            .await
            .unwrap();

        // A wrong SMTP password is a clear error, and nothing is sent.
        let (input, _) = settings(&sink, "");
        notifier
            .save_settings(None, &input, PasswordChange::Set(Secret::new("wrong")))
            .await
            .unwrap();
        let error = notifier
            .send_test(None, "ops@example.com", Lang::De)
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains("localhost:"), "{error}");

        // The right one: a test mail with a UTF-8 subject, over STARTTLS, authenticated.
        let (input, password) = settings(&sink, "notifypw");
        notifier
            .save_settings(None, &input, PasswordChange::Set(password.clone()))
            .await
            .unwrap();
        let token = format!("{}{}", db.name, rand::random::<u32>());
        notifier
            .send_test(None, &format!("ops+{token}@example.com"), Lang::De)
            .await
            .unwrap();

        // A mailbox fails every six hours for 26 days.
        let mailbox = format!("Postfach Müller {token}");
        let mut sent = 0;
        for hour in (0..26 * 24).step_by(6) {
            clock.set(start + Duration::hours(hour));
            if notifier
                .job_finished(7, &mailbox, Some("authentication failed"))
                .await
                .unwrap()
            {
                sent += 1;
            }
        }
        assert_eq!(sent, 21, "{}: one a day for 21 days, then none", db.name);
        // It works again; a new failure starts a new series.
        clock.set(start + Duration::days(27));
        assert!(!notifier.job_finished(7, &mailbox, None).await.unwrap());
        assert!(
            notifier
                .job_finished(7, &mailbox, Some("connection refused"))
                .await
                .unwrap()
        );

        let notices = received(&sink.dir, &token);
        let failures: Vec<_> = notices
            .iter()
            .filter(|(subject, _)| subject.contains("fails"))
            .collect();
        assert_eq!(failures.len(), 22);
        let (subject, envelope) = failures[0];
        // The admins chose no language: German and English in one mail.
        assert_eq!(
            subject,
            &format!(
                "Tresor: Archivierung des Postfachs „{mailbox}“ schlägt fehl / \
                 Tresor: archiving of mailbox „{mailbox}“ fails"
            )
        );
        assert_eq!(envelope["auth"], "notify");
        assert_eq!(envelope["tls"], true);
        let mut recipients: Vec<&str> = envelope["rcpt"]
            .as_array()
            .unwrap()
            .iter()
            .map(|value| value.as_str().unwrap())
            .collect();
        recipients.sort();
        assert_eq!(recipients, ["boss@example.com", "compliance@example.com"]);
        let test_mail: Vec<_> = notices
            .iter()
            .filter(|(subject, _)| subject.contains("Testnachricht"))
            .collect();
        assert!(test_mail.is_empty(), "the test mail's subject has no token");
        let tested = received(&sink.dir, "Tresor: Testnachricht ✓")
            .into_iter()
            .filter(|(_, envelope)| envelope["rcpt"][0].as_str().unwrap().contains(&token))
            .count();
        assert_eq!(tested, 1);
    }
}

/// Implicit TLS (SMTPS, the 465 way) with AUTH; and the daily job summary:
/// due at once, then not again within a day, listing each mailbox's runs.
#[tokio::test]
async fn summaries_go_out_daily_over_implicit_tls() {
    let Some(sink) = sink() else {
        return;
    };
    let Some(tls_port) = service_env("TRESOR_TEST_SMTPS_PORT", "the SMTPS sink") else {
        return;
    };
    for db in databases().await {
        let services = services(&db).await;
        let now = Utc::now();
        let clock = Arc::new(TestClock::at(now));
        let notifier = Notifier::new(
            db.connection.clone(),
            services.secrets.clone(),
            clock.clone(),
            None,
        );
        let token = format!("{}{}", db.name, rand::random::<u32>());
        let (mut input, password) = settings(&sink, "notifypw");
        input.security = SmtpSecurity::Tls;
        input.port = tls_port.parse().unwrap();
        input.summary_recipients = vec![format!("digest+{token}@example.com")];

        // Nothing configured: nothing is due.
        assert!(!notifier.send_summary_if_due().await.unwrap());
        notifier
            .save_settings(None, &input, PasswordChange::Set(password))
            .await
            .unwrap();

        let mailbox = services
            .add_mailbox(
                None,
                &tresor::mailbox::MailboxInput::new(
                    &format!("Buchhaltung {token}"),
                    "imap.example.com",
                    "buha",
                ),
                Some("pw"),
            )
            .await;
        for (hours_ago, failed) in [(30, false), (20, false), (3, true)] {
            let started = now - Duration::hours(hours_ago);
            let mut log = tresor::engine::JobLog::new(&mailbox.name, started);
            log.finished_at = Some(started + Duration::minutes(2));
            if failed {
                log.status = app::model::job::JobStatus::Failed;
                log.error = Some("authentication failed".into());
            } else {
                log.status = app::model::job::JobStatus::Succeeded;
                log.archived = 40;
                log.duplicates = 2;
            }
            use sea_orm::{ActiveModelTrait, Set};
            tresor::db::entity::job::ActiveModel {
                mailbox_id: Set(mailbox.id),
                status: Set(log.status.as_str().into()),
                started_at: Set(log.started_at),
                finished_at: Set(log.finished_at),
                error: Set(log.error.clone()),
                log: Set(serde_json::to_string(&log).unwrap()),
                ..Default::default()
            }
            .insert(&db.connection)
            .await
            .unwrap();
        }

        assert!(notifier.send_summary_if_due().await.unwrap(), "{}", db.name);
        clock.set(now + Duration::hours(23));
        assert!(
            !notifier.send_summary_if_due().await.unwrap(),
            "not again within a day"
        );
        clock.set(now + Duration::hours(24));
        assert!(
            notifier.send_summary_if_due().await.unwrap(),
            "the next day"
        );

        let summaries: Vec<(String, serde_json::Value, String)> =
            mails_to(&sink.dir, &format!("digest+{token}@example.com"));
        assert_eq!(summaries.len(), 2, "{}", db.name);
        let (subject, envelope, body) = &summaries[0];
        assert_eq!(
            subject,
            "Tresor: Tageszusammenfassung — 40 Nachrichten archiviert, 1 Postfach mit \
             fehlgeschlagenen Läufen / \
             Tresor: daily summary — 40 messages archived, 1 mailbox with failed runs"
        );
        // Only the runs of the last day: the one 30 h ago is not in it.
        assert!(
            body.contains(&format!(
                "Buchhaltung {token}: 2 runs (1 failed), 40 archived, 2 duplicates"
            )),
            "{body}"
        );
        assert!(body.contains("last error: authentication failed"), "{body}");
        assert_eq!(envelope["tls"], true);
        assert_eq!(envelope["auth"], "notify");
        // The next day nothing ran.
        assert!(
            summaries[1]
                .0
                .ends_with(" / Tresor: no archiving runs in the last day"),
            "{}",
            summaries[1].0
        );
    }
}

/// Mails in the sink addressed to `to`, oldest first: (subject, envelope, text body).
fn mails_to(dir: &Path, to: &str) -> Vec<(String, serde_json::Value, String)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
        })
        .collect();
    paths.sort();
    let mut found = Vec::new();
    for path in paths {
        let envelope: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if envelope["rcpt"]
            .as_array()
            .unwrap()
            .iter()
            .any(|rcpt| rcpt == to)
        {
            let raw = std::fs::read(path.with_extension("eml")).unwrap();
            let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
            found.push((
                message.subject().unwrap_or_default().to_string(),
                envelope,
                message.body_text(0).unwrap_or_default().to_string(),
            ));
        }
    }
    found
}
