//! Outlook `.msg` files ([MS-OXMSG]): one item in a compound file, read with
//! the `cfb` crate; the MAPI properties inside are read here, into the same
//! [`Item`] the PST reader gives, so both are converted by `mime` alike.
//!
//! Layout: a storage holds a `__properties_version1.0` stream (a header,
//! then 16-byte entries: type, id, flags, and the value of fixed-size
//! types), one `__substg1.0_IIIITTTT` stream per variable-size property,
//! `__recip_version1.0_#n` storages for recipients and
//! `__attach_version1.0_#n` storages for attachments; an attached message is
//! the storage `__substg1.0_3701000D` of its attachment.

use super::item::{Attachment, Content, Item, Props, RawValue, Value, filetime, prop};
use super::outcome::{Outcome, convert};
use super::{OutlookError, guarded};
use std::collections::BTreeMap;
use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};

/// How deep attached messages are followed.
const MAX_DEPTH: usize = 8;
/// Larger property streams are refused (a corrupt size must not exhaust memory).
const MAX_STREAM: u64 = 512 << 20;

/// `PidTagEntryId`, which a `.msg` saved from a store may keep.
const ENTRY_ID: u16 = 0x0FFF;

/// Reads a `.msg` item from `file` and converts it: a message, or the kind
/// of item skipped (contact, note…). `seed` names the item (its file), so
/// that its MIME boundaries are stable.
pub fn read_msg(file: impl Read + Seek, seed: &[u8]) -> Result<Outcome, OutlookError> {
    let item = read_item(file)?;
    let entry_id = item
        .props
        .bytes(ENTRY_ID)
        .filter(|bytes| !bytes.is_empty())
        .map(|bytes| bytes.iter().map(|byte| format!("{byte:02x}")).collect());
    Ok(convert(item, seed, entry_id))
}

/// The item of a `.msg` file, unconverted.
pub fn read_item(file: impl Read + Seek) -> Result<Item, OutlookError> {
    let mut file = guarded(|| cfb::CompoundFile::open(file)).map_err(OutlookError::NotMsg)?;
    let item = guarded(|| read_storage(&mut file, Path::new("/"), Header::TopLevel, 0))?;
    Ok(item)
}

#[derive(Clone, Copy)]
enum Header {
    TopLevel,
    Embedded,
    RecipientOrAttachment,
}

impl Header {
    fn len(self) -> usize {
        match self {
            Header::TopLevel => 32,
            Header::Embedded => 24,
            Header::RecipientOrAttachment => 8,
        }
    }
}

fn read_storage<F: Read + Seek>(
    file: &mut cfb::CompoundFile<F>,
    storage: &Path,
    header: Header,
    depth: usize,
) -> io::Result<Item> {
    let raw = read_props(file, storage, header)?;
    let props = Props::decode(raw, None);
    let code_page = props.code_page();
    let mut item = Item {
        props,
        ..Item::default()
    };
    let children: Vec<(String, PathBuf)> = file
        .read_storage(storage)?
        .filter(|entry| entry.is_storage())
        .map(|entry| (entry.name().to_string(), entry.path().to_path_buf()))
        .collect();
    for (name, path) in children {
        if name.starts_with("__recip_version1.0_") {
            match read_props(file, &path, Header::RecipientOrAttachment) {
                Ok(raw) => item.recipients.push(Props::decode(raw, code_page)),
                Err(error) => item.defects.push(format!("recipient {name}: {error}")),
            }
        } else if name.starts_with("__attach_version1.0_") {
            match read_attachment(file, &path, code_page, depth) {
                Ok(attachment) => item.attachments.push(attachment),
                Err(error) => item.defects.push(format!("attachment {name}: {error}")),
            }
        }
    }
    Ok(item)
}

fn read_attachment<F: Read + Seek>(
    file: &mut cfb::CompoundFile<F>,
    storage: &Path,
    code_page: Option<u32>,
    depth: usize,
) -> io::Result<Attachment> {
    let mut raw = read_props(file, storage, Header::RecipientOrAttachment)?;
    let data = raw.remove(&prop::ATTACH_DATA);
    let props = Props::decode(raw, code_page);
    let embedded = storage.join("__substg1.0_3701000D");
    let method = props.int(prop::ATTACH_METHOD).unwrap_or(1);
    let content = if method == 5 && file.is_storage(&embedded) && depth < MAX_DEPTH {
        let message = read_storage(file, &embedded, Header::Embedded, depth + 1)?;
        Content::Message(Box::new(message))
    } else {
        match data {
            Some(RawValue::Value(Value::Bytes(bytes))) => Content::Bytes(bytes),
            _ => Content::None,
        }
    };
    Ok(Attachment { props, content })
}

/// The properties of one storage: fixed-size ones from the property stream,
/// variable-size ones from their own streams.
fn read_props<F: Read + Seek>(
    file: &mut cfb::CompoundFile<F>,
    storage: &Path,
    header: Header,
) -> io::Result<BTreeMap<u16, RawValue>> {
    let mut props = BTreeMap::new();
    let stream = storage.join("__properties_version1.0");
    if file.is_stream(&stream) {
        let data = read_stream(file, &stream)?;
        let entries = data.get(header.len()..).unwrap_or_default();
        for entry in entries.chunks_exact(16) {
            let kind = u16::from_le_bytes([entry[0], entry[1]]);
            let id = u16::from_le_bytes([entry[2], entry[3]]);
            let value: [u8; 8] = entry[8..16].try_into().unwrap_or_default();
            if let Some(value) = fixed_value(kind, value) {
                props.insert(id, RawValue::Value(value));
            }
        }
    }
    let streams: Vec<(String, PathBuf)> = file
        .read_storage(storage)?
        .filter(|entry| entry.is_stream())
        .map(|entry| (entry.name().to_string(), entry.path().to_path_buf()))
        .collect();
    for (name, path) in streams {
        let Some(tag) = name.strip_prefix("__substg1.0_") else {
            continue;
        };
        let Ok(tag) = u32::from_str_radix(tag, 16) else {
            continue;
        };
        let (id, kind) = ((tag >> 16) as u16, (tag & 0xFFFF) as u16);
        let bytes = read_stream(file, &path)?;
        let value = match kind {
            0x001E => RawValue::String8(bytes),
            0x001F => {
                let units: Vec<u16> = bytes
                    .chunks_exact(2)
                    .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
                    .collect();
                let text = String::from_utf16_lossy(&units);
                RawValue::Value(Value::Str(text.trim_end_matches('\0').to_string()))
            }
            0x0102 => RawValue::Value(Value::Bytes(bytes)),
            _ => continue, // multi-valued, GUIDs, objects: not used by the conversion
        };
        props.insert(id, value);
    }
    Ok(props)
}

fn fixed_value(kind: u16, value: [u8; 8]) -> Option<Value> {
    let low = i32::from_le_bytes([value[0], value[1], value[2], value[3]]);
    Some(match kind {
        0x0002 => Value::Int(i64::from(i16::from_le_bytes([value[0], value[1]]))),
        0x0003 => Value::Int(i64::from(low)),
        0x000B => Value::Bool(value[0] != 0),
        0x0014 => Value::Int(i64::from_le_bytes(value)),
        0x0040 => Value::Time(filetime(i64::from_le_bytes(value))?),
        _ => return None,
    })
}

fn read_stream<F: Read + Seek>(
    file: &mut cfb::CompoundFile<F>,
    path: &Path,
) -> io::Result<Vec<u8>> {
    let stream = file.open_stream(path)?;
    let mut data = Vec::new();
    stream.take(MAX_STREAM).read_to_end(&mut data)?;
    Ok(data)
}
