//! The POP3 client against Dovecot: POP3S, STLS and plain; USER/PASS, SASL
//! PLAIN (a master user too) and APOP; the certificate rules IMAP has; a
//! wrong password told as such; a listing and messages byte for byte.

use super::{fill_maildrop, pop3_endpoint, tricky_messages, user_pass};
use tresor::imap::{CertificateProblem, ImapError, Security};
use tresor::pop3::{self, Credentials, Pop3Error};

#[tokio::test]
async fn every_security_mode_logs_in_and_reads_the_maildrop_byte_for_byte() {
    if pop3_endpoint(Security::ImplicitTls).is_none() {
        return;
    }
    let messages = tricky_messages();
    fill_maildrop("pop1", "pop1pw", &messages).await;
    for security in [Security::ImplicitTls, Security::StartTls, Security::Plain] {
        let endpoint = pop3_endpoint(security).unwrap();
        let pop3::Connection {
            mut session,
            capabilities,
            certificate,
        } = pop3::open(&endpoint, &user_pass("pop1", "pop1pw"))
            .await
            .unwrap();
        for expected in ["UIDL", "TOP", "USER"] {
            assert!(capabilities.has(expected), "{security:?}: {capabilities:?}");
        }
        assert!(capabilities.has_sasl("PLAIN"), "{capabilities:?}");
        assert!(capabilities.has("APOP"), "the greeting offers APOP");
        match security {
            Security::Plain => assert!(certificate.is_none()),
            _ => {
                let certificate = certificate.expect("TLS has a certificate");
                assert!(certificate.issuer.contains("Test CA"), "{certificate:?}");
            }
        }
        assert_eq!(session.stat().await.unwrap().0, messages.len() as u32);
        let listed = session.listed().await.unwrap();
        assert_eq!(listed.len(), messages.len());
        for (message, expected) in listed.iter().zip(&messages) {
            let body = session.retrieve(message.number, 1 << 20).await.unwrap();
            assert_eq!(&body, expected, "{security:?}, message {}", message.number);
            assert!(!message.unique_id.is_empty());
        }
        session.quit().await.unwrap();
    }
}

#[tokio::test]
async fn sasl_plain_apop_and_a_master_user_log_in() {
    let Some(endpoint) = pop3_endpoint(Security::StartTls) else {
        return;
    };
    for credentials in [
        Credentials::Plain {
            authzid: None,
            user: "pop1".into(),
            password: "pop1pw".into(),
        },
        Credentials::Apop {
            user: "pop1".into(),
            password: "pop1pw".into(),
        },
        Credentials::Plain {
            authzid: Some("pop1".into()),
            user: "archiver".into(),
            password: "masterpw".into(),
        },
    ] {
        let connection = pop3::open(&endpoint, &credentials).await;
        let mut session = connection
            .unwrap_or_else(|error| panic!("{credentials:?}: {error}"))
            .session;
        session.stat().await.unwrap();
        session.quit().await.unwrap();
    }
}

#[tokio::test]
async fn a_wrong_password_is_an_authentication_error_in_words() {
    let Some(endpoint) = pop3_endpoint(Security::ImplicitTls) else {
        return;
    };
    for credentials in [
        user_pass("pop1", "wrong"),
        Credentials::Apop {
            user: "pop1".into(),
            password: "wrong".into(),
        },
        Credentials::Plain {
            authzid: None,
            user: "pop1".into(),
            password: "wrong".into(),
        },
    ] {
        let error = pop3::open(&endpoint, &credentials)
            .await
            .err()
            .expect("refused");
        assert!(
            matches!(error, Pop3Error::Authentication(_)),
            "{credentials:?}: {error:?}"
        );
        assert!(
            error.to_string().starts_with("authentication failed"),
            "{error}"
        );
    }
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_as_for_imap() {
    for security in [Security::ImplicitTls, Security::StartTls] {
        let Some(mut endpoint) = pop3_endpoint(security) else {
            return;
        };
        endpoint.tls.ca_file = None;
        let error = pop3::open(&endpoint, &user_pass("pop1", "pop1pw"))
            .await
            .err()
            .expect("the test CA is not a public root");
        assert!(
            matches!(&error, Pop3Error::Connection(ImapError::Certificate { problem, .. })
                if matches!(**problem, CertificateProblem::Untrusted { .. })),
            "{security:?}: {error:?}"
        );
        // A certificate for another name is refused with the name.
        let mut endpoint = pop3_endpoint(security).unwrap();
        endpoint.tls.expected_name = Some("mail.example.org".into());
        let error = pop3::open(&endpoint, &user_pass("pop1", "pop1pw"))
            .await
            .err()
            .expect("the name does not match");
        assert!(error.to_string().contains("mail.example.org"), "{error}");
    }
}

#[tokio::test]
async fn stls_is_never_skipped_on_a_server_without_it() {
    // POP3S speaks TLS from the first byte: asking it for STLS in plain
    // text gets no POP3 greeting at all, and never a password.
    let Some(pop3s) = pop3_endpoint(Security::ImplicitTls) else {
        return;
    };
    let mut endpoint = pop3_endpoint(Security::StartTls).unwrap();
    endpoint.port = pop3s.port;
    endpoint.timeout = std::time::Duration::from_secs(3);
    let error = pop3::open(&endpoint, &user_pass("pop1", "pop1pw"))
        .await
        .err()
        .expect("no plain POP3 there");
    assert!(
        !matches!(error, Pop3Error::Authentication(_)),
        "no login was tried: {error:?}"
    );
}
