//! A message's index document: what the database knows about it (headers,
//! where it was found) plus the text of its body, read from the blob.

use super::schema::{self, Fields};
use crate::db::entity::message_location::RecordedEnvelope;
use crate::db::entity::{message, message_location};
use mail_parser::{MessageParser, MimeHeaders, PartType};
use std::collections::BTreeMap;
use tantivy::TantivyDocument;

/// How much body text is indexed per message: enough for any real letter;
/// a 50 MB log pasted into a mail is findable by its first megabyte.
const MAX_BODY_BYTES: usize = 1 << 20;
/// Text attachments up to this size are indexed with the body ("where cheap").
const MAX_TEXT_ATTACHMENT_BYTES: usize = 256 << 10;
/// How much of the body is stored for snippets.
const PREVIEW_CHARS: usize = 2_000;

/// Everything the index needs about one message.
pub struct Source<'a> {
    pub message: &'a message::Model,
    pub locations: &'a [message_location::Model],
    /// Whether a newer revision of this message exists.
    pub superseded: bool,
    pub raw: &'a [u8],
}

impl Source<'_> {
    pub fn document(&self, fields: &Fields) -> TantivyDocument {
        let message = self.message;
        let mut doc = TantivyDocument::default();
        doc.add_u64(fields.id, message.id as u64);
        if let Some(subject) = &message.subject {
            doc.add_text(fields.subject, subject);
        }
        doc.add_text(fields.from, &message.from_text);
        doc.add_text(fields.to, &message.to_text);
        doc.add_text(fields.cc, &message.cc_text);
        // A journal copy's envelope: its sender is found by `from:`; the
        // recipients a journal report names (Bcc, expanded lists) go to
        // `bcc`, searched by `to:` for the journal's readers only. A plain
        // copy's envelope recipients are just the journal's own addresses.
        for envelope in self.locations.iter().filter_map(RecordedEnvelope::of) {
            if !envelope.sender.is_empty() {
                doc.add_text(fields.from, &envelope.sender);
            }
            for recipient in envelope.reported_recipients() {
                doc.add_text(fields.bcc, recipient);
            }
        }
        for name in json_strings(&message.attachment_names) {
            doc.add_text(fields.attachment, &name);
        }
        let body = body_text(self.raw);
        doc.add_text(fields.preview, preview(&body));
        doc.add_text(fields.body, &body);

        let date = message
            .date
            .or_else(|| self.locations.iter().filter_map(|l| l.internal_date).min())
            .unwrap_or(message.archived_at);
        doc.add_i64(fields.date, date.timestamp());
        let header_date = message.date.map(|date| date.timestamp());
        doc.add_i64(fields.newest_first, header_date.unwrap_or(i64::MIN));
        doc.add_i64(fields.oldest_first, header_date.unwrap_or(i64::MAX));
        doc.add_u64(fields.size, message.size.max(0) as u64);

        let mut access = std::collections::BTreeSet::new();
        let mut listed = std::collections::BTreeSet::new();
        let mut terms = std::collections::BTreeSet::new();
        for location in self.locations {
            access.insert(location.mailbox_id);
            if !location.listed {
                continue;
            }
            listed.insert(location.mailbox_id);
            terms.insert((
                fields.folder,
                schema::folder_term(location.mailbox_id, &location.folder),
            ));
            let labels: BTreeMap<String, String> =
                serde_json::from_str(&location.labels).unwrap_or_default();
            for (key, value) in labels {
                terms.insert((
                    fields.label,
                    schema::label_term(location.mailbox_id, &key, &value),
                ));
            }
        }
        for mailbox in access {
            doc.add_u64(fields.access, mailbox as u64);
        }
        for mailbox in listed {
            doc.add_u64(fields.mailbox, mailbox as u64);
        }
        for (field, term) in terms {
            doc.add_text(field, term);
        }
        for party in crate::journal::parties::of(message, self.locations) {
            doc.add_text(fields.party, party);
        }

        let thread_ids = message
            .message_id_header
            .iter()
            .chain(message.in_reply_to.iter())
            .cloned()
            .chain(json_strings(&message.references));
        for id in thread_ids.collect::<std::collections::BTreeSet<_>>() {
            doc.add_text(fields.thread, id);
        }
        if message.has_attachments {
            doc.add_text(fields.flag, schema::FLAG_ATTACHMENT);
        }
        if self.superseded {
            doc.add_text(fields.flag, schema::FLAG_SUPERSEDED);
        }
        if message.defects.is_some() {
            doc.add_text(fields.flag, schema::FLAG_DEFECTS);
        }
        doc
    }
}

fn json_strings(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

/// The text of a message's body parts (HTML converted to text) and of its
/// small text attachments. Never fails: what cannot be read is left out (the
/// message stays findable by its headers).
pub fn body_text(raw: &[u8]) -> String {
    std::panic::catch_unwind(|| read_body_text(raw)).unwrap_or_default()
}

fn read_body_text(raw: &[u8]) -> String {
    let Some(message) = MessageParser::default().parse(raw) else {
        return String::new();
    };
    let mut text = String::new();
    for index in 0..message.text_body_count() {
        if let Some(part) = message.body_text(index) {
            push_limited(&mut text, &part);
        }
    }
    for part in message.attachments() {
        let is_text = part
            .content_type()
            .is_some_and(|kind| kind.ctype().eq_ignore_ascii_case("text"));
        if let (true, PartType::Text(body)) = (is_text, &part.body)
            && body.len() <= MAX_TEXT_ATTACHMENT_BYTES
        {
            push_limited(&mut text, body);
        }
    }
    text
}

fn push_limited(text: &mut String, part: &str) {
    if text.len() >= MAX_BODY_BYTES {
        return;
    }
    if !text.is_empty() {
        text.push('\n');
    }
    let room = MAX_BODY_BYTES - text.len();
    text.push_str(cut(part, room));
}

fn preview(body: &str) -> &str {
    let end = body
        .char_indices()
        .nth(PREVIEW_CHARS)
        .map_or(body.len(), |(at, _)| at);
    &body[..end]
}

/// `text` cut to at most `bytes` bytes, at a character boundary.
fn cut(text: &str, bytes: usize) -> &str {
    if text.len() <= bytes {
        return text;
    }
    let mut end = bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_text_takes_text_html_and_small_text_attachments() {
        let raw = b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n\
            --XX\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Gr&uuml;&szlig;e aus <b>K\xc3\xb6ln</b></p>\r\n\
            --XX\r\nContent-Type: text/plain; name=notes.txt\r\nContent-Disposition: attachment; filename=notes.txt\r\n\r\nquarterly figures\r\n\
            --XX--\r\n";
        let text = body_text(raw);
        assert!(text.contains("Grüße aus Köln"), "{text:?}");
        assert!(text.contains("quarterly figures"), "{text:?}");
        assert!(!text.contains("<p>"), "{text:?}");
    }

    #[test]
    fn garbage_has_no_body_and_does_not_panic() {
        assert_eq!(body_text(b""), "");
        let _ = body_text(b"\xff\xfe\x00garbage\r\n\r\n\xff");
    }

    #[test]
    fn cut_keeps_characters_whole() {
        assert_eq!(cut("Grüße", 3), "Gr");
        assert_eq!(cut("Grüße", 4), "Grü");
        assert_eq!(preview("abc"), "abc");
    }
}
