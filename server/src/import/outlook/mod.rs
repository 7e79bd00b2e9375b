//! Outlook files — PST/OST data files and MSG items — read into [`Item`]s
//! and converted to RFC 5322 messages for the import.
//!
//! - `item` — an Outlook item as properties, recipients and attachments.
//! - `pst` — the folders and items of a `.pst`/`.ost` (crate `outlook-pst`,
//!   vendored with a fix for embedded messages: vendor/outlook-pst).
//! - `msg` — the item of a `.msg` (crate `cfb`; the properties are read here).
//! - `mime` — an item as MIME bytes (crate `mail-builder`).
//! - `outcome` — what becomes of one item: a converted message, or skipped.
//!
//! Only mail-like items (`IPM.Note`, posts, meeting mail, reports) become
//! messages; contacts, calendar items, tasks, notes and journal entries are
//! counted by kind and skipped. A converted message is not the original's
//! bytes: the import records it as *converted*, with its provenance.

pub mod item;
pub mod mime;
pub mod msg;
pub mod outcome;
pub mod pst;

pub use item::{Item, Kind};
pub use outcome::{Converted, Outcome};

use std::io::{self, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

/// Why an Outlook file (as a whole) could not be read. A single item that
/// cannot be read is an [`Outcome::Failed`] instead, and the rest is read.
#[derive(Debug, thiserror::Error)]
pub enum OutlookError {
    #[error("cannot read the file: {0}")]
    Io(#[from] io::Error),
    #[error("not an Outlook data file (no !BDN signature)")]
    NotPst,
    #[error("{0}: not supported")]
    Unsupported(String),
    #[error("damaged or truncated Outlook data file: {0}")]
    Damaged(io::Error),
    #[error("not an Outlook item (.msg): {0}")]
    NotMsg(io::Error),
}

/// The first bytes of a PST/OST file ([MS-PST] 2.2.2.6 `dwMagic`).
pub const PST_MAGIC: &[u8; 4] = b"!BDN";
/// The first bytes of a compound file ([MS-CFB] 2.2), which a `.msg` is.
pub const COMPOUND_FILE_MAGIC: &[u8; 8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Which Outlook file a path is, by its first bytes (the extension may lie,
/// or be missing on a file saved from a browser).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `.pst` or `.ost`.
    DataFile,
    /// `.msg` (or another compound file, which reading then refuses).
    Item,
}

impl FileKind {
    pub fn of(path: &Path) -> io::Result<Option<FileKind>> {
        let mut magic = [0u8; 8];
        let mut file = std::fs::File::open(path)?;
        let mut read = 0;
        while read < magic.len() {
            match file.read(&mut magic[read..])? {
                0 => break,
                n => read += n,
            }
        }
        Ok(if magic.starts_with(PST_MAGIC) {
            Some(FileKind::DataFile)
        } else if read == magic.len() && &magic == COMPOUND_FILE_MAGIC {
            Some(FileKind::Item)
        } else {
            None
        })
    }
}

/// Runs a read of a file's contents, turning a panic of the reading crate
/// on corrupt data (`outlook-pst` has `expect`s and unchecked slicing) into
/// an error for that item: one bad item never ends the import.
pub(crate) fn guarded<T>(read: impl FnOnce() -> io::Result<T>) -> io::Result<T> {
    match catch_unwind(AssertUnwindSafe(read)) {
        Ok(result) => result,
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|text| text.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the reader failed on damaged data (panic: {message})"),
            ))
        }
    }
}
