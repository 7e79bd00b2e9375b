//! Proves the test bed: the IMAP layer talks to the real Dovecot that
//! `cargo xtask test` starts (users alice/alicepw…, master user archiver/masterpw).

use crate::support::service_env;
use std::path::PathBuf;
use std::time::Duration;
use tresor::imap::{self, Credentials, Endpoint, ImapError, Security};

const TIMEOUT: Duration = Duration::from_secs(10);

pub fn endpoint(security: Security, ca_file: Option<PathBuf>) -> Option<Endpoint> {
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
        ca_file: ca_file.or(Some(PathBuf::from(ca))),
        timeout: TIMEOUT,
    })
}

pub fn login(user: &str, password: &str) -> Credentials {
    Credentials::Login {
        user: user.into(),
        password: password.into(),
    }
}

#[tokio::test]
async fn imaps_login_lists_capabilities_and_folders() {
    let Some(endpoint) = endpoint(Security::ImplicitTls, None) else {
        return;
    };
    let mut session = imap::open(&endpoint, &login("alice", "alicepw"))
        .await
        .unwrap();
    let capabilities = imap::capabilities(&mut session, TIMEOUT).await.unwrap();
    for expected in ["IMAP4REV1", "UIDPLUS", "MOVE", "CONDSTORE", "SPECIAL-USE"] {
        assert!(
            capabilities.iter().any(|capability| capability == expected),
            "{expected} in {capabilities:?}"
        );
    }
    let folders = folder_names(&mut session).await;
    for expected in ["INBOX", "Sent", "Trash", "Archive"] {
        assert!(
            folders.iter().any(|folder| folder == expected),
            "{expected} in {folders:?}"
        );
    }
    imap::logout(session, TIMEOUT).await.unwrap();
}

#[tokio::test]
async fn starttls_upgrades_before_authenticating() {
    let Some(endpoint) = endpoint(Security::StartTls, None) else {
        return;
    };
    let session = imap::open(&endpoint, &login("bob", "bobpw")).await.unwrap();
    imap::logout(session, TIMEOUT).await.unwrap();
}

#[tokio::test]
async fn a_master_user_logs_in_as_another_user_with_sasl_plain() {
    let Some(endpoint) = endpoint(Security::ImplicitTls, None) else {
        return;
    };
    let credentials = Credentials::Plain {
        authzid: Some("carol".into()),
        user: "archiver".into(),
        password: "masterpw".into(),
    };
    let mut session = imap::open(&endpoint, &credentials).await.unwrap();
    assert!(
        folder_names(&mut session)
            .await
            .contains(&"INBOX".to_string())
    );
    imap::logout(session, TIMEOUT).await.unwrap();
}

#[tokio::test]
async fn a_wrong_password_is_an_authentication_error() {
    let Some(endpoint) = endpoint(Security::ImplicitTls, None) else {
        return;
    };
    let result = imap::open(&endpoint, &login("alice", "wrong")).await;
    assert!(
        matches!(result, Err(ImapError::Authentication(_))),
        "{:?}",
        result.err()
    );
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_by_default() {
    // The test CA is not among the public roots, so without the CA file the handshake fails.
    let Some(mut endpoint) = endpoint(Security::ImplicitTls, None) else {
        return;
    };
    endpoint.ca_file = None;
    let result = imap::open(&endpoint, &login("alice", "alicepw")).await;
    match result {
        Err(ImapError::Handshake { source, .. }) => {
            assert!(
                source.to_string().to_lowercase().contains("certificate"),
                "{source}"
            );
        }
        other => panic!("expected a handshake error, got {:?}", other.err()),
    }
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error() {
    let Some(mut endpoint) = endpoint(Security::ImplicitTls, None) else {
        return;
    };
    endpoint.port = 1;
    let result = imap::open(&endpoint, &login("alice", "alicepw")).await;
    assert!(
        matches!(result, Err(ImapError::Connect { .. })),
        "{:?}",
        result.err()
    );
}

async fn folder_names(session: &mut imap::Session) -> Vec<String> {
    imap::list_folders(session, TIMEOUT)
        .await
        .unwrap()
        .into_iter()
        .map(|folder| folder.name)
        .collect()
}
