//! What becomes of one Outlook item: a mail item is converted to MIME (with
//! what the location records beside it: the time it arrived, its read and
//! draft flags, its entry id), anything else is skipped by kind, and an
//! item that cannot be read is a failure with its reason.

use super::item::{Item, Kind, prop};
use super::mime::to_mime;
use chrono::{DateTime, Utc};

/// What became of one item of a file.
#[derive(Debug)]
pub enum Outcome {
    Message(Converted),
    /// Not mail: counted by kind, not imported.
    Skipped(Kind),
    /// The item could not be read; the reason, for the job log.
    Failed(String),
}

/// A mail item as a message.
#[derive(Debug)]
pub struct Converted {
    pub bytes: Vec<u8>,
    /// Parts left out (an attachment or the recipient table that could not
    /// be read); the message is imported without them.
    pub defects: Vec<String>,
    /// When it arrived (`PidTagMessageDeliveryTime`): the location's internal date.
    pub received: Option<DateTime<Utc>>,
    /// IMAP flags from `PidTagMessageFlags`.
    pub flags: Vec<String>,
    /// The item's EntryID in hex, where the file has one.
    pub entry_id: Option<String>,
}

/// `PidTagMessageFlags` bits ([MS-OXCMSG] 2.2.1.6).
const MSGFLAG_READ: i64 = 0x1;
const MSGFLAG_UNSENT: i64 = 0x8;

/// Converts `item` if it is mail. `seed` names it uniquely in its file, so
/// that its MIME boundaries are stable (see `mime`).
pub fn convert(item: Item, seed: &[u8], entry_id: Option<String>) -> Outcome {
    let kind = item.kind();
    if kind != Kind::Mail {
        return Outcome::Skipped(kind);
    }
    let bytes = to_mime(&item, seed);
    let message_flags = item.props.int(prop::MESSAGE_FLAGS).unwrap_or(0);
    let mut flags = Vec::new();
    if message_flags & MSGFLAG_READ != 0 {
        flags.push("\\Seen".to_string());
    }
    if message_flags & MSGFLAG_UNSENT != 0 {
        flags.push("\\Draft".to_string());
    }
    Outcome::Message(Converted {
        bytes,
        received: item.props.time(prop::MESSAGE_DELIVERY_TIME),
        flags,
        entry_id,
        defects: item.defects,
    })
}
