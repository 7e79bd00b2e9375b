//! Where the server may connect on someone's behalf. A mailbox names a host
//! and port, and Tresor connects there (test connection, runs, restore,
//! Graph): without a rule, any user could make the server reach its own
//! loopback services, the cloud's metadata service (169.254.169.254) or the
//! internal network, and read the answers off the error texts.
//!
//! The rule: a mailbox managed by a user (not an administrator) reaches
//! public addresses only, plus what an administrator allows in the
//! configuration (`allow_private_destinations`, `allowed_destinations`).
//! It is checked on the *resolved* addresses, at connect time, and the
//! connection goes to exactly the addresses checked, so a DNS answer that
//! changes between a check and the connection (rebinding) gains nothing.
//! `destinations_for` is the one place that decides whose connections are
//! restricted. Errors shown to non-administrators say one thing
//! (`CANNOT_CONNECT`), whatever answered.

mod address;
mod ca_file;
mod resolver;

pub use address::{AddressClass, BadNetwork, Network, classify};
pub use ca_file::{CA_FILE_TIMEOUT, CaFileError, MAX_CA_FILE_BYTES, read_ca_file};
pub use resolver::{CheckedResolver, check_url, refusal_in};

use crate::config::Config;
use app::model::Role;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

/// What a person who is not an administrator reads when a connection of
/// theirs fails before the server accepted a login: the same whether
/// nothing listens, something else answered, it timed out, TLS failed, or the
/// address is one their mailboxes may not reach. Administrators see why.
pub const CANNOT_CONNECT: &str = "Tresor cannot connect to this server. Check the host name, the port and the security setting; servers on internal networks can only be reached by mailboxes an administrator manages, and an administrator who tests this mailbox sees the detailed reason.";

/// What an administrator allowed users' mailboxes to reach although it is not
/// public: a network (`10.1.2.0/24`, `192.168.1.10`, `fd00::/8`) or a host
/// name (`mail.internal`: whatever it resolves to).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum AllowedDestination {
    Network(Network),
    Host(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadDestination {
    #[error(transparent)]
    Network(#[from] BadNetwork),
    #[error("{0:?} is neither a network (10.1.2.0/24) nor a host name (mail.internal)")]
    Unreadable(String),
}

impl FromStr for AllowedDestination {
    type Err = BadDestination;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.contains('/') || text.parse::<IpAddr>().is_ok() {
            return Ok(AllowedDestination::Network(text.parse()?));
        }
        let host = normalized_host(text);
        let is_name = !host.is_empty()
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            });
        if is_name {
            Ok(AllowedDestination::Host(host))
        } else {
            Err(BadDestination::Unreadable(text.to_string()))
        }
    }
}

impl TryFrom<String> for AllowedDestination {
    type Error = BadDestination;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<AllowedDestination> for String {
    fn from(destination: AllowedDestination) -> String {
        destination.to_string()
    }
}

impl fmt::Display for AllowedDestination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AllowedDestination::Network(network) => network.fmt(f),
            AllowedDestination::Host(host) => f.write_str(host),
        }
    }
}

/// Host names compare without case and without a final dot.
fn normalized_host(host: &str) -> String {
    host.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// The installation's rule for users' mailboxes, from the configuration.
/// The default is the strict one: public addresses only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectionPolicy {
    /// Users' mailboxes may reach any address, internal ones included.
    pub allow_private: bool,
    /// What they may reach although it is internal.
    pub allowed: Vec<AllowedDestination>,
}

impl ConnectionPolicy {
    pub fn from_config(config: &Config) -> ConnectionPolicy {
        ConnectionPolicy {
            allow_private: config.allow_private_destinations,
            allowed: config.allowed_destinations.clone(),
        }
    }

    /// Everyone's mailboxes reach everything: for test beds, whose mail
    /// servers all listen on loopback.
    pub fn allow_private() -> ConnectionPolicy {
        ConnectionPolicy {
            allow_private: true,
            allowed: Vec::new(),
        }
    }
}

/// Who manages a mailbox, as far as its connections are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailboxOwner {
    /// Shared: only administrators manage it.
    Shared,
    /// Owned by a user with this role.
    Role(Role),
    /// Owned by a user who cannot be found: trusted with nothing.
    Unknown,
}

/// Where connections may go.
#[derive(Debug, Clone)]
pub enum Destinations {
    /// Anywhere.
    Any,
    /// Public addresses, and the exceptions an administrator configured.
    Public(Arc<[AllowedDestination]>),
}

/// Whose connections are restricted: administrators choose the servers of
/// their own and of shared mailboxes, and are trusted to; everyone else's
/// mailboxes reach public addresses, unless the installation allows more.
pub fn destinations_for(owner: MailboxOwner, policy: &ConnectionPolicy) -> Destinations {
    match owner {
        MailboxOwner::Shared | MailboxOwner::Role(Role::Admin) => Destinations::Any,
        _ if policy.allow_private => Destinations::Any,
        MailboxOwner::Role(Role::User | Role::Auditor) | MailboxOwner::Unknown => {
            Destinations::Public(policy.allowed.clone().into())
        }
    }
}

impl Destinations {
    /// Whether a connection to `host` may use `address` (one of the
    /// addresses `host` resolved to, or `host` itself when it is an address).
    pub fn permits(&self, host: &str, address: IpAddr) -> bool {
        let Destinations::Public(allowed) = self else {
            return true;
        };
        classify(address).is_public()
            || allowed.iter().any(|allowed| match allowed {
                AllowedDestination::Network(network) => network.contains(address),
                AllowedDestination::Host(name) => *name == normalized_host(host),
            })
    }
}

/// A connection these destinations may not make.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "connecting to {host} reaches {}, which only mailboxes managed by an administrator may reach; an administrator can allow it with allowed_destinations in Tresor's configuration",
    .class.describe()
)]
pub struct Refused {
    pub host: String,
    /// The class of (the first of) the addresses refused.
    pub class: AddressClass,
}

impl Refused {
    pub fn new(host: &str, address: IpAddr) -> Refused {
        Refused {
            host: host.to_string(),
            class: classify(address),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("the host name {host} was not found (DNS)")]
    NotFound { host: String },
    #[error(transparent)]
    Refused(#[from] Refused),
}

/// The addresses of `host` a connection may use: resolved once and filtered;
/// connect to exactly these (a second lookup could answer differently).
/// Refused when it resolves to none the destinations permit.
pub async fn resolve(
    host: &str,
    port: u16,
    destinations: &Destinations,
) -> Result<Vec<SocketAddr>, ResolveError> {
    let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| ResolveError::NotFound {
            host: host.to_string(),
        })?
        .collect();
    let permitted: Vec<SocketAddr> = resolved
        .iter()
        .copied()
        .filter(|address| destinations.permits(host, address.ip()))
        .collect();
    match (permitted.is_empty(), resolved.first()) {
        (false, _) => Ok(permitted),
        (true, Some(refused)) => Err(Refused::new(host, refused.ip()).into()),
        (true, None) => Err(ResolveError::NotFound {
            host: host.to_string(),
        }),
    }
}

/// How much of a failed connection the person who asked may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disclosure {
    /// Everything: administrators, the command line.
    Full,
    /// `CANNOT_CONNECT` for whatever happened before a login was accepted.
    Limited,
}

impl Disclosure {
    pub fn for_role(role: Role) -> Disclosure {
        match role {
            Role::Admin => Disclosure::Full,
            Role::User | Role::Auditor => Disclosure::Limited,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public_with(allowed: &[&str]) -> Destinations {
        destinations_for(
            MailboxOwner::Role(Role::User),
            &ConnectionPolicy {
                allow_private: false,
                allowed: allowed.iter().map(|text| text.parse().unwrap()).collect(),
            },
        )
    }

    #[test]
    fn administrators_and_shared_mailboxes_reach_anything_users_public_addresses() {
        let strict = ConnectionPolicy::default();
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        for owner in [MailboxOwner::Shared, MailboxOwner::Role(Role::Admin)] {
            assert!(destinations_for(owner, &strict).permits("localhost", loopback));
        }
        for owner in [
            MailboxOwner::Role(Role::User),
            MailboxOwner::Role(Role::Auditor),
            MailboxOwner::Unknown,
        ] {
            let destinations = destinations_for(owner, &strict);
            assert!(!destinations.permits("localhost", loopback), "{owner:?}");
            assert!(destinations.permits("imap.example.com", "93.184.216.34".parse().unwrap()));
            assert!(
                destinations_for(owner, &ConnectionPolicy::allow_private())
                    .permits("localhost", loopback)
            );
        }
    }

    #[test]
    fn configured_networks_and_host_names_are_allowed() {
        let destinations = public_with(&["10.1.2.0/24", "Mail.Internal."]);
        assert!(destinations.permits("10.1.2.3", "10.1.2.3".parse().unwrap()));
        assert!(destinations.permits("x", "::ffff:10.1.2.3".parse().unwrap()));
        assert!(!destinations.permits("10.1.3.3", "10.1.3.3".parse().unwrap()));
        assert!(destinations.permits("mail.internal", "192.168.0.5".parse().unwrap()));
        assert!(destinations.permits("MAIL.internal.", "192.168.0.5".parse().unwrap()));
        assert!(!destinations.permits("other.internal", "192.168.0.5".parse().unwrap()));
    }

    #[test]
    fn allowed_destinations_read_and_write_as_text() {
        for (text, shown) in [
            ("10.0.0.0/8", "10.0.0.0/8"),
            ("192.168.1.10", "192.168.1.10/32"),
            ("fd00::/8", "fd00::/8"),
            (" Mail.Internal ", "mail.internal"),
            ("imap_1.corp", "imap_1.corp"),
        ] {
            let parsed: AllowedDestination = text.parse().unwrap();
            assert_eq!(parsed.to_string(), shown);
        }
        for bad in [
            "",
            "10.0.0.0/40",
            "mail internal",
            "a..b",
            "http://mail",
            "*.corp",
        ] {
            assert!(bad.parse::<AllowedDestination>().is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn resolving_keeps_only_permitted_addresses() {
        let strict = public_with(&[]);
        for host in [
            "127.0.0.1",
            "localhost",
            "::1",
            "::ffff:127.0.0.1",
            "0.0.0.0",
            "10.0.0.1",
            "169.254.169.254",
        ] {
            match resolve(host, 993, &strict).await {
                Err(ResolveError::Refused(refused)) => assert_eq!(refused.host, host),
                other => panic!("{host}: {other:?}"),
            }
        }
        let addresses = resolve("127.0.0.1", 993, &Destinations::Any).await.unwrap();
        assert_eq!(addresses, vec!["127.0.0.1:993".parse().unwrap()]);
        let allowed = resolve("127.0.0.1", 993, &public_with(&["127.0.0.0/8"]))
            .await
            .unwrap();
        assert_eq!(allowed, vec!["127.0.0.1:993".parse().unwrap()]);
    }
}
