//! Archive jobs: read a mailbox's selected folders over IMAP and store every
//! new message.
//!
//! Per folder the engine remembers UIDVALIDITY and the highest archived UID
//! (`folder_checkpoints`). It fetches the UIDs above that in batches; each
//! message's bytes are hashed, compressed and written durably to the blob store
//! first, then one database transaction records the batch's messages, their
//! locations and the new checkpoint together. A run killed at any point
//! therefore resumes from the last committed batch: blobs written after it are
//! found again by their hash, and nothing is recorded twice. A changed
//! UIDVALIDITY rescans the folder, relying on the same deduplication.
//!
//! After-archive actions (tag, move, delete) are not implemented yet; profiles
//! asking for them are refused when saved.

mod batch;
pub mod log;

pub use log::{FolderLog, JobLog, JobStatus};

use crate::db::entity::{folder_checkpoint, job, message_location};
use crate::imap::{self, ImapError, ListedFolder, Session};
use crate::mailbox::{Folder, FolderRules, MailboxError, MailboxRow, Mailboxes, SpecialUse};
use crate::store::BlobStore;
use batch::{Batch, FetchedMessage};
use chrono::Utc;
use futures::stream::FuturesOrdered;
use futures::{StreamExt, TryStreamExt};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, Set,
};
use std::sync::Arc;
use std::time::Duration;

/// Messages per database transaction: large enough to amortise the commit,
/// small enough that memory stays bounded (batch bytes are capped too).
const BATCH_MESSAGES: usize = 200;
const BATCH_BYTES: usize = 64 * 1024 * 1024;
/// Messages being stored at once while the next ones are fetched; also bounds
/// the memory held in message bodies to this many messages.
const STORE_TASKS_IN_FLIGHT: usize = 8;
/// How long fetching may go without a single message before the run is declared stalled.
const STALL_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Mailbox(#[from] MailboxError),
    #[error(transparent)]
    Imap(#[from] ImapError),
    #[error("storing a message failed: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("the folder rules are invalid: {0}")]
    Rules(String),
    #[error("storing a message stopped unexpectedly: {0}")]
    StoreTask(#[from] tokio::task::JoinError),
    #[error("no message arrived for {} s: the server or the connection stalled", .0.as_secs())]
    Stalled(Duration),
}

pub struct Engine {
    db: DatabaseConnection,
    store: Arc<BlobStore>,
    mailboxes: Arc<Mailboxes>,
}

impl Engine {
    pub fn new(db: DatabaseConnection, store: Arc<BlobStore>, mailboxes: Arc<Mailboxes>) -> Self {
        Engine {
            db,
            store,
            mailboxes,
        }
    }

    /// Runs one archive job for the named mailbox and records its log. A job that
    /// fails (cannot log in, connection lost) returns `Ok` with a failed log;
    /// `Err` means the job could not even be recorded.
    pub async fn archive(&self, mailbox_name: &str) -> Result<JobLog, EngineError> {
        let mailbox = self.mailboxes.by_name(mailbox_name).await?;
        let started_at = Utc::now();
        let job = job::ActiveModel {
            mailbox_id: Set(mailbox.id),
            status: Set(JobStatus::Running.as_str().into()),
            started_at: Set(started_at),
            finished_at: Set(None),
            error: Set(None),
            log: Set("{}".into()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;

        let mut log = JobLog::new(&mailbox.name, started_at);
        if let Err(error) = self.run(&mailbox, &mut log).await {
            tracing::warn!(mailbox = %mailbox.name, %error, "archive job failed");
            log.fail(error.to_string());
        }
        log.finish(Utc::now());

        let mut finished: job::ActiveModel = job.into();
        finished.status = Set(log.status.as_str().into());
        finished.finished_at = Set(log.finished_at);
        finished.error = Set(log.error.clone());
        finished.log = Set(serde_json::to_string(&log).expect("job logs serialise"));
        finished.update(&self.db).await?;
        Ok(log)
    }

    async fn run(&self, mailbox: &MailboxRow, log: &mut JobLog) -> Result<(), EngineError> {
        let rules = FolderRules::parse(&mailbox.folder_rules).map_err(|errors| {
            EngineError::Rules(
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        let (endpoint, credentials) = self.mailboxes.connection(mailbox)?;
        let mut session = imap::open(&endpoint, &credentials).await?;
        let folders = imap::list_folders(&mut session, endpoint.timeout).await?;
        // A failing folder is recorded and the job goes on with the next one;
        // the job as a whole is then marked failed.
        for folder in folders.iter().filter(|folder| selected(&rules, folder)) {
            let folder_log = self
                .archive_folder(&mut session, mailbox, folder, endpoint.timeout)
                .await;
            log.add_folder(folder_log);
        }
        let _ = imap::logout(session, endpoint.timeout).await;
        Ok(())
    }

    async fn archive_folder(
        &self,
        session: &mut Session,
        mailbox: &MailboxRow,
        folder: &ListedFolder,
        timeout: Duration,
    ) -> FolderLog {
        let mut folder_log = FolderLog::new(&folder.name);
        if let Err(error) = self
            .sync_folder(session, mailbox, folder, timeout, &mut folder_log)
            .await
        {
            folder_log.error = Some(error.to_string());
        }
        folder_log
    }

    async fn sync_folder(
        &self,
        session: &mut Session,
        mailbox: &MailboxRow,
        folder: &ListedFolder,
        timeout: Duration,
        folder_log: &mut FolderLog,
    ) -> Result<(), EngineError> {
        let status = tokio::time::timeout(timeout, session.examine(&folder.name))
            .await
            .map_err(|_| ImapError::Timeout {
                step: "opening a folder",
                after: timeout,
            })?
            .map_err(ImapError::Protocol)?;
        folder_log.server_count = u64::from(status.exists);
        let uid_validity = i64::from(status.uid_validity.unwrap_or(0));
        let checkpoint = self.checkpoint(mailbox.id, &folder.name).await?;
        let last_uid = match &checkpoint {
            Some(checkpoint) if checkpoint.uid_validity == uid_validity => checkpoint.last_uid,
            Some(_) => {
                tracing::info!(mailbox = %mailbox.name, folder = %folder.name, "UIDVALIDITY changed: rescanning the folder");
                0
            }
            None => 0,
        };

        if status.exists > 0 {
            let first_uid = u32::try_from(last_uid + 1).unwrap_or(u32::MAX);
            let mut stream = session
                .uid_fetch(
                    format!("{first_uid}:*"),
                    "(UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])",
                )
                .await
                .map_err(ImapError::Protocol)?;
            let mut batch = Batch::new(mailbox, &folder.name, uid_validity);
            // Storing (hash, compress, write, fsync) runs on the blocking pool while
            // the next messages arrive. Results are taken in fetch order, so every
            // committed batch is a prefix of the folder's UIDs and the checkpoint
            // never passes a message that is not recorded.
            let mut in_flight = FuturesOrdered::new();
            loop {
                let next = tokio::time::timeout(STALL_TIMEOUT, stream.try_next())
                    .await
                    .map_err(|_| EngineError::Stalled(STALL_TIMEOUT))?
                    .map_err(ImapError::Protocol)?;
                let Some(fetch) = next else { break };
                let Some(uid) = fetch.uid else { continue };
                // `n:*` always returns the highest message, even when its UID is below n.
                if i64::from(uid) <= last_uid {
                    continue;
                }
                match fetch.body() {
                    Some(body) => {
                        let message = FetchedMessage::new(uid, body.to_vec(), &fetch);
                        in_flight.push_back(self.store_blob(message));
                    }
                    None => folder_log.record_failure(uid, "the server sent no message body"),
                }
                while in_flight.len() >= STORE_TASKS_IN_FLIGHT {
                    let stored = in_flight.next().await.expect("in_flight is not empty")?;
                    batch.push(stored);
                    if batch.len() >= BATCH_MESSAGES || batch.bytes() >= BATCH_BYTES {
                        batch.commit(&self.db, folder_log).await?;
                    }
                }
            }
            while let Some(stored) = in_flight.next().await {
                batch.push(stored?);
            }
            batch.commit(&self.db, folder_log).await?;
        }

        folder_log.archived_total = message_location::Entity::find()
            .filter(message_location::Column::MailboxId.eq(mailbox.id))
            .filter(message_location::Column::Folder.eq(folder.name.as_str()))
            .filter(message_location::Column::UidValidity.eq(uid_validity))
            .count(&self.db)
            .await?;
        Ok(())
    }

    /// Writes the blob (durable on return) and reads the metadata, off the async threads.
    async fn store_blob(
        &self,
        message: FetchedMessage,
    ) -> Result<batch::StoredMessage, EngineError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || message.store(&store))
            .await?
            .map_err(EngineError::Store)
    }

    async fn checkpoint(
        &self,
        mailbox_id: i64,
        folder: &str,
    ) -> Result<Option<folder_checkpoint::Model>, DbErr> {
        folder_checkpoint::Entity::find()
            .filter(folder_checkpoint::Column::MailboxId.eq(mailbox_id))
            .filter(folder_checkpoint::Column::Folder.eq(folder))
            .one(&self.db)
            .await
    }
}

fn selected(rules: &FolderRules, folder: &ListedFolder) -> bool {
    if !folder.is_selectable() {
        return false;
    }
    let special_use = folder
        .attributes
        .iter()
        .find_map(|attribute| SpecialUse::from_attribute(attribute));
    rules.selects(&Folder {
        path: folder.path(),
        special_use,
    })
}
