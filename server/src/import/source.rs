//! What an import path holds: single `.eml` files, mbox files, Maildir
//! folders. Each becomes a folder of the import mailbox; its messages are
//! read one at a time.

use super::mbox::MboxReader;
use chrono::{DateTime, Utc};
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
    Eml(Vec<PathBuf>),
    Mbox,
    Maildir,
}

/// A message as read from a source.
pub struct SourceMessage {
    pub bytes: Vec<u8>,
    pub flags: Vec<String>,
    pub internal_date: Option<DateTime<Utc>>,
}

/// What `discover` found.
#[derive(Debug, Default)]
pub struct Discovered {
    pub sources: Vec<Source>,
    /// Files inside searched directories that are not mail (README, indexes…).
    pub ignored: Vec<PathBuf>,
}

/// Finds the sources under `paths`: a Maildir (has `cur/`), `.eml` files, an
/// mbox (any other file starting with a `From ` envelope line; many single
/// `.eml` files start with one too, so the extension decides first).
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
    let is_eml = path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("eml"));
    if !is_eml && starts_with_envelope(path)? {
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
    /// Calls `each` with every message in order; stops at the first error of
    /// `each`. A message that cannot be read is passed as `Err` with its reason.
    pub fn read_messages(
        &self,
        mut each: impl FnMut(Result<SourceMessage, String>) -> bool,
    ) -> io::Result<()> {
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
                    let message = SourceMessage {
                        bytes,
                        flags: Vec::new(),
                        internal_date: None,
                    };
                    if !each(Ok(message)) {
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
        }
        Ok(())
    }
}

fn read_file(path: &Path, flags: Vec<String>) -> Result<SourceMessage, String> {
    let bytes = std::fs::read(path).map_err(|error| format!("{}: {error}", path.display()))?;
    let internal_date = std::fs::metadata(path)
        .and_then(|metadata| metadata.modified())
        .ok()
        .map(DateTime::<Utc>::from);
    Ok(SourceMessage {
        bytes,
        flags,
        internal_date,
    })
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
            .read_messages(|message| {
                flags.push(message.unwrap().flags);
                true
            })
            .unwrap();
        assert_eq!(
            flags,
            [vec!["\\Seen".to_string(), "\\Flagged".to_string()], vec![]]
        );
    }
}
