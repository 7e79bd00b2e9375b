//! A batch of fetched messages: blobs are written one by one as they arrive;
//! the database learns about them together, in one transaction that also
//! moves the folder's checkpoint.
//!
//! - `plan` — what each message is (new, a duplicate, a revision).
//! - `rows` — the statements on `messages`: rows in, ids out.

mod plan;
mod rows;

use crate::db::entity::message_location;
use crate::engine::action::{Outcome, Settled};
use crate::engine::error::EngineError;
use crate::engine::locations::SourceFolder;
use crate::engine::log::FolderLog;
use crate::engine::message::StoredMessage;
use crate::engine::settings::Duplicates;
use crate::mailbox::{DuplicatePolicy, MailboxRow};
use crate::store::{BlobStore, ledger};
use chrono::Utc;
use plan::{Decision, generations, plan, resolve};
use rows::{insert_new_messages, message_ids, message_row};
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryTrait, Set, TransactionTrait,
};
use std::collections::HashMap;
use std::sync::Arc;

/// Messages staged for one transaction, with what their rows need.
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
        let plan = plan(db, &self.messages, &hashes, self.duplicates).await?;

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

        let mut archived = 0;
        // (UID, the archived message it is the same as), logged once committed.
        let mut duplicates = Vec::new();
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
                _ => duplicates.push((stored.uid, message_id)),
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
                converted_from: Set(stored.converted_from.as_ref().map(|provenance| {
                    serde_json::to_string(provenance).expect("provenance serialises")
                })),
                envelope: Set(stored.envelope.as_ref().map(|envelope| {
                    serde_json::to_string(envelope).expect("an envelope serialises")
                })),
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
        for (uid, message_id) in duplicates {
            folder_log.record_duplicate(uid, message_id);
        }
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
}
