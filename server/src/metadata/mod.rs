//! What the database and the index need to know about a message, read from its
//! raw bytes with mail-parser: Message-ID, date, addresses, subject, size,
//! attachment names, thread references.
//!
//! Broken input is not an error: whatever cannot be read is left empty and
//! described in `defects`. The raw bytes are stored before this runs, so a
//! message that cannot be parsed at all is still archived, only flagged.

use chrono::{DateTime, Utc};
use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders};

/// How many attachment names are kept; a message with more is odd, not lost.
const MAX_ATTACHMENT_NAMES: usize = 200;
/// How many addresses per field are kept (mailing lists can carry thousands).
const MAX_ADDRESSES: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    pub name: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageMetadata {
    pub size: u64,
    pub message_id: Option<String>,
    pub date: Option<DateTime<Utc>>,
    pub subject: Option<String>,
    pub from: Vec<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub attachment_names: Vec<String>,
    pub has_attachments: bool,
    /// What could not be read; empty for a well-formed message.
    pub defects: Vec<String>,
}

impl MessageMetadata {
    /// What identifies the message apart from its bytes, for profiles that
    /// match duplicates by headers: SHA-256 (hex) of Message-ID, Date and the
    /// From addresses (lowercased). `None` without a Message-ID: such a
    /// message is only ever matched by content.
    pub fn identity(&self) -> Option<String> {
        let message_id = self.message_id.as_deref()?.trim();
        if message_id.is_empty() {
            return None;
        }
        let date = self.date.map(|date| date.to_rfc3339()).unwrap_or_default();
        let from = self
            .from
            .iter()
            .filter_map(|mailbox| mailbox.address.as_deref())
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
            .join(",");
        let key = format!("{message_id}\n{date}\n{from}");
        Some(crate::store::Digest::of(key.as_bytes()).to_string())
    }

    /// Reads the metadata of `raw`. Never fails and never panics: a parser panic
    /// is caught and recorded as a defect.
    pub fn read(raw: &[u8]) -> MessageMetadata {
        let size = raw.len() as u64;
        match std::panic::catch_unwind(|| read_parsed(raw)) {
            Ok(Some(mut metadata)) => {
                metadata.size = size;
                metadata
            }
            Ok(None) => MessageMetadata {
                size,
                defects: vec!["not a MIME message: no header could be parsed".into()],
                ..MessageMetadata::default()
            },
            Err(_) => MessageMetadata {
                size,
                defects: vec!["the MIME parser failed on this message".into()],
                ..MessageMetadata::default()
            },
        }
    }
}

fn read_parsed(raw: &[u8]) -> Option<MessageMetadata> {
    let message = MessageParser::default().parse(raw)?;
    let mut defects = Vec::new();
    let date = message.date().and_then(|date| {
        let converted = date
            .is_valid()
            .then(|| DateTime::from_timestamp(date.to_timestamp(), 0))
            .flatten();
        if converted.is_none() {
            defects.push(format!("unusable Date header: {date}"));
        }
        converted
    });
    if message.date().is_none() {
        defects.push("no Date header".into());
    }
    let attachment_names: Vec<String> = message
        .attachments()
        .filter_map(|part| part.attachment_name())
        .take(MAX_ATTACHMENT_NAMES)
        .map(str::to_string)
        .collect();
    Some(MessageMetadata {
        size: 0,
        message_id: message.message_id().map(str::to_string),
        date,
        subject: message.subject().map(str::to_string),
        from: mailboxes(message.from()),
        to: mailboxes(message.to()),
        cc: mailboxes(message.cc()),
        in_reply_to: first_id(message.in_reply_to()),
        references: ids(message.references()),
        has_attachments: message.attachment_count() > 0,
        attachment_names,
        defects,
    })
}

fn mailboxes(address: Option<&Address<'_>>) -> Vec<Mailbox> {
    address
        .map(|address| {
            address
                .iter()
                .take(MAX_ADDRESSES)
                .map(|addr| Mailbox {
                    name: addr.name().map(str::to_string),
                    address: addr.address().map(str::to_string),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(id) => vec![id.to_string()],
        HeaderValue::TextList(ids) => ids.iter().map(|id| id.to_string()).collect(),
        _ => Vec::new(),
    }
}

fn first_id(value: &HeaderValue<'_>) -> Option<String> {
    ids(value).into_iter().next()
}

#[cfg(test)]
mod tests {
    #[test]
    fn identity_ignores_what_a_gateway_adds_but_not_who_sent_when() {
        let original = b"Message-ID: <a@example.com>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0100\r\nFrom: Ann <Ann@Example.com>\r\nSubject: Hi\r\n\r\nBody\r\n";
        let stamped = b"Received: by gateway\r\nX-Scanned: yes\r\nMessage-ID: <a@example.com>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0100\r\nFrom: ann@example.com\r\nSubject: Hi\r\n\r\nBody, with a footer\r\n";
        let other_sender = b"Message-ID: <a@example.com>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0100\r\nFrom: bob@example.com\r\n\r\nBody\r\n";
        let no_id =
            b"Date: Mon, 2 Nov 2026 10:00:00 +0100\r\nFrom: ann@example.com\r\n\r\nBody\r\n";
        let identity = |raw: &[u8]| super::MessageMetadata::read(raw).identity();
        assert!(identity(original).is_some());
        assert_eq!(identity(original), identity(stamped));
        assert_ne!(identity(original), identity(other_sender));
        assert_eq!(identity(no_id), None);
    }

    use super::*;

    #[test]
    fn reads_a_well_formed_message() {
        let raw = b"Message-ID: <1@example.com>\r\n\
            Date: Fri, 4 May 2001 14:05:44 -0400\r\n\
            From: \"Doe, John\" <john@example.com>\r\n\
            To: a@example.com, B <b@example.com>\r\n\
            Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n\
            In-Reply-To: <0@example.com>\r\n\
            References: <a@example.com> <0@example.com>\r\n\
            \r\nHello\r\n";
        let metadata = MessageMetadata::read(raw);
        assert_eq!(metadata.size, raw.len() as u64);
        assert_eq!(metadata.message_id.as_deref(), Some("1@example.com"));
        assert_eq!(
            metadata.date.unwrap().to_rfc3339(),
            "2001-05-04T18:05:44+00:00"
        );
        assert_eq!(metadata.subject.as_deref(), Some("Grüße"));
        assert_eq!(
            metadata.from,
            [Mailbox {
                name: Some("Doe, John".into()),
                address: Some("john@example.com".into())
            }]
        );
        assert_eq!(metadata.to.len(), 2);
        assert_eq!(metadata.in_reply_to.as_deref(), Some("0@example.com"));
        assert_eq!(metadata.references, ["a@example.com", "0@example.com"]);
        assert!(!metadata.has_attachments);
        assert!(metadata.defects.is_empty(), "{:?}", metadata.defects);
    }

    #[test]
    fn rfc2231_attachment_names_are_decoded() {
        let raw = b"From: a@example.com\r\nDate: Fri, 4 May 2001 14:05:44 -0400\r\n\
            Content-Type: multipart/mixed; boundary=XX\r\n\r\n\
            --XX\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n\
            --XX\r\nContent-Type: application/pdf\r\n\
            Content-Disposition: attachment; filename*=utf-8''Rechnung%20M%C3%A4rz.pdf\r\n\
            Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--XX--\r\n";
        let metadata = MessageMetadata::read(raw);
        assert!(metadata.has_attachments);
        assert_eq!(metadata.attachment_names, ["Rechnung März.pdf"]);
    }

    #[test]
    fn garbage_is_flagged_not_dropped() {
        let metadata = MessageMetadata::read(b"");
        assert_eq!(metadata.size, 0);
        assert!(!metadata.defects.is_empty());

        let no_date = MessageMetadata::read(b"Subject: hi\r\n\r\nbody");
        assert_eq!(no_date.subject.as_deref(), Some("hi"));
        assert_eq!(no_date.defects, ["no Date header"]);

        let bad_date = MessageMetadata::read(b"Date: yesterday-ish\r\nSubject: x\r\n\r\n");
        assert!(bad_date.date.is_none());
        assert!(
            bad_date
                .defects
                .iter()
                .any(|defect| defect.contains("Date")),
            "{:?}",
            bad_date.defects
        );

        let eight_bit = MessageMetadata::read(
            b"Subject: Gr\xfc\xdfe aus K\xf6ln\r\nDate: Fri, 4 May 2001 14:05:44 -0400\r\n\r\n",
        );
        assert!(
            eight_bit.subject.is_some(),
            "8-bit headers still give a subject"
        );
    }
}
