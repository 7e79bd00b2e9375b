//! IMAP connections: TCP with TLS (implicit or STARTTLS), authentication, and
//! the handful of commands the archive engine needs. Knows no database.
//!
//! Certificate verification is always on here; the per-mailbox exceptions
//! ("accept invalid certificates") arrive with the mailbox profiles.

mod stream;

pub use stream::MailStream;

use async_imap::Authenticator;
use futures::TryStreamExt;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

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
    /// Extra trusted CA certificates (PEM), in addition to the public roots.
    pub ca_file: Option<PathBuf>,
    /// Applies to every network step (connect, TLS handshake, each command).
    pub timeout: Duration,
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
}

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
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
    #[error("TLS handshake with {host} failed: {source}")]
    Handshake {
        host: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the server refused STARTTLS: {0}")]
    StartTls(#[source] async_imap::error::Error),
    #[error("authentication failed: {0}")]
    Authentication(#[source] async_imap::error::Error),
    #[error("the server closed the connection before greeting")]
    NoGreeting,
    #[error("IMAP error: {0}")]
    Protocol(#[from] async_imap::error::Error),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

pub type Session = async_imap::Session<MailStream>;

/// Connects, secures and authenticates; the session is ready for commands.
pub async fn open(endpoint: &Endpoint, credentials: &Credentials) -> Result<Session, ImapError> {
    let client = connect(endpoint).await?;
    with_timeout(
        endpoint.timeout,
        "authenticating",
        authenticate(client, credentials),
    )
    .await?
}

async fn connect(endpoint: &Endpoint) -> Result<async_imap::Client<MailStream>, ImapError> {
    let tcp = with_timeout(
        endpoint.timeout,
        "connecting",
        TcpStream::connect((endpoint.host.as_str(), endpoint.port)),
    )
    .await?
    .map_err(|source| ImapError::Connect {
        host: endpoint.host.clone(),
        port: endpoint.port,
        source,
    })?;
    // IMAP is request/response with small commands: Nagle only adds latency.
    tcp.set_nodelay(true)?;

    let stream = match endpoint.security {
        Security::ImplicitTls => tls_handshake(endpoint, tcp).await?,
        Security::Plain | Security::StartTls => MailStream::Plain(tcp),
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
        let MailStream::Plain(tcp) = client.into_inner() else {
            unreachable!("STARTTLS is only sent on a plain stream");
        };
        // After STARTTLS the server sends no new greeting.
        client = async_imap::Client::new(tls_handshake(endpoint, tcp).await?);
    }
    Ok(client)
}

async fn tls_handshake(endpoint: &Endpoint, tcp: TcpStream) -> Result<MailStream, ImapError> {
    let config = tls_config(endpoint)?;
    let server_name = ServerName::try_from(endpoint.host.clone()).map_err(|error| {
        ImapError::Tls(format!("invalid host name {:?}: {error}", endpoint.host))
    })?;
    let tls = with_timeout(
        endpoint.timeout,
        "negotiating TLS",
        TlsConnector::from(Arc::new(config)).connect(server_name, tcp),
    )
    .await?
    .map_err(|source| ImapError::Handshake {
        host: endpoint.host.clone(),
        source,
    })?;
    Ok(MailStream::Tls(Box::new(tls)))
}

fn tls_config(endpoint: &Endpoint) -> Result<ClientConfig, ImapError> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(ca_file) = &endpoint.ca_file {
        let certificates = CertificateDer::pem_file_iter(ca_file).map_err(|error| {
            ImapError::Tls(format!(
                "cannot read CA file {}: {error}",
                ca_file.display()
            ))
        })?;
        for certificate in certificates {
            let certificate = certificate.map_err(|error| {
                ImapError::Tls(format!("bad certificate in {}: {error}", ca_file.display()))
            })?;
            roots.add(certificate).map_err(|error| {
                ImapError::Tls(format!("unusable CA in {}: {error}", ca_file.display()))
            })?;
        }
    }
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| ImapError::Tls(error.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

async fn authenticate(
    client: async_imap::Client<MailStream>,
    credentials: &Credentials,
) -> Result<Session, ImapError> {
    match credentials {
        Credentials::Login { user, password } => client
            .login(user, password)
            .await
            .map_err(|(error, _client)| ImapError::Authentication(error)),
        Credentials::Plain {
            authzid,
            user,
            password,
        } => {
            let mut plain = SaslPlain(sasl_plain_message(authzid.as_deref(), user, password));
            client
                .authenticate("PLAIN", &mut plain)
                .await
                .map_err(|(error, _client)| ImapError::Authentication(error))
        }
    }
}

/// RFC 4616: `[authzid] NUL authcid NUL passwd`.
fn sasl_plain_message(authzid: Option<&str>, user: &str, password: &str) -> Vec<u8> {
    format!("{}\0{user}\0{password}", authzid.unwrap_or("")).into_bytes()
}

struct SaslPlain(Vec<u8>);

impl Authenticator for &mut SaslPlain {
    type Response = Vec<u8>;

    fn process(&mut self, _challenge: &[u8]) -> Self::Response {
        self.0.clone()
    }
}

/// The server's capabilities as upper-case names (`IMAP4REV1`, `AUTH=PLAIN`, `MOVE`…).
pub async fn capabilities(
    session: &mut Session,
    timeout: Duration,
) -> Result<Vec<String>, ImapError> {
    let capabilities =
        with_timeout(timeout, "asking for capabilities", session.capabilities()).await??;
    Ok(capabilities
        .iter()
        .map(|capability| match capability {
            async_imap::types::Capability::Imap4rev1 => "IMAP4REV1".to_string(),
            async_imap::types::Capability::Auth(mechanism) => {
                format!("AUTH={}", mechanism.to_uppercase())
            }
            async_imap::types::Capability::Atom(atom) => atom.to_uppercase(),
        })
        .collect())
}

/// A folder as LIST reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedFolder {
    /// As the server spells it (pass it back unchanged to EXAMINE).
    pub name: String,
    /// The hierarchy separator, `/` or `.` usually.
    pub delimiter: Option<String>,
    /// Attributes such as `\Noselect`, `\Trash`, `\Sent`.
    pub attributes: Vec<String>,
}

impl ListedFolder {
    pub fn is_selectable(&self) -> bool {
        !self.attributes.iter().any(|attribute| {
            attribute.eq_ignore_ascii_case("\\Noselect")
                || attribute.eq_ignore_ascii_case("\\NonExistent")
        })
    }

    /// The name with `/` between levels, whatever the server's separator.
    pub fn path(&self) -> String {
        match self.delimiter.as_deref() {
            Some(delimiter) if delimiter != "/" && !delimiter.is_empty() => {
                self.name.replace(delimiter, "/")
            }
            _ => self.name.clone(),
        }
    }
}

/// Every folder with its attributes.
pub async fn list_folders(
    session: &mut Session,
    timeout: Duration,
) -> Result<Vec<ListedFolder>, ImapError> {
    use async_imap::types::NameAttribute;
    with_timeout(timeout, "listing folders", async {
        let names: Vec<_> = session.list(None, Some("*")).await?.try_collect().await?;
        Ok::<_, ImapError>(
            names
                .iter()
                .map(|name| ListedFolder {
                    name: name.name().to_string(),
                    delimiter: name.delimiter().map(str::to_string),
                    attributes: name
                        .attributes()
                        .iter()
                        .map(|attribute| match attribute {
                            NameAttribute::NoInferiors => "\\Noinferiors".to_string(),
                            NameAttribute::NoSelect => "\\Noselect".to_string(),
                            NameAttribute::Marked => "\\Marked".to_string(),
                            NameAttribute::Unmarked => "\\Unmarked".to_string(),
                            NameAttribute::All => "\\All".to_string(),
                            NameAttribute::Archive => "\\Archive".to_string(),
                            NameAttribute::Drafts => "\\Drafts".to_string(),
                            NameAttribute::Flagged => "\\Flagged".to_string(),
                            NameAttribute::Junk => "\\Junk".to_string(),
                            NameAttribute::Sent => "\\Sent".to_string(),
                            NameAttribute::Trash => "\\Trash".to_string(),
                            NameAttribute::Extension(other) => other.to_string(),
                            _ => String::new(),
                        })
                        .filter(|attribute| !attribute.is_empty())
                        .collect(),
                })
                .collect(),
        )
    })
    .await?
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_paths_use_slashes_and_noselect_is_not_selectable() {
        let cyrus = ListedFolder {
            name: "INBOX.Rechnungen.2024".into(),
            delimiter: Some(".".into()),
            attributes: vec!["\\HasNoChildren".into()],
        };
        assert_eq!(cyrus.path(), "INBOX/Rechnungen/2024");
        assert!(cyrus.is_selectable());
        let parent = ListedFolder {
            name: "Projects".into(),
            delimiter: Some("/".into()),
            attributes: vec!["\\Noselect".into()],
        };
        assert_eq!(parent.path(), "Projects");
        assert!(!parent.is_selectable());
    }

    #[test]
    fn sasl_plain_puts_the_authorization_identity_first() {
        assert_eq!(
            sasl_plain_message(Some("alice"), "archiver", "pw"),
            b"alice\0archiver\0pw"
        );
        assert_eq!(sasl_plain_message(None, "alice", "pw"), b"\0alice\0pw");
    }
}
