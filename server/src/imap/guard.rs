//! A bound on what one server response may make Tresor buffer.
//!
//! The IMAP library reads a response whole before handing it on, and sizes
//! its buffer from a literal's announced length (`{N}` before N bytes of a
//! message body): a server announcing 400 MB gets 400 MB allocated before a
//! single byte of it arrives. `ResponseGuard` follows the bytes the server
//! sends, below the library, far enough to see every literal's announcement,
//! and refuses — before the library sees it — a literal larger than the
//! session's limit (the mailbox's maximum message size) or a response larger
//! than that plus `MAX_RESPONSE_OVERHEAD_BYTES`. The connection then ends
//! with an error that names the limit.
//!
//! It follows the protocol as the library's parser (imap-proto) does where
//! that decides what a literal is: literals only in data responses (`* 3
//! FETCH`, `* LIST`, …), never inside a quoted string, and their bytes skipped
//! unread (a message that contains text like `{999999999}` is not mistaken for
//! an announcement). Where the two could disagree — something shaped like a
//! literal in a status text (`* OK …`, `a1 NO …`, `+ …`) — the guard refuses,
//! so a hostile server cannot make it skip bytes the parser reads.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// What a response may hold besides its largest literal: flags, envelope,
/// UIDs, folder lines. A `SEARCH` answer for one of the engine's windows
/// (~5,000 UIDs) is ~50 KB; 16 MiB is far above any honest line and far
/// below what would strain the server.
pub const MAX_RESPONSE_OVERHEAD_BYTES: u64 = 16 * 1024 * 1024;

/// The longest head (`* 123 FETCH`) read to tell a response's kind.
const MAX_HEAD: usize = 64;

/// Data responses that may carry literals (RFC 3501 and the extensions
/// Tresor meets); `* <number> …` (FETCH, EXISTS, EXPUNGE) counts too.
const DATA_RESPONSES: [&str; 20] = [
    "LIST",
    "LSUB",
    "XLIST",
    "STATUS",
    "SEARCH",
    "ESEARCH",
    "FLAGS",
    "CAPABILITY",
    "ID",
    "ENABLED",
    "NAMESPACE",
    "QUOTA",
    "QUOTAROOT",
    "METADATA",
    "VANISHED",
    "SORT",
    "THREAD",
    "ACL",
    "MYRIGHTS",
    "LISTRIGHTS",
];

/// Why the guard ended the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A literal (a message body, typically) larger than the limit.
    LiteralTooLarge { announced: u64, limit: u64 },
    /// One response larger than the limit and its overhead together.
    ResponseTooLarge { limit: u64 },
    /// Something shaped like a literal where the protocol has text.
    UnexpectedLiteral,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::LiteralTooLarge { announced, limit } => write!(
                f,
                "the server announced {announced} bytes in one piece (a message, most likely), more than this mailbox's maximum message size of {limit} bytes; the connection was closed before reading it. Raise the maximum message size to archive such messages"
            ),
            Refusal::ResponseTooLarge { limit } => write!(
                f,
                "the server sent a response larger than this mailbox's maximum message size of {limit} bytes (plus {MAX_RESPONSE_OVERHEAD_BYTES} bytes for the rest of a response); the connection was closed"
            ),
            Refusal::UnexpectedLiteral => f.write_str(
                "the server sent a literal where IMAP has status text; the connection was closed, as the response cannot be followed safely",
            ),
        }
    }
}

impl std::error::Error for Refusal {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The head is still being read.
    Unknown,
    /// A data response: literals allowed (outside quoted strings).
    Data,
    /// A status, tagged or continuation response: text, no literals.
    Text,
}

/// How far a `{digits}` CRLF (a literal's announcement) has been seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Brace {
    None,
    Open { value: u64, digits: bool },
    Closed(u64),
    ClosedCr(u64),
}

/// Follows one connection's incoming bytes (see the module documentation).
#[derive(Debug)]
pub struct ResponseGuard {
    limit: AtomicU64,
    kind: Kind,
    head: Vec<u8>,
    in_quote: bool,
    escaped: bool,
    brace: Brace,
    /// Bytes of a literal still to come, passed on unread.
    literal_left: u64,
    /// Bytes of the current response so far, literals included.
    response_bytes: u64,
}

impl ResponseGuard {
    /// A guard allowing literals of at most `limit` bytes.
    pub fn new(limit: u64) -> ResponseGuard {
        ResponseGuard {
            limit: AtomicU64::new(limit),
            kind: Kind::Unknown,
            head: Vec::with_capacity(MAX_HEAD),
            in_quote: false,
            escaped: false,
            brace: Brace::None,
            literal_left: 0,
            response_bytes: 0,
        }
    }

    /// Changes the limit from the next literal on (the session's mailbox
    /// is known only after login).
    pub fn set_limit(&self, limit: u64) {
        self.limit.store(limit, Ordering::Relaxed);
    }

    pub fn limit(&self) -> u64 {
        self.limit.load(Ordering::Relaxed)
    }

    /// Follows `bytes`, the next ones the server sent; an error means they
    /// must not be passed on (nor anything after them).
    pub fn inspect(&mut self, bytes: &[u8]) -> Result<(), Refusal> {
        let limit = self.limit();
        let most = limit.saturating_add(MAX_RESPONSE_OVERHEAD_BYTES);
        let mut rest = bytes;
        while !rest.is_empty() {
            if self.literal_left > 0 {
                let skipped = self.literal_left.min(rest.len() as u64);
                self.literal_left -= skipped;
                rest = &rest[skipped as usize..];
                continue;
            }
            let byte = rest[0];
            rest = &rest[1..];
            self.response_bytes += 1;
            if self.response_bytes > most {
                return Err(Refusal::ResponseTooLarge { limit });
            }
            if self.kind == Kind::Unknown {
                self.read_head(byte);
            }
            if byte == b'\n' {
                match self.brace {
                    Brace::ClosedCr(announced) => {
                        if self.kind != Kind::Data {
                            return Err(Refusal::UnexpectedLiteral);
                        }
                        if announced > limit {
                            return Err(Refusal::LiteralTooLarge { announced, limit });
                        }
                        if self.response_bytes.saturating_add(announced) > most {
                            return Err(Refusal::ResponseTooLarge { limit });
                        }
                        self.literal_left = announced;
                        self.response_bytes += announced;
                        self.brace = Brace::None;
                    }
                    _ => self.end_response(),
                }
                continue;
            }
            self.follow(byte);
        }
        Ok(())
    }

    /// Collects the response's first words and decides its kind.
    fn read_head(&mut self, byte: u8) {
        let at_end = byte == b'\r' || byte == b'\n';
        if !at_end {
            self.head.push(byte);
        }
        if self.head.first() == Some(&b'+') {
            self.kind = Kind::Text;
            return;
        }
        let words = self.head.split(|byte| *byte == b' ').count();
        if at_end || words > 2 || self.head.len() >= MAX_HEAD {
            self.kind = classify(&self.head);
        }
    }

    /// Quotes and literal announcements within a line.
    fn follow(&mut self, byte: u8) {
        if self.kind == Kind::Data && self.in_quote {
            if self.escaped {
                self.escaped = false;
            } else if byte == b'\\' {
                self.escaped = true;
            } else if byte == b'"' {
                self.in_quote = false;
            }
            return;
        }
        self.brace = match (self.brace, byte) {
            (Brace::Open { value, .. }, b'0'..=b'9') => Brace::Open {
                value: value
                    .saturating_mul(10)
                    .saturating_add(u64::from(byte - b'0')),
                digits: true,
            },
            (
                Brace::Open {
                    value,
                    digits: true,
                },
                b'}',
            ) => Brace::Closed(value),
            (Brace::Closed(value), b'\r') => Brace::ClosedCr(value),
            (_, b'{') => Brace::Open {
                value: 0,
                digits: false,
            },
            _ => Brace::None,
        };
        if byte == b'"' && self.kind == Kind::Data {
            self.in_quote = true;
            self.brace = Brace::None;
        }
    }

    fn end_response(&mut self) {
        self.kind = Kind::Unknown;
        self.head.clear();
        self.in_quote = false;
        self.escaped = false;
        self.brace = Brace::None;
        self.response_bytes = 0;
    }
}

/// A data response is `* <number> …` or `* <DATA_RESPONSES> …`; everything
/// else (status, tagged and continuation responses) is text.
fn classify(head: &[u8]) -> Kind {
    let mut words = head.split(|byte| *byte == b' ');
    let (Some(b"*"), Some(second)) = (words.next(), words.next()) else {
        return Kind::Text;
    };
    let second = String::from_utf8_lossy(second).to_ascii_uppercase();
    let is_number = !second.is_empty() && second.bytes().all(|byte| byte.is_ascii_digit());
    if is_number || DATA_RESPONSES.contains(&second.as_str()) {
        Kind::Data
    } else {
        Kind::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(guard: &mut ResponseGuard, text: &[u8]) -> Result<(), Refusal> {
        guard.inspect(text)
    }

    #[test]
    fn literals_within_the_limit_pass_and_their_bytes_are_not_read() {
        let mut guard = ResponseGuard::new(100);
        // The body itself looks like an announcement of a huge literal.
        let body = b"Subject: x\r\n\r\nsee {999999999999}\r\n";
        let mut response = format!(
            "* 1 FETCH (UID 7 FLAGS (\\Seen) BODY[] {{{}}}\r\n",
            body.len()
        )
        .into_bytes();
        response.extend_from_slice(body);
        response.extend_from_slice(b")\r\na5 OK done\r\n");
        // Byte by byte and at once: where the reads split does not matter.
        for byte in &response {
            feed(&mut guard, std::slice::from_ref(byte)).unwrap();
        }
        feed(&mut guard, &response).unwrap();
    }

    #[test]
    fn a_literal_over_the_limit_is_refused_at_its_announcement() {
        let mut guard = ResponseGuard::new(100);
        assert_eq!(
            feed(&mut guard, b"* 1 FETCH (UID 7 BODY[] {101}\r\n"),
            Err(Refusal::LiteralTooLarge {
                announced: 101,
                limit: 100
            })
        );
        let mut guard = ResponseGuard::new(100);
        guard.set_limit(1000);
        feed(&mut guard, b"* 1 FETCH (UID 7 BODY[] {101}\r\n").unwrap();
    }

    #[test]
    fn many_literals_in_one_response_count_together() {
        let mut guard = ResponseGuard::new(10);
        let mut response = b"* LIST () \"/\" {10}\r\n0123456789".to_vec();
        let total = MAX_RESPONSE_OVERHEAD_BYTES / 10 + 2;
        let mut refused = None;
        for _ in 0..total {
            response.extend_from_slice(b" {10}\r\n0123456789");
            if let Err(refusal) = feed(&mut guard, &response) {
                refused = Some(refusal);
                break;
            }
            response.clear();
        }
        assert_eq!(refused, Some(Refusal::ResponseTooLarge { limit: 10 }));
    }

    #[test]
    fn an_endless_line_is_refused() {
        let mut guard = ResponseGuard::new(0);
        let chunk = vec![b'1'; 1 << 20];
        feed(&mut guard, b"* SEARCH ").unwrap();
        let mut refused = None;
        for _ in 0..=(MAX_RESPONSE_OVERHEAD_BYTES >> 20) {
            if let Err(refusal) = feed(&mut guard, &chunk) {
                refused = Some(refusal);
                break;
            }
        }
        assert_eq!(refused, Some(Refusal::ResponseTooLarge { limit: 0 }));
    }

    #[test]
    fn braces_in_quotes_and_status_text_are_not_literals() {
        let mut guard = ResponseGuard::new(100);
        // In a quoted string: text (and the CRLF ends the response).
        feed(&mut guard, b"* LIST () \"/\" \"odd {5000}\"\r\n").unwrap();
        feed(&mut guard, b"* 2 EXISTS\r\n").unwrap();
        // Where the protocol has text, a literal shape is refused.
        for text in [
            &b"* OK [ALERT] maintenance {5}\r\n"[..],
            b"a1 NO no such folder {5}\r\n",
            b"+ {5}\r\n",
        ] {
            let mut guard = ResponseGuard::new(100);
            assert_eq!(feed(&mut guard, text), Err(Refusal::UnexpectedLiteral));
        }
    }

    #[test]
    fn tells_data_from_text() {
        assert_eq!(classify(b"* 12 FETCH"), Kind::Data);
        assert_eq!(classify(b"* list"), Kind::Data);
        assert_eq!(classify(b"* OK"), Kind::Text);
        assert_eq!(classify(b"* BYE"), Kind::Text);
        assert_eq!(classify(b"a1 OK"), Kind::Text);
        assert_eq!(classify(b"*"), Kind::Text);
    }
}
