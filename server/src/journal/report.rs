//! Exchange and Microsoft 365 envelope journal reports ([MS-XJRNL]): what
//! a journal copy is, and for a report the original it wraps and the
//! envelope it lists.
//!
//! A report carries the header `X-MS-Journal-Report`, a text part listing
//! the envelope (`Sender:`, `Subject:`, `Message-Id:`, then one line per
//! recipient: `To:`, `Cc:`, `Bcc:` or `Recipient:`, optionally followed by
//! `Expanded: <list>` or `Forwarded: <address>`), and the original message
//! attached as `message/rfc822`. The original is taken byte for byte from
//! the report where the attachment is not transfer-encoded, so it is the
//! same blob, with the same hash, as a copy of it archived from a mailbox.
//!
//! Never fails and never panics: what cannot be read as a report is a plain
//! message or a malformed report, stored as it came.

use base64::Engine as _;
use mail_parser::{Encoding, MessageParser, MimeHeaders};

/// The header that marks an envelope journal report.
const JOURNAL_REPORT_HEADER: &str = "X-MS-Journal-Report";
/// Recipients read from one report at most: a list expanded to a whole
/// company stays findable; more than this is not a real report.
const MAX_RECIPIENTS: usize = 10_000;

/// What a message delivered to a journal mailbox is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Journaled {
    /// Not a journal report: a plain journal copy (Postfix `always_bcc`,
    /// Exchange's premium journaling of the message itself).
    Plain,
    /// An envelope journal report with the original attached.
    Report(Report),
    /// Marked as a journal report but without an attached original: stored
    /// as it came, with this note.
    Malformed(String),
}

/// What an envelope journal report says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The original message, byte for byte.
    pub original: Vec<u8>,
    /// The `Sender:` line's address; empty without one.
    pub sender: String,
    /// Every recipient's address the report lists (To, Cc, Bcc, expanded
    /// lists and their members, forwarding targets), each once, in order.
    pub recipients: Vec<String>,
}

/// Reads a message delivered to a journal mailbox.
pub fn read(message: &[u8]) -> Journaled {
    std::panic::catch_unwind(|| read_report(message)).unwrap_or_else(|_| {
        Journaled::Malformed("the journal report could not be read".to_string())
    })
}

fn read_report(message: &[u8]) -> Journaled {
    let Some(parsed) = MessageParser::default().parse(message) else {
        return Journaled::Plain;
    };
    let is_report = parsed
        .headers()
        .iter()
        .any(|header| header.name().eq_ignore_ascii_case(JOURNAL_REPORT_HEADER));
    if !is_report {
        return Journaled::Plain;
    }
    // By its type, whether or not the attachment parsed as a message: its
    // bytes are what is kept either way.
    let attached = parsed.parts.iter().skip(1).find(|part| {
        part.content_type().is_some_and(|kind| {
            kind.ctype().eq_ignore_ascii_case("message")
                && kind
                    .subtype()
                    .is_some_and(|subtype| subtype.eq_ignore_ascii_case("rfc822"))
        })
    });
    let Some(attached) = attached else {
        return Journaled::Malformed(
            "a journal report without the original message attached: stored as it came".to_string(),
        );
    };
    let start = attached.offset_body as usize;
    let end = (attached.offset_end as usize).min(message.len());
    let raw = message.get(start..end).unwrap_or_default();
    let original = match attached.encoding {
        Encoding::Base64 => decode_base64(raw),
        Encoding::QuotedPrintable => Some(decode_quoted_printable(raw)),
        Encoding::None => Some(raw.to_vec()),
    };
    let Some(original) = original.filter(|original| !original.is_empty()) else {
        return Journaled::Malformed(
            "the journal report's attached original could not be decoded: stored as it came"
                .to_string(),
        );
    };
    let listing = parsed.body_text(0).unwrap_or_default();
    let (sender, recipients) = read_envelope(&listing);
    Journaled::Report(Report {
        original,
        sender,
        recipients,
    })
}

/// The sender and the recipients a report's text part lists.
fn read_envelope(listing: &str) -> (String, Vec<String>) {
    let mut sender = String::new();
    let mut recipients: Vec<String> = Vec::new();
    for line in listing.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "sender" if sender.is_empty() => {
                sender = address(value).unwrap_or_default();
            }
            "to" | "cc" | "bcc" | "recipient" => {
                // `To: member@…, Expanded: list@…`: every piece names a
                // recipient, the member and the list it was expanded from.
                for piece in value.split(',') {
                    let named = piece.split_once(':').map_or(piece, |(_, named)| named);
                    if let Some(found) = address(named)
                        && !recipients.contains(&found)
                        && recipients.len() < MAX_RECIPIENTS
                    {
                        recipients.push(found);
                    }
                }
            }
            _ => {}
        }
    }
    (sender, recipients)
}

/// An address as a report writes it (`a@b`, `<a@b>`, `Name <a@b>`),
/// lower-cased; `None` for anything without an `@`.
fn address(text: &str) -> Option<String> {
    let text = text.trim();
    let inner = match (text.rfind('<'), text.rfind('>')) {
        (Some(open), Some(close)) if open < close => &text[open + 1..close],
        _ => text,
    };
    let inner = inner.trim();
    (inner.contains('@') && !inner.contains(char::is_whitespace)).then(|| inner.to_lowercase())
}

/// Base64 with line breaks (and whatever else a sender put between the
/// characters) left out; `None` if it is not base64.
fn decode_base64(encoded: &[u8]) -> Option<Vec<u8>> {
    let alphabet: Vec<u8> = encoded
        .iter()
        .copied()
        .filter(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'/'))
        .collect();
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(&alphabet)
        .ok()
}

/// Quoted-printable (RFC 2045 §6.7): `=XX` is a byte, `=` at a line's end
/// joins it to the next; anything else as it is.
fn decode_quoted_printable(encoded: &[u8]) -> Vec<u8> {
    let hex = |byte: u8| (byte as char).to_digit(16).map(|digit| digit as u8);
    let mut decoded = Vec::with_capacity(encoded.len());
    let mut at = 0;
    while at < encoded.len() {
        let byte = encoded[at];
        if byte != b'=' {
            decoded.push(byte);
            at += 1;
            continue;
        }
        match (encoded.get(at + 1), encoded.get(at + 2)) {
            (Some(b'\r'), Some(b'\n')) => at += 3,
            (Some(b'\n'), _) => at += 2,
            (Some(high), Some(low)) if hex(*high).is_some() && hex(*low).is_some() => {
                decoded.push((hex(*high).unwrap_or(0) << 4) | hex(*low).unwrap_or(0));
                at += 3;
            }
            _ => {
                decoded.push(byte);
                at += 1;
            }
        }
    }
    decoded
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An original with a Bcc recipient its headers do not show.
    pub(crate) const ORIGINAL: &[u8] = b"From: Alice <alice@example.org>\r\n\
        To: bob@example.org\r\n\
        Subject: Quarterly figures\r\n\
        Message-ID: <q3@example.org>\r\n\
        Date: Thu, 3 Dec 2026 10:00:00 +0000\r\n\
        Content-Type: text/plain; charset=utf-8\r\n\
        \r\n\
        The figures are attached in spirit.\r\n";

    /// An envelope journal report as Exchange writes one, wrapping `original`
    /// attached with `transfer_encoding` (`None`: 7bit, as it is).
    pub(crate) fn report(original: &[u8], transfer_encoding: Option<&str>) -> Vec<u8> {
        let attached = match transfer_encoding {
            Some("base64") => {
                let encoded = base64::engine::general_purpose::STANDARD.encode(original);
                let lines: Vec<&str> = encoded
                    .as_bytes()
                    .chunks(76)
                    .map(|chunk| std::str::from_utf8(chunk).unwrap())
                    .collect();
                format!(
                    "Content-Transfer-Encoding: base64\r\n\r\n{}",
                    lines.join("\r\n")
                )
                .into_bytes()
            }
            _ => [
                b"Content-Transfer-Encoding: 7bit\r\n\r\n".as_slice(),
                original,
            ]
            .concat(),
        };
        [
            b"From: Microsoft Exchange <postmaster@example.org>\r\n\
            To: journal@archive.example.org\r\n\
            Subject: Quarterly figures\r\n\
            X-MS-Journal-Report: \r\n\
            Message-ID: <report-1@example.org>\r\n\
            MIME-Version: 1.0\r\n\
            Content-Type: multipart/mixed; boundary=\"journal-boundary\"\r\n\
            \r\n\
            --journal-boundary\r\n\
            Content-Type: text/plain; charset=us-ascii\r\n\
            \r\n\
            Sender: alice@example.org\r\n\
            Subject: Quarterly figures\r\n\
            Message-Id: <q3@example.org>\r\n\
            To: bob@example.org\r\n\
            Cc: Carol <carol@example.org>\r\n\
            Bcc: dave@example.org\r\n\
            To: erin@example.org, Expanded: Sales@example.org\r\n\
            Recipient: frank@example.org, Forwarded: grace@example.org\r\n\
            \r\n\
            --journal-boundary\r\n\
            Content-Type: message/rfc822\r\n"
                .as_slice(),
            &attached,
            b"\r\n--journal-boundary--\r\n",
        ]
        .concat()
    }

    fn unwrapped(message: &[u8]) -> Report {
        match read(message) {
            Journaled::Report(report) => report,
            other => panic!("not read as a report: {other:?}"),
        }
    }

    #[test]
    fn a_report_gives_the_original_byte_for_byte_and_every_recipient() {
        let report = unwrapped(&report(ORIGINAL, None));
        assert_eq!(
            String::from_utf8_lossy(&report.original),
            String::from_utf8_lossy(ORIGINAL)
        );
        assert_eq!(report.sender, "alice@example.org");
        assert_eq!(
            report.recipients,
            [
                "bob@example.org",
                "carol@example.org",
                "dave@example.org",
                "erin@example.org",
                "sales@example.org",
                "frank@example.org",
                "grace@example.org",
            ]
        );
    }

    #[test]
    fn a_base64_attached_original_is_decoded() {
        let report = unwrapped(&report(ORIGINAL, Some("base64")));
        assert_eq!(report.original, ORIGINAL);
        assert!(report.recipients.contains(&"dave@example.org".to_string()));
    }

    #[test]
    fn a_message_without_the_report_header_is_a_plain_copy() {
        assert_eq!(read(ORIGINAL), Journaled::Plain);
        let unmarked = String::from_utf8(report(ORIGINAL, None))
            .unwrap()
            .replace("X-MS-Journal-Report: \r\n", "");
        assert_eq!(read(unmarked.as_bytes()), Journaled::Plain);
        assert_eq!(read(b""), Journaled::Plain);
    }

    #[test]
    fn a_report_without_an_attached_original_is_malformed() {
        let message = b"From: postmaster@example.org\r\n\
            X-MS-Journal-Report: \r\n\
            Content-Type: text/plain\r\n\
            \r\n\
            Sender: alice@example.org\r\n\
            To: bob@example.org\r\n";
        assert!(matches!(read(message), Journaled::Malformed(_)));
    }

    #[test]
    fn quoted_printable_decodes_bytes_and_soft_breaks() {
        assert_eq!(
            decode_quoted_printable(b"Gr=C3=BC=\r\nsse = ok=3D\r\n"),
            "Grüsse = ok=\r\n".as_bytes()
        );
    }

    #[test]
    fn addresses_are_read_as_reports_write_them() {
        assert_eq!(
            address(" Bob <Bob@Example.org> "),
            Some("bob@example.org".into())
        );
        assert_eq!(address("bob@example.org"), Some("bob@example.org".into()));
        assert_eq!(address("undisclosed recipients"), None);
    }
}
