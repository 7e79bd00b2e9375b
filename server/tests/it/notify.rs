//! Notifications reach a real SMTP server on loopback (the test bed's
//! aiosmtpd sink: STARTTLS with the test CA, AUTH): a test mail, and failure
//! notices once a day per failing mailbox, for 21 days, with the clock
//! injected. On SQLite and PostgreSQL.

use crate::support::{databases, service_env};
use chrono::{DateTime, Duration, Utc};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tresor::notify::{Clock, Notifier, SmtpInput, SmtpSecurity};
use tresor::secrets::{Secret, SecretBox};

struct FakeClock(Mutex<DateTime<Utc>>);

impl Clock for FakeClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

impl FakeClock {
    fn set(&self, now: DateTime<Utc>) {
        *self.0.lock().unwrap() = now;
    }
}

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
        let key = format!("{}=", "A".repeat(43));
        let secrets = Arc::new(SecretBox::load(&std::env::temp_dir(), Some(&key)).unwrap());
        let start = DateTime::parse_from_rfc3339("2026-11-02T03:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = Arc::new(FakeClock(Mutex::new(start)));
        let notifier = Notifier::new(
            db.connection.clone(),
            secrets,
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
            .save_settings(None, &input, Some(&Secret::new("wrong")))
            .await
            .unwrap();
        let error = notifier
            .send_test(None, "ops@example.com")
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains("localhost:"), "{error}");

        // The right one: a test mail with a UTF-8 subject, over STARTTLS, authenticated.
        let (input, password) = settings(&sink, "notifypw");
        notifier
            .save_settings(None, &input, Some(&password))
            .await
            .unwrap();
        let token = format!("{}{}", db.name, rand::random::<u32>());
        notifier
            .send_test(None, &format!("ops+{token}@example.com"))
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
        assert_eq!(
            subject,
            &format!("Tresor: archiving of mailbox „{mailbox}“ fails")
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
        let tested = received(&sink.dir, "Testnachricht — test message ✓")
            .into_iter()
            .filter(|(_, envelope)| envelope["rcpt"][0].as_str().unwrap().contains(&token))
            .count();
        assert_eq!(tested, 1);
    }
}
