//! A real SMTP client, lettre (what Tresor's own notifications use), sends
//! to the receiver over STARTTLS with AUTH PLAIN and LOGIN, trusting a
//! self-signed certificate made for the test; a wrong password delivers
//! nothing.

use super::start;
use lettre::address::Envelope as LettreEnvelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tresor::smtp::{AuthConfig, load_tls};

/// A certificate for `localhost` and its key, as PEM files in `dir`, and the certificate's PEM.
fn self_signed(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf, String) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let certificate = certified.cert.pem();
    let chain = dir.join("chain.pem");
    let key = dir.join("key.pem");
    std::fs::write(&chain, &certificate).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    (chain, key, certificate)
}

fn transport(
    port: u16,
    certificate: &str,
    password: &str,
    mechanism: Mechanism,
) -> AsyncSmtpTransport<Tokio1Executor> {
    let tls = TlsParameters::builder("localhost".into())
        .add_root_certificate(Certificate::from_pem(certificate.as_bytes()).unwrap())
        .build_rustls()
        .unwrap();
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(port)
        .tls(Tls::Required(tls))
        .credentials(Credentials::new("journal".into(), password.into()))
        .authentication(vec![mechanism])
        .build()
}

#[tokio::test]
async fn lettre_delivers_over_starttls_with_auth() {
    let dir = tempfile::tempdir().unwrap();
    let (chain, key, certificate) = self_signed(dir.path());
    let tls = load_tls(&chain, &key).unwrap();
    let password_hash = tresor::auth::password::hash("secret").unwrap();
    let receiver = start(|config| {
        config.tls = Some(tls);
        config.auth = Some(AuthConfig {
            user: "journal".into(),
            password_hash,
        });
    })
    .await;
    let port = receiver.address.port();
    let envelope = LettreEnvelope::new(
        Some("sender@example.com".parse().unwrap()),
        vec!["copy@journal.example".parse().unwrap()],
    )
    .unwrap();
    // lettre ends the data with CRLF.CRLF itself, so the last line gets its CRLF there.
    let message: &[u8] =
        b"From: sender@example.com\r\nSubject: journal\r\n\r\n.a dot\r\n\xe4 8-bit";

    let wrong = transport(port, &certificate, "guess", Mechanism::Plain);
    assert!(wrong.send_raw(&envelope, message).await.is_err());
    assert!(receiver.storage.delivered().is_empty());

    for mechanism in [Mechanism::Plain, Mechanism::Login] {
        let right = transport(port, &certificate, "secret", mechanism);
        let response = right.send_raw(&envelope, message).await.unwrap();
        assert!(response.is_positive(), "{mechanism:?}: {response:?}");
    }
    let delivered = receiver.storage.delivered();
    assert_eq!(delivered.len(), 2);
    for (delivered_envelope, bytes) in delivered {
        assert_eq!(bytes, [message, b"\r\n"].concat());
        assert!(delivered_envelope.tls);
        assert_eq!(
            delivered_envelope.authenticated_as.as_deref(),
            Some("journal")
        );
        assert_eq!(delivered_envelope.mail_from, "sender@example.com");
        assert_eq!(delivered_envelope.rcpt_to, ["copy@journal.example"]);
    }
    receiver.stop().await;
}
