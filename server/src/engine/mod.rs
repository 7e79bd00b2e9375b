//! Archive jobs: read a mailbox's selected folders (over IMAP or Microsoft
//! Graph) or its POP3 maildrop and store every new message, then apply the after-archive action
//! on the server. A file import (`crate::import`) is a source of the same
//! pipeline.
//!
//! - `pipeline` — the centre: every source pushes fetched messages in and
//!   gets settled (durably committed) batches out; it owns the batch limits.
//! - `locations` — what the archive knows about a source folder: messages
//!   by UID or remote id, their count, the checkpoint and delta link.
//! - `folder` — one IMAP folder's run: checkpoint, candidates, fetch, act.
//! - `graph` — a Microsoft Graph mailbox's run: delta rounds per folder.
//! - `pop3` — a POP3 maildrop's run: new by unique id, `DELE` only when settled.
//! - `message` — a message on its way in: fetched, then staged.
//! - `batch` — recording staged messages and the checkpoint in one transaction.
//! - `action` — which settled message is tagged, moved or deleted, carried
//!   out by a `ServerFolder` (IMAP's, Graph's).
//! - `settings` — a mailbox row read into rules, filters and the action.
//! - `error`, `log`, `progress` — what ends a run, the job log, live progress.
//! - `probe` — "test connection": log in and report, change nothing.
//!
//! Each message's bytes are hashed, compressed and written durably to the blob
//! store first; then one database transaction records a batch of messages,
//! their locations and the folder's checkpoint together; only then does the
//! action touch them on the server. A run killed at any point therefore
//! resumes from the last committed batch: blobs written after it are found
//! again by their hash, nothing is recorded twice, and actions that did not
//! happen are applied by the next run.
//!
//! Modules here use each other, never this one (no cycle): `mod.rs` only
//! runs a job over them.

mod action;
pub(crate) mod batch;
mod error;
mod folder;
pub(crate) mod graph;
mod locations;
pub mod log;
pub(crate) mod message;
pub(crate) mod pipeline;
mod pop3;
pub mod probe;
pub mod progress;
mod settings;
mod window;

pub use action::{ActionContext, AfterArchive, Outcome, Settled, move_messages};
pub use error::EngineError;
pub use locations::SourceFolder;
pub use log::{FolderLog, JobLog, JobStatus, MessageNote};
pub use progress::{Progress, ProgressReceiver, ProgressSender};
pub use settings::{Duplicates, Filter, Settings};

use crate::db::entity::job;
use crate::imap;
use crate::mailbox::{MailboxRow, Mailboxes, Source};
use crate::store::BlobStore;
use chrono::Utc;
use folder::FolderContext;
use pipeline::Sink;
use sea_orm::{ActiveModelTrait, DatabaseConnection, DbErr, Set};
use std::collections::HashSet;
use std::sync::Arc;

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
        let (progress, _) = progress::channel(mailbox_name);
        self.archive_reporting(mailbox_name, &progress).await
    }

    /// `archive`, publishing live progress to `progress`.
    pub async fn archive_reporting(
        &self,
        mailbox_name: &str,
        progress: &ProgressSender,
    ) -> Result<JobLog, EngineError> {
        let mailbox = self.mailboxes.by_name(mailbox_name).await?;
        self.archive_mailbox_reporting(mailbox.id, progress).await
    }

    /// `archive_reporting` for mailbox `mailbox_id`: the scheduler's way, as
    /// names are unique only per owner.
    pub async fn archive_mailbox_reporting(
        &self,
        mailbox_id: i64,
        progress: &ProgressSender,
    ) -> Result<JobLog, EngineError> {
        let mailbox = self.mailboxes.by_id(mailbox_id).await?;
        let started_at = Utc::now();
        let job = record_start(&self.db, mailbox.id, started_at).await?;
        let mut log = JobLog::new(&mailbox.name, started_at);
        if let Err(error) = self.run(&mailbox, &mut log, progress).await {
            tracing::warn!(mailbox = %mailbox.name, %error, "archive job failed");
            log.fail(error.to_string());
        }
        log.finish(Utc::now());
        record_finish(&self.db, job, &log).await?;
        Ok(log)
    }

    async fn run(
        &self,
        mailbox: &MailboxRow,
        log: &mut JobLog,
        progress: &ProgressSender,
    ) -> Result<(), EngineError> {
        let settings = Settings::read(mailbox)?;
        let sink = Sink {
            db: &self.db,
            store: &self.store,
            mailbox,
            duplicates: settings.duplicates,
            progress,
        };
        if mailbox.source == Source::Graph.as_str() {
            return graph::archive_mailbox(sink, &self.mailboxes, &settings, log).await;
        }
        if mailbox.source == Source::Pop3.as_str() {
            return pop3::archive_mailbox(sink, &self.mailboxes, &settings, log).await;
        }
        let (endpoint, credentials) = self.mailboxes.connection(mailbox).await?;
        let imap::Connection {
            mut session,
            capabilities,
            ..
        } = imap::open(&endpoint, &credentials).await?;
        imap::enable_condstore(&mut session, &capabilities, endpoint.timeout).await?;
        let folders = imap::list_folders(&mut session, endpoint.timeout).await?;
        let mut existing_folders: HashSet<String> =
            folders.iter().map(|folder| folder.name.clone()).collect();
        let mut context = FolderContext {
            sink,
            settings: &settings,
            session: &mut session,
            capabilities: &capabilities,
            existing_folders: &mut existing_folders,
            timeout: endpoint.timeout,
            now: Utc::now(),
        };
        let selected: Vec<_> = folders
            .iter()
            .filter(|listed| settings.selects(listed))
            .collect();
        progress::update(progress, |progress| {
            progress.folders_total = selected.len();
        });
        // A failing folder is recorded and the job goes on with the next one;
        // the job as a whole is then marked failed.
        for (index, listed) in selected.into_iter().enumerate() {
            // Some providers end an OAuth session with its token (Gmail after
            // an hour): before the next folder, a token about to expire means
            // a fresh login with a renewed one.
            if index > 0 && self.mailboxes.oauth_token_expiring(mailbox).await? {
                let (endpoint, credentials) = self.mailboxes.connection(mailbox).await?;
                let fresh = imap::open(&endpoint, &credentials).await?;
                let old = std::mem::replace(context.session, fresh.session);
                imap::enable_condstore(context.session, &capabilities, endpoint.timeout).await?;
                let _ = imap::logout(old, endpoint.timeout).await;
                tracing::info!(mailbox = %mailbox.name, "logged in again with a renewed OAuth token");
            }
            log.add_folder(folder::archive_folder(&mut context, listed).await);
            progress::update(progress, |progress| progress.folders_done += 1);
        }
        let _ = imap::logout(session, endpoint.timeout).await;
        Ok(())
    }
}

/// Records that a job started; it shows as running until `record_finish`.
pub(crate) async fn record_start(
    db: &DatabaseConnection,
    mailbox_id: i64,
    started_at: chrono::DateTime<Utc>,
) -> Result<job::Model, DbErr> {
    job::ActiveModel {
        mailbox_id: Set(mailbox_id),
        status: Set(JobStatus::Running.as_str().into()),
        started_at: Set(started_at),
        finished_at: Set(None),
        error: Set(None),
        log: Set("{}".into()),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Stores the finished job's status and log.
pub(crate) async fn record_finish(
    db: &DatabaseConnection,
    job: job::Model,
    log: &JobLog,
) -> Result<(), DbErr> {
    let mut finished: job::ActiveModel = job.into();
    finished.status = Set(log.status.as_str().into());
    finished.finished_at = Set(log.finished_at);
    finished.error = Set(log.error.clone());
    finished.log = Set(serde_json::to_string(log).expect("job logs serialise"));
    finished.update(db).await?;
    Ok(())
}
