//! The ingest pipeline every source feeds: fetched messages in (their bytes
//! and where each is at its source), settled batches out.
//!
//! A source (an IMAP folder, a Graph folder, an imported file) only lists
//! what is new, fetches it and pushes each message here. While it fetches
//! the next one, up to `IN_FLIGHT` messages are staged on the blocking pool
//! (hashed, compressed into a temporary file, metadata read). Staged
//! messages are taken in the order they came, so every batch is a prefix of
//! what was pushed. A batch commits at `BATCH_MESSAGES` messages or
//! `BATCH_BYTES` bytes, and whenever the source settles: `batch::Batch`
//! decides duplicates, makes the blobs durable, then records rows,
//! locations, ledger entries, the index queue and the folder's checkpoint in
//! one transaction. What comes out — `Settled` messages — is what the
//! after-archive action may touch: a message is never changed on its server
//! before it is durably archived.
//!
//! How far a commit moves the folder's checkpoint is the source's to say
//! (`CheckpointRule`); the pipeline keeps what holds it back.

use super::action::{Outcome, Settled};
use super::batch::Batch;
use super::error::EngineError;
use super::locations::SourceFolder;
use super::log::FolderLog;
use super::message::{FetchedMessage, StoredMessage};
use super::progress::{self, ProgressSender};
use super::settings::Duplicates;
use crate::mailbox::MailboxRow;
use crate::store::{BlobStore, StoreError};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use futures::stream::FuturesOrdered;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use tokio::task::JoinHandle;

/// Messages per database transaction: large enough to amortise the commit,
/// small enough that a crash loses little work and memory stays bounded.
pub const BATCH_MESSAGES: usize = 200;
/// Raw bytes per database transaction: a batch of large messages commits
/// before `BATCH_MESSAGES`, so one transaction never covers much more.
pub const BATCH_BYTES: usize = 64 * 1024 * 1024;
/// Messages being staged at once while the source fetches the next ones;
/// also bounds the memory held in message bodies to this many messages.
pub const IN_FLIGHT: usize = 8;
/// Messages a source fetches between two settlements: the after-archive
/// action runs after each, so a long first run already moves or tags as it goes.
pub const FETCH_CHUNK: usize = 1000;

/// What a folder's checkpoint (`last_uid`) means to its source, which
/// decides how far a committed batch moves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckpointRule {
    /// Every UID up to the checkpoint is settled (IMAP, a file import): it
    /// moves up to just below the next message the source still expects to
    /// push, and stays below the lowest held one (too young, failed), which a
    /// later run looks at again.
    Settled,
    /// The checkpoint is the highest UID given in the folder (Graph: UIDs are
    /// Tresor's own numbering, given in order): each commit moves it to the
    /// batch's highest, whatever failed, so no UID is given twice.
    Numbering,
}

/// Where a mailbox's messages go — the database, the blob store, the live
/// progress — and how its duplicates are treated: what every source's run
/// shares, from which it makes a pipeline per folder.
#[derive(Clone, Copy)]
pub struct Sink<'a> {
    pub db: &'a DatabaseConnection,
    pub store: &'a Arc<BlobStore>,
    pub mailbox: &'a MailboxRow,
    pub duplicates: Duplicates,
    pub progress: &'a ProgressSender,
}

/// The limits, from the constants above; tests use smaller ones.
#[derive(Debug, Clone, Copy)]
struct Limits {
    messages: usize,
    bytes: usize,
    in_flight: usize,
}

const LIMITS: Limits = Limits {
    messages: BATCH_MESSAGES,
    bytes: BATCH_BYTES,
    in_flight: IN_FLIGHT,
};

/// One folder's way into the archive.
pub struct Pipeline<'a> {
    sink: Sink<'a>,
    batch: Batch,
    staging: FuturesOrdered<JoinHandle<Result<StoredMessage, StoreError>>>,
    checkpoint: Checkpoint,
    limits: Limits,
}

impl<'a> Pipeline<'a> {
    pub fn new(sink: Sink<'a>, folder: SourceFolder, rule: CheckpointRule) -> Pipeline<'a> {
        Pipeline {
            sink,
            batch: Batch::new(sink.mailbox, folder, sink.duplicates),
            staging: FuturesOrdered::new(),
            checkpoint: Checkpoint {
                rule,
                held: None,
                expected: Vec::new(),
            },
            limits: LIMITS,
        }
    }

    /// Takes a fetched message in. Once `IN_FLIGHT` are being staged, waits
    /// for the oldest, and commits when the batch is full. Returns what
    /// that commit settled (mostly nothing).
    pub async fn push(
        &mut self,
        message: FetchedMessage,
        log: &mut FolderLog,
    ) -> Result<Vec<Settled>, EngineError> {
        let store = Arc::clone(self.sink.store);
        self.staging
            .push_back(tokio::task::spawn_blocking(move || message.store(&store)));
        let mut settled = Vec::new();
        while self.staging.len() >= self.limits.in_flight {
            let stored = self.staging.next().await.expect("staging is not empty")??;
            self.batch.push(stored);
            if self.batch.len() >= self.limits.messages || self.batch.bytes() >= self.limits.bytes {
                settled.extend(self.commit(log).await?);
            }
        }
        Ok(settled)
    }

    /// Waits for every message being staged and commits them: everything
    /// pushed so far is settled. Returns what this commit settled.
    pub async fn settle(&mut self, log: &mut FolderLog) -> Result<Vec<Settled>, EngineError> {
        while let Some(stored) = self.staging.next().await {
            self.batch.push(stored??);
        }
        self.commit(log).await
    }

    /// A message the source could not fetch: in the job log with `reason`,
    /// held under `CheckpointRule::Settled` (a later run tries it again),
    /// and returned as failed for the action (`Move` files it under the
    /// error folder).
    pub fn fail(
        &mut self,
        uid: u32,
        reason: &str,
        internal_date: Option<DateTime<Utc>>,
        log: &mut FolderLog,
    ) -> Settled {
        log.record_failure(uid, reason);
        if self.checkpoint.rule == CheckpointRule::Settled {
            self.hold(uid);
        }
        Settled {
            uid,
            outcome: Outcome::Failed,
            internal_date,
        }
    }

    /// A message not settled for now (too young): the checkpoint stays below it.
    pub fn hold(&mut self, uid: u32) {
        self.checkpoint.held = Some(self.checkpoint.held.map_or(uid, |held| held.min(uid)));
    }

    /// Whether a message holds the checkpoint back.
    pub fn holds_back(&self) -> bool {
        self.checkpoint.held.is_some()
    }

    /// The UIDs the source is about to push, ascending (IMAP knows a
    /// window's in advance): a commit moves the checkpoint up to just below
    /// the next of them, past what was settled without being pushed (known
    /// already, too large). Without them it moves to the committed highest.
    pub fn expect(&mut self, uids: &[u32]) {
        self.checkpoint.expected = uids.to_vec();
    }

    /// The checkpoint once every expected UID up to `committed` is recorded.
    pub fn settled_through(&self, committed: u32) -> u32 {
        self.checkpoint.through(committed)
    }

    async fn commit(&mut self, log: &mut FolderLog) -> Result<Vec<Settled>, EngineError> {
        let Some(highest) = self.batch.highest_uid() else {
            return Ok(Vec::new());
        };
        let checkpoint = self.checkpoint.through(highest);
        let bytes = self.batch.bytes() as u64;
        let committed = self
            .batch
            .commit(self.sink.db, self.sink.store, checkpoint, log)
            .await?;
        progress::count_committed(self.sink.progress, &committed, bytes);
        Ok(committed)
    }
}

/// What decides how far a commit moves the checkpoint.
#[derive(Debug)]
struct Checkpoint {
    rule: CheckpointRule,
    /// The lowest UID not settled for now (too young, failed).
    held: Option<u32>,
    /// UIDs the source is about to push, ascending.
    expected: Vec<u32>,
}

impl Checkpoint {
    fn through(&self, committed: u32) -> u32 {
        if self.rule == CheckpointRule::Numbering {
            return committed;
        }
        let next_expected = self.expected.partition_point(|uid| *uid <= committed);
        let through = match self.expected.get(next_expected) {
            Some(next) => next - 1,
            None => committed,
        };
        match self.held {
            Some(held) => through.min(held - 1),
            None => through,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::action::{ActionError, AfterArchive, ServerFolder};
    use crate::mailbox::Mailboxes;
    use crate::secrets::SecretBox;
    use tempfile::TempDir;

    /// A database, a blob store and an import mailbox in a temporary directory.
    struct Archive {
        _dir: TempDir,
        db: DatabaseConnection,
        store: Arc<BlobStore>,
        mailbox: MailboxRow,
        progress: ProgressSender,
    }

    async fn archive() -> Archive {
        let dir = tempfile::tempdir().unwrap();
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("tresor.db").display()
        );
        let db = crate::db::connect_and_migrate(&url).await.unwrap();
        let store = Arc::new(BlobStore::open(dir.path().join("blobs")).unwrap());
        let secrets = Arc::new(SecretBox::load(dir.path(), None).unwrap());
        let mailboxes = Mailboxes::new(db.clone(), secrets);
        let mailbox = mailboxes.import_target(None, "pipeline").await.unwrap();
        let (progress, _) = progress::channel("pipeline");
        Archive {
            _dir: dir,
            db,
            store,
            mailbox,
            progress,
        }
    }

    impl Archive {
        fn folder(&self) -> SourceFolder {
            SourceFolder {
                mailbox_id: self.mailbox.id,
                name: "INBOX".into(),
                uid_validity: 7,
            }
        }

        /// A pipeline into INBOX with `limits`, and its folder's log.
        fn start(&self, rule: CheckpointRule, limits: Limits) -> (Pipeline<'_>, FolderLog) {
            let sink = Sink {
                db: &self.db,
                store: &self.store,
                mailbox: &self.mailbox,
                duplicates: Duplicates::read(&self.mailbox).unwrap(),
                progress: &self.progress,
            };
            let mut pipeline = Pipeline::new(sink, self.folder(), rule);
            pipeline.limits = limits;
            (pipeline, FolderLog::new("INBOX"))
        }

        async fn recorded(&self) -> Vec<u32> {
            let all: Vec<u32> = (1..=1000).collect();
            let mut uids: Vec<u32> = self
                .folder()
                .known_by_uid(&self.db, &all)
                .await
                .unwrap()
                .iter()
                .map(|settled| settled.uid)
                .collect();
            uids.sort();
            uids
        }

        async fn checkpoint(&self) -> i64 {
            let saved = self.folder().checkpoint(&self.db).await.unwrap();
            saved.map_or(0, |row| row.last_uid)
        }
    }

    /// A distinct message of exactly `MESSAGE_BYTES` bytes.
    fn message(uid: u32) -> FetchedMessage {
        let mut bytes =
            format!("Message-ID: <{uid}@example.com>\r\nSubject: {uid}\r\n\r\n").into_bytes();
        bytes.resize(MESSAGE_BYTES, b'x');
        FetchedMessage::new(uid, bytes, Vec::new(), None)
    }

    const MESSAGE_BYTES: usize = 1000;

    /// Batches of `messages`, `in_flight` staged at once.
    fn small(messages: usize, in_flight: usize) -> Limits {
        Limits {
            messages,
            in_flight,
            ..LIMITS
        }
    }

    fn uids(settled: &[Settled]) -> Vec<u32> {
        settled.iter().map(|message| message.uid).collect()
    }

    #[tokio::test]
    async fn a_batch_commits_at_the_message_threshold_with_in_flight_staged() {
        let archive = archive().await;
        let (mut pipeline, mut log) = archive.start(CheckpointRule::Settled, LIMITS);
        // The batch fills once IN_FLIGHT - 1 more are being staged behind it.
        let first_commit = BATCH_MESSAGES + IN_FLIGHT - 1;
        for uid in 1..first_commit as u32 {
            let settled = pipeline.push(message(uid), &mut log).await.unwrap();
            assert!(settled.is_empty(), "committed early, at {uid}");
            assert_eq!(
                pipeline.staging.len(),
                (uid as usize).min(IN_FLIGHT - 1),
                "never more than IN_FLIGHT are staged at once"
            );
        }
        assert!(archive.recorded().await.is_empty());
        let settled = pipeline
            .push(message(first_commit as u32), &mut log)
            .await
            .unwrap();
        assert_eq!(
            uids(&settled),
            (1..=BATCH_MESSAGES as u32).collect::<Vec<_>>()
        );
        assert_eq!(archive.recorded().await.len(), BATCH_MESSAGES);
        assert_eq!(archive.checkpoint().await, BATCH_MESSAGES as i64);
        assert_eq!(log.archived, BATCH_MESSAGES as u64);

        let rest = pipeline.settle(&mut log).await.unwrap();
        assert_eq!(rest.len(), IN_FLIGHT - 1);
        assert_eq!(archive.checkpoint().await, first_commit as i64);
        assert_eq!(archive.progress.borrow().archived, first_commit as u64);
    }

    #[tokio::test]
    async fn a_batch_commits_at_the_byte_threshold() {
        let archive = archive().await;
        let limits = Limits {
            messages: 1000,
            bytes: 3 * MESSAGE_BYTES,
            in_flight: 2,
        };
        let (mut pipeline, mut log) = archive.start(CheckpointRule::Settled, limits);
        let mut commits = Vec::new();
        for uid in 1..=7 {
            let settled = pipeline.push(message(uid), &mut log).await.unwrap();
            if !settled.is_empty() {
                commits.push(uids(&settled));
            }
        }
        // Three messages' bytes fill a batch, one behind it being staged.
        assert_eq!(commits, [vec![1, 2, 3], vec![4, 5, 6]]);
        assert_eq!(uids(&pipeline.settle(&mut log).await.unwrap()), [7]);
    }

    #[tokio::test]
    async fn a_failing_message_is_logged_and_held_while_the_others_go_on() {
        let archive = archive().await;
        let limits = small(BATCH_MESSAGES, 2);
        let (mut pipeline, mut log) = archive.start(CheckpointRule::Settled, limits);
        let mut settled = Vec::new();
        for uid in 1..=5 {
            match uid {
                3 => settled.push(pipeline.fail(uid, "no body", None, &mut log)),
                // Broken MIME is archived as it is, its defects noted.
                4 => {
                    let broken =
                        FetchedMessage::new(4, b"\xff\xfe\r\n--".to_vec(), Vec::new(), None);
                    settled.extend(pipeline.push(broken, &mut log).await.unwrap());
                }
                _ => settled.extend(pipeline.push(message(uid), &mut log).await.unwrap()),
            }
        }
        settled.extend(pipeline.settle(&mut log).await.unwrap());

        let failed: Vec<u32> = settled
            .iter()
            .filter(|message| message.outcome == Outcome::Failed)
            .map(|message| message.uid)
            .collect();
        assert_eq!(failed, [3]);
        assert_eq!((log.failed, log.failures[0].uid), (1, 3));
        assert_eq!(archive.recorded().await, [1, 2, 4, 5]);
        assert_eq!(
            archive.checkpoint().await,
            2,
            "held below the failed message"
        );
        assert!(pipeline.holds_back());
    }

    #[tokio::test]
    async fn a_numbering_checkpoint_moves_past_a_failure() {
        let archive = archive().await;
        let (mut pipeline, mut log) = archive.start(CheckpointRule::Numbering, LIMITS);
        pipeline.push(message(1), &mut log).await.unwrap();
        let _ = pipeline.fail(2, "refused", None, &mut log);
        pipeline.push(message(3), &mut log).await.unwrap();
        pipeline.settle(&mut log).await.unwrap();
        assert_eq!(archive.checkpoint().await, 3);
        assert!(!pipeline.holds_back());
    }

    #[tokio::test]
    async fn only_committed_messages_come_out() {
        let archive = archive().await;
        let (mut pipeline, mut log) = archive.start(CheckpointRule::Settled, small(3, 4));
        let mut out = Vec::new();
        for uid in 1..=10 {
            out.extend(uids(&pipeline.push(message(uid), &mut log).await.unwrap()));
            // What came out is recorded, and nothing else is.
            assert_eq!(archive.recorded().await, out, "after pushing {uid}");
        }
        out.extend(uids(&pipeline.settle(&mut log).await.unwrap()));
        assert_eq!(archive.recorded().await, out);
        assert_eq!(out, (1..=10).collect::<Vec<_>>());
    }

    /// A server that checks, whenever it is asked to move messages, that
    /// each is recorded in the archive (or failed, for the error folder).
    struct CheckingServer<'a> {
        archive: &'a Archive,
        moved: Vec<(String, Vec<u32>)>,
    }

    impl ServerFolder for CheckingServer<'_> {
        fn now(&self) -> DateTime<Utc> {
            Utc::now()
        }

        async fn tag(&mut self, _: &[u32], _: &str) -> Result<u64, ActionError> {
            unreachable!("the action moves")
        }

        async fn move_to(&mut self, uids: &[u32], base: &str) -> Result<u64, ActionError> {
            let recorded = self.archive.recorded().await;
            for uid in uids {
                assert_eq!(recorded.contains(uid), base != "Errors", "{uid} to {base}");
            }
            self.moved.push((base.into(), uids.to_vec()));
            Ok(uids.len() as u64)
        }

        async fn delete(&mut self, _: &[u32]) -> Result<u64, ActionError> {
            unreachable!("the action moves")
        }
    }

    #[tokio::test]
    async fn the_action_only_sees_committed_messages() {
        let archive = archive().await;
        let (mut pipeline, mut log) = archive.start(CheckpointRule::Settled, small(3, 2));
        let action = AfterArchive::Move {
            success: "Archived".into(),
            duplicate: "Duplicates".into(),
            error: "Errors".into(),
        };
        let mut server = CheckingServer {
            archive: &archive,
            moved: Vec::new(),
        };
        for uid in 1..=7 {
            let settled = if uid == 5 {
                vec![pipeline.fail(uid, "no body", None, &mut log)]
            } else {
                pipeline.push(message(uid), &mut log).await.unwrap()
            };
            action.apply(&mut server, &settled).await.unwrap();
        }
        let rest = pipeline.settle(&mut log).await.unwrap();
        action.apply(&mut server, &rest).await.unwrap();
        let moved = |base: &str| -> Vec<u32> {
            let lists = server.moved.iter().filter(|(to, _)| to == base);
            lists.flat_map(|(_, uids)| uids.iter().copied()).collect()
        };
        assert_eq!(moved("Archived"), [1, 2, 3, 4, 6, 7]);
        assert_eq!(moved("Errors"), [5]);
        // The first batch (1–3) was acted on before 4 was even committed.
        assert_eq!(server.moved[0], ("Archived".to_string(), vec![1, 2, 3]));
    }

    #[test]
    fn the_checkpoint_stops_below_expected_and_held_messages() {
        let checkpoint = |held: Option<u32>, expected: &[u32]| Checkpoint {
            rule: CheckpointRule::Settled,
            held,
            expected: expected.to_vec(),
        };
        let expected = [3, 4, 8, 9];
        // After committing 3 and 4, everything up to 7 is settled (5–7 skipped or known).
        assert_eq!(checkpoint(None, &expected).through(4), 7);
        // At the end of a window (highest candidate 12), the known and skipped tail counts too.
        assert_eq!(checkpoint(None, &expected).through(12), 12);
        // A too-young message at 6 holds it at 5.
        assert_eq!(checkpoint(Some(6), &expected).through(12), 5);
        // Nothing expected: up to the highest committed.
        assert_eq!(checkpoint(None, &[]).through(12), 12);
        // Numbering ignores both.
        let numbering = Checkpoint {
            rule: CheckpointRule::Numbering,
            ..checkpoint(Some(6), &expected)
        };
        assert_eq!(numbering.through(4), 4);
    }
}
