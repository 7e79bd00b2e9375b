//! The SMTP and LMTP conversation without I/O: a `Session` is fed the
//! client's bytes as they arrive, answers with reply bytes, and stops at
//! each point where the world outside must decide something — whether a
//! recipient is taken, whether a password is right, storing the message,
//! the TLS handshake — until it is told the outcome. The connection loop
//! (`smtp::server`) is the only one that reads sockets or waits; the tests
//! and the fuzz target drive a session directly.
//!
//! Commands are handled strictly in the order they arrive, however many
//! came in one packet (PIPELINING); a command waits for the outcome of the
//! one before it. This module holds the session's state and how input is
//! cut into lines and messages; `command` reads a line into a command,
//! `sequence` does what it says when it may, `content` assembles a message
//! after DATA or BDAT, `security` is AUTH, `reply` the replies, `budget`
//! the memory all sessions share.

mod budget;
mod command;
mod content;
mod reply;
mod security;
mod sequence;

pub use budget::ByteBudget;
pub use reply::{
    Reply, client_refused, idle_timeout, refused, shutting_down, too_many_connections,
};
pub use security::Credentials;

use super::envelope::{Envelope, Refusal};
use content::{Content, DotReader};
use security::AuthExchange;
use std::net::SocketAddr;
use std::sync::Arc;

/// A command line, CRLF included, may be this long: RFC 5321 §4.5.3.1.4
/// allows 512 octets and extensions more; 1,000 is the limit of any line of
/// SMTP text. A longer line is answered once and read to its end unread, so
/// the next command is still understood.
pub const MAX_COMMAND_LINE_BYTES: usize = 1000;

/// Recipients of one message: RFC 5321 §4.5.3.1.8 asks for at least 100; a
/// journal message names one journal address, a mailing list's copy a few
/// hundred. More is refused with 452, and the client sends the rest later.
pub const MAX_RECIPIENTS: usize = 1000;

/// Refused commands before the session ends: a client that gets this many
/// wrong is not a mail server with something to deliver, but someone trying.
pub const MAX_ERRORS: usize = 10;

/// Which of the two protocols a listener speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// SMTP (RFC 5321): EHLO/HELO, one reply after the message.
    Smtp,
    /// LMTP (RFC 2033): LHLO, one reply per accepted recipient after the message.
    Lmtp,
}

/// What a session needs to know of the listener's configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub protocol: Protocol,
    /// The name in the banner and in EHLO's answer.
    pub hostname: String,
    /// The largest message taken, announced as `SIZE`.
    pub max_message_bytes: usize,
    /// Whether STARTTLS is offered (a certificate is configured).
    pub starttls: bool,
    /// Whether AUTH is offered, and then required before MAIL.
    pub auth: bool,
}

/// What the session needs before it can go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Everything received is handled: send the output, read more.
    NeedInput,
    /// RCPT TO: whether this address is taken (`recipient_checked`).
    CheckRecipient(String),
    /// AUTH: whether these credentials are right (`credentials_checked`).
    CheckCredentials(Credentials),
    /// The message is complete: `delivery()` is what to store (`delivered`).
    Deliver,
    /// STARTTLS was accepted: send the output, then the handshake (`tls_started`).
    StartTls,
    /// Send the output, then close the connection.
    Close,
}

/// What the session does with the next bytes it receives.
#[derive(Debug)]
enum Mode {
    Command,
    /// The rest of a line longer than `MAX_COMMAND_LINE_BYTES`, read and dropped.
    DiscardingLine,
    /// The message after DATA, up to `<CRLF>.<CRLF>`.
    Data(DotReader),
    /// A chunk after BDAT: `remaining` octets of `size`; a chunk of a BDAT that
    /// was refused is read all the same (RFC 3030 §2), then `failure` sent.
    Bdat {
        size: u64,
        remaining: u64,
        last: bool,
        failure: Option<Reply>,
    },
    /// The client's next line belongs to an AUTH exchange.
    Auth(AuthExchange),
    /// Waiting for the outcome of something outside.
    Waiting(Pending),
    Closed,
}

#[derive(Debug)]
enum Pending {
    Recipient(String),
    Credentials(Credentials),
    Delivery(Envelope),
    StartTls,
}

/// How a transaction's message arrives, once it started to: DATA and BDAT do not mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transfer {
    NotStarted,
    Chunks,
}

/// From MAIL FROM to the end of the message (or RSET).
#[derive(Debug)]
struct Transaction {
    reverse_path: String,
    recipients: Vec<String>,
    content: Content,
    transfer: Transfer,
}

/// One client's conversation.
#[derive(Debug)]
pub struct Session {
    settings: Arc<Settings>,
    client: SocketAddr,
    budget: Arc<ByteBudget>,
    tls: bool,
    helo: Option<String>,
    authenticated_as: Option<String>,
    transaction: Option<Transaction>,
    mode: Mode,
    /// Received and not handled yet.
    input: Vec<u8>,
    /// Replies not sent yet.
    output: Vec<u8>,
    errors: usize,
}

impl Session {
    /// A session with `client`, its banner already in the output.
    pub fn new(settings: Arc<Settings>, client: SocketAddr, budget: Arc<ByteBudget>) -> Session {
        let protocol = match settings.protocol {
            Protocol::Smtp => "ESMTP",
            Protocol::Lmtp => "LMTP",
        };
        let banner = format!("{} {protocol} Tresor archive", settings.hostname);
        let mut session = Session {
            settings,
            client,
            budget,
            tls: false,
            helo: None,
            authenticated_as: None,
            transaction: None,
            mode: Mode::Command,
            input: Vec::new(),
            output: Vec::new(),
            errors: 0,
        };
        session.reply(Reply::plain(220, vec![banner]));
        session
    }

    /// Bytes from the client, handled by the next `advance`.
    pub fn receive(&mut self, bytes: &[u8]) {
        if !matches!(self.mode, Mode::Closed) {
            self.input.extend_from_slice(bytes);
        }
    }

    /// The replies to send now.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.output)
    }

    /// Handles what was received, up to the next thing the session needs.
    /// Asking again without an answer gives the same step.
    pub fn advance(&mut self) -> Step {
        loop {
            match &self.mode {
                Mode::Closed => return Step::Close,
                Mode::Waiting(Pending::Recipient(address)) => {
                    return Step::CheckRecipient(address.clone());
                }
                Mode::Waiting(Pending::Credentials(credentials)) => {
                    return Step::CheckCredentials(credentials.clone());
                }
                Mode::Waiting(Pending::Delivery(_)) => return Step::Deliver,
                Mode::Waiting(Pending::StartTls) => return Step::StartTls,
                _ => {}
            }
            if !self.handle_input() {
                return Step::NeedInput;
            }
        }
    }

    /// The message to store, while `Step::Deliver` is pending.
    pub fn delivery(&self) -> Option<(&Envelope, &[u8])> {
        match (&self.mode, &self.transaction) {
            (Mode::Waiting(Pending::Delivery(envelope)), Some(transaction)) => {
                Some((envelope, transaction.content.bytes()))
            }
            _ => None,
        }
    }

    /// Who is on the other end.
    pub fn client(&self) -> SocketAddr {
        self.client
    }

    /// Whether a message is on its way in (after MAIL, before its end was
    /// answered): a connection closed now loses it.
    pub fn in_transaction(&self) -> bool {
        self.transaction.is_some()
    }

    /// The answer to `Step::CheckRecipient`.
    pub fn recipient_checked(&mut self, outcome: Result<bool, Refusal>) {
        let Mode::Waiting(Pending::Recipient(address)) = &self.mode else {
            return;
        };
        let address = address.clone();
        self.mode = Mode::Command;
        let reply = match outcome {
            Ok(true) => {
                if let Some(transaction) = self.transaction.as_mut() {
                    transaction.recipients.push(address);
                }
                Reply::new(250, "2.1.5", "Recipient ok")
            }
            Ok(false) => Reply::new(550, "5.1.1", "No journal mailbox takes this address"),
            Err(Refusal::Temporary(reason)) => Reply::new(451, "4.3.0", &reason),
            Err(Refusal::Permanent(reason)) => Reply::new(550, "5.1.1", &reason),
        };
        self.reply(reply);
    }

    /// The answer to `Step::CheckCredentials`.
    pub fn credentials_checked(&mut self, right: bool) {
        let Mode::Waiting(Pending::Credentials(credentials)) = &self.mode else {
            return;
        };
        let user = credentials.user.clone();
        self.mode = Mode::Command;
        if right {
            self.authenticated_as = Some(user);
            self.reply(Reply::new(235, "2.7.0", "Authentication succeeded"));
        } else {
            self.error(Reply::new(
                535,
                "5.7.8",
                "Authentication credentials invalid",
            ));
        }
    }

    /// The answer to `Step::Deliver`: 250 only now, when storage has the
    /// message durably; in LMTP one reply per recipient.
    pub fn delivered(&mut self, outcome: Result<(), Refusal>) {
        if !matches!(self.mode, Mode::Waiting(Pending::Delivery(_))) {
            return;
        }
        self.mode = Mode::Command;
        let reply = match outcome {
            Ok(()) => Reply::new(250, "2.0.0", "Message archived"),
            Err(refusal) => refused(&refusal),
        };
        self.end_of_message(reply);
    }

    /// The answer to `Step::StartTls`: the handshake succeeded. Everything
    /// learnt before it is forgotten (RFC 3207 §4.2), and so is anything the
    /// client sent before the handshake.
    pub fn tls_started(&mut self) {
        if !matches!(self.mode, Mode::Waiting(Pending::StartTls)) {
            return;
        }
        self.tls = true;
        self.helo = None;
        self.authenticated_as = None;
        self.transaction = None;
        self.input.clear();
        self.mode = Mode::Command;
    }

    /// Handles some input; false when nothing can be done without more.
    fn handle_input(&mut self) -> bool {
        match &mut self.mode {
            Mode::Command | Mode::Auth(_) => match self.next_line() {
                Line::Complete(line) => {
                    match std::mem::replace(&mut self.mode, Mode::Command) {
                        Mode::Auth(exchange) => self.auth_line(exchange, &line),
                        _ => self.command(&line),
                    }
                    true
                }
                Line::TooLong { ended } => {
                    // An AUTH exchange ends with it; the next line is a command.
                    self.mode = if ended {
                        Mode::Command
                    } else {
                        Mode::DiscardingLine
                    };
                    self.error(Reply::new(500, "5.5.2", "Line too long"));
                    true
                }
                Line::Incomplete => false,
            },
            Mode::DiscardingLine => match self.input.iter().position(|byte| *byte == b'\n') {
                Some(end) => {
                    self.input.drain(..=end);
                    self.mode = Mode::Command;
                    true
                }
                None => {
                    self.input.clear();
                    false
                }
            },
            Mode::Data(reader) => {
                let Some(transaction) = self.transaction.as_mut() else {
                    self.mode = Mode::Command;
                    return true;
                };
                let read = reader.read(&self.input, &mut transaction.content);
                self.input.drain(..read.consumed);
                if read.ended {
                    self.message_complete();
                }
                read.ended
            }
            Mode::Bdat {
                size,
                remaining,
                last,
                failure,
            } => {
                let taken = usize::try_from(*remaining)
                    .unwrap_or(usize::MAX)
                    .min(self.input.len());
                if taken == 0 && *remaining > 0 {
                    return false;
                }
                if failure.is_none()
                    && let Some(transaction) = self.transaction.as_mut()
                {
                    transaction.content.append(&self.input[..taken]);
                }
                self.input.drain(..taken);
                *remaining -= taken as u64;
                if *remaining > 0 {
                    return false;
                }
                let (size, last, failure) = (*size, *last, failure.take());
                self.mode = Mode::Command;
                self.chunk_complete(size, last, failure);
                true
            }
            Mode::Waiting(_) | Mode::Closed => false,
        }
    }

    /// The next command line without its line end (CRLF, or a bare LF).
    fn next_line(&mut self) -> Line {
        match self.input.iter().position(|byte| *byte == b'\n') {
            Some(end) if end + 1 > MAX_COMMAND_LINE_BYTES => {
                self.input.drain(..=end);
                Line::TooLong { ended: true }
            }
            Some(end) => {
                let mut line: Vec<u8> = self.input.drain(..=end).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                Line::Complete(line)
            }
            None if self.input.len() >= MAX_COMMAND_LINE_BYTES => {
                self.input.clear();
                Line::TooLong { ended: false }
            }
            None => Line::Incomplete,
        }
    }
}

enum Line {
    Complete(Vec<u8>),
    /// Over `MAX_COMMAND_LINE_BYTES`; `ended`: its end was received (and dropped with it).
    TooLong {
        ended: bool,
    },
    Incomplete,
}
