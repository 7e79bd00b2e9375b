//! Writing archived messages out as they were archived: a zip of `.eml`
//! files or one mbox (mboxrd). Both are written to any `Write`, one message
//! at a time straight from the blob store, from an iterator that reads the
//! selection a page at a time (`super::ExportItems`), so an export of any
//! size needs the memory of one page of rows and one message, and the web
//! streams it as it is written.

use crate::store::{BlobStore, Digest, StoreError};
use chrono::{DateTime, Utc};
use std::io::{self, BufRead, BufReader, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// One message to export.
#[derive(Debug, Clone)]
pub struct ExportItem {
    pub digest: Digest,
    pub subject: Option<String>,
    pub date: Option<DateTime<Utc>>,
    /// The envelope sender for the mbox `From ` line.
    pub sender: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The next page of the selection could not be read.
    #[error(transparent)]
    Selection(#[from] super::service::ViewerError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("writing the export: {0}")]
    Io(#[from] io::Error),
    #[error("writing the zip file: {0}")]
    Zip(#[from] zip::result::ZipError),
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportSummary {
    pub messages: u64,
    pub bytes: u64,
    /// mbox only: messages that did not end with a line break; mbox needs
    /// one there, so they read back one line break longer (the zip is exact).
    pub line_break_added: u64,
}

/// A zip of one `.eml` per message, named by date, subject and hash.
pub fn write_zip(
    store: &BlobStore,
    items: impl IntoIterator<Item = Result<ExportItem, super::service::ViewerError>>,
    out: impl Write,
) -> Result<ExportSummary, ExportError> {
    let mut zip = ZipWriter::new_stream(out).set_auto_large_file();
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(false);
    let mut summary = ExportSummary::default();
    for item in items {
        let item = item?;
        zip.start_file(eml_name(&item), options)?;
        let mut reader = store.open_reader(&item.digest)?;
        summary.bytes += io::copy(&mut reader, &mut zip)?;
        summary.messages += 1;
    }
    zip.finish()?;
    Ok(summary)
}

/// `2024-03-05_Rechnung für März_1a2b3c4d.eml`: sorts by date, says what it
/// is, and is unique.
pub fn eml_name(item: &ExportItem) -> String {
    let date = item
        .date
        .map(|date| date.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "undated".into());
    let subject: String = item
        .subject
        .as_deref()
        .unwrap_or("")
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .take(60)
        .collect();
    let subject = subject.trim();
    let hash = &item.digest.to_string()[..8];
    if subject.is_empty() {
        format!("{date}_{hash}.eml")
    } else {
        format!("{date}_{subject}_{hash}.eml")
    }
}

/// One mbox file in the mboxrd variant: a `From ` line before each message,
/// every line starting with `From ` (after any number of `>`) gets one more
/// `>`, and an empty line after each message — exactly what `import` reads
/// back to the same bytes.
pub fn write_mbox(
    store: &BlobStore,
    items: impl IntoIterator<Item = Result<ExportItem, super::service::ViewerError>>,
    mut out: impl Write,
) -> Result<ExportSummary, ExportError> {
    let mut summary = ExportSummary::default();
    for item in items {
        let item = item?;
        writeln!(out, "{}", envelope_line(&item))?;
        let mut reader = BufReader::new(store.open_reader(&item.digest)?);
        let mut line = Vec::new();
        let mut ended_with_break = true;
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line)? == 0 {
                break;
            }
            summary.bytes += line.len() as u64;
            let quotes = line.iter().take_while(|byte| **byte == b'>').count();
            if line[quotes..].starts_with(b"From ") {
                out.write_all(b">")?;
            }
            out.write_all(&line)?;
            ended_with_break = line.ends_with(b"\n");
        }
        if !ended_with_break {
            out.write_all(b"\n")?;
            summary.line_break_added += 1;
        }
        out.write_all(b"\n")?;
        summary.messages += 1;
    }
    out.flush()?;
    Ok(summary)
}

/// `From sender Sat Jan  3 01:05:34 1996`.
fn envelope_line(item: &ExportItem) -> String {
    let sender = item
        .sender
        .as_deref()
        .filter(|sender| !sender.is_empty() && !sender.contains(char::is_whitespace))
        .unwrap_or("MAILER-DAEMON");
    let date = item.date.unwrap_or(DateTime::UNIX_EPOCH);
    format!("From {sender} {}", date.format("%a %b %e %H:%M:%S %Y"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::mbox::MboxReader;

    #[test]
    fn mbox_reads_back_to_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let originals: Vec<&[u8]> = vec![
            b"Subject: one\n\nFrom the start\n>From quoted\n>>From twice\n\nFrom Mon Jan 1 00:00:00 2024\nend\n",
            b"Subject: crlf\r\n\r\nbody\r\n\r\n\r\n",
            b"Subject: blank end\n\nbody\n\n",
        ];
        let items: Vec<ExportItem> = originals
            .iter()
            .map(|raw| ExportItem {
                digest: store.put(raw).unwrap().digest,
                subject: None,
                date: None,
                sender: Some("a@example.com".into()),
            })
            .collect();
        let mut mbox = Vec::new();
        let summary = write_mbox(&store, items.into_iter().map(Ok), &mut mbox).unwrap();
        assert_eq!(summary.messages, 3);
        assert_eq!(summary.line_break_added, 0);
        let mut reader = MboxReader::new(&mbox[..]);
        for original in originals {
            let read = reader.next_message().unwrap().unwrap();
            assert_eq!(
                String::from_utf8_lossy(&read),
                String::from_utf8_lossy(original)
            );
        }
        assert!(reader.next_message().unwrap().is_none());
    }

    #[test]
    fn names_are_safe_and_unique() {
        let item = ExportItem {
            digest: crate::store::Digest::of(b"x"),
            subject: Some("Re: a/b: \"c\"".into()),
            date: None,
            sender: None,
        };
        let name = eml_name(&item);
        assert!(name.starts_with("undated_Re_ a_b_ _c__"), "{name}");
        assert!(name.ends_with(".eml"));
    }
}
