//! Importing mail from files — `.eml`, mbox, Maildir, Outlook `.pst`/`.ost`
//! and `.msg` — into a mailbox of the archive: a source of the engine's
//! ingest pipeline, as IMAP and Graph are, so the same store, deduplication
//! and job log.
//!
//! - `source` — what a path holds, read one message at a time.
//! - `mbox` — the streaming mbox reader.
//! - `outlook` — Outlook files read and converted to MIME; such a message is
//!   recorded as *converted*, with its provenance, on its location.
//!
//! Files are read on a blocking thread that hands messages over a small
//! channel, so memory holds a few messages whatever the size of the file.
//! Each source is a folder; its messages are numbered in file order, and the
//! folder checkpoint remembers how far an import got, so importing the same
//! file again (or after a crash) stores nothing twice.

pub mod mbox;
pub mod outlook;
mod source;

pub use source::{Discovered, Source, SourceItem, SourceKind, Unreadable, discover};

use crate::engine::message::FetchedMessage;
use crate::engine::pipeline::{CheckpointRule, IN_FLIGHT, Pipeline, Sink};
use crate::engine::{
    self, Duplicates, EngineError, FolderLog, JobLog, MessageNote, SourceFolder, progress,
};
use crate::mailbox::{MailboxError, MailboxRow, Mailboxes};
use crate::store::BlobStore;
use chrono::Utc;
use sea_orm::{DatabaseConnection, DbErr};
use sha2::{Digest as _, Sha256};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read the import: {0}")]
    Io(#[from] std::io::Error),
    #[error("nothing to import: no .eml, .msg, .pst, .ost, mbox or Maildir under the given paths")]
    Empty,
    #[error(transparent)]
    Mailbox(#[from] MailboxError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

pub struct Importer {
    db: DatabaseConnection,
    store: Arc<BlobStore>,
    mailboxes: Arc<Mailboxes>,
}

impl Importer {
    pub fn new(db: DatabaseConnection, store: Arc<BlobStore>, mailboxes: Arc<Mailboxes>) -> Self {
        Importer {
            db,
            store,
            mailboxes,
        }
    }

    /// Imports everything under `paths` into the import mailbox `name` of
    /// `owner_id` (created on first use) and records the job.
    pub async fn import(
        &self,
        owner_id: Option<i64>,
        name: &str,
        paths: &[PathBuf],
    ) -> Result<JobLog, ImportError> {
        let discovered = paths.to_vec();
        let Discovered {
            sources,
            ignored,
            unreadable,
        } = tokio::task::spawn_blocking(move || discover(&discovered))
            .await
            .map_err(EngineError::StoreTask)??;
        for path in &ignored {
            tracing::warn!(path = %path.display(), "not imported: not a mail file or folder");
        }
        if sources.is_empty() && unreadable.is_empty() {
            return Err(ImportError::Empty);
        }
        let mailbox = self.mailboxes.import_target(owner_id, name).await?;
        let started_at = Utc::now();
        let job = engine::record_start(&self.db, mailbox.id, started_at).await?;
        let mut log = JobLog::new(&mailbox.name, started_at);
        // An Outlook file or folder that could not be read is a folder of the
        // log with its error (so the job says it failed); the rest is imported.
        for Unreadable { folder, reason } in unreadable {
            let mut folder_log = FolderLog::new(&folder);
            folder_log.error = Some(reason);
            log.add_folder(folder_log);
        }
        for source in sources {
            let mut folder_log = FolderLog::new(&source.folder);
            if let Err(error) = self.import_source(&mailbox, &source, &mut folder_log).await {
                folder_log.error = Some(format!("{}: {error}", source.path.display()));
            }
            log.add_folder(folder_log);
        }
        log.finish(Utc::now());
        engine::record_finish(&self.db, job, &log).await?;
        Ok(log)
    }

    async fn import_source(
        &self,
        mailbox: &MailboxRow,
        source: &Source,
        log: &mut FolderLog,
    ) -> Result<(), ImportError> {
        let folder = SourceFolder {
            mailbox_id: mailbox.id,
            name: source.folder.clone(),
            uid_validity: source_identity(source),
        };
        let checkpoint = folder
            .checkpoint(&self.db)
            .await?
            .filter(|row| row.uid_validity == folder.uid_validity)
            .map_or(0, |row| u32::try_from(row.last_uid).unwrap_or(0));

        // The reader keeps ahead by as many messages as the pipeline stages.
        let (sender, mut receiver) = tokio::sync::mpsc::channel(IN_FLIGHT);
        let reading = source.clone();
        let reader = tokio::task::spawn_blocking(move || {
            let mut ordinal: u32 = 0;
            reading.read_messages(|message| {
                ordinal += 1;
                sender.blocking_send((ordinal, message)).is_ok()
            })
        });

        let (progress, _) = progress::channel(&mailbox.name);
        let sink = Sink {
            db: &self.db,
            store: &self.store,
            mailbox,
            duplicates: Duplicates::read(mailbox)?,
            progress: &progress,
        };
        // A message that could not be read holds the checkpoint below it,
        // so a later import tries it again.
        let mut pipeline = Pipeline::new(sink, folder.clone(), CheckpointRule::Settled);
        while let Some((ordinal, item)) = receiver.recv().await {
            log.server_count += 1;
            match item {
                // Counted in every run, below the checkpoint too, so that the
                // folder reconciles (nothing of it is in the archive).
                SourceItem::Skipped(reason) => {
                    log.skipped += 1;
                    log.record_skip(ordinal, &reason);
                }
                _ if ordinal <= checkpoint => {}
                SourceItem::Message(message) => {
                    if !message.defects.is_empty() {
                        log.incomplete.push(MessageNote {
                            uid: ordinal,
                            reason: message.defects.join("; "),
                        });
                    }
                    let mut fetched = FetchedMessage::new(
                        ordinal,
                        message.bytes,
                        message.flags,
                        message.internal_date,
                    );
                    if let Some(provenance) = message.converted_from {
                        fetched = fetched.converted_from(provenance);
                    }
                    pipeline.push(fetched, log).await?;
                }
                SourceItem::Failed(reason) => {
                    let _ = pipeline.fail(ordinal, &reason, None, log);
                }
            }
        }
        pipeline.settle(log).await?;
        reader.await.map_err(EngineError::StoreTask)??;

        log.archived_total = folder.archived_count(&self.db).await?;
        Ok(())
    }
}

/// Distinguishes sources with the same folder name (two `INBOX` Maildirs from
/// different places) the way UIDVALIDITY distinguishes IMAP folder
/// incarnations; an Outlook folder by its file and node.
fn source_identity(source: &Source) -> i64 {
    let path = std::fs::canonicalize(&source.path).unwrap_or_else(|_| source.path.clone());
    let mut identity = path.to_string_lossy().into_owned();
    if let SourceKind::OutlookFolder { node, .. } = source.kind {
        identity.push_str(&format!("#{node}"));
    }
    let digest = Sha256::digest(identity.as_bytes());
    i64::from(u32::from_be_bytes([
        digest[0], digest[1], digest[2], digest[3],
    ]))
}
