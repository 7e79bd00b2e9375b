//! IMAP connections: TCP with TLS (implicit or STARTTLS), authentication, and
//! the handful of commands the archive engine needs. Knows no database.
//!
//! Certificate verification is on unless a mailbox opts out (`tls::TlsOptions`).
//! Every network step has a timeout, so a silent server cannot hang a job.
//! Connections go only to addresses the endpoint's `Destinations` permit
//! (`crate::connect`), checked on the resolved addresses.

mod folders;
mod guard;
mod sasl;
mod stream;
mod tls;
mod uid_set;
pub mod utf7;

pub use folders::{ListedFolder, create_folder, list_folders};
pub use guard::{MAX_RESPONSE_OVERHEAD_BYTES, Refusal as ResponseRefusal};
pub use stream::MailStream;
pub use tls::{CertificateProblem, PeerCertificate, TlsOptions};
pub use uid_set::uid_sets;

use crate::connect::{self, CaFileError, Destinations, Refused, ResolveError};
use futures::TryStreamExt;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (port 993).
    ImplicitTls,
    /// Plain connection upgraded with STARTTLS before authentication (port 143).
    StartTls,
    /// No encryption; only when explicitly chosen.
    Plain,
}

#[derive(Debug, Clone)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub tls: TlsOptions,
    /// Applies to every network step (connect, TLS handshake, each command).
    pub timeout: Duration,
    /// Which addresses the connection may go to.
    pub destinations: Destinations,
}

#[derive(Debug, Clone)]
pub enum Credentials {
    /// IMAP `LOGIN`.
    Login { user: String, password: String },
    /// SASL PLAIN (RFC 4616); with `authzid` a master user acts as another user.
    Plain {
        authzid: Option<String>,
        user: String,
        password: String,
    },
    /// SASL CRAM-MD5 (RFC 2195): the password itself is never sent.
    CramMd5 { user: String, password: String },
    /// SASL XOAUTH2 (Google, Microsoft) with an OAuth2 access token.
    XOAuth2 { user: String, token: String },
    /// SASL OAUTHBEARER (RFC 7628) with an OAuth2 access token.
    OAuthBearer { user: String, token: String },
}

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("the host name {host} was not found (DNS): check the spelling")]
    HostNotFound { host: String },
    /// The host is not one this mailbox may connect to; nothing was sent.
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error(transparent)]
    CaFile(#[from] CaFileError),
    #[error("cannot connect to {host}:{port}: {source}")]
    Connect {
        host: String,
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("timed out after {} s while {step}", .after.as_secs())]
    Timeout { step: &'static str, after: Duration },
    #[error("TLS set-up failed: {0}")]
    Tls(String),
    #[error("{problem}")]
    Certificate {
        problem: Box<CertificateProblem>,
        /// What the server presented, for the person to see and perhaps trust.
        presented: Option<Box<PeerCertificate>>,
    },
    #[error("TLS handshake with {host} failed: {source}")]
    Handshake {
        host: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the server refused STARTTLS: {0}")]
    StartTls(#[source] async_imap::error::Error),
    #[error("authentication failed: {source}{}", .details.as_deref().map(|details| format!(" ({details})")).unwrap_or_default())]
    Authentication {
        #[source]
        source: async_imap::error::Error,
        /// What the server said in an OAuth error challenge.
        details: Option<String>,
    },
    #[error("the server closed the connection before greeting")]
    NoGreeting,
    #[error("cannot create the folder {name:?}: {source}")]
    CreateFolder {
        name: String,
        #[source]
        source: async_imap::error::Error,
    },
    #[error("IMAP error: {0}")]
    Protocol(#[from] async_imap::error::Error),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl ImapError {
    fn authentication(source: async_imap::error::Error) -> ImapError {
        ImapError::Authentication {
            source,
            details: None,
        }
    }
}

pub type Session = async_imap::Session<MailStream>;

/// An authenticated session and what the server told us on the way.
pub struct Connection {
    pub session: Session,
    pub capabilities: Capabilities,
    /// The server's certificate; `None` on a plain connection.
    pub certificate: Option<PeerCertificate>,
}

/// Connects, secures and authenticates; the session is ready for commands.
pub async fn open(endpoint: &Endpoint, credentials: &Credentials) -> Result<Connection, ImapError> {
    let (client, certificate) = connect(endpoint).await?;
    let mut session = with_timeout(
        endpoint.timeout,
        "authenticating",
        authenticate(client, endpoint, credentials),
    )
    .await??;
    // Capabilities after login can differ from those before (RFC 3501 7.2.1).
    let capabilities = Capabilities::ask(&mut session, endpoint.timeout).await?;
    Ok(Connection {
        session,
        capabilities,
        certificate,
    })
}

/// A TCP connection to the endpoint, to an address its `Destinations`
/// permit. Shared with POP3 (`crate::pop3`), which connects by the same rules.
pub(crate) async fn dial(endpoint: &Endpoint) -> Result<TcpStream, ImapError> {
    // Resolved once and checked; the connection goes to exactly these
    // addresses. Resolving separately also tells "no such host" apart from
    // "nobody listens".
    let addresses = with_timeout(
        endpoint.timeout,
        "looking up the host name",
        connect::resolve(&endpoint.host, endpoint.port, &endpoint.destinations),
    )
    .await?
    .map_err(|error| match error {
        ResolveError::NotFound { host } => ImapError::HostNotFound { host },
        ResolveError::Refused(refused) => ImapError::Refused(refused),
    })?;
    let tcp = with_timeout(
        endpoint.timeout,
        "connecting",
        TcpStream::connect(addresses.as_slice()),
    )
    .await?
    .map_err(|source| ImapError::Connect {
        host: endpoint.host.clone(),
        port: endpoint.port,
        source,
    })?;
    // IMAP and POP3 are request/response with small commands: Nagle only adds latency.
    tcp.set_nodelay(true)?;
    Ok(tcp)
}

async fn connect(
    endpoint: &Endpoint,
) -> Result<(async_imap::Client<MailStream>, Option<PeerCertificate>), ImapError> {
    let tcp = dial(endpoint).await?;
    let (stream, mut certificate) = match endpoint.security {
        Security::ImplicitTls => {
            let (stream, certificate) = tls_handshake(endpoint, tcp).await?;
            (stream, Some(certificate))
        }
        Security::Plain | Security::StartTls => (MailStream::plain(tcp), None),
    };
    let mut client = async_imap::Client::new(stream);
    with_timeout(
        endpoint.timeout,
        "waiting for the greeting",
        client.read_response(),
    )
    .await??
    .ok_or(ImapError::NoGreeting)?;

    if endpoint.security == Security::StartTls {
        with_timeout(
            endpoint.timeout,
            "starting TLS",
            client.run_command_and_check_ok("STARTTLS", None),
        )
        .await?
        .map_err(ImapError::StartTls)?;
        let Some(tcp) = client.into_inner().into_plain() else {
            unreachable!("STARTTLS is only sent on a plain stream");
        };
        // After STARTTLS the server sends no new greeting.
        let (stream, peer) = tls_handshake(endpoint, tcp).await?;
        certificate = Some(peer);
        client = async_imap::Client::new(stream);
    }
    Ok((client, certificate))
}

async fn tls_handshake(
    endpoint: &Endpoint,
    tcp: TcpStream,
) -> Result<(MailStream, PeerCertificate), ImapError> {
    let (stream, certificate) = secure(endpoint, tcp).await?;
    Ok((MailStream::tls(stream), certificate))
}

/// The TLS handshake on `tcp` under the endpoint's `TlsOptions` (CA file,
/// pin, expected name), and the certificate the server presented. Shared
/// with POP3 (`crate::pop3`), so a mailbox's certificate rules are the same
/// whichever protocol it reads by.
pub(crate) async fn secure(
    endpoint: &Endpoint,
    tcp: TcpStream,
) -> Result<(TlsStream<TcpStream>, PeerCertificate), ImapError> {
    let ca_certificates = match &endpoint.tls.ca_file {
        Some(path) => connect::read_ca_file(path).await?,
        None => Vec::new(),
    };
    let (config, presented) = tls::client_config(&endpoint.tls, ca_certificates)?;
    let server_name = tls::server_name(endpoint)?;
    let stream = with_timeout(
        endpoint.timeout,
        "negotiating TLS",
        TlsConnector::from(Arc::new(config)).connect(server_name, tcp),
    )
    .await?
    .map_err(|source| {
        let presented = presented.certificate();
        match tls::certificate_problem(endpoint, &source, presented.as_ref()) {
            Some(problem) => ImapError::Certificate {
                problem: Box::new(problem),
                presented: presented.map(Box::new),
            },
            None => ImapError::Handshake {
                host: endpoint.host.clone(),
                source,
            },
        }
    })?;
    let certificate = stream
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|chain| chain.first())
        .map(|der| tls::read_certificate(der))
        .ok_or_else(|| ImapError::Tls("the server presented no certificate".into()))?;
    Ok((stream, certificate))
}

async fn authenticate(
    client: async_imap::Client<MailStream>,
    endpoint: &Endpoint,
    credentials: &Credentials,
) -> Result<Session, ImapError> {
    let (mechanism, mut exchange) = match credentials {
        Credentials::Login { user, password } => {
            return client
                .login(user, password)
                .await
                .map_err(|(error, _client)| ImapError::authentication(error));
        }
        Credentials::CramMd5 { user, password } => {
            let cram = sasl::CramMd5 {
                user: user.clone(),
                password: password.clone(),
            };
            return client
                .authenticate("CRAM-MD5", &cram)
                .await
                .map_err(|(error, _client)| ImapError::authentication(error));
        }
        Credentials::Plain {
            authzid,
            user,
            password,
        } => (
            "PLAIN",
            sasl::Exchange::plain(authzid.as_deref(), user, password),
        ),
        Credentials::XOAuth2 { user, token } => ("XOAUTH2", sasl::Exchange::xoauth2(user, token)),
        Credentials::OAuthBearer { user, token } => (
            "OAUTHBEARER",
            sasl::Exchange::oauthbearer(user, &endpoint.host, endpoint.port, token),
        ),
    };
    client
        .authenticate(mechanism, &mut exchange)
        .await
        .map_err(|(source, _client)| ImapError::Authentication {
            source,
            details: exchange.error_details.take(),
        })
}

/// The largest literal (message body) `session`'s server may send from now
/// on; a larger one ends the connection before it is read. Until set: the
/// default maximum message size.
pub fn limit_literals(session: &Session, bytes: u64) {
    session.get_ref().limit_literals(bytes);
}

/// What the server supports beyond IMAP4rev1, as upper-case names
/// (`AUTH=PLAIN`, `MOVE`, `UIDPLUS`…).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities(HashSet<String>);

impl Capabilities {
    pub async fn ask(session: &mut Session, timeout: Duration) -> Result<Capabilities, ImapError> {
        let capabilities =
            with_timeout(timeout, "asking for capabilities", session.capabilities()).await??;
        Ok(Capabilities(
            capabilities
                .iter()
                .map(|capability| match capability {
                    async_imap::types::Capability::Imap4rev1 => "IMAP4REV1".to_string(),
                    async_imap::types::Capability::Auth(mechanism) => {
                        format!("AUTH={}", mechanism.to_uppercase())
                    }
                    async_imap::types::Capability::Atom(atom) => atom.to_uppercase(),
                })
                .collect(),
        ))
    }

    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Capabilities {
        Capabilities(names.into_iter().map(str::to_uppercase).collect())
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.contains(&name.to_uppercase())
    }

    /// Sorted, for showing.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.0.iter().cloned().collect();
        names.sort();
        names
    }
}

/// Turns on CONDSTORE (RFC 7162) where offered, so every SELECT/EXAMINE
/// reports HIGHESTMODSEQ. Returns whether it is on.
pub async fn enable_condstore(
    session: &mut Session,
    capabilities: &Capabilities,
    timeout: Duration,
) -> Result<bool, ImapError> {
    if !capabilities.has("CONDSTORE") || !capabilities.has("ENABLE") {
        return Ok(false);
    }
    with_timeout(
        timeout,
        "enabling CONDSTORE",
        session.run_command_and_check_ok("ENABLE CONDSTORE"),
    )
    .await??;
    Ok(true)
}

/// UIDs matching `query` in the selected folder.
pub async fn uid_search(
    session: &mut Session,
    query: &str,
    timeout: Duration,
) -> Result<Vec<u32>, ImapError> {
    let found = with_timeout(timeout, "searching", session.uid_search(query)).await??;
    let mut uids: Vec<u32> = found.into_iter().collect();
    uids.sort_unstable();
    Ok(uids)
}

/// Opens `server_name` read-only (`EXAMINE`), for searching it.
pub async fn examine(
    session: &mut Session,
    server_name: &str,
    timeout: Duration,
) -> Result<(), ImapError> {
    with_timeout(timeout, "opening a folder", session.examine(server_name)).await??;
    Ok(())
}

/// The full bytes of the messages `uid_set` of the selected folder, without
/// marking them read.
pub async fn uid_fetch_bodies(
    session: &mut Session,
    uid_set: &str,
    timeout: Duration,
) -> Result<Vec<Vec<u8>>, ImapError> {
    let fetched: Vec<_> = with_timeout(timeout, "reading messages", async {
        session
            .uid_fetch(uid_set, "(UID BODY.PEEK[])")
            .await?
            .try_collect()
            .await
    })
    .await??;
    Ok(fetched
        .iter()
        .filter_map(|fetch| fetch.body().map(<[u8]>::to_vec))
        .collect())
}

/// `UID STORE set query`, draining the untagged FETCH answers.
pub async fn uid_store(
    session: &mut Session,
    uid_set: &str,
    query: &str,
    timeout: Duration,
) -> Result<(), ImapError> {
    with_timeout(timeout, "setting flags", async {
        session
            .uid_store(uid_set, query)
            .await?
            .try_for_each(|_| futures::future::ready(Ok(())))
            .await
    })
    .await??;
    Ok(())
}

/// `UID EXPUNGE set` (UIDPLUS): removes only these UIDs, never other messages
/// someone else marked `\Deleted`.
pub async fn uid_expunge(
    session: &mut Session,
    uid_set: &str,
    timeout: Duration,
) -> Result<(), ImapError> {
    with_timeout(timeout, "expunging", async {
        session
            .uid_expunge(uid_set)
            .await?
            .try_for_each(|_| futures::future::ready(Ok(())))
            .await
    })
    .await??;
    Ok(())
}

/// `SUBSCRIBE` or `UNSUBSCRIBE` a folder (its name as the server spells it).
pub async fn set_subscribed(
    session: &mut Session,
    server_name: &str,
    subscribed: bool,
    timeout: Duration,
) -> Result<(), ImapError> {
    with_timeout(timeout, "changing the subscription", async {
        if subscribed {
            session.subscribe(server_name).await
        } else {
            session.unsubscribe(server_name).await
        }
    })
    .await??;
    Ok(())
}

/// `APPEND` a message to `server_name` with its flags and internal date
/// (`"05-Mar-2024 12:00:00 +0000"`, quoted); `\Recent` cannot be appended
/// and is left out.
pub async fn append(
    session: &mut Session,
    server_name: &str,
    flags: &[String],
    internal_date: Option<chrono::DateTime<chrono::Utc>>,
    message: &[u8],
    timeout: Duration,
) -> Result<(), ImapError> {
    let flags: Vec<&str> = flags
        .iter()
        .map(String::as_str)
        .filter(|flag| !flag.eq_ignore_ascii_case("\\Recent"))
        .filter(|flag| !flag.is_empty() && !flag.contains(['(', ')', '"', ' ']))
        .collect();
    let flags = format!("({})", flags.join(" "));
    let date = internal_date.map(|date| format!("\"{}\"", date.format("%d-%b-%Y %H:%M:%S +0000")));
    with_timeout(
        timeout,
        "appending a message",
        session.append(server_name, Some(&flags), date.as_deref(), message),
    )
    .await??;
    Ok(())
}

pub async fn logout(mut session: Session, timeout: Duration) -> Result<(), ImapError> {
    with_timeout(timeout, "logging out", session.logout()).await??;
    Ok(())
}

async fn with_timeout<T>(
    after: Duration,
    step: &'static str,
    future: impl Future<Output = T>,
) -> Result<T, ImapError> {
    tokio::time::timeout(after, future)
        .await
        .map_err(|_| ImapError::Timeout { step, after })
}
