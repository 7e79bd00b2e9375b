//! A message's bytes as they arrive: after DATA as dot-stuffed lines up to
//! `<CRLF>.<CRLF>` (RFC 5321 §4.5.2), after BDAT as counted chunks
//! (RFC 3030), both kept byte for byte — CRLF as sent, 8-bit bytes, a bare
//! LF where the client sent one. Content beyond the size limit, or beyond
//! what the shared memory budget allows, is read and dropped, so the
//! conversation stays in step and the refusal comes after the end.

use super::budget::Reservation;

/// Why a message was not kept whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Overflow {
    /// Larger than `max_message_bytes`.
    TooLarge,
    /// The sessions together hold as much as the memory budget allows.
    OutOfMemory,
}

/// The bytes of the message of a transaction.
#[derive(Debug)]
pub(super) struct Content {
    bytes: Vec<u8>,
    max_bytes: usize,
    reservation: Reservation,
    overflow: Option<Overflow>,
}

impl Content {
    pub(super) fn new(max_bytes: usize, reservation: Reservation) -> Content {
        Content {
            bytes: Vec::new(),
            max_bytes,
            reservation,
            overflow: None,
        }
    }

    pub(super) fn append(&mut self, bytes: &[u8]) {
        if self.overflow.is_some() || bytes.is_empty() {
            return;
        }
        if self.bytes.len() + bytes.len() > self.max_bytes {
            self.drop_content(Overflow::TooLarge);
        } else if !self.reservation.grow(bytes.len()) {
            self.drop_content(Overflow::OutOfMemory);
        } else {
            self.bytes.extend_from_slice(bytes);
        }
    }

    /// What was received is dropped at once (its memory is needed elsewhere);
    /// the rest will be read and dropped too.
    fn drop_content(&mut self, overflow: Overflow) {
        self.overflow = Some(overflow);
        self.bytes = Vec::new();
    }

    pub(super) fn overflow(&self) -> Option<Overflow> {
        self.overflow
    }

    pub(super) fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// Where the reader is in the dot-stuffed text after DATA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DotReader {
    /// At the start of a line that follows a CRLF (or of the message):
    /// only here does a dot stuff a line or `.<CRLF>` end the message.
    LineStart,
    /// Inside a line, or after a bare LF; whether the last byte was CR.
    InLine { after_cr: bool },
}

/// What reading the input so far gave.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Read {
    /// Bytes of input consumed; the rest is for later.
    pub consumed: usize,
    /// Whether `<CRLF>.<CRLF>` ended the message.
    pub ended: bool,
}

impl DotReader {
    /// Reads `input` into `content` until the end of the message or of the
    /// input. A line start holding only `.` or `.\r` so far waits for more.
    ///
    /// Only a dot after CRLF counts: `<LF>.<LF>` and `<LF>.<CRLF>` are
    /// content, as they are for the sender's queue — reading them as the end
    /// would let a message smuggle a second one past the first's envelope
    /// (SMTP smuggling, CVE-2023-51766).
    pub(super) fn read(&mut self, input: &[u8], content: &mut Content) -> Read {
        let mut position = 0;
        while position < input.len() {
            let rest = &input[position..];
            match *self {
                DotReader::LineStart => {
                    if rest[0] != b'.' {
                        *self = DotReader::InLine { after_cr: false };
                        continue;
                    }
                    match (rest.get(1), rest.get(2)) {
                        (None, _) | (Some(&b'\r'), None) => break,
                        (Some(&b'\r'), Some(&b'\n')) => {
                            return Read {
                                consumed: position + 3,
                                ended: true,
                            };
                        }
                        // A stuffed line: the dot is the sender's, not the message's.
                        _ => {
                            position += 1;
                            *self = DotReader::InLine { after_cr: false };
                        }
                    }
                }
                DotReader::InLine { after_cr } => match rest.iter().position(|b| *b == b'\n') {
                    Some(newline) => {
                        let crlf = match newline {
                            0 => after_cr,
                            _ => rest[newline - 1] == b'\r',
                        };
                        content.append(&rest[..=newline]);
                        position += newline + 1;
                        *self = if crlf {
                            DotReader::LineStart
                        } else {
                            DotReader::InLine { after_cr: false }
                        };
                    }
                    None => {
                        content.append(rest);
                        position = input.len();
                        *self = DotReader::InLine {
                            after_cr: rest.last() == Some(&b'\r'),
                        };
                    }
                },
            }
        }
        Read {
            consumed: position,
            ended: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::budget::ByteBudget;
    use super::*;
    use std::sync::Arc;

    fn content(max_bytes: usize) -> Content {
        Content::new(
            max_bytes,
            Reservation::new(Arc::new(ByteBudget::new(usize::MAX))),
        )
    }

    /// Reads `chunks` one after the other, as they might arrive.
    fn read_all(chunks: &[&[u8]]) -> (Vec<u8>, bool, Vec<u8>) {
        let mut reader = DotReader::LineStart;
        let mut message = content(1 << 20);
        let mut pending = Vec::new();
        for chunk in chunks {
            pending.extend_from_slice(chunk);
            let read = reader.read(&pending, &mut message);
            pending.drain(..read.consumed);
            if read.ended {
                return (message.bytes().to_vec(), true, pending);
            }
        }
        (message.bytes().to_vec(), false, pending)
    }

    #[test]
    fn unstuffs_and_ends_at_crlf_dot_crlf() {
        let (message, ended, rest) = read_all(&[b"a\r\n..b\r\n.\r\nQUIT\r\n"]);
        assert!(ended);
        assert_eq!(message, b"a\r\n.b\r\n");
        assert_eq!(rest, b"QUIT\r\n");
    }

    #[test]
    fn the_end_may_be_split_across_reads() {
        let (message, ended, _) = read_all(&[b"a\r", b"\n.", b"\r", b"\n"]);
        assert!(ended);
        assert_eq!(message, b"a\r\n");
    }

    #[test]
    fn a_dot_after_a_bare_lf_is_content() {
        let (message, ended, _) = read_all(&[b"a\n.\nb\n.\r\nc\r\n.\r\n"]);
        assert!(ended);
        assert_eq!(message, b"a\n.\nb\n.\r\nc\r\n");
    }

    #[test]
    fn oversize_content_is_dropped_but_the_end_still_found() {
        let mut reader = DotReader::LineStart;
        let mut message = content(4);
        let read = reader.read(b"12345\r\n.\r\n", &mut message);
        assert!(read.ended);
        assert_eq!(message.overflow(), Some(Overflow::TooLarge));
        assert!(message.bytes().is_empty());
    }
}
