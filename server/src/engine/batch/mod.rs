//! A batch of fetched messages: blobs are written one by one as they arrive;
//! the database learns about them together, in one transaction that also
//! moves the folder's checkpoint.

use crate::db::entity::{message, message_location};
use crate::engine::EngineError;
use crate::engine::action::{Outcome, Settled};
use crate::engine::locations::SourceFolder;
use crate::engine::log::FolderLog;
use crate::engine::settings::Duplicates;
use crate::mailbox::{DuplicateMatch, DuplicatePolicy, MailboxRow};
use crate::metadata::{Mailbox, MessageMetadata};
use crate::store::{BlobStore, Digest, Staged, StoreError, ledger};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect,
    QueryTrait, Set, TransactionTrait,
};
use std::collections::HashMap;
use std::sync::Arc;

/// A message as fetched, before it is stored.
pub struct FetchedMessage {
    uid: u32,
    body: Vec<u8>,
    flags: Vec<String>,
    internal_date: Option<DateTime<Utc>>,
    remote_id: Option<String>,
}

impl FetchedMessage {
    /// A message as its source handed it over; `uid` numbers it within its
    /// folder (IMAP's UID, or Tresor's own numbering of a Graph folder or an
    /// imported file).
    pub fn new(
        uid: u32,
        body: Vec<u8>,
        flags: Vec<String>,
        internal_date: Option<DateTime<Utc>>,
    ) -> FetchedMessage {
        FetchedMessage {
            uid,
            body,
            flags,
            internal_date,
            remote_id: None,
        }
    }

    /// The message's id at its source (a Graph message id), kept on its location.
    pub fn with_remote_id(self, remote_id: String) -> FetchedMessage {
        FetchedMessage {
            remote_id: Some(remote_id),
            ..self
        }
    }

    /// Stages the blob (compressed into a temporary file; `Batch::commit`
    /// publishes it) and reads the metadata; the body is dropped here.
    pub fn store(self, store: &BlobStore) -> Result<StoredMessage, StoreError> {
        let staged = store.stage(&self.body)?;
        let metadata = MessageMetadata::read(&self.body);
        Ok(StoredMessage {
            uid: self.uid,
            digest: staged.digest,
            staged: Some(staged),
            identity: metadata.identity(),
            metadata,
            flags: self.flags,
            internal_date: self.internal_date,
            remote_id: self.remote_id,
        })
    }
}

/// A message whose blob is staged but which the database does not know yet.
pub struct StoredMessage {
    uid: u32,
    digest: Digest,
    /// Taken by `Batch::commit` when it publishes the batch's blobs.
    staged: Option<Staged>,
    metadata: MessageMetadata,
    /// `MessageMetadata::identity`, for matching duplicates by headers.
    identity: Option<String>,
    flags: Vec<String>,
    internal_date: Option<DateTime<Utc>>,
    remote_id: Option<String>,
}

/// Rows per INSERT or hashes per lookup: ~15 parameters a row stays far below
/// SQLite's 32,766 and PostgreSQL's 65,535 parameters per statement.
const ROWS_PER_STATEMENT: usize = 500;

pub struct Batch {
    folder: SourceFolder,
    duplicates: Duplicates,
    labels: String,
    messages: Vec<StoredMessage>,
    bytes: usize,
}

impl Batch {
    pub fn new(mailbox: &MailboxRow, folder: SourceFolder, duplicates: Duplicates) -> Batch {
        Batch {
            folder,
            duplicates,
            labels: mailbox.labels.clone(),
            messages: Vec::new(),
            bytes: 0,
        }
    }

    pub fn push(&mut self, message: StoredMessage) {
        self.bytes += message.metadata.size as usize;
        self.messages.push(message);
    }

    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Raw bytes of the batch's messages; bounds how much one transaction covers.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The highest UID in the batch.
    pub fn highest_uid(&self) -> Option<u32> {
        self.messages.iter().map(|message| message.uid).max()
    }

    /// Decides what each message is (new, a duplicate, a newer revision),
    /// publishes the blobs that will be referenced (durable and in place)
    /// and discards the others, then records the batch and moves the
    /// checkpoint to `checkpoint` in one transaction, then counts it. Returns
    /// what became of each message, for the after-archive action, which may
    /// only run after this commit.
    pub async fn commit(
        &mut self,
        db: &DatabaseConnection,
        store: &Arc<BlobStore>,
        checkpoint: u32,
        folder_log: &mut FolderLog,
    ) -> Result<Vec<Settled>, EngineError> {
        if self.messages.is_empty() {
            return Ok(Vec::new());
        }
        let hashes: Vec<String> = self
            .messages
            .iter()
            .map(|stored| stored.digest.to_string())
            .collect();
        let plan = self.plan(db, &hashes).await?;

        let (mut keep, mut drop) = (Vec::new(), Vec::new());
        for (message, decision) in self.messages.iter_mut().zip(&plan) {
            if let Some(staged) = message.staged.take() {
                match decision {
                    Decision::New | Decision::Revision { .. } => keep.push(staged),
                    Decision::Duplicate { .. } => drop.push(staged),
                }
            }
        }
        let publisher = store.clone();
        tokio::task::spawn_blocking(move || {
            publisher.discard(drop);
            publisher.publish(&mut keep)
        })
        .await??;

        let now = Utc::now();
        let listed_duplicate = self.duplicates.policy != DuplicatePolicy::Drop;
        let transaction = db.begin().await?;
        // New rows go in by generation: a revision of a message that is new
        // in this same batch needs that message's id first.
        let mut ids: Vec<Option<i64>> = vec![None; self.messages.len()];
        let mut outcomes: Vec<Option<(Outcome, bool)>> = vec![None; self.messages.len()];
        let generations = generations(&plan);
        for generation in 0..=generations.iter().flatten().copied().max().unwrap_or(0) {
            let members: Vec<usize> = (0..plan.len())
                .filter(|index| generations[*index] == Some(generation))
                .collect();
            if members.is_empty() {
                continue;
            }
            let rows = members
                .iter()
                .map(|index| {
                    let supersedes = match &plan[*index] {
                        Decision::Revision { of } => Some(resolve(of, &ids)),
                        _ => None,
                    };
                    message_row(
                        &self.messages[*index],
                        hashes[*index].clone(),
                        supersedes,
                        now,
                    )
                })
                .collect();
            let inserted = insert_new_messages(&transaction, rows).await?;
            // A hash that was new but not inserted was stored by another job at
            // this very moment (the same mail in two mailboxes): a duplicate here.
            let raced: Vec<String> = members
                .iter()
                .filter(|index| !inserted.contains_key(&hashes[**index]))
                .map(|index| hashes[*index].clone())
                .collect();
            let found = message_ids(&transaction, &raced).await?;
            for index in members {
                let sha256 = &hashes[index];
                if let Some(id) = inserted.get(sha256) {
                    ids[index] = Some(*id);
                    outcomes[index] = Some((Outcome::Archived, true));
                    if matches!(plan[index], Decision::Revision { .. }) {
                        folder_log.revisions += 1;
                    }
                } else {
                    ids[index] = found.get(sha256).copied();
                    outcomes[index] = Some((Outcome::Duplicate, listed_duplicate));
                }
            }
        }
        for (index, decision) in plan.iter().enumerate() {
            if let Decision::Duplicate { of, listed } = decision {
                ids[index] = Some(resolve(of, &ids));
                outcomes[index] = Some((Outcome::Duplicate, *listed));
            }
        }

        // Every message of the batch gets its index document (re)built: a new
        // one, or a known one with a new location (who may see it changed);
        // and a superseded one, which searches no longer show by default.
        let mut to_index: Vec<i64> = ids.iter().flatten().copied().collect();
        for decision in &plan {
            if let Decision::Revision { of } = decision {
                to_index.push(resolve(of, &ids));
            }
        }

        let (mut archived, mut duplicates) = (0, 0);
        let mut settled = Vec::with_capacity(self.messages.len());
        let mut locations = Vec::with_capacity(self.messages.len());
        for ((stored, id), outcome) in self.messages.iter().zip(ids).zip(outcomes) {
            let (Some(message_id), Some((outcome, listed))) = (id, outcome) else {
                return Err(EngineError::Db(DbErr::Custom(format!(
                    "message {} of the batch was neither stored nor found",
                    stored.digest
                ))));
            };
            match outcome {
                Outcome::Archived => archived += 1,
                _ => duplicates += 1,
            }
            settled.push(Settled {
                uid: stored.uid,
                outcome,
                internal_date: stored.internal_date,
            });
            locations.push(message_location::ActiveModel {
                message_id: Set(message_id),
                mailbox_id: Set(self.folder.mailbox_id),
                folder: Set(self.folder.name.clone()),
                uid_validity: Set(self.folder.uid_validity),
                uid: Set(i64::from(stored.uid)),
                flags: Set(serde_json::to_string(&stored.flags).expect("flags serialise")),
                internal_date: Set(stored.internal_date),
                labels: Set(self.labels.clone()),
                archived_at: Set(now),
                duplicate: Set(outcome == Outcome::Duplicate),
                listed: Set(listed),
                remote_id: Set(stored.remote_id.clone()),
                ..Default::default()
            });
        }
        // One statement for the batch's locations: each statement is a round
        // trip to the database's worker thread.
        let mut statement = message_location::Entity::insert_many(locations)
            .on_conflict(
                OnConflict::columns([
                    message_location::Column::MailboxId,
                    message_location::Column::Folder,
                    message_location::Column::UidValidity,
                    message_location::Column::Uid,
                ])
                .do_nothing()
                .to_owned(),
            )
            .into_query();
        statement.returning(Query::returning().columns([
            message_location::Column::Id,
            message_location::Column::MessageId,
            message_location::Column::Uid,
        ]));
        let recorded = transaction.query_all(&statement).await?;
        self.append_to_ledger(&transaction, &plan, &settled, &hashes, recorded)
            .await?;
        crate::index::queue(&transaction, to_index).await?;
        // A folder in the middle of a run is not settled: no HIGHESTMODSEQ yet.
        self.folder
            .save_checkpoint(&transaction, checkpoint, None)
            .await?;
        transaction.commit().await?;

        folder_log.archived += archived;
        folder_log.duplicates += duplicates;
        self.messages.clear();
        self.bytes = 0;
        Ok(settled)
    }

    /// One ledger entry per location this batch recorded (a location that
    /// existed already was recorded by the run that found it first).
    async fn append_to_ledger(
        &self,
        transaction: &impl ConnectionTrait,
        plan: &[Decision],
        settled: &[Settled],
        hashes: &[String],
        recorded: Vec<sea_orm::QueryResult>,
    ) -> Result<(), DbErr> {
        let by_uid: HashMap<u32, usize> = settled
            .iter()
            .enumerate()
            .map(|(index, settled)| (settled.uid, index))
            .collect();
        let mut entries = Vec::with_capacity(recorded.len());
        for row in recorded {
            let location_id: i64 = row.try_get("", "id")?;
            let message_id: i64 = row.try_get("", "message_id")?;
            let uid: i64 = row.try_get("", "uid")?;
            let index = u32::try_from(uid)
                .ok()
                .and_then(|uid| by_uid.get(&uid))
                .copied()
                .ok_or_else(|| DbErr::Custom(format!("location of UID {uid} not in the batch")))?;
            let action = match (settled[index].outcome, &plan[index]) {
                (Outcome::Archived, Decision::Revision { .. }) => ledger::Action::Revision,
                (Outcome::Archived, _) => ledger::Action::Archived,
                _ => ledger::Action::Copy,
            };
            entries.push(ledger::NewEntry {
                action,
                message_id,
                location_id: Some(location_id),
                sha256: hashes[index].clone(),
                mailbox_id: Some(self.folder.mailbox_id),
                folder: self.folder.name.clone(),
            });
        }
        // In the order the messages came, whatever order RETURNING used.
        entries.sort_by_key(|entry| entry.location_id);
        ledger::append(transaction, entries).await.map(|_| ())
    }

    /// What each message of the batch is, judged against the archive as it
    /// is now and against the batch's earlier messages.
    async fn plan(
        &self,
        db: &DatabaseConnection,
        hashes: &[String],
    ) -> Result<Vec<Decision>, DbErr> {
        let by_content = message_ids(db, hashes).await?;
        let by_headers = if self.duplicates.matching == DuplicateMatch::Headers {
            let identities: Vec<String> = self
                .messages
                .iter()
                .zip(hashes)
                .filter(|(_, sha256)| !by_content.contains_key(*sha256))
                .filter_map(|(stored, _)| stored.identity.clone())
                .collect();
            latest_revisions(db, &identities).await?
        } else {
            HashMap::new()
        };
        let listed = self.duplicates.policy != DuplicatePolicy::Drop;
        let mut new_hashes: HashMap<&str, usize> = HashMap::new();
        let mut new_identities: HashMap<&str, usize> = HashMap::new();
        let mut plan = Vec::with_capacity(self.messages.len());
        for (index, (stored, sha256)) in self.messages.iter().zip(hashes).enumerate() {
            let same_bytes = by_content
                .get(sha256)
                .map(|id| Target::Stored(*id))
                .or_else(|| {
                    new_hashes
                        .get(sha256.as_str())
                        .map(|at| Target::InBatch(*at))
                });
            if let Some(of) = same_bytes {
                plan.push(Decision::Duplicate { of, listed });
                continue;
            }
            // The newest revision: one earlier in this batch, else the archive's.
            let identity = stored
                .identity
                .as_deref()
                .filter(|_| self.duplicates.matching == DuplicateMatch::Headers);
            let same_headers = identity.and_then(|identity| {
                new_identities
                    .get(identity)
                    .map(|at| Target::InBatch(*at))
                    .or_else(|| by_headers.get(identity).map(|id| Target::Stored(*id)))
            });
            let decision = match (same_headers, self.duplicates.policy) {
                (None, _) => Decision::New,
                (Some(of), DuplicatePolicy::Replace) => Decision::Revision { of },
                (Some(of), _) => Decision::Duplicate { of, listed },
            };
            if !matches!(decision, Decision::Duplicate { .. }) {
                new_hashes.insert(sha256, index);
                if let Some(identity) = identity {
                    new_identities.insert(identity, index);
                }
            }
            plan.push(decision);
        }
        Ok(plan)
    }
}

/// What the batch does with one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    /// New to the archive: its blob is kept and it gets a row.
    New,
    /// The same Message-ID, Date and From as `of`, other bytes, and the
    /// policy is `replace`: a new row that supersedes `of`, which stays.
    Revision { of: Target },
    /// The archive has it (same bytes, or same headers under `drop` or
    /// `change`): only a location on `of`; this copy's blob is not kept.
    Duplicate { of: Target, listed: bool },
}

/// A message a decision refers to: in the archive already, or new earlier
/// in the same batch (its id is known once that one is inserted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Stored(i64),
    InBatch(usize),
}

/// Insert order for new rows: 0 for those that refer to nothing new, n + 1
/// for a revision of a message in generation n; `None` for duplicates.
fn generations(plan: &[Decision]) -> Vec<Option<usize>> {
    let mut generations: Vec<Option<usize>> = Vec::with_capacity(plan.len());
    for decision in plan {
        generations.push(match decision {
            Decision::New
            | Decision::Revision {
                of: Target::Stored(_),
            } => Some(0),
            // Targets are always earlier in the batch.
            Decision::Revision {
                of: Target::InBatch(at),
            } => generations[*at].map(|generation| generation + 1),
            Decision::Duplicate { .. } => None,
        });
    }
    generations
}

/// The id of a target; a target in the batch is inserted by then (an
/// earlier generation), or was found as a racing job's copy.
fn resolve(target: &Target, ids: &[Option<i64>]) -> i64 {
    match target {
        Target::Stored(id) => *id,
        Target::InBatch(at) => ids[*at].expect("targets are inserted before what refers to them"),
    }
}

/// The newest revision (highest id) of each identity the archive holds.
async fn latest_revisions(
    db: &impl ConnectionTrait,
    identities: &[String],
) -> Result<HashMap<String, i64>, DbErr> {
    let mut latest = HashMap::new();
    for chunk in identities.chunks(ROWS_PER_STATEMENT) {
        let found: Vec<(String, i64)> = message::Entity::find()
            .select_only()
            .column(message::Column::Identity)
            .column_as(message::Column::Id.max(), "id")
            .filter(message::Column::Identity.is_in(chunk.iter().map(String::as_str)))
            .group_by(message::Column::Identity)
            .into_tuple()
            .all(db)
            .await?;
        latest.extend(found);
    }
    Ok(latest)
}

/// The ids of the messages with these hashes that the archive holds.
async fn message_ids(
    db: &impl ConnectionTrait,
    hashes: &[String],
) -> Result<HashMap<String, i64>, DbErr> {
    let mut ids = HashMap::with_capacity(hashes.len());
    for chunk in hashes.chunks(ROWS_PER_STATEMENT) {
        let found = message::Entity::find()
            .select_only()
            .column(message::Column::Sha256)
            .column(message::Column::Id)
            .filter(message::Column::Sha256.is_in(chunk.iter().map(String::as_str)))
            .into_tuple::<(String, i64)>()
            .all(db)
            .await?;
        ids.extend(found);
    }
    Ok(ids)
}

/// Inserts the rows in as few statements as the parameter limits allow and
/// returns the ids of those actually inserted, by hash. A hash another job
/// stored meanwhile is skipped (ON CONFLICT DO NOTHING) instead of failing the
/// batch on the unique index, and is missing from the answer.
async fn insert_new_messages(
    db: &impl ConnectionTrait,
    mut rows: Vec<message::ActiveModel>,
) -> Result<HashMap<String, i64>, DbErr> {
    let mut inserted = HashMap::with_capacity(rows.len());
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(ROWS_PER_STATEMENT));
        let mut statement = message::Entity::insert_many(std::mem::replace(&mut rows, rest))
            .on_conflict(
                OnConflict::column(message::Column::Sha256)
                    .do_nothing()
                    .to_owned(),
            )
            .into_query();
        statement
            .returning(Query::returning().columns([message::Column::Id, message::Column::Sha256]));
        for row in db.query_all(&statement).await? {
            let id: i64 = row.try_get("", "id")?;
            let sha256: String = row.try_get("", "sha256")?;
            inserted.insert(sha256, id);
        }
    }
    Ok(inserted)
}

fn message_row(
    stored: &StoredMessage,
    sha256: String,
    supersedes: Option<i64>,
    now: DateTime<Utc>,
) -> message::ActiveModel {
    let metadata = &stored.metadata;
    let json = |value: &Vec<String>| serde_json::to_string(value).expect("strings serialise");
    message::ActiveModel {
        sha256: Set(sha256),
        size: Set(metadata.size as i64),
        message_id_header: Set(metadata.message_id.clone()),
        date: Set(metadata.date),
        subject: Set(metadata.subject.clone()),
        from_text: Set(address_text(&metadata.from)),
        to_text: Set(address_text(&metadata.to)),
        cc_text: Set(address_text(&metadata.cc)),
        attachment_names: Set(json(&metadata.attachment_names)),
        has_attachments: Set(metadata.has_attachments),
        in_reply_to: Set(metadata.in_reply_to.clone()),
        references: Set(json(&metadata.references)),
        defects: Set((!metadata.defects.is_empty()).then(|| json(&metadata.defects))),
        archived_at: Set(now),
        identity: Set(stored.identity.clone()),
        supersedes_id: Set(supersedes),
        ..Default::default()
    }
}

/// `Name <address>, …` for display and search.
fn address_text(mailboxes: &[Mailbox]) -> String {
    mailboxes
        .iter()
        .map(|mailbox| match (&mailbox.name, &mailbox.address) {
            (Some(name), Some(address)) => format!("{name} <{address}>"),
            (None, Some(address)) => address.clone(),
            (Some(name), None) => name.clone(),
            (None, None) => String::new(),
        })
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_read_as_a_person_writes_them() {
        let mailboxes = [
            Mailbox {
                name: Some("Doe, John".into()),
                address: Some("john@example.com".into()),
            },
            Mailbox {
                name: None,
                address: Some("a@example.com".into()),
            },
            Mailbox {
                name: None,
                address: None,
            },
        ];
        assert_eq!(
            address_text(&mailboxes),
            "Doe, John <john@example.com>, a@example.com"
        );
    }
}
