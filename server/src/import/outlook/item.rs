//! An Outlook item as both readers deliver it: MAPI properties by id, with
//! its recipients and attachments, independent of the file it came from
//! (PST/OST node or MSG storage). `mime` turns an item into RFC 5322 bytes.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// The MAPI property ids ([MS-OXPROPS]) the conversion reads.
pub mod prop {
    pub const MESSAGE_CLASS: u16 = 0x001A;
    pub const SUBJECT: u16 = 0x0037;
    pub const CLIENT_SUBMIT_TIME: u16 = 0x0039;
    pub const SENT_REPRESENTING_NAME: u16 = 0x0042;
    pub const SENT_REPRESENTING_ADDRTYPE: u16 = 0x0064;
    pub const SENT_REPRESENTING_EMAIL: u16 = 0x0065;
    pub const TRANSPORT_MESSAGE_HEADERS: u16 = 0x007D;
    pub const RECIPIENT_TYPE: u16 = 0x0C15;
    pub const SENDER_NAME: u16 = 0x0C1A;
    pub const SENDER_ADDRTYPE: u16 = 0x0C1E;
    pub const SENDER_EMAIL: u16 = 0x0C1F;
    pub const DISPLAY_BCC: u16 = 0x0E02;
    pub const DISPLAY_CC: u16 = 0x0E03;
    pub const DISPLAY_TO: u16 = 0x0E04;
    pub const MESSAGE_DELIVERY_TIME: u16 = 0x0E06;
    pub const MESSAGE_FLAGS: u16 = 0x0E07;
    pub const BODY: u16 = 0x1000;
    pub const RTF_COMPRESSED: u16 = 0x1009;
    pub const HTML: u16 = 0x1013;
    pub const INTERNET_MESSAGE_ID: u16 = 0x1035;
    pub const INTERNET_REFERENCES: u16 = 0x1039;
    pub const IN_REPLY_TO: u16 = 0x1042;
    pub const DISPLAY_NAME: u16 = 0x3001;
    pub const ADDRTYPE: u16 = 0x3002;
    pub const EMAIL_ADDRESS: u16 = 0x3003;
    pub const CREATION_TIME: u16 = 0x3007;
    pub const ATTACH_DATA: u16 = 0x3701;
    pub const ATTACH_FILENAME: u16 = 0x3704;
    pub const ATTACH_METHOD: u16 = 0x3705;
    pub const ATTACH_LONG_FILENAME: u16 = 0x3707;
    pub const ATTACH_MIME_TAG: u16 = 0x370E;
    pub const ATTACH_CONTENT_ID: u16 = 0x3712;
    pub const SMTP_ADDRESS: u16 = 0x39FE;
    pub const INTERNET_CPID: u16 = 0x3FDE;
    pub const MESSAGE_CODEPAGE: u16 = 0x3FFD;
    pub const SENDER_SMTP_ADDRESS: u16 = 0x5D01;
    pub const SENT_REPRESENTING_SMTP_ADDRESS: u16 = 0x5D02;
}

/// A property value, strings already decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i64),
    Bool(bool),
    /// `PtypTime`, as a point in time.
    Time(DateTime<Utc>),
    Str(String),
    Bytes(Vec<u8>),
}

/// A property value as a reader finds it, before the item's code page is known.
#[derive(Debug, Clone)]
pub enum RawValue {
    Value(Value),
    /// `PtypString8`: bytes in the item's code page.
    String8(Vec<u8>),
}

#[derive(Debug, Clone, Default)]
pub struct Props(BTreeMap<u16, Value>);

impl Props {
    /// Decodes the `PtypString8` values with the code page the properties
    /// name (`PidTagMessageCodepage`, else `PidTagInternetCodepage`), else
    /// with `fallback` (the message's, for its recipients and attachments).
    pub fn decode(raw: BTreeMap<u16, RawValue>, fallback: Option<u32>) -> Props {
        let named = [prop::MESSAGE_CODEPAGE, prop::INTERNET_CPID]
            .iter()
            .find_map(|id| match raw.get(id) {
                Some(RawValue::Value(Value::Int(cp))) => u32::try_from(*cp).ok(),
                _ => None,
            });
        let code_page = named.or(fallback).unwrap_or(1252);
        let props = raw
            .into_iter()
            .map(|(id, value)| {
                let value = match value {
                    RawValue::Value(value) => value,
                    RawValue::String8(bytes) => Value::Str(decode_string8(&bytes, code_page)),
                };
                (id, value)
            })
            .collect();
        Props(props)
    }

    pub fn get(&self, id: u16) -> Option<&Value> {
        self.0.get(&id)
    }

    /// A non-empty string property.
    pub fn str(&self, id: u16) -> Option<&str> {
        match self.0.get(&id) {
            Some(Value::Str(text)) => Some(text.trim_end_matches('\0')).filter(|t| !t.is_empty()),
            _ => None,
        }
    }

    pub fn int(&self, id: u16) -> Option<i64> {
        match self.0.get(&id) {
            Some(Value::Int(value)) => Some(*value),
            _ => None,
        }
    }

    pub fn time(&self, id: u16) -> Option<DateTime<Utc>> {
        match self.0.get(&id) {
            Some(Value::Time(time)) => Some(*time),
            _ => None,
        }
    }

    pub fn bytes(&self, id: u16) -> Option<&[u8]> {
        match self.0.get(&id) {
            Some(Value::Bytes(bytes)) => Some(bytes),
            _ => None,
        }
    }

    /// The code page strings and the HTML body of this item are in.
    pub fn code_page(&self) -> Option<u32> {
        [prop::INTERNET_CPID, prop::MESSAGE_CODEPAGE]
            .iter()
            .find_map(|id| self.int(*id).and_then(|cp| u32::try_from(cp).ok()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Text in a Windows code page (UTF-8 for 65001), lossy.
pub fn decode_string8(bytes: &[u8], code_page: u32) -> String {
    let bytes = bytes.strip_suffix(&[0]).unwrap_or(bytes);
    let encoding = u16::try_from(code_page)
        .ok()
        .and_then(codepage::to_encoding)
        .unwrap_or(encoding_rs::WINDOWS_1252);
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

/// `PtypTime`: 100-nanosecond intervals since 1601-01-01 UTC.
pub fn filetime(value: i64) -> Option<DateTime<Utc>> {
    const EPOCH_DIFFERENCE_SECONDS: i64 = 11_644_473_600;
    if value <= 0 {
        return None;
    }
    let seconds = value / 10_000_000 - EPOCH_DIFFERENCE_SECONDS;
    let nanos = u32::try_from((value % 10_000_000) * 100).ok()?;
    DateTime::from_timestamp(seconds, nanos)
}

/// One Outlook item: a mail, or a contact, appointment, note… (see [`Kind`]).
#[derive(Debug, Clone, Default)]
pub struct Item {
    pub props: Props,
    pub recipients: Vec<Props>,
    pub attachments: Vec<Attachment>,
    /// Parts that could not be read (an attachment, the recipient table),
    /// so the item is converted without them; the import reports these.
    pub defects: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Attachment {
    pub props: Props,
    pub content: Content,
}

#[derive(Debug, Clone, Default)]
pub enum Content {
    Bytes(Vec<u8>),
    /// `afEmbeddedMessage`: an attached Outlook item.
    Message(Box<Item>),
    /// By reference (a path or URL only), or OLE storage we do not render.
    #[default]
    None,
}

/// What an item is, by `PidTagMessageClass` ([MS-OXCMSG] 2.2.1.3): only
/// mail-like items become messages; the others are counted and skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `IPM.Note*`, `IPM.Post*`, `IPM.Schedule.Meeting.*` (meeting mail),
    /// `REPORT.*` (delivery and read reports), `IPM.Outlook.Recall`…
    Mail,
    Contact,
    DistributionList,
    Appointment,
    Task,
    StickyNote,
    Journal,
    /// Any other class (forms, configuration items…).
    Other,
}

impl Kind {
    pub fn of(class: &str) -> Kind {
        let class = class.to_ascii_lowercase();
        let is = |prefix: &str| class == prefix || class.starts_with(&format!("{prefix}."));
        if is("ipm.contact") {
            Kind::Contact
        } else if is("ipm.distlist") {
            Kind::DistributionList
        } else if is("ipm.appointment") {
            Kind::Appointment
        } else if is("ipm.task") || is("ipm.taskrequest") {
            Kind::Task
        } else if is("ipm.stickynote") {
            Kind::StickyNote
        } else if is("ipm.activity") {
            Kind::Journal
        } else if is("ipm.note")
            || is("ipm.post")
            || is("ipm.schedule.meeting")
            || is("ipm.outlook.recall")
            || class == "ipm"
            || class.starts_with("report.")
        {
            Kind::Mail
        } else {
            Kind::Other
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Mail => "mail",
            Kind::Contact => "contact",
            Kind::DistributionList => "distribution list",
            Kind::Appointment => "calendar item",
            Kind::Task => "task",
            Kind::StickyNote => "note",
            Kind::Journal => "journal entry",
            Kind::Other => "other item",
        }
    }
}

impl Item {
    pub fn class(&self) -> &str {
        self.props.str(prop::MESSAGE_CLASS).unwrap_or("IPM.Note")
    }

    pub fn kind(&self) -> Kind {
        Kind::of(self.class())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_map_to_kinds() {
        assert_eq!(Kind::of("IPM.Note"), Kind::Mail);
        assert_eq!(Kind::of("IPM.Note.SMIME.MultipartSigned"), Kind::Mail);
        assert_eq!(Kind::of("REPORT.IPM.Note.NDR"), Kind::Mail);
        assert_eq!(Kind::of("IPM.Schedule.Meeting.Request"), Kind::Mail);
        assert_eq!(Kind::of("IPM.Contact"), Kind::Contact);
        assert_eq!(Kind::of("IPM.StickyNote"), Kind::StickyNote);
        assert_eq!(Kind::of("IPM.Appointment"), Kind::Appointment);
        assert_eq!(Kind::of("IPM.Notebook"), Kind::Other);
    }

    #[test]
    fn filetime_is_unix_time() {
        let time = filetime(116_444_736_000_000_000 + 10_000_000).unwrap();
        assert_eq!(time.timestamp(), 1);
    }

    #[test]
    fn string8_uses_the_code_page() {
        assert_eq!(decode_string8(b"Gr\xfc\xdfe\0", 1252), "Grüße");
        assert_eq!(decode_string8(b"\x82\xa0", 932), "あ");
    }
}
