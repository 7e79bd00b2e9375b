//! What the receiver hands to storage besides the message bytes: the
//! envelope the client stated, and the two ways storage can say no. Plain
//! data, so that the protocol core (and its fuzz target) builds without the
//! server's dependencies.

use std::net::SocketAddr;

/// What the client said around the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The reverse-path without `<>`; `""` for the null sender (bounces).
    pub mail_from: String,
    /// The accepted forward-paths, without `<>`, in the order given.
    pub rcpt_to: Vec<String>,
    pub client: SocketAddr,
    /// What the client called itself in EHLO, HELO or LHLO.
    pub helo: String,
    /// The user name of a successful AUTH, if any.
    pub authenticated_as: Option<String>,
    /// Whether the message came over TLS (after STARTTLS).
    pub tls: bool,
}

/// Why a message (or recipient) is not taken: 4xx keeps it in the sender's
/// queue, 5xx bounces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Try again later (storage full, database busy): the sender keeps it queued.
    Temporary(String),
    /// Never: the sender bounces the message.
    Permanent(String),
}
