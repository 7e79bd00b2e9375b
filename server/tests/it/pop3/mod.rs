//! POP3 against the test bed's Dovecot (POP3 with STLS, POP3S; users
//! pop1…pop8, each a maildrop of its own, as POP3 reads only the inbox):
//! the client's security modes and logins, then POP3 mailboxes archived by
//! the engine through the CLI — byte for byte, incrementally by unique id,
//! deleting only what is durably archived, and safe against `kill -9`.
//! Mail is put into a maildrop over IMAP (APPEND to the user's INBOX).

mod client;
mod crash;
mod engine;

use crate::harness::{IMAP_TIMEOUT, endpoint, service_env, session};
use std::path::PathBuf;
use tresor::imap::{self, Endpoint, Security, TlsOptions};
use tresor::pop3::{self, Credentials};
use tresor::store::Digest;

/// The test bed's Dovecot POP3 with `security` (STLS and plain on one
/// port, POP3S on another), trusting the test CA.
pub(super) fn pop3_endpoint(security: Security) -> Option<Endpoint> {
    let ca = service_env("TRESOR_TEST_DOVECOT_CA", "Dovecot")?;
    let port_variable = match security {
        Security::ImplicitTls => "TRESOR_TEST_POP3S_PORT",
        Security::StartTls | Security::Plain => "TRESOR_TEST_POP3_PORT",
    };
    let port = service_env(port_variable, "Dovecot's POP3")?.parse().ok()?;
    Some(Endpoint {
        host: "localhost".into(),
        port,
        security,
        tls: TlsOptions {
            ca_file: Some(PathBuf::from(ca)),
            ..TlsOptions::default()
        },
        timeout: IMAP_TIMEOUT,
        destinations: tresor::connect::Destinations::Any,
    })
}

/// POP3's USER/PASS for `user`.
pub(super) fn user_pass(user: &str, password: &str) -> Credentials {
    Credentials::UserPass {
        user: user.into(),
        password: password.into(),
    }
}

/// Empties `user`'s maildrop (a test bed kept up between runs keeps mail),
/// then puts `messages` into it, in order.
pub(super) async fn fill_maildrop(user: &str, password: &str, messages: &[Vec<u8>]) {
    let pop3 = pop3_endpoint(Security::ImplicitTls).unwrap();
    let mut session = pop3::open(&pop3, &user_pass(user, password))
        .await
        .unwrap()
        .session;
    for listed in session.listed().await.unwrap() {
        session.mark_deleted(listed.number).await.unwrap();
    }
    session.quit().await.unwrap();
    add_to_maildrop(user, password, messages).await;
}

/// Puts `messages` into `user`'s maildrop, after what it holds.
pub(super) async fn add_to_maildrop(user: &str, password: &str, messages: &[Vec<u8>]) {
    let imap = endpoint(Security::ImplicitTls, None).unwrap();
    let mut imap_session = session(&imap, user, password).await;
    for message in messages {
        imap_session
            .append("INBOX", None, None, message.clone())
            .await
            .unwrap();
    }
    imap::logout(imap_session, IMAP_TIMEOUT).await.unwrap();
}

/// The SHA-256 of every message in `user`'s maildrop, as POP3 sends it.
pub(super) async fn maildrop_digests(user: &str, password: &str) -> Vec<Digest> {
    let pop3 = pop3_endpoint(Security::ImplicitTls).unwrap();
    let mut session = pop3::open(&pop3, &user_pass(user, password))
        .await
        .unwrap()
        .session;
    let mut digests = Vec::new();
    for listed in session.listed().await.unwrap() {
        let body = session.retrieve(listed.number, 1 << 30).await.unwrap();
        digests.push(Digest::of(&body));
    }
    session.quit().await.unwrap();
    digests
}

/// Messages whose lines POP3 must stuff and unstuff (a lone dot, leading
/// dots), with eight-bit bytes and a line longer than any status line, each
/// ending in CRLF (POP3 adds one to a message without; IMAP does not).
pub(super) fn tricky_messages() -> Vec<Vec<u8>> {
    let long_line = "x".repeat(20_000);
    vec![
        b"Message-ID: <dots@example.com>\r\nSubject: dots\r\n\r\n.\r\n..\r\n.leading\r\n...three\r\nend .\r\n"
            .to_vec(),
        format!("Message-ID: <long@example.com>\r\nSubject: long\r\n\r\n{long_line}\r\n.{long_line}\r\n")
            .into_bytes(),
        b"Message-ID: <latin1@example.com>\r\nSubject: =?ISO-8859-1?Q?Gr=FC=DFe?=\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nGr\xfc\xdfe aus K\xf6ln\r\n"
            .to_vec(),
        b"Message-ID: <empty-body@example.com>\r\nSubject: nothing\r\n\r\n".to_vec(),
    ]
}
