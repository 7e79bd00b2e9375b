//! Reading an archived message for display: its text, its HTML made safe,
//! its attachments. The archived bytes are never changed; all of this is
//! computed from them on each view.

use app::model::archive::AttachmentView;
use mail_parser::{Message, MessageParser, MimeHeaders, PartType};
use std::collections::{HashMap, HashSet};

/// What the message view shows of a message's body.
pub struct Body {
    pub text: Option<String>,
    pub has_html: bool,
    pub has_remote_images: bool,
    pub attachments: Vec<AttachmentView>,
}

/// An attachment's bytes, decoded from its transfer encoding.
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

fn parse(raw: &[u8]) -> Option<Message<'_>> {
    // The parser has been seen to panic on hostile input; a message that
    // cannot be read shows as "no body", its raw bytes stay downloadable.
    std::panic::catch_unwind(|| MessageParser::default().parse(raw)).ok()?
}

pub fn body(raw: &[u8]) -> Body {
    let Some(message) = parse(raw) else {
        return Body {
            text: None,
            has_html: false,
            has_remote_images: false,
            attachments: Vec::new(),
        };
    };
    let text_parts: Vec<String> = message
        .text_bodies()
        .filter_map(|part| match &part.body {
            PartType::Text(text) => Some(text.to_string()),
            _ => None,
        })
        .collect();
    let html = html_source(&message);
    Body {
        text: (!text_parts.is_empty()).then(|| text_parts.join("\n\n")),
        has_remote_images: html.as_deref().is_some_and(has_remote_images),
        has_html: html.is_some(),
        attachments: attachments(&message),
    }
}

/// The first HTML body part, as written (unsafe until `sanitize`).
fn html_source(message: &Message<'_>) -> Option<String> {
    message.html_bodies().find_map(|part| match &part.body {
        PartType::Html(html) => Some(html.to_string()),
        _ => None,
    })
}

fn attachments(message: &Message<'_>) -> Vec<AttachmentView> {
    message
        .attachments()
        .enumerate()
        .map(|(index, part)| AttachmentView {
            index,
            name: attachment_name(part, index),
            content_type: content_type(part),
            size: part.len(),
        })
        .collect()
}

fn attachment_name(part: &mail_parser::MessagePart<'_>, index: usize) -> String {
    match part.attachment_name() {
        Some(name) if !name.trim().is_empty() => name.trim().to_string(),
        _ if part.is_message() => format!("message-{}.eml", index + 1),
        _ => format!("attachment-{}", index + 1),
    }
}

fn content_type(part: &mail_parser::MessagePart<'_>) -> String {
    match part.content_type() {
        Some(kind) => match kind.subtype() {
            Some(subtype) => format!("{}/{}", kind.ctype(), subtype).to_lowercase(),
            None => kind.ctype().to_lowercase(),
        },
        None if part.is_message() => "message/rfc822".into(),
        None => "application/octet-stream".into(),
    }
}

/// Attachment `index` (as listed by `body`).
pub fn attachment(raw: &[u8], index: usize) -> Option<Attachment> {
    let message = parse(raw)?;
    let part = message.attachments().nth(index)?;
    Some(Attachment {
        name: attachment_name(part, index),
        content_type: content_type(part),
        bytes: part.contents().to_vec(),
    })
}

fn has_remote_images(html: &str) -> bool {
    let lower = html.to_ascii_lowercase();
    [
        "src=\"http",
        "src='http",
        "src=http",
        "url(http",
        "url('http",
        "url(\"http",
        "src=\"//",
        "background=\"http",
    ]
    .iter()
    .any(|needle| lower.contains(needle))
}

/// The message's HTML as a complete document that can do no harm: no
/// script, no event handlers, no forms, no frames, no objects; links open
/// outside; images embedded in the message (`cid:`) point at their
/// attachment URL; remote images are dropped unless `load_images` (and the
/// page's Content-Security-Policy enforces the same).
pub fn sanitized_html(raw: &[u8], message_id: i64, load_images: bool) -> Option<String> {
    let message = parse(raw)?;
    let html = html_source(&message)?;
    let inline: HashMap<String, usize> = message
        .attachments()
        .enumerate()
        .filter_map(|(index, part)| {
            let id = part
                .content_id()?
                .trim()
                .trim_matches(['<', '>'])
                .to_string();
            Some((id, index))
        })
        .collect();
    let clean = sanitize(&html, message_id, &inline, load_images);
    Some(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><base target=\"_blank\">\
         <style>body{{font-family:system-ui,sans-serif;font-size:14px;line-height:1.5;margin:12px;color:#1f2933;word-wrap:break-word}}img{{max-width:100%;height:auto}}</style>\
         </head><body>{clean}</body></html>"
    ))
}

fn sanitize(
    html: &str,
    message_id: i64,
    inline: &HashMap<String, usize>,
    load_images: bool,
) -> String {
    let generic: HashSet<&str> = [
        "style",
        "align",
        "valign",
        "width",
        "height",
        "bgcolor",
        "color",
        "border",
        "dir",
        "cellpadding",
        "cellspacing",
        "face",
        "size",
        "title",
        "lang",
    ]
    .into_iter()
    .collect();
    let inline = inline.clone();
    ammonia::Builder::default()
        .add_generic_attributes(generic)
        .add_url_schemes(["cid"])
        .link_rel(Some("noopener noreferrer nofollow"))
        .attribute_filter(move |element, attribute, value| {
            if element == "img" && attribute == "src" {
                let lower = value.trim().to_ascii_lowercase();
                if let Some(cid) = lower.strip_prefix("cid:") {
                    let original = &value.trim()[4..];
                    let index = inline.get(original).or_else(|| inline.get(cid)).copied()?;
                    return Some(format!("/m/{message_id}/attachments/{index}?inline=1").into());
                }
                if lower.starts_with("data:") {
                    return Some(value.into());
                }
                return load_images.then(|| value.into());
            }
            Some(value.into())
        })
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &[u8] = b"From: a@example.com\r\nSubject: hostile\r\nContent-Type: multipart/related; boundary=B\r\n\r\n\
        --B\r\nContent-Type: text/html\r\n\r\n\
        <p onclick=\"alert(1)\">Hello</p><script>alert(2)</script>\
        <img src=\"x\" onerror=\"alert(3)\"><img src=\"https://tracker.example/p.gif\">\
        <img src=\"cid:logo@x\"><a href=\"javascript:alert(4)\">j</a><a href=\"https://example.com\">ok</a>\
        <iframe src=\"https://evil.example\"></iframe><form action=\"/x\"><input name=q></form>\r\n\
        --B\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--B--\r\n";

    #[test]
    fn html_loses_script_handlers_frames_forms_and_remote_images() {
        let html = sanitized_html(HOSTILE, 7, false).unwrap();
        for gone in [
            "<script",
            "alert(2)",
            "onclick",
            "onerror",
            "javascript:",
            "<iframe",
            "<form",
            "tracker.example",
        ] {
            assert!(!html.contains(gone), "{gone} in {html}");
        }
        assert!(html.contains("Hello"));
        assert!(html.contains("/m/7/attachments/0?inline=1"), "{html}");
        assert!(html.contains("https://example.com"));
        let with_images = sanitized_html(HOSTILE, 7, true).unwrap();
        assert!(with_images.contains("https://tracker.example/p.gif"));
        assert!(!with_images.contains("onerror"));
    }

    #[test]
    fn body_lists_attachments_and_remote_images() {
        let body = body(HOSTILE);
        assert!(body.has_html);
        assert!(body.has_remote_images);
        assert_eq!(body.attachments.len(), 1);
        assert_eq!(body.attachments[0].content_type, "image/png");
        let logo = attachment(HOSTILE, 0).unwrap();
        assert_eq!(&logo.bytes[..4], b"\x89PNG");
        assert!(attachment(HOSTILE, 1).is_none());
    }
}
