//! Proves the test bed: the IMAP layer talks to the real Dovecot that
//! `cargo xtask test` starts (users alice/alicepw…, master user archiver/masterpw).

use crate::harness::{IMAP_TIMEOUT as TIMEOUT, endpoint, login};
use tresor::imap::{self, CertificateProblem, Credentials, ImapError, Security};

#[tokio::test]
async fn imaps_login_lists_capabilities_and_folders() {
    let Some(endpoint) = endpoint(Security::ImplicitTls, None) else {
        return;
    };
    let imap::Connection {
        mut session,
        capabilities,
        certificate,
    } = imap::open(&endpoint, &login("alice", "alicepw"))
        .await
        .unwrap();
    for expected in ["IMAP4REV1", "UIDPLUS", "MOVE", "CONDSTORE", "SPECIAL-USE"] {
        assert!(capabilities.has(expected), "{expected} in {capabilities:?}");
    }
    let certificate = certificate.expect("a TLS connection has a certificate");
    assert!(certificate.subject.contains("localhost"), "{certificate:?}");
    assert!(certificate.issuer.contains("Test CA"), "{certificate:?}");
    assert_eq!(certificate.sha256.len(), 64);
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
    let connection = imap::open(&endpoint, &login("bob", "bobpw")).await.unwrap();
    assert!(
        connection.certificate.is_some(),
        "the certificate was checked after STARTTLS"
    );
    imap::logout(connection.session, TIMEOUT).await.unwrap();
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
    let mut session = imap::open(&endpoint, &credentials).await.unwrap().session;
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
        matches!(result, Err(ImapError::Authentication { .. })),
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
    endpoint.tls.ca_file = None;
    let error = imap::open(&endpoint, &login("alice", "alicepw"))
        .await
        .err()
        .expect("an untrusted certificate is refused");
    assert!(
        matches!(&error, ImapError::Certificate { problem, .. }
            if matches!(**problem, CertificateProblem::Untrusted { .. })),
        "{error:?}"
    );
    assert!(error.to_string().contains("not trusted"), "{error}");

    // Accepting invalid certificates is the explicit way round it.
    endpoint.tls.accept_invalid_certs = true;
    let connection = imap::open(&endpoint, &login("alice", "alicepw"))
        .await
        .unwrap();
    imap::logout(connection.session, TIMEOUT).await.unwrap();
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused_with_the_name() {
    let Some(mut endpoint) = endpoint(Security::StartTls, None) else {
        return;
    };
    endpoint.tls.expected_name = Some("mail.example.org".into());
    let error = imap::open(&endpoint, &login("alice", "alicepw"))
        .await
        .err()
        .expect("the name does not match");
    assert!(
        matches!(&error, ImapError::Certificate { problem, .. }
            if matches!(&**problem, CertificateProblem::WrongName { name } if name == "mail.example.org")),
        "{error:?}"
    );
    // The expected name is what the certificate is checked against, not the host.
    endpoint.host = "127.0.0.1".into();
    endpoint.tls.expected_name = Some("localhost".into());
    let connection = imap::open(&endpoint, &login("alice", "alicepw"))
        .await
        .unwrap();
    imap::logout(connection.session, TIMEOUT).await.unwrap();
}

#[tokio::test]
async fn an_unknown_host_is_a_dns_error() {
    let Some(mut endpoint) = endpoint(Security::ImplicitTls, None) else {
        return;
    };
    endpoint.host = "no-such-host.invalid".into();
    let error = imap::open(&endpoint, &login("alice", "alicepw"))
        .await
        .err()
        .expect("the host does not exist");
    assert!(matches!(error, ImapError::HostNotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn cram_md5_logs_in_without_sending_the_password() {
    let Some(endpoint) = endpoint(Security::Plain, None) else {
        return;
    };
    let credentials = Credentials::CramMd5 {
        user: "alice".into(),
        password: "alicepw".into(),
    };
    let connection = imap::open(&endpoint, &credentials).await.unwrap();
    imap::logout(connection.session, TIMEOUT).await.unwrap();
    let wrong = Credentials::CramMd5 {
        user: "alice".into(),
        password: "wrong".into(),
    };
    let error = imap::open(&endpoint, &wrong).await.err().expect("refused");
    assert!(
        matches!(error, ImapError::Authentication { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn oauth_tokens_log_in_with_xoauth2_and_oauthbearer() {
    let Some(endpoint) = endpoint(Security::ImplicitTls, None) else {
        return;
    };
    for credentials in [
        Credentials::XOAuth2 {
            user: "alice".into(),
            token: "alice-token".into(),
        },
        Credentials::OAuthBearer {
            user: "bob".into(),
            token: "bob-token".into(),
        },
    ] {
        let connection = imap::open(&endpoint, &credentials)
            .await
            .unwrap_or_else(|error| panic!("{credentials:?}: {error}"));
        imap::logout(connection.session, TIMEOUT).await.unwrap();
    }
    // A revoked or foreign token is refused; the server's error challenge is
    // answered, so the refusal arrives as an authentication error, not a hang.
    for credentials in [
        Credentials::XOAuth2 {
            user: "alice".into(),
            token: "bob-token".into(),
        },
        Credentials::OAuthBearer {
            user: "alice".into(),
            token: "expired-token".into(),
        },
    ] {
        let error = imap::open(&endpoint, &credentials)
            .await
            .err()
            .expect("refused");
        assert!(
            matches!(error, ImapError::Authentication { .. }),
            "{error:?}"
        );
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
