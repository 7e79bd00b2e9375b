//! Trusting a server's certificate by its SHA-256 fingerprint (issue 17,
//! item 6), against the test bed's Dovecot, whose certificate comes from a
//! CA Tresor does not know: "Test connection" reports the fingerprint of the
//! certificate it refused; with that pin tests and runs connect; with
//! another pin they fail naming both fingerprints, as SSH does; and a pin
//! never takes a user's mailbox where the connection policy does not let it go.

use crate::connection_policy::test_connection;
use crate::harness::{Site, databases, service_env};
use app::model::mailbox::MailboxInput;
use app::model::probe::ProbeReport;
use tresor::connect::{CANNOT_CONNECT, ConnectionPolicy};

/// The test bed's Dovecot's IMAPS port, if the test bed runs.
fn imaps_port() -> Option<String> {
    service_env("TRESOR_TEST_DOVECOT_CA", "Dovecot")?;
    std::env::var("TRESOR_TEST_IMAPS_PORT").ok()
}

/// The editor's fields for alice's Dovecot mailbox on `port`, with `changes`.
fn dovecot<'a>(port: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("host", "localhost"),
        ("port", port),
        ("security", "tls"),
        ("username", "alice"),
        ("secret", "alicepw"),
        ("folder_rules", "INBOX"),
    ];
    fields.extend_from_slice(changes);
    fields
}

/// The fingerprint of the certificate a refused test reports.
fn refused_fingerprint(report: &ProbeReport) -> String {
    assert!(!report.ok, "{report:?}");
    assert_eq!(
        report.error_kind.as_deref(),
        Some("certificate"),
        "{report:?}"
    );
    let sha256 = report
        .certificate
        .as_ref()
        .unwrap_or_else(|| panic!("the refused certificate is reported: {report:?}"))
        .sha256
        .clone();
    assert_eq!(sha256.len(), 64, "{sha256}");
    sha256
}

/// `sha256` as people copy it from a browser: upper case, in pairs with colons.
fn with_colons(sha256: &str) -> String {
    sha256
        .as_bytes()
        .chunks(2)
        .map(|pair| String::from_utf8_lossy(pair).to_uppercase())
        .collect::<Vec<_>>()
        .join(":")
}

#[tokio::test]
async fn a_refused_certificate_is_reported_with_its_fingerprint_and_exactly_it_can_be_trusted() {
    let Some(port) = imaps_port() else {
        return;
    };
    for db in databases().await {
        let site = Site::new(&db).await;
        let admin = site.sign_in("root@example.com", "root-password").await;
        let refused = test_connection(&site, &admin, &dovecot(&port, &[])).await;
        let sha256 = refused_fingerprint(&refused);

        let pin = with_colons(&sha256);
        let pinned =
            test_connection(&site, &admin, &dovecot(&port, &[("pinned_cert", &pin)])).await;
        assert!(pinned.ok, "{pinned:?}");
        assert!(!pinned.insecure_tls, "a pin is no weakened check");
        assert_eq!(pinned.certificate.unwrap().sha256, sha256);

        let other = "0".repeat(64);
        let changed =
            test_connection(&site, &admin, &dovecot(&port, &[("pinned_cert", &other)])).await;
        assert!(!changed.ok, "{changed:?}");
        let error = changed.error.unwrap();
        assert!(
            error.contains("has changed") && error.contains(&sha256) && error.contains(&other),
            "both fingerprints are named: {error}"
        );

        // Runs: the pinned certificate is accepted, a changed one fails the run.
        let engine = &site.services.engine;
        let profile = |name: &str, pin: &str| MailboxInput {
            port: port.parse().unwrap(),
            folder_rules: "INBOX".into(),
            pinned_cert_sha256: Some(pin.to_string()),
            ..MailboxInput::new(name, "localhost", "alice")
        };
        site.services
            .add_mailbox(
                Some(site.root_id),
                &profile("pinned", &sha256),
                Some("alicepw"),
            )
            .await;
        let log = engine.archive("pinned").await.unwrap();
        assert_eq!(log.error, None, "the pinned certificate is trusted");
        site.services
            .add_mailbox(
                Some(site.root_id),
                &profile("changed", &other),
                Some("alicepw"),
            )
            .await;
        let log = engine.archive("changed").await.unwrap();
        let error = log.error.expect("another certificate fails the run");
        assert!(
            error.contains(&sha256) && error.contains(&other),
            "the run names both fingerprints: {error}"
        );
    }
}

#[tokio::test]
async fn a_users_pin_reaches_only_what_the_connection_policy_allows() {
    let Some(port) = imaps_port() else {
        return;
    };
    let allowing = ConnectionPolicy {
        allow_private: false,
        allowed: vec!["localhost".parse().unwrap()],
    };
    for policy in [ConnectionPolicy::default(), allowing] {
        for db in databases().await {
            let site = Site::with_connection_policy(&db, policy.clone()).await;
            let admin = site.sign_in("root@example.com", "root-password").await;
            let sha256 =
                refused_fingerprint(&test_connection(&site, &admin, &dovecot(&port, &[])).await);
            let user = site.sign_in("user@example.com", "user-password").await;
            let pinned = dovecot(&port, &[("pinned_cert", &sha256)]);
            let with_pin = test_connection(&site, &user, &pinned).await;
            let without = test_connection(&site, &user, &dovecot(&port, &[])).await;
            if policy.allowed.is_empty() {
                assert!(!with_pin.ok, "{with_pin:?}");
                assert_eq!(with_pin.error.as_deref(), Some(CANNOT_CONNECT));
                assert_eq!(with_pin.certificate, None, "nothing was reached");
                assert_eq!(without.certificate, None, "nothing was reached");
            } else {
                assert!(with_pin.ok, "{with_pin:?}");
                assert_eq!(
                    refused_fingerprint(&without),
                    sha256,
                    "a user sees the certificate of a server they may reach"
                );
            }
        }
    }
}
