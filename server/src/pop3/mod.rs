//! POP3 connections (RFC 1939, CAPA RFC 2449, STLS RFC 2595, AUTH RFC 5034):
//! connect, secure, authenticate, and the commands the archive engine needs
//! (`STAT`, `UIDL`, `LIST`, `RETR`, `TOP`, `DELE`, `QUIT`). Knows no database.
//!
//! Our own client rather than a crate: the POP3 crates on crates.io either
//! secure their connections with native-tls or are blocking, and a mailbox
//! must meet the same connection policy, certificate verification, CA
//! files and certificate pins whichever protocol it reads by. So the TCP
//! connection and the TLS handshake are IMAP's (`imap::dial`,
//! `imap::secure`), and a failure there is an `ImapError` told in the same
//! words. The protocol itself is a few line commands; `response` reads what
//! the server sends (fuzzed), `session` bounds and times every read.
//!
//! Deletion is POP3's own: `DELE` only marks a message, and the server
//! removes what is marked when the session ends with `QUIT` (the UPDATE
//! state). A connection that breaks first deletes nothing.

pub mod response;
mod session;

pub use response::ResponseError;
pub use session::{Pop3Session, Session, Transport};

use crate::imap::{self, Endpoint, ImapError, PeerCertificate, Security};
use base64::Engine as _;
use md5::{Digest, Md5};
use std::collections::BTreeMap;
use std::time::Duration;

/// How a POP3 session logs in.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// `USER` and `PASS` (RFC 1939): the password as it is.
    UserPass { user: String, password: String },
    /// SASL PLAIN (`AUTH PLAIN`, RFC 5034 and 4616); with `authzid` a master
    /// user acts as another user.
    Plain {
        authzid: Option<String>,
        user: String,
        password: String,
    },
    /// `APOP` (RFC 1939 section 7): an MD5 digest of the greeting's
    /// timestamp and the password; the password itself is never sent.
    Apop { user: String, password: String },
}

#[derive(Debug, thiserror::Error)]
pub enum Pop3Error {
    /// Before a POP3 word was exchanged, or in the TLS handshake: the host,
    /// the connection policy, the certificate — as for IMAP.
    #[error(transparent)]
    Connection(#[from] ImapError),
    #[error(
        "the server does not offer STLS, so the connection cannot be encrypted; choose TLS (POP3S, port 995) if the server offers it, or ask its administrator to enable STLS"
    )]
    NoStls,
    #[error(
        "the server sent data right after agreeing to STLS, before the TLS handshake; the connection was closed (someone may be tampering with it)"
    )]
    DataBeforeTls,
    #[error("authentication failed: {0}")]
    Authentication(String),
    #[error(
        "the server does not offer APOP (its greeting carries no timestamp); choose another authentication method"
    )]
    NoApop,
    #[error(
        "the server does not offer UIDL (unique ids), without which new messages cannot be told from archived ones: {0}"
    )]
    NoUidl(String),
    #[error("the server answered {command} with an error: {text}")]
    Refused { command: &'static str, text: String },
    #[error("timed out after {} s while {step}", .after.as_secs())]
    Timeout { step: &'static str, after: Duration },
    #[error("the server closed the connection")]
    Closed,
    #[error("the server sent a malformed POP3 response: {0}")]
    Malformed(#[from] ResponseError),
    #[error(
        "the server sent more than this mailbox's maximum message size of {limit} bytes for one message; the connection was closed before reading the rest. Raise the maximum message size to archive such messages"
    )]
    TooLarge { limit: u64 },
    #[error("a user name or password contains a line break, which POP3 cannot send")]
    LineBreakInArgument,
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// What the server announces in `CAPA` (RFC 2449): names upper-cased, with
/// their arguments (`SASL` → its mechanisms).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities(BTreeMap<String, Vec<String>>);

impl Capabilities {
    pub fn has(&self, name: &str) -> bool {
        self.0.contains_key(&name.to_ascii_uppercase())
    }

    /// Whether `SASL` lists `mechanism`.
    pub fn has_sasl(&self, mechanism: &str) -> bool {
        self.0.get("SASL").is_some_and(|mechanisms| {
            mechanisms
                .iter()
                .any(|offered| offered.eq_ignore_ascii_case(mechanism))
        })
    }

    /// Adds what `other` has and this lacks.
    fn extend(&mut self, other: Capabilities) {
        for (name, arguments) in other.0 {
            self.0.entry(name).or_insert(arguments);
        }
    }

    /// Each capability as the server wrote it, with its arguments
    /// (`SASL PLAIN LOGIN`), sorted, for showing; `APOP` when the greeting
    /// offers it.
    pub fn names(&self) -> Vec<String> {
        self.0
            .iter()
            .map(|(name, arguments)| {
                std::iter::once(name.as_str())
                    .chain(arguments.iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }
}

/// An authenticated session and what the server told on the way.
pub struct Connection {
    pub session: Pop3Session,
    /// As announced before login and after it (they differ).
    pub capabilities: Capabilities,
    /// The server's certificate; `None` on a plain connection.
    pub certificate: Option<PeerCertificate>,
}

/// Connects, secures (POP3S, or `STLS` — never falling back to plain) and
/// authenticates; the session is in the TRANSACTION state.
pub async fn open(endpoint: &Endpoint, credentials: &Credentials) -> Result<Connection, Pop3Error> {
    let tcp = imap::dial(endpoint).await?;
    let timeout = endpoint.timeout;
    let (mut session, greeting, certificate, mut offered) = match endpoint.security {
        Security::ImplicitTls => {
            let (tls, certificate) = imap::secure(endpoint, tcp).await?;
            let mut session: Pop3Session = Session::new(Box::new(tls), timeout);
            let greeting = session.greeting().await?;
            (
                session,
                greeting,
                Some(certificate),
                Capabilities::default(),
            )
        }
        Security::Plain => {
            let mut session: Pop3Session = Session::new(Box::new(tcp), timeout);
            let greeting = session.greeting().await?;
            (session, greeting, None, Capabilities::default())
        }
        Security::StartTls => {
            let mut plain = Session::new(tcp, timeout);
            let greeting = plain.greeting().await?;
            // A server that does not offer STLS gets no password: the mailbox asked for encryption.
            let before_tls = capabilities(&mut plain).await?;
            if !before_tls.has("STLS") {
                return Err(Pop3Error::NoStls);
            }
            plain.command("STLS", "STLS").await?;
            let tcp = plain.into_stream()?;
            let (tls, certificate) = imap::secure(endpoint, tcp).await?;
            // After STLS the server sends no new greeting (RFC 2595 section 4),
            // and what it said before TLS counts for nothing but showing STLS.
            let session: Pop3Session = Session::new(Box::new(tls), timeout);
            let mut offered = Capabilities::default();
            offered.0.insert("STLS".into(), Vec::new());
            (session, greeting, Some(certificate), offered)
        }
    };
    // Before login a server names its login methods (USER, SASL); after
    // it, what the session may do (RFC 2449 section 5): both are shown.
    offered.extend(capabilities(&mut session).await?);
    authenticate(&mut session, credentials, &greeting).await?;
    let mut capabilities = capabilities(&mut session).await?;
    capabilities.extend(offered);
    if response::apop_timestamp(&greeting).is_some() {
        capabilities.0.entry("APOP".into()).or_default();
    }
    Ok(Connection {
        session,
        capabilities,
        certificate,
    })
}

/// `CAPA`; a server without it (RFC 1939 only) has none to tell.
async fn capabilities<S>(session: &mut Session<S>) -> Result<Capabilities, Pop3Error>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    match session.command("CAPA", "CAPA").await {
        Ok(_) => {}
        Err(Pop3Error::Refused { .. }) => return Ok(Capabilities::default()),
        Err(error) => return Err(error),
    }
    let mut capabilities = BTreeMap::new();
    for line in session.listing("CAPA").await? {
        let (name, arguments) = response::capability_line(&line)?;
        if !name.is_empty() {
            capabilities.insert(name, arguments);
        }
    }
    Ok(Capabilities(capabilities))
}

async fn authenticate(
    session: &mut Pop3Session,
    credentials: &Credentials,
    greeting: &str,
) -> Result<(), Pop3Error> {
    let refused = |error: Pop3Error| match error {
        Pop3Error::Refused { text, .. } => Pop3Error::Authentication(text),
        other => other,
    };
    match credentials {
        Credentials::UserPass { user, password } => {
            session
                .command(&format!("USER {user}"), "USER")
                .await
                .map_err(refused)?;
            session
                .command(&format!("PASS {password}"), "PASS")
                .await
                .map_err(refused)?;
        }
        Credentials::Apop { user, password } => {
            let timestamp = response::apop_timestamp(greeting).ok_or(Pop3Error::NoApop)?;
            let digest = apop_digest(timestamp, password);
            session
                .command(&format!("APOP {user} {digest}"), "APOP")
                .await
                .map_err(refused)?;
        }
        Credentials::Plain {
            authzid,
            user,
            password,
        } => {
            let message = format!("{}\0{user}\0{password}", authzid.as_deref().unwrap_or(""));
            let initial = base64::engine::general_purpose::STANDARD.encode(message);
            session.send(&format!("AUTH PLAIN {initial}")).await?;
            // PLAIN is one message: a challenge after it is the server
            // asking again, which is cancelled (RFC 5034 section 4).
            if session
                .status_or_continuation("AUTH")
                .await
                .map_err(refused)?
                .is_some()
            {
                session.send("*").await?;
                let answer = session.status("AUTH").await.err().map(refused);
                return Err(answer.unwrap_or_else(|| {
                    Pop3Error::Authentication("the server asked for more than PLAIN sends".into())
                }));
            }
        }
    }
    Ok(())
}

/// RFC 1939's APOP digest: MD5 of the timestamp followed by the password, in hex.
fn apop_digest(timestamp: &str, password: &str) -> String {
    let mut md5 = Md5::new();
    md5.update(timestamp.as_bytes());
    md5.update(password.as_bytes());
    hex::encode(md5.finalize())
}

/// A message in the maildrop as the server lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// Its number in this session (1, 2, …), valid until `QUIT`.
    pub number: u32,
    /// Its unique id (`UIDL`), the same in every session.
    pub unique_id: String,
    /// Its size in octets as `LIST` tells it (a server may count line ends
    /// differently from what `RETR` sends).
    pub size: u64,
}

impl Pop3Session {
    /// `STAT`: how many messages the maildrop holds, and their octets.
    pub async fn stat(&mut self) -> Result<(u32, u64), Pop3Error> {
        let text = self.command("STAT", "STAT").await?;
        Ok(response::stat(&text)?)
    }

    /// Every message with its unique id and size (`UIDL` and `LIST`), by
    /// number. A server without `UIDL` cannot be read incrementally: its
    /// refusal is the run's error.
    pub async fn listed(&mut self) -> Result<Vec<Listed>, Pop3Error> {
        self.command("UIDL", "UIDL")
            .await
            .map_err(|error| match error {
                Pop3Error::Refused { text, .. } => Pop3Error::NoUidl(text),
                other => other,
            })?;
        let mut unique_ids = Vec::new();
        for line in self.listing("UIDL").await? {
            unique_ids.push(response::unique_id_line(&line)?);
        }
        let unique_ids = response::sorted_listing(unique_ids)?;
        self.command("LIST", "LIST").await?;
        let mut sizes = Vec::new();
        for line in self.listing("LIST").await? {
            sizes.push(response::size_line(&line)?);
        }
        let sizes: BTreeMap<u32, u64> = response::sorted_listing(sizes)?.into_iter().collect();
        Ok(unique_ids
            .into_iter()
            .map(|(number, unique_id)| Listed {
                number,
                unique_id,
                size: sizes.get(&number).copied().unwrap_or(0),
            })
            .collect())
    }

    /// `RETR`: the message's bytes as stored, at most `limit` of them.
    pub async fn retrieve(&mut self, number: u32, limit: u64) -> Result<Vec<u8>, Pop3Error> {
        self.command(&format!("RETR {number}"), "RETR").await?;
        self.body(limit).await
    }

    /// `TOP n 0`: the message's header only (for its date, before deciding
    /// to fetch it).
    pub async fn header(&mut self, number: u32) -> Result<Vec<u8>, Pop3Error> {
        self.command(&format!("TOP {number} 0"), "TOP").await?;
        self.body(MAX_HEADER_BYTES).await
    }

    /// `DELE`: marks the message; the server removes it at `QUIT`.
    pub async fn mark_deleted(&mut self, number: u32) -> Result<(), Pop3Error> {
        self.command(&format!("DELE {number}"), "DELE").await?;
        Ok(())
    }

    /// `QUIT`: ends the session, and the server removes the messages marked
    /// deleted (RFC 1939 section 6). An `-ERR` here means it removed none.
    pub async fn quit(mut self) -> Result<(), Pop3Error> {
        self.command("QUIT", "QUIT").await?;
        Ok(())
    }
}

/// The most `TOP n 0` may send: a header far larger than any real one.
const MAX_HEADER_BYTES: u64 = 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    /// A POP3 server on loopback that answers each command line with the
    /// next of `answers` (after `greeting`), and hands back every line the
    /// client sent once the client goes.
    async fn scripted_server(
        greeting: &'static str,
        answers: Vec<&'static str>,
    ) -> (Endpoint, tokio::task::JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let (read, mut write) = stream.into_split();
            write.write_all(greeting.as_bytes()).await.unwrap();
            let mut lines = BufReader::new(read).lines();
            let mut heard = Vec::new();
            let mut answers = answers.into_iter();
            while let Ok(Some(line)) = lines.next_line().await {
                heard.push(line);
                match answers.next() {
                    Some(answer) => write.write_all(answer.as_bytes()).await.unwrap(),
                    None => break,
                }
            }
            heard
        });
        let endpoint = Endpoint {
            host: "127.0.0.1".into(),
            port,
            security: Security::StartTls,
            tls: imap::TlsOptions::default(),
            timeout: Duration::from_secs(5),
            destinations: crate::connect::Destinations::Any,
        };
        (endpoint, server)
    }

    fn alice() -> Credentials {
        Credentials::UserPass {
            user: "alice".into(),
            password: "secret".into(),
        }
    }

    #[tokio::test]
    async fn a_server_without_stls_never_gets_the_password() {
        let (endpoint, server) =
            scripted_server("+OK ready\r\n", vec!["+OK\r\nUSER\r\nUIDL\r\n.\r\n"]).await;
        let error = open(&endpoint, &alice()).await.err().expect("refused");
        assert!(matches!(error, Pop3Error::NoStls), "{error:?}");
        let heard = server.await.unwrap();
        assert_eq!(heard, ["CAPA"], "nothing but CAPA was sent");
    }

    #[tokio::test]
    async fn a_refused_stls_ends_the_session_before_any_login() {
        let (endpoint, server) = scripted_server(
            "+OK ready\r\n",
            vec!["+OK\r\nSTLS\r\n.\r\n", "-ERR not now\r\n"],
        )
        .await;
        let error = open(&endpoint, &alice()).await.err().expect("refused");
        assert!(
            matches!(&error, Pop3Error::Refused { command: "STLS", text } if text == "not now"),
            "{error:?}"
        );
        drop(error);
        assert_eq!(server.await.unwrap(), ["CAPA", "STLS"]);
    }

    #[tokio::test]
    async fn a_server_without_uidl_is_told_as_such() {
        let (mut endpoint, _server) = scripted_server(
            "+OK ready\r\n",
            vec![
                "-ERR no CAPA\r\n",
                "+OK\r\n",
                "+OK logged in\r\n",
                "-ERR no CAPA\r\n",
                "-ERR unknown command\r\n",
            ],
        )
        .await;
        endpoint.security = Security::Plain;
        let mut session = open(&endpoint, &alice()).await.unwrap().session;
        let error = session.listed().await.unwrap_err();
        assert!(matches!(error, Pop3Error::NoUidl(_)), "{error:?}");
    }

    #[test]
    fn the_apop_digest_is_rfc_1939s_example() {
        assert_eq!(
            apop_digest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf"),
            "c4c9334bac560ecc979e58001b3e22fb"
        );
    }

    #[test]
    fn capabilities_show_with_their_arguments() {
        let mut capabilities = BTreeMap::new();
        capabilities.insert("SASL".to_string(), vec!["PLAIN".into(), "LOGIN".into()]);
        capabilities.insert("UIDL".to_string(), Vec::new());
        let capabilities = Capabilities(capabilities);
        assert!(capabilities.has("uidl"));
        assert!(capabilities.has_sasl("plain"));
        assert!(!capabilities.has_sasl("CRAM-MD5"));
        assert_eq!(capabilities.names(), ["SASL PLAIN LOGIN", "UIDL"]);
    }
}
