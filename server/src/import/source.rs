//! What an import path holds: single `.eml` and `.msg` files, mbox files,
//! Maildir folders, Outlook data files (`.pst`/`.ost`, one source per folder
//! of the file's tree). Each becomes a folder of the import mailbox; its
//! messages are read one at a time.
//!
//! An Outlook item is not RFC 5322: it is converted (`outlook`), and the
//! message carries its [`ConvertedFrom`]. Items that are not mail (contacts,
//! calendar items, notes…) are handed over as skipped, by kind.

use super::mbox::MboxReader;
use super::outlook::pst::{PstFolderInfo, PstReader};
use super::outlook::{self, FileKind, Outcome};
use crate::engine::message::ConvertedFrom;
use chrono::{DateTime, Utc};
use sha2::{Digest as _, Sha256};
use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// One folder of messages to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The folder name in the archive: the Maildir's or mbox's name, or
    /// `Import` for loose `.eml` files.
    pub folder: String,
    pub kind: SourceKind,
    /// What the source is, for messages in the job log.
    pub path: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind {
    /// Loose files: `.eml`, and `.msg` (converted).
    Eml(Vec<PathBuf>),
    Mbox,
    Maildir,
    /// One folder of an Outlook data file (`path` is the file).
    OutlookFolder {
        /// The folder's node id in the file.
        node: u32,
        /// Its path in the file (`Inbox/Projects`; empty for the top).
        folder_in_file: String,
        /// SHA-256 of the whole file, for the provenance.
        file_sha256: String,
    },
}

/// What a source hands over for each of its items, in order.
pub enum SourceItem {
    Message(SourceMessage),
    /// Not mail (an Outlook contact, calendar item, note…): counted and
    /// named in the job log, not imported; the reason says what it is.
    Skipped(String),
    /// Could not be read, with the reason (naming the item).
    Failed(String),
}

/// A message as read from a source.
pub struct SourceMessage {
    pub bytes: Vec<u8>,
    pub flags: Vec<String>,
    pub internal_date: Option<DateTime<Utc>>,
    /// Set when the bytes are a conversion (an Outlook item).
    pub converted_from: Option<ConvertedFrom>,
    /// Parts a conversion left out because they could not be read.
    pub defects: Vec<String>,
}

impl SourceMessage {
    fn as_found(bytes: Vec<u8>, flags: Vec<String>, internal_date: Option<DateTime<Utc>>) -> Self {
        SourceMessage {
            bytes,
            flags,
            internal_date,
            converted_from: None,
            defects: Vec::new(),
        }
    }
}

/// What `discover` found.
#[derive(Debug, Default)]
pub struct Discovered {
    pub sources: Vec<Source>,
    /// Files inside searched directories that are not mail (README, indexes…).
    pub ignored: Vec<PathBuf>,
    /// Outlook data files, or folders of them, that could not be read: the
    /// archive folder they would have become, and why. The rest is imported.
    pub unreadable: Vec<Unreadable>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub folder: String,
    pub reason: String,
}

/// Finds the sources under `paths`: a Maildir (has `cur/`), `.eml` files, an
/// Outlook data file or `.msg` (by their first bytes, or a `.pst`/`.ost`
/// name), an mbox (any other file starting with a `From ` envelope line;
/// many single `.eml` files start with one too, so the extension decides
/// first).
/// Directories that are not Maildirs are searched recursively; files named
/// on the command line are imported as single messages if nothing else,
/// other files found in directories are ignored and reported.
pub fn discover(paths: &[PathBuf]) -> io::Result<Discovered> {
    let mut found = Discovered::default();
    let mut loose = Vec::new();
    for path in paths {
        discover_path(path, true, &mut found, &mut loose)?;
    }
    let mut sources = std::mem::take(&mut found.sources);
    if !loose.is_empty() {
        loose.sort();
        sources.push(Source {
            folder: "Import".into(),
            path: loose[0].parent().map(Path::to_path_buf).unwrap_or_default(),
            kind: SourceKind::Eml(loose),
        });
    }
    found.sources = sources;
    Ok(found)
}

fn discover_path(
    path: &Path,
    named: bool,
    found: &mut Discovered,
    loose: &mut Vec<PathBuf>,
) -> io::Result<()> {
    let metadata = std::fs::metadata(path)
        .map_err(|error| io::Error::new(error.kind(), format!("{}: {error}", path.display())))?;
    if metadata.is_dir() {
        if path.join("cur").is_dir() {
            found.sources.push(Source {
                folder: folder_name(path),
                kind: SourceKind::Maildir,
                path: path.to_path_buf(),
            });
            return Ok(());
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .map(|entry| entry.map(|entry| entry.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for entry in entries {
            discover_path(&entry, false, found, loose)?;
        }
        return Ok(());
    }
    let extension = path
        .extension()
        .map(|extension| extension.to_string_lossy().to_ascii_lowercase());
    let is_eml = extension.as_deref() == Some("eml");
    let outlook = FileKind::of(path)?;
    let is_data_file = matches!(extension.as_deref(), Some("pst" | "ost"));
    if outlook == Some(FileKind::DataFile) || is_data_file {
        discover_data_file(path, found);
    } else if outlook == Some(FileKind::Item) {
        loose.push(path.to_path_buf());
    } else if !is_eml && starts_with_envelope(path)? {
        found.sources.push(Source {
            folder: folder_name(path),
            kind: SourceKind::Mbox,
            path: path.to_path_buf(),
        });
    } else if is_eml || named {
        loose.push(path.to_path_buf());
    } else {
        found.ignored.push(path.to_path_buf());
    }
    Ok(())
}

/// One source per folder of an Outlook data file, named `<file stem>/<path
/// in the file>`; two sibling folders of one name get `(2)`, `(3)`… so each
/// keeps its own numbering. A file or folder that cannot be read is noted
/// in `found.unreadable`.
fn discover_data_file(path: &Path, found: &mut Discovered) {
    let top = folder_name(path);
    let unreadable = |folder: String, reason: String| Unreadable { folder, reason };
    let read = PstReader::open(path).and_then(|reader| reader.folders());
    let (folders, errors) = match read {
        Ok(read) => read,
        Err(error) => {
            found.unreadable.push(unreadable(top, error.to_string()));
            return;
        }
    };
    let file_sha256 = match file_sha256(path) {
        Ok(digest) => digest,
        Err(error) => {
            found.unreadable.push(unreadable(top, error.to_string()));
            return;
        }
    };
    for error in errors {
        let parent = archive_folder(&top, &error.parent.join("/"));
        found.unreadable.push(unreadable(
            format!("{parent}/(folder {:#x})", error.node),
            format!(
                "{}: folder {:#x}: {}",
                path.display(),
                error.node,
                error.reason
            ),
        ));
    }
    let mut taken = BTreeSet::new();
    for PstFolderInfo {
        path: in_file,
        node,
        ..
    } in folders
    {
        let folder_in_file = in_file.join("/");
        let mut folder = archive_folder(&top, &folder_in_file);
        let mut count = 1;
        while !taken.insert(folder.clone()) {
            count += 1;
            folder = format!("{} ({count})", archive_folder(&top, &folder_in_file));
        }
        found.sources.push(Source {
            folder,
            path: path.to_path_buf(),
            kind: SourceKind::OutlookFolder {
                node,
                folder_in_file,
                file_sha256: file_sha256.clone(),
            },
        });
    }
}

fn archive_folder(top: &str, folder_in_file: &str) -> String {
    if folder_in_file.is_empty() {
        top.to_string()
    } else {
        format!("{top}/{folder_in_file}")
    }
}

/// SHA-256 of a file, read in pieces.
fn file_sha256(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 20];
    loop {
        match file.read(&mut buffer)? {
            0 => break,
            n => hasher.update(&buffer[..n]),
        }
    }
    Ok(hex::encode(hasher.finalize()))
}

fn folder_name(path: &Path) -> String {
    path.file_stem()
        .map(|name| name.to_string_lossy().trim_start_matches('.').to_string())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "Import".into())
}

fn starts_with_envelope(path: &Path) -> io::Result<bool> {
    let mut first_line = Vec::new();
    BufReader::new(File::open(path)?)
        .take(1000)
        .read_until(b'\n', &mut first_line)?;
    Ok(super::mbox::is_envelope(&first_line))
}

impl Source {
    /// Calls `each` with every item in order; stops when `each` returns
    /// false. A message that cannot be read is passed as `Failed`.
    pub fn read_messages(&self, mut each: impl FnMut(SourceItem) -> bool) -> io::Result<()> {
        match &self.kind {
            SourceKind::Eml(files) => {
                for file in files {
                    if !each(read_file(file, Vec::new())) {
                        break;
                    }
                }
            }
            SourceKind::Mbox => {
                let mut reader =
                    MboxReader::new(BufReader::with_capacity(1 << 20, File::open(&self.path)?));
                while let Some(bytes) = reader.next_message()? {
                    let message = SourceMessage::as_found(bytes, Vec::new(), None);
                    if !each(SourceItem::Message(message)) {
                        break;
                    }
                }
            }
            SourceKind::Maildir => {
                let mut files = Vec::new();
                for sub in ["cur", "new"] {
                    let dir = self.path.join(sub);
                    if dir.is_dir() {
                        for entry in std::fs::read_dir(dir)? {
                            files.push(entry?.path());
                        }
                    }
                }
                files.sort();
                for file in files {
                    let flags = maildir_flags(&file);
                    if !each(read_file(&file, flags)) {
                        break;
                    }
                }
            }
            SourceKind::OutlookFolder {
                node,
                folder_in_file,
                file_sha256,
            } => {
                let reader = PstReader::open(&self.path).map_err(io::Error::other)?;
                let file = file_name(&self.path);
                reader
                    .read_folder(*node, |entry| {
                        let provenance = |entry_id| ConvertedFrom {
                            file: file.clone(),
                            file_sha256: file_sha256.clone(),
                            folder: folder_in_file.clone(),
                            entry_id,
                        };
                        let item = match entry.outcome {
                            Outcome::Failed(reason) => SourceItem::Failed(format!(
                                "{}: folder {folder_in_file:?}, message {:#x}: {reason}",
                                self.path.display(),
                                entry.node
                            )),
                            outcome => converted(outcome, provenance),
                        };
                        each(item)
                    })
                    .map_err(io::Error::other)?;
            }
        }
        Ok(())
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A converted Outlook item as a source item.
fn converted(
    outcome: Outcome,
    provenance: impl FnOnce(Option<String>) -> ConvertedFrom,
) -> SourceItem {
    match outcome {
        Outcome::Message(message) => SourceItem::Message(SourceMessage {
            bytes: message.bytes,
            flags: message.flags,
            internal_date: message.received,
            converted_from: Some(provenance(message.entry_id)),
            defects: message.defects,
        }),
        Outcome::Skipped(kind) => {
            SourceItem::Skipped(format!("a {}: not mail, not imported", kind.name()))
        }
        Outcome::Failed(reason) => SourceItem::Failed(reason),
    }
}

/// A loose file: an `.eml` as it is, a `.msg` converted.
fn read_file(path: &Path, flags: Vec<String>) -> SourceItem {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => return SourceItem::Failed(format!("{}: {error}", path.display())),
    };
    let internal_date = std::fs::metadata(path)
        .and_then(|metadata| metadata.modified())
        .ok()
        .map(DateTime::<Utc>::from);
    if !bytes.starts_with(outlook::COMPOUND_FILE_MAGIC) {
        return SourceItem::Message(SourceMessage::as_found(bytes, flags, internal_date));
    }
    let file_sha256 = hex::encode(Sha256::digest(&bytes));
    let file = file_name(path);
    match outlook::msg::read_msg(io::Cursor::new(bytes), file.as_bytes()) {
        Ok(outcome) => {
            let item = converted(outcome, |entry_id| ConvertedFrom {
                file,
                file_sha256,
                folder: String::new(),
                entry_id,
            });
            match item {
                // A .msg keeps no arrival time of its own that `outcome`
                // did not find; the file's is better than none.
                SourceItem::Message(mut message) => {
                    message.internal_date = message.internal_date.or(internal_date);
                    SourceItem::Message(message)
                }
                other => other,
            }
        }
        Err(error) => SourceItem::Failed(format!("{}: {error}", path.display())),
    }
}

/// Maildir info flags (`…:2,FRS`) as IMAP flags.
fn maildir_flags(path: &Path) -> Vec<String> {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some((_, info)) = name.rsplit_once(":2,") else {
        return Vec::new();
    };
    info.chars()
        .filter_map(|flag| match flag {
            'S' => Some("\\Seen"),
            'R' => Some("\\Answered"),
            'F' => Some("\\Flagged"),
            'T' => Some("\\Deleted"),
            'D' => Some("\\Draft"),
            _ => None,
        })
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_maildirs_mboxes_and_loose_files() {
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("Projects");
        std::fs::create_dir_all(maildir.join("cur")).unwrap();
        std::fs::create_dir_all(maildir.join("new")).unwrap();
        std::fs::write(maildir.join("cur/1.host:2,SF"), "Subject: a\n\nA\n").unwrap();
        std::fs::write(maildir.join("new/2.host"), "Subject: b\n\nB\n").unwrap();
        std::fs::write(
            dir.path().join("old.mbox"),
            "From x Mon Jan 1 00:00:00 2024\nSubject: c\n\nC\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("one.eml"), "Subject: d\n\nD\n").unwrap();

        std::fs::write(dir.path().join("README.txt"), "not mail").unwrap();
        let found = discover(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(found.ignored, [dir.path().join("README.txt")]);
        let sources = found.sources;
        let folders: Vec<&str> = sources
            .iter()
            .map(|source| source.folder.as_str())
            .collect();
        assert_eq!(folders, ["Projects", "old", "Import"]);

        let mut flags = Vec::new();
        sources[0]
            .read_messages(|item| {
                let SourceItem::Message(message) = item else {
                    panic!("every file is a message")
                };
                flags.push(message.flags);
                true
            })
            .unwrap();
        assert_eq!(
            flags,
            [vec!["\\Seen".to_string(), "\\Flagged".to_string()], vec![]]
        );
    }
}
