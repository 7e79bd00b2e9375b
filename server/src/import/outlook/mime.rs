//! An Outlook item as RFC 5322 / MIME bytes (mail-builder).
//!
//! Where the item keeps the headers it arrived with
//! (`PidTagTransportMessageHeaders`) they are written as they were, less the
//! `Content-*` and `MIME-Version` lines of a body that Outlook took apart;
//! otherwise the headers are made from the properties. The body is made from
//! the plain text, the HTML (with its inline images as `multipart/related`)
//! and the attachments; an attached Outlook item becomes `message/rfc822`.
//!
//! The output depends on the item alone: boundaries come from `seed` (the
//! item's identity), never from the clock or chance, and nothing is invented
//! (no `Message-ID` or `Date` where the item has none), so converting the
//! same file again gives the same bytes, and the archive stores them once.

use super::item::{Attachment, Content, Item, Props, decode_string8, prop};
use mail_builder::headers::address::Address;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::date::Date;
use mail_builder::headers::message_id::MessageId;
use mail_builder::headers::text::Text;
use mail_builder::headers::{Header, HeaderType};
use mail_builder::mime::{BodyPart, MimePart};
use sha2::{Digest, Sha256};

/// How deep attached messages are followed; deeper ones are left out.
const MAX_DEPTH: usize = 8;

/// The item as a message. `seed` names the item uniquely within its file
/// (its entry id), so that boundaries are stable.
pub fn to_mime(item: &Item, seed: &[u8]) -> Vec<u8> {
    write_item(item, seed, 0)
}

fn write_item(item: &Item, seed: &[u8], depth: usize) -> Vec<u8> {
    let mut output = Vec::new();
    match item
        .props
        .str(prop::TRANSPORT_MESSAGE_HEADERS)
        .and_then(original_headers)
    {
        Some(headers) => output.extend_from_slice(headers.as_bytes()),
        None => write_headers(&item.props, &item.recipients, &mut output),
    }
    output.extend_from_slice(b"MIME-Version: 1.0\r\n");
    let mut boundaries = Boundaries::new(seed);
    body(item, &mut boundaries, depth).write_part(&mut output);
    output
}

/// The transport headers without the lines that describe the original body,
/// with CRLF line ends; `None` if they do not look like a header block.
fn original_headers(text: &str) -> Option<String> {
    let text = text.trim_start_matches(['\r', '\n']);
    let mut kept = String::with_capacity(text.len());
    let mut keep = false;
    let mut fields = 0;
    for line in text.lines() {
        if line.is_empty() {
            break; // a body after the headers (some writers store one)
        }
        if line.starts_with([' ', '\t']) {
            if keep {
                kept.push_str(line);
                kept.push_str("\r\n");
            }
            continue;
        }
        let (name, _) = line.split_once(':')?;
        if name.is_empty() || name.contains(' ') {
            return None;
        }
        fields += 1;
        let lower = name.to_ascii_lowercase();
        keep = !(lower.starts_with("content-") || lower == "mime-version");
        if keep {
            kept.push_str(line);
            kept.push_str("\r\n");
        }
    }
    (fields > 0).then_some(kept)
}

fn write_headers(props: &Props, recipients: &[Props], output: &mut Vec<u8>) {
    let mut headers: Vec<(&str, HeaderType)> = Vec::new();
    let date = [
        prop::CLIENT_SUBMIT_TIME,
        prop::MESSAGE_DELIVERY_TIME,
        prop::CREATION_TIME,
    ]
    .iter()
    .find_map(|id| props.time(*id));
    if let Some(date) = date {
        headers.push(("Date", Date::new(date.timestamp()).into()));
    }
    let from = person(
        props,
        [
            prop::SENT_REPRESENTING_NAME,
            prop::SENT_REPRESENTING_ADDRTYPE,
            prop::SENT_REPRESENTING_EMAIL,
            prop::SENT_REPRESENTING_SMTP_ADDRESS,
        ],
    );
    let sender = person(
        props,
        [
            prop::SENDER_NAME,
            prop::SENDER_ADDRTYPE,
            prop::SENDER_EMAIL,
            prop::SENDER_SMTP_ADDRESS,
        ],
    );
    match (from, sender) {
        (Some(from), Some(sender)) if from != sender => {
            headers.push(("From", from.address()));
            headers.push(("Sender", sender.address()));
        }
        (Some(one), _) | (None, Some(one)) => headers.push(("From", one.address())),
        (None, None) => {}
    }
    for (name, kind, display) in [
        ("To", 1, prop::DISPLAY_TO),
        ("Cc", 2, prop::DISPLAY_CC),
        ("Bcc", 3, prop::DISPLAY_BCC),
    ] {
        let people: Vec<Person> = recipients
            .iter()
            .filter(|recipient| recipient.int(prop::RECIPIENT_TYPE).unwrap_or(1) & 0xF == kind)
            .filter_map(|recipient| {
                person(
                    recipient,
                    [
                        prop::DISPLAY_NAME,
                        prop::ADDRTYPE,
                        prop::EMAIL_ADDRESS,
                        prop::SMTP_ADDRESS,
                    ],
                )
            })
            .collect();
        if !people.is_empty() {
            let list = people.iter().map(|p| p.address_of()).collect();
            headers.push((name, Address::new_list(list).into()));
        } else if let Some(names) = props.str(display) {
            // No recipient table (or unreadable): the names Outlook displays.
            headers.push((name, Text::new(names.to_string()).into()));
        }
    }
    if let Some(subject) = props.str(prop::SUBJECT) {
        headers.push(("Subject", Text::new(strip_subject_prefix(subject)).into()));
    }
    for (name, id) in [
        ("Message-ID", prop::INTERNET_MESSAGE_ID),
        ("In-Reply-To", prop::IN_REPLY_TO),
        ("References", prop::INTERNET_REFERENCES),
    ] {
        if let Some(ids) = props.str(id) {
            let ids: Vec<&str> = ids
                .split_whitespace()
                .map(|id| id.trim_start_matches('<').trim_end_matches('>'))
                .filter(|id| !id.is_empty())
                .collect();
            if !ids.is_empty() {
                headers.push((name, MessageId::new_list(ids.into_iter()).into()));
            }
        }
    }
    for (name, value) in headers {
        output.extend_from_slice(name.as_bytes());
        output.extend_from_slice(b": ");
        value.write_header(output, name.len() + 2);
    }
}

/// `PidTagSubject` may start with the two-character prefix marker
/// (`\u{1}` + length) of [MS-OXCMSG] 2.2.1.46.
fn strip_subject_prefix(subject: &str) -> String {
    let mut chars = subject.chars();
    if chars.next() == Some('\u{1}') {
        chars.next();
        return chars.as_str().to_string();
    }
    subject.to_string()
}

#[derive(Debug, PartialEq, Eq)]
struct Person {
    name: Option<String>,
    /// An SMTP address, or none (Exchange-internal `EX` addresses are not
    /// mail addresses).
    email: String,
}

impl Person {
    fn address_of(&self) -> Address<'static> {
        Address::new_address(self.name.clone(), self.email.clone())
    }

    fn address(&self) -> HeaderType<'static> {
        self.address_of().into()
    }
}

/// Name, address type, address and SMTP address properties as a person.
fn person(props: &Props, [name, addrtype, email, smtp]: [u16; 4]) -> Option<Person> {
    let name = props.str(name).map(str::to_string);
    let email = props.str(smtp).or_else(|| {
        let address = props.str(email)?;
        let smtp_type = props
            .str(addrtype)
            .is_none_or(|kind| kind.eq_ignore_ascii_case("SMTP"));
        (smtp_type && address.contains('@')).then_some(address)
    });
    let email = email.unwrap_or_default().to_string();
    if name.is_none() && email.is_empty() {
        return None;
    }
    let name = name.filter(|name| *name != email);
    Some(Person { name, email })
}

/// Deterministic, unique boundaries for one message.
struct Boundaries {
    seed: [u8; 32],
    count: u32,
}

impl Boundaries {
    fn new(seed: &[u8]) -> Self {
        Boundaries {
            seed: Sha256::digest(seed).into(),
            count: 0,
        }
    }

    fn next(&mut self, kind: &'static str) -> MimePart<'static> {
        self.count += 1;
        let digest = Sha256::new()
            .chain_update(self.seed)
            .chain_update(self.count.to_be_bytes())
            .finalize();
        let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        let content_type = ContentType::new(kind).attribute("boundary", format!("=_{hex}"));
        MimePart::new(content_type, BodyPart::Multipart(Vec::new()))
    }

    fn multipart(
        &mut self,
        kind: &'static str,
        parts: Vec<MimePart<'static>>,
    ) -> MimePart<'static> {
        let mut part = self.next(kind);
        part.contents = BodyPart::Multipart(parts);
        part
    }
}

fn body(item: &Item, boundaries: &mut Boundaries, depth: usize) -> MimePart<'static> {
    let props = &item.props;
    let text = props.str(prop::BODY).map(str::to_string);
    let html = html_body(props);
    let mut inline = Vec::new();
    let mut attached = Vec::new();
    for (index, attachment) in item.attachments.iter().enumerate() {
        let Some(part) = attachment_part(attachment, index, boundaries, depth) else {
            continue;
        };
        let cid = attachment.props.str(prop::ATTACH_CONTENT_ID);
        let referenced = match (cid, &html) {
            (Some(cid), Some(html)) => html.contains(&format!("cid:{cid}")),
            _ => false,
        };
        if referenced {
            inline.push(part.inline().cid(cid.unwrap_or_default().to_string()));
        } else {
            attached.push(part);
        }
    }
    // An RTF-only item (no text or HTML body): its body as an attachment.
    if text.is_none()
        && html.is_none()
        && let Some(rtf) = rtf_body(props)
    {
        attached.insert(
            0,
            MimePart::new("application/rtf", rtf.into_bytes()).attachment("body.rtf"),
        );
    }
    let text_part = text.map(|text| MimePart::new(text_type("text/plain"), text));
    let html_part = html.map(|html| {
        let html = MimePart::new(text_type("text/html"), html);
        if inline.is_empty() {
            html
        } else {
            let mut parts = vec![html];
            parts.append(&mut inline);
            boundaries.multipart("multipart/related", parts)
        }
    });
    let main = match (text_part, html_part) {
        (Some(text), Some(html)) => boundaries.multipart("multipart/alternative", vec![text, html]),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) if attached.is_empty() => MimePart::new(text_type("text/plain"), ""),
        (None, None) => return boundaries.multipart("multipart/mixed", attached),
    };
    if attached.is_empty() {
        return main;
    }
    let mut parts = vec![main];
    parts.append(&mut attached);
    boundaries.multipart("multipart/mixed", parts)
}

fn text_type(kind: &'static str) -> ContentType<'static> {
    ContentType::new(kind).attribute("charset", "utf-8")
}

/// `PidTagHtml` is binary in the item's Internet code page (or a string).
fn html_body(props: &Props) -> Option<String> {
    if let Some(html) = props.str(prop::HTML) {
        return Some(html.to_string());
    }
    let bytes = props.bytes(prop::HTML).filter(|b| !b.is_empty())?;
    let code_page = props.code_page().unwrap_or(65001);
    Some(decode_string8(bytes, code_page))
}

fn rtf_body(props: &Props) -> Option<String> {
    let compressed = props.bytes(prop::RTF_COMPRESSED)?;
    compressed_rtf::decompress_rtf(compressed).ok()
}

fn attachment_part(
    attachment: &Attachment,
    index: usize,
    boundaries: &mut Boundaries,
    depth: usize,
) -> Option<MimePart<'static>> {
    let props = &attachment.props;
    let name = [
        prop::ATTACH_LONG_FILENAME,
        prop::ATTACH_FILENAME,
        prop::DISPLAY_NAME,
    ]
    .iter()
    .find_map(|id| props.str(*id))
    .map(str::to_string);
    match &attachment.content {
        Content::Bytes(bytes) => {
            let name = name.unwrap_or_else(|| format!("attachment-{}", index + 1));
            let kind = props
                .str(prop::ATTACH_MIME_TAG)
                .filter(|kind| kind.contains('/'))
                .unwrap_or("application/octet-stream")
                .to_ascii_lowercase();
            Some(MimePart::new(ContentType::new(kind), bytes.clone()).attachment(name))
        }
        Content::Message(message) if depth < MAX_DEPTH => {
            let seed: Vec<u8> = boundaries
                .seed
                .iter()
                .copied()
                .chain((index as u32).to_be_bytes())
                .collect();
            let bytes = write_item(message, &seed, depth + 1);
            let encoding = if bytes.is_ascii() { "7bit" } else { "8bit" };
            let subject = message.props.str(prop::SUBJECT).map(strip_subject_prefix);
            let name = name.or(subject).unwrap_or_else(|| "message".into());
            Some(
                MimePart::new("message/rfc822", bytes)
                    .attachment(format!("{}.eml", name.trim_end_matches(".msg")))
                    .transfer_encoding(encoding),
            )
        }
        Content::Message(_) | Content::None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn original_headers_lose_their_content_lines() {
        let headers = "Received: from a\r\n\tby b\r\nContent-Type: multipart/mixed;\r\n\tboundary=x\r\nSubject: Hi\r\nMIME-Version: 1.0\r\n\r\n";
        assert_eq!(
            original_headers(headers).unwrap(),
            "Received: from a\r\n\tby b\r\nSubject: Hi\r\n"
        );
        assert!(original_headers("not headers at all").is_none());
    }
}
