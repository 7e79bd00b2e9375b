//! The test bed's IMAP servers (Dovecot; Cyrus beside it): where they listen
//! and a session to set up or check a test's folders (users alice/alicepw…,
//! master user archiver/masterpw).

use super::test_bed::service_env;
use std::path::PathBuf;
use std::time::Duration;
use tresor::imap::{self, Credentials, Endpoint, Security, TlsOptions};

/// Generous: the suite runs many tests at once on two cores.
pub(crate) const IMAP_TIMEOUT: Duration = Duration::from_secs(30);

/// The test bed's Dovecot on loopback with `security`, trusting the test CA
/// (or `ca_file`).
pub(crate) fn endpoint(security: Security, ca_file: Option<PathBuf>) -> Option<Endpoint> {
    let ca = service_env("TRESOR_TEST_DOVECOT_CA", "Dovecot")?;
    let port_variable = match security {
        Security::ImplicitTls => "TRESOR_TEST_IMAPS_PORT",
        Security::StartTls | Security::Plain => "TRESOR_TEST_IMAP_PORT",
    };
    let port = std::env::var(port_variable).ok()?.parse().ok()?;
    Some(Endpoint {
        host: "localhost".into(),
        port,
        security,
        tls: TlsOptions {
            ca_file: ca_file.or(Some(PathBuf::from(ca))),
            ..TlsOptions::default()
        },
        timeout: IMAP_TIMEOUT,
        destinations: tresor::connect::Destinations::Any,
    })
}

/// The Cyrus server of the test bed (IMAPS, same CA as Dovecot; users alice, bob, archiver).
pub(crate) fn cyrus_endpoint() -> Option<Endpoint> {
    let port = service_env("TRESOR_TEST_CYRUS_IMAPS_PORT", "Cyrus")?
        .parse()
        .ok()?;
    let mut endpoint = endpoint(Security::ImplicitTls, None)?;
    endpoint.port = port;
    Some(endpoint)
}

/// An authenticated session for setting up or checking a test's mailbox.
pub(crate) async fn session(endpoint: &Endpoint, user: &str, password: &str) -> imap::Session {
    imap::open(endpoint, &login(user, password))
        .await
        .unwrap()
        .session
}

/// Credentials for a plain LOGIN.
pub(crate) fn login(user: &str, password: &str) -> Credentials {
    Credentials::Login {
        user: user.into(),
        password: password.into(),
    }
}
