//! Journal mailboxes: what Postfix `always_bcc`, Exchange journal rules and
//! Microsoft 365 journaling deliver to Tresor over SMTP or LMTP, stored
//! through the engine's one ingest pipeline (so deduplication, the ledger,
//! the index, retention and holds apply as to every source).
//!
//! - `addresses` — which journal mailbox takes which recipient address.
//! - `parties` — whom a journal copy concerns, for who may see it.
//! - `report` — Exchange envelope journal reports: the original unwrapped
//!   byte for byte, the envelope it lists.
//!
//! `Journal` is what `crate::smtp` delivers to: `deliver` returns only once
//! the message's batch committed (blobs synced, rows in), so the server
//! answers 250 only for mail that is durably archived; on any failure it
//! refuses temporarily and the sending MTA keeps the message and retries.
//! A journal mailbox is one folder, `INBOX`, numbered by Tresor
//! (`CheckpointRule::Numbering`); deliveries into one mailbox take turns,
//! so two never take the same number.
//!
//! A report is archived twice: the original (what people search and read,
//! its location recording the report's envelope, Bcc included) and the
//! report itself beside it, as evidence of what the journal said; the
//! original's envelope names the report by its SHA-256.

pub mod addresses;
pub mod parties;
pub mod report;

use crate::db::entity::message_location::RecordedEnvelope;
use crate::engine::message::FetchedMessage;
use crate::engine::pipeline::{CheckpointRule, Pipeline, Sink};
use crate::engine::{Duplicates, EngineError, FolderLog, SourceFolder, progress};
use crate::mailbox::{MailboxError, MailboxRow, Mailboxes, Source};
use crate::smtp::{Deliver, Envelope, Refusal};
use crate::store::{BlobStore, Digest};
use chrono::Utc;
use report::Journaled;
use sea_orm::{DatabaseConnection, DbErr};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use tokio::sync::{Mutex, Semaphore};

/// The one folder of a journal mailbox.
pub const JOURNAL_FOLDER: &str = "INBOX";
/// Deliveries being stored or waiting for their mailbox at once; one more
/// is refused for now (4xx), and its MTA retries later.
pub const QUEUE_DEPTH: usize = 64;
/// A journal mailbox's folder has one incarnation: Tresor numbers it.
const JOURNAL_UID_VALIDITY: i64 = 1;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("no journal mailbox takes mail for {0:?}")]
    NoMailbox(String),
    #[error("storing the journal copy failed: {0}")]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Mailbox(#[from] MailboxError),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error(transparent)]
    Address(#[from] addresses::AddressError),
    #[error("the journal mailbox's numbering is exhausted")]
    Numbering,
}

/// Makes the shared journal mailbox `name` (or takes the one of that name)
/// take mail for `addresses` (`addresses::CATCH_ALL` for every other).
pub async fn add_mailbox(
    db: &DatabaseConnection,
    mailboxes: &Mailboxes,
    name: &str,
    addresses: &[String],
) -> Result<MailboxRow, JournalError> {
    let existing = mailboxes.list().await?.into_iter().find(|row| {
        row.name == name && row.owner_id.is_none() && row.source == Source::Journal.as_str()
    });
    let mailbox = match existing {
        Some(row) => row,
        None => mailboxes.create_journal(name).await?,
    };
    for address in addresses {
        addresses::add(db, mailbox.id, address).await?;
    }
    Ok(mailbox)
}

/// Every journal mailbox with the addresses it takes, by name.
pub async fn list_mailboxes(
    db: &DatabaseConnection,
    mailboxes: &Mailboxes,
) -> Result<Vec<(MailboxRow, Vec<String>)>, JournalError> {
    let mut by_mailbox: HashMap<i64, Vec<String>> = HashMap::new();
    for (mailbox_id, address) in addresses::all(db).await? {
        by_mailbox.entry(mailbox_id).or_default().push(address);
    }
    let mut journals: Vec<(MailboxRow, Vec<String>)> = mailboxes
        .list()
        .await?
        .into_iter()
        .filter(|row| row.source == Source::Journal.as_str())
        .map(|row| {
            let taken = by_mailbox.remove(&row.id).unwrap_or_default();
            (row, taken)
        })
        .collect();
    journals.sort_by(|left, right| left.0.name.cmp(&right.0.name));
    Ok(journals)
}

/// Where journal copies go: the archive's database and blob store.
pub struct Journal {
    db: DatabaseConnection,
    store: Arc<BlobStore>,
    mailboxes: Arc<Mailboxes>,
    /// One lock per journal mailbox, so deliveries into it take turns.
    turns: std::sync::Mutex<HashMap<i64, Arc<Mutex<()>>>>,
    queue: Arc<Semaphore>,
}

impl Journal {
    pub fn new(db: DatabaseConnection, store: Arc<BlobStore>, mailboxes: Arc<Mailboxes>) -> Self {
        Journal {
            db,
            store,
            mailboxes,
            turns: std::sync::Mutex::new(HashMap::new()),
            queue: Arc::new(Semaphore::new(QUEUE_DEPTH)),
        }
    }

    /// Stores `message` as `envelope` delivered it, in every journal mailbox
    /// one of its recipients belongs to; returns once all are committed.
    pub async fn store(&self, envelope: &Envelope, message: &[u8]) -> Result<(), JournalError> {
        let mut mailbox_ids = BTreeSet::new();
        for recipient in &envelope.rcpt_to {
            let mailbox_id = addresses::mailbox_for(&self.db, recipient)
                .await?
                .ok_or_else(|| JournalError::NoMailbox(recipient.clone()))?;
            mailbox_ids.insert(mailbox_id);
        }
        let smtp_envelope = RecordedEnvelope {
            sender: envelope.mail_from.to_lowercase(),
            recipients: envelope
                .rcpt_to
                .iter()
                .map(|recipient| recipient.to_lowercase())
                .collect(),
            report_sha256: None,
            note: None,
        };
        let copies = match report::read(message) {
            Journaled::Plain => vec![(message.to_vec(), smtp_envelope)],
            Journaled::Report(report) => {
                let original_envelope = RecordedEnvelope {
                    sender: report.sender,
                    recipients: report.recipients,
                    report_sha256: Some(Digest::of(message).to_string()),
                    note: None,
                };
                vec![
                    (report.original, original_envelope),
                    (message.to_vec(), smtp_envelope),
                ]
            }
            Journaled::Malformed(note) => {
                tracing::warn!(%note, "a malformed journal report");
                let noted = RecordedEnvelope {
                    note: Some(note),
                    ..smtp_envelope
                };
                vec![(message.to_vec(), noted)]
            }
        };
        for mailbox_id in mailbox_ids {
            self.store_in(mailbox_id, &copies).await?;
        }
        Ok(())
    }

    /// Stores `copies` in journal mailbox `mailbox_id` in one transaction,
    /// numbered after what it holds, while no other delivery stores there.
    async fn store_in(
        &self,
        mailbox_id: i64,
        copies: &[(Vec<u8>, RecordedEnvelope)],
    ) -> Result<(), JournalError> {
        let turn = self.turn(mailbox_id);
        let _turn = turn.lock().await;
        let mailbox = self.mailboxes.by_id(mailbox_id).await?;
        let folder = SourceFolder {
            mailbox_id,
            name: JOURNAL_FOLDER.to_string(),
            uid_validity: JOURNAL_UID_VALIDITY,
        };
        let last_uid = folder
            .checkpoint(&self.db)
            .await?
            .map_or(0, |checkpoint| checkpoint.last_uid);
        let (progress, _) = progress::channel(&mailbox.name);
        let sink = Sink {
            db: &self.db,
            store: &self.store,
            mailbox: &mailbox,
            duplicates: Duplicates::read(&mailbox)?,
            progress: &progress,
        };
        let mut pipeline = Pipeline::new(sink, folder, CheckpointRule::Numbering);
        let mut log = FolderLog::new(JOURNAL_FOLDER);
        let arrived = Utc::now();
        for (ordinal, (bytes, envelope)) in (1..).zip(copies) {
            let uid = u32::try_from(last_uid + ordinal).map_err(|_| JournalError::Numbering)?;
            let copy = FetchedMessage::new(uid, bytes.clone(), Vec::new(), Some(arrived))
                .with_envelope(envelope.clone());
            pipeline.push(copy, &mut log).await?;
        }
        pipeline.settle(&mut log).await?;
        Ok(())
    }

    fn turn(&self, mailbox_id: i64) -> Arc<Mutex<()>> {
        let mut turns = self
            .turns
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(turns.entry(mailbox_id).or_default())
    }
}

#[async_trait::async_trait]
impl Deliver for Journal {
    async fn accepts(&self, recipient: &str) -> Result<bool, Refusal> {
        match addresses::mailbox_for(&self.db, recipient).await {
            Ok(mailbox) => Ok(mailbox.is_some()),
            Err(error) => {
                tracing::warn!(%error, "journal: cannot look up a recipient");
                Err(Refusal::Temporary(
                    "4.3.0 the archive cannot take mail now".to_string(),
                ))
            }
        }
    }

    async fn deliver(&self, envelope: &Envelope, message: &[u8]) -> Result<(), Refusal> {
        // Held until the copy is stored: the queue counts the waiting too.
        let Ok(_queued) = Arc::clone(&self.queue).try_acquire_owned() else {
            return Err(Refusal::Temporary(
                "4.3.2 the archive is busy; try again later".to_string(),
            ));
        };
        // Even a recipient no longer taken (its address removed since RCPT
        // TO) is refused only for now: a bounced journal copy is a gap.
        match self.store(envelope, message).await {
            Ok(()) => Ok(()),
            Err(error) => {
                tracing::warn!(%error, "journal: a delivery is refused for now");
                Err(Refusal::Temporary(
                    "4.3.0 the archive could not store the message; try again later".to_string(),
                ))
            }
        }
    }
}
