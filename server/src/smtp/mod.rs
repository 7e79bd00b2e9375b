//! Receiving journal mail: an SMTP and LMTP server (Postfix `always_bcc`,
//! Exchange and Microsoft 365 journaling send a copy of every message here).
//! It never forwards anything — it only hands each complete message to a
//! `Deliver`, which stores it — and by default only clients on this host may
//! connect (`loopback()`), so it is never an open relay.
//!
//! `protocol/` is the conversation without I/O (fuzzed); `server` runs it
//! on connections: limits, STARTTLS, password checks, timeouts, shutdown;
//! `tls` reads the certificate. Storage is behind `Deliver` and unknown here.
//!
//! *Invariant:* 250 after a message only once `Deliver::deliver` returned
//! Ok; a connection lost before the message's end delivers nothing.

mod envelope;
pub mod protocol;
mod server;
mod tls;

pub use envelope::{Envelope, Refusal};
pub use protocol::Protocol;
pub use server::serve;
pub use tls::{TlsSetupError, load_tls};

use crate::connect::Network;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio_rustls::rustls::ServerConfig;

/// Where a complete message goes: the archive's journal mailboxes.
#[async_trait::async_trait]
pub trait Deliver: Send + Sync + 'static {
    /// RCPT TO: whether some journal mailbox takes this address (else 550 5.1.1).
    async fn accepts(&self, recipient: &str) -> Result<bool, Refusal>;
    /// The whole message after the final "." or last BDAT. The server answers 250 ONLY after this
    /// returns Ok — the implementation returns after the message is durably committed.
    async fn deliver(&self, envelope: &Envelope, message: &[u8]) -> Result<(), Refusal>;
}

/// The largest message taken by default: journal reports wrap the original
/// message, and Exchange Online allows 150 MB messages; most are far smaller.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 50 * 1024 * 1024;

/// Connections at once by default: a few mail servers journal here, each
/// with a few connections; more is a misbehaving or hostile client.
pub const DEFAULT_MAX_CONNECTIONS: usize = 100;

/// A client silent this long is disconnected (421): RFC 5321 §4.5.3.2.7 asks
/// servers to wait at least 5 minutes for the next command.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// Message bytes all sessions together hold in memory by default: a few of
/// the largest messages at once; beyond it a message is refused for now (452).
pub const DEFAULT_MEMORY_BUDGET_BYTES: usize = 4 * DEFAULT_MAX_MESSAGE_BYTES;

/// A listener's configuration.
pub struct Config {
    /// Where to listen (`serve` takes the bound listener; this is for whoever binds it).
    pub listen: SocketAddr,
    pub protocol: Protocol,
    /// The name in the banner and in EHLO's answer.
    pub hostname: String,
    /// The largest message taken, announced as `SIZE`.
    pub max_message_bytes: usize,
    /// Connections at once; one more is answered `421 4.3.2` and closed.
    pub max_connections: usize,
    pub idle_timeout: Duration,
    /// The bound on message bytes held by all sessions together.
    pub memory_budget_bytes: usize,
    /// The certificate for STARTTLS (`load_tls`); without it, STARTTLS is not offered.
    pub tls: Option<Arc<ServerConfig>>,
    /// When set, clients must authenticate before MAIL.
    pub auth: Option<AuthConfig>,
    /// The networks clients may connect from; others get `554 5.7.1` at the banner.
    pub allowed_clients: Vec<Network>,
}

impl Config {
    /// A listener on `listen` with the defaults: SMTP, no TLS, no AUTH, loopback clients only.
    pub fn new(listen: SocketAddr, hostname: &str) -> Config {
        Config {
            listen,
            protocol: Protocol::Smtp,
            hostname: hostname.to_string(),
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            memory_budget_bytes: DEFAULT_MEMORY_BUDGET_BYTES,
            tls: None,
            auth: None,
            allowed_clients: loopback(),
        }
    }

    /// Whether a client at `address` may connect.
    pub fn allows(&self, address: std::net::IpAddr) -> bool {
        self.allowed_clients
            .iter()
            .any(|network| network.contains(address))
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("protocol", &self.protocol)
            .field("hostname", &self.hostname)
            .field("max_message_bytes", &self.max_message_bytes)
            .field("max_connections", &self.max_connections)
            .field("idle_timeout", &self.idle_timeout)
            .field("memory_budget_bytes", &self.memory_budget_bytes)
            .field("tls", &self.tls.is_some())
            .field("auth", &self.auth)
            .field("allowed_clients", &self.allowed_clients)
            .finish()
    }
}

/// The one account a sending server authenticates as.
#[derive(Clone)]
pub struct AuthConfig {
    pub user: String,
    /// Its password as an argon2 PHC string (`auth::password::hash`).
    pub password_hash: String,
}

impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthConfig")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// This host only (`127.0.0.0/8`, `::1`): the default allow-list.
pub fn loopback() -> Vec<Network> {
    ["127.0.0.0/8", "::1/128"]
        .iter()
        .map(|network| network.parse().expect("a valid network"))
        .collect()
}

#[cfg(test)]
mod tests;
