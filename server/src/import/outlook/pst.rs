//! Outlook data files (`.pst`, and `.ost` in the same format) read with
//! Microsoft's `outlook-pst` crate: the folder tree under the IPM subtree,
//! and every item of a folder as an [`Item`], converted by `outcome`.
//!
//! ANSI (Outlook 97–2002) and Unicode (2003+) files are read; the 4 KiB-page
//! OST of Outlook 2013+ (`wVer` 36) is not supported by the crate and is
//! refused with a clear error. The file is opened read-only and read where
//! it lies (the crate seeks to each block; it keeps B-tree pages, not
//! messages, in memory); one item at a time is held, attachments included.
//! The crate's objects share `Rc`s, so a file is read on one thread (the
//! import reads files on a blocking thread anyway). A message that cannot be
//! read is reported with its folder and node id and the rest of the folder
//! is read; the crate's panics on corrupt data (it has `expect`s and
//! unchecked slicing) are caught and reported the same way.

use super::item::{Attachment, Content, Item, Props, RawValue, Value, filetime, prop};
use super::outcome::{Outcome, convert};
use super::{OutlookError, guarded};
use outlook_pst::ltp::prop_context::PropertyValue;
use outlook_pst::ltp::table_context::TableContext;
use outlook_pst::messaging::attachment::{
    AnsiAttachment, Attachment as PstAttachment, AttachmentData, UnicodeAttachment,
};
use outlook_pst::messaging::folder::Folder as PstFolder;
use outlook_pst::messaging::message::{AnsiMessage, Message as PstMessage, UnicodeMessage};
use outlook_pst::messaging::store::{AnsiStore, EntryId, Store, UnicodeStore};
use outlook_pst::ndb::node_id::NodeId;
use outlook_pst::{AnsiPstFile, UnicodePstFile};
use std::collections::BTreeMap;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::rc::Rc;

/// One folder of the file: its path below the IPM subtree (display names),
/// and how to find it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PstFolderInfo {
    pub path: Vec<String>,
    pub node: u32,
    /// Items in its contents table (mail and other items).
    pub items: usize,
}

/// A folder that could not be read, with the path of its parent; its
/// subtree is missing from the import.
#[derive(Debug, Clone)]
pub struct FolderError {
    pub parent: Vec<String>,
    pub node: u32,
    pub reason: String,
}

/// An item of a folder, read.
#[derive(Debug)]
pub struct PstEntry {
    /// The item's node id (the last four bytes of its EntryID): stable for
    /// the file, named in errors.
    pub node: u32,
    pub outcome: Outcome,
}

enum Flavor {
    Unicode(Rc<UnicodeStore>),
    Ansi(Rc<AnsiStore>),
}

pub struct PstReader {
    flavor: Flavor,
}

impl PstReader {
    /// Opens the file read-only.
    pub fn open(path: &Path) -> Result<PstReader, OutlookError> {
        PstReader::read_from(std::fs::File::open(path)?)
    }

    /// Reads a data file from `reader`, choosing the ANSI or Unicode reader
    /// from its header.
    pub fn read_from(mut reader: impl Read + Seek + 'static) -> Result<PstReader, OutlookError> {
        let mut header = [0u8; 12];
        reader
            .read_exact(&mut header)
            .map_err(|_| OutlookError::NotPst)?;
        if &header[..4] != super::PST_MAGIC {
            return Err(OutlookError::NotPst);
        }
        reader.seek(SeekFrom::Start(0))?;
        let reader = Box::new(reader);
        let flavor = match u16::from_le_bytes([header[10], header[11]]) {
            14 | 15 => guarded(|| {
                AnsiPstFile::read_from(reader).and_then(|file| AnsiStore::read(Rc::new(file)))
            })
            .map(Flavor::Ansi),
            23 => guarded(|| {
                UnicodePstFile::read_from(reader).and_then(|file| UnicodeStore::read(Rc::new(file)))
            })
            .map(Flavor::Unicode),
            36 | 37 => {
                return Err(OutlookError::Unsupported(
                    "an OST with 4 KiB pages (Outlook 2013 or later)".into(),
                ));
            }
            version => {
                return Err(OutlookError::Unsupported(format!("PST version {version}")));
            }
        };
        Ok(PstReader {
            flavor: flavor.map_err(OutlookError::Damaged)?,
        })
    }

    fn store(&self) -> Rc<dyn Store> {
        match &self.flavor {
            Flavor::Unicode(store) => store.clone(),
            Flavor::Ansi(store) => store.clone(),
        }
    }

    pub fn is_unicode(&self) -> bool {
        matches!(self.flavor, Flavor::Unicode(_))
    }

    /// Every folder under the IPM subtree (the root itself, as `[]`, only if
    /// it holds items), depth first in the file's order; folders that could
    /// not be opened are returned apart, and their subtrees are missing.
    pub fn folders(&self) -> Result<(Vec<PstFolderInfo>, Vec<FolderError>), OutlookError> {
        let store = self.store();
        let root = guarded(|| {
            let root = store.properties().ipm_sub_tree_entry_id()?;
            store.open_folder(&root)
        })
        .map_err(OutlookError::Damaged)?;
        let mut found = Vec::new();
        let mut errors = Vec::new();
        let root_items = count_rows(root.contents_table());
        if root_items > 0 {
            found.push(PstFolderInfo {
                path: Vec::new(),
                node: u32::from(root.properties().node_id()),
                items: root_items,
            });
        }
        self.walk(&root, &[], &mut found, &mut errors);
        Ok((found, errors))
    }

    fn walk(
        &self,
        folder: &Rc<dyn PstFolder>,
        path: &[String],
        found: &mut Vec<PstFolderInfo>,
        errors: &mut Vec<FolderError>,
    ) {
        let Some(table) = folder.hierarchy_table() else {
            return;
        };
        let store = self.store();
        let nodes: Vec<u32> = table.rows_matrix().map(|row| u32::from(row.id())).collect();
        for node in nodes {
            let opened = guarded(|| store.open_folder(&self.entry_id(node)?));
            let sub = match opened {
                Ok(sub) => sub,
                Err(error) => {
                    errors.push(FolderError {
                        parent: path.to_vec(),
                        node,
                        reason: error.to_string(),
                    });
                    continue;
                }
            };
            let raw = sub.properties().iter().map(|(id, v)| (*id, raw(v)));
            let name = Props::decode(raw.collect(), None)
                .str(prop::DISPLAY_NAME)
                .unwrap_or("(unnamed)")
                .to_string();
            let mut sub_path = path.to_vec();
            sub_path.push(name);
            found.push(PstFolderInfo {
                path: sub_path.clone(),
                node,
                items: count_rows(sub.contents_table()),
            });
            self.walk(&sub, &sub_path, found, errors);
        }
    }

    fn entry_id(&self, node: u32) -> io::Result<EntryId> {
        self.store().properties().make_entry_id(NodeId::from(node))
    }

    /// An item's EntryID as Outlook writes it ([MS-PST] 2.4.3.2): four flag
    /// bytes, the store's record key, the node id (little-endian), in hex.
    fn entry_id_hex(&self, node: u32) -> Option<String> {
        let entry_id = self.entry_id(node).ok()?;
        let bytes = [0u8; 4]
            .iter()
            .chain(entry_id.record_key())
            .chain(&node.to_le_bytes())
            .map(|byte| format!("{byte:02x}"))
            .collect();
        Some(bytes)
    }

    /// Calls `each` with every item of the folder with node id `folder` (a
    /// [`PstFolderInfo::node`]) in its contents table's order; stops when
    /// `each` returns false.
    pub fn read_folder(
        &self,
        folder: u32,
        mut each: impl FnMut(PstEntry) -> bool,
    ) -> Result<(), OutlookError> {
        let store = self.store();
        let opened = guarded(|| store.open_folder(&self.entry_id(folder)?))
            .map_err(OutlookError::Damaged)?;
        let Some(table) = opened.contents_table() else {
            return Ok(());
        };
        let nodes: Vec<u32> = table.rows_matrix().map(|row| u32::from(row.id())).collect();
        for node in nodes {
            let outcome = match guarded(|| self.read_item(node)) {
                Ok(item) => convert(item, &node.to_be_bytes(), self.entry_id_hex(node)),
                Err(error) => Outcome::Failed(error.to_string()),
            };
            if !each(PstEntry { node, outcome }) {
                break;
            }
        }
        Ok(())
    }

    /// The item with node id `node`, unconverted.
    pub fn read_item(&self, node: u32) -> io::Result<Item> {
        let entry_id = self.entry_id(node)?;
        match &self.flavor {
            Flavor::Unicode(store) => {
                read_message(UnicodeMessage::read(store.clone(), &entry_id, None)?)
            }
            Flavor::Ansi(store) => read_message(AnsiMessage::read(store.clone(), &entry_id, None)?),
        }
    }
}

/// The two concrete message types of the crate, whose attachments can be
/// opened (the crate opens attachments only from a concrete message).
trait Concrete: PstMessage + Sized + 'static {
    fn attachment(message: &Rc<Self>, node: NodeId) -> io::Result<Rc<dyn PstAttachment>>;
    /// An attached message of a file of this flavor as its concrete type.
    fn embedded(message: Rc<dyn PstMessage>) -> Rc<Self>;
}

impl Concrete for UnicodeMessage {
    fn attachment(message: &Rc<Self>, node: NodeId) -> io::Result<Rc<dyn PstAttachment>> {
        Ok(UnicodeAttachment::read(message.clone(), node, None)?)
    }

    fn embedded(message: Rc<dyn PstMessage>) -> Rc<Self> {
        // SAFETY: outlook-pst (pinned to 1.2.0, vendored) builds the
        // `AttachmentData::Message` of a Unicode file from an
        // `Rc<UnicodeMessage>` (`read_embedded` of `<UnicodePstFile as
        // PstFile>::Message`), so the allocation is one of that type; the
        // crate offers no safe way down from the trait object.
        unsafe { Rc::from_raw(Rc::into_raw(message).cast::<UnicodeMessage>()) }
    }
}

impl Concrete for AnsiMessage {
    fn attachment(message: &Rc<Self>, node: NodeId) -> io::Result<Rc<dyn PstAttachment>> {
        Ok(AnsiAttachment::read(message.clone(), node, None)?)
    }

    fn embedded(message: Rc<dyn PstMessage>) -> Rc<Self> {
        // SAFETY: as for `UnicodeMessage`, with `<AnsiPstFile as PstFile>::Message`.
        unsafe { Rc::from_raw(Rc::into_raw(message).cast::<AnsiMessage>()) }
    }
}

/// How deep attached messages are followed (a corrupt file could nest them
/// without end).
const MAX_DEPTH: usize = 8;

fn read_message<M: Concrete>(message: Rc<M>) -> io::Result<Item> {
    read_message_at(message, 0)
}

fn read_message_at<M: Concrete>(message: Rc<M>, depth: usize) -> io::Result<Item> {
    let raw_props: BTreeMap<u16, RawValue> = message
        .properties()
        .iter()
        .map(|(id, value)| (*id, raw(value)))
        .collect();
    let props = Props::decode(raw_props, None);
    let code_page = props.code_page();
    let mut item = Item {
        props,
        ..Item::default()
    };
    if let Some(table) = message.recipient_table() {
        match guarded(|| table_rows(table.as_ref())) {
            Ok(rows) => {
                item.recipients = rows
                    .into_iter()
                    .map(|row| Props::decode(row, code_page))
                    .collect()
            }
            Err(error) => item.defects.push(format!("recipients: {error}")),
        }
    }
    let Some(table) = message.attachment_table() else {
        return Ok(item);
    };
    let nodes: Vec<u32> = table.rows_matrix().map(|row| u32::from(row.id())).collect();
    for node in nodes {
        match guarded(|| read_attachment(&message, NodeId::from(node), code_page, depth)) {
            Ok(attachment) => item.attachments.push(attachment),
            Err(error) => item.defects.push(format!("attachment {node:#x}: {error}")),
        }
    }
    Ok(item)
}

fn read_attachment<M: Concrete>(
    message: &Rc<M>,
    node: NodeId,
    code_page: Option<u32>,
    depth: usize,
) -> io::Result<Attachment> {
    let attachment = M::attachment(message, node)?;
    let raw_props: BTreeMap<u16, RawValue> = attachment
        .properties()
        .iter()
        .filter(|(id, _)| **id != prop::ATTACH_DATA)
        .map(|(id, value)| (*id, raw(value)))
        .collect();
    let props = Props::decode(raw_props, code_page);
    let content = match attachment.data() {
        Some(AttachmentData::Binary(binary)) => Content::Bytes(binary.buffer().to_vec()),
        Some(AttachmentData::Message(embedded)) if depth < MAX_DEPTH => {
            let embedded = M::embedded(embedded.clone());
            Content::Message(Box::new(read_message_at(embedded, depth + 1)?))
        }
        Some(AttachmentData::Message(_)) | None => Content::None,
    };
    Ok(Attachment { props, content })
}

/// The rows of a recipient (or other) table as properties.
fn table_rows(table: &dyn TableContext) -> io::Result<Vec<BTreeMap<u16, RawValue>>> {
    let context = table.context();
    let mut rows = Vec::new();
    for row in table.rows_matrix() {
        let mut props = BTreeMap::new();
        for (column, value) in context.columns().iter().zip(row.columns(context)?) {
            let Some(value) = value else { continue };
            let value = table.read_column(&value, column.prop_type())?;
            props.insert(column.prop_id(), raw(&value));
        }
        rows.push(props);
    }
    Ok(rows)
}

fn count_rows(table: Option<&Rc<dyn TableContext>>) -> usize {
    table.map_or(0, |table| table.rows_matrix().count())
}

fn raw(value: &PropertyValue) -> RawValue {
    let value = match value {
        PropertyValue::String8(text) => return RawValue::String8(text.buffer().to_vec()),
        PropertyValue::Unicode(text) => Value::Str(String::from_utf16_lossy(text.buffer())),
        PropertyValue::Integer16(v) => Value::Int(i64::from(*v)),
        PropertyValue::Integer32(v) => Value::Int(i64::from(*v)),
        PropertyValue::Integer64(v) => Value::Int(*v),
        PropertyValue::Boolean(v) => Value::Bool(*v),
        PropertyValue::Time(v) => match filetime(*v) {
            Some(time) => Value::Time(time),
            None => Value::Int(*v),
        },
        PropertyValue::Binary(v) => Value::Bytes(v.buffer().to_vec()),
        _ => Value::Bytes(Vec::new()),
    };
    RawValue::Value(value)
}
