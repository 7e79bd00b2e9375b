//! Writes the index: takes queued message ids, builds their documents from
//! the database and the blobs, commits, then removes exactly the queue rows
//! it did. Re-indexing a message replaces its document, so doing a row twice
//! (after a crash) is harmless.

use super::document::Source;
use super::{IndexError, SearchIndex};
use crate::db::entity::{index_queue, message, message_location};
use crate::store::{BlobStore, Digest};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tantivy::{IndexWriter, TantivyDocument, Term};

/// Queue rows taken per commit: large enough that commits do not dominate,
/// small enough that a new message is searchable within seconds.
const ROWS_PER_STEP: u64 = 2_000;
/// How long fewer than `ROWS_PER_STEP` queued rows wait for more.
const GATHER: Duration = Duration::from_secs(2);
/// Writer memory, shared by its threads.
const WRITER_MEMORY: usize = 128 << 20;
/// Ids per database lookup.
const IDS_PER_QUERY: usize = 500;
/// Raw mail whose documents are built at once (their text is held until added).
const BYTES_PER_BUILD: i64 = 64 << 20;

/// How far a `drain` has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexerProgress {
    pub indexed: u64,
    pub queued: u64,
}

pub struct Indexer {
    index: Arc<SearchIndex>,
    /// tantivy's writer; `commit` needs it exclusively.
    writer: Arc<Mutex<IndexWriter>>,
    db: DatabaseConnection,
    store: Arc<BlobStore>,
}

impl Indexer {
    /// Opens the index of `data_dir` for writing, creating it (and queueing
    /// every archived message for it) if there is none. `IndexError::Busy`
    /// when another process holds the writer.
    pub async fn open(
        data_dir: &Path,
        db: DatabaseConnection,
        store: Arc<BlobStore>,
    ) -> Result<Indexer, IndexError> {
        if !SearchIndex::path(data_dir).join("meta.json").exists() {
            // Queued before the index exists: a crash in between queues again.
            let queued = super::queue_all(&db).await?;
            tracing::info!(queued, "building the search index");
        }
        let index = SearchIndex::open_or_create(data_dir)?;
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 4);
        let writer = match index.index.writer_with_num_threads(threads, WRITER_MEMORY) {
            Ok(writer) => writer,
            Err(tantivy::TantivyError::LockFailure(..)) => return Err(IndexError::Busy),
            Err(error) => return Err(error.into()),
        };
        Ok(Indexer {
            index: Arc::new(index),
            writer: Arc::new(Mutex::new(writer)),
            db,
            store,
        })
    }

    /// The index this indexer writes, for searching.
    pub fn index(&self) -> Arc<SearchIndex> {
        self.index.clone()
    }

    /// How many queue rows wait.
    pub async fn queued(&self) -> Result<u64, IndexError> {
        Ok(super::queued(&self.db).await?)
    }

    /// Indexes until the queue is empty; `progress` hears after each commit.
    pub async fn drain(
        &self,
        mut progress: impl FnMut(IndexerProgress),
    ) -> Result<u64, IndexError> {
        let mut indexed = 0;
        loop {
            let done = self.step().await?;
            if done == 0 {
                return Ok(indexed);
            }
            indexed += done;
            progress(IndexerProgress {
                indexed,
                queued: self.queued().await?,
            });
        }
    }

    /// Indexes what is queued as it arrives, until `stop` turns true.
    pub async fn run(self: Arc<Self>, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut failures = 0u32;
        // Since when rows wait: a few rows are left to gather for up to
        // `GATHER`, because every commit makes a segment that must later be
        // merged, and during a large run rows arrive by the thousand.
        let mut waiting_since: Option<std::time::Instant> = None;
        loop {
            let pause = match self.queued().await {
                Ok(0) => {
                    waiting_since = None;
                    Duration::from_millis(500)
                }
                Ok(queued)
                    if queued < ROWS_PER_STEP
                        && waiting_since
                            .get_or_insert_with(std::time::Instant::now)
                            .elapsed()
                            < GATHER =>
                {
                    Duration::from_millis(200)
                }
                Ok(_) => match self.step().await {
                    Ok(_) => {
                        failures = 0;
                        waiting_since = None;
                        Duration::ZERO
                    }
                    Err(error) => {
                        failures += 1;
                        tracing::error!(%error, "indexing failed; retrying");
                        Duration::from_secs(u64::from(failures.min(60)))
                    }
                },
                Err(error) => {
                    tracing::error!(%error, "cannot read the index queue; retrying");
                    Duration::from_secs(5)
                }
            };
            tokio::select! {
                _ = stop.changed() => return,
                () = tokio::time::sleep(pause) => {}
            }
            if *stop.borrow() {
                return;
            }
        }
    }

    /// For a command-line job: no segment merges, so the job ends when its
    /// mail is indexed instead of waiting for merges; `tresor serve` merges
    /// the segments later.
    pub fn without_merges(&self) -> Result<(), IndexError> {
        lock(&self.writer)?.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
        Ok(())
    }

    /// Empties the index and queues every archived message.
    pub async fn rebuild(&self) -> Result<u64, IndexError> {
        let writer = self.writer.clone();
        tokio::task::spawn_blocking(move || -> Result<(), IndexError> {
            let mut writer = lock(&writer)?;
            writer.delete_all_documents()?;
            writer.commit()?;
            Ok(())
        })
        .await
        .map_err(|error| IndexError::Corrupt(format!("emptying the index: {error}")))??;
        let queued = super::queue_all(&self.db).await?;
        self.index.reader.reload()?;
        Ok(queued)
    }

    /// One commit's worth of queue rows; returns how many rows it did.
    async fn step(&self) -> Result<u64, IndexError> {
        let rows: Vec<index_queue::Model> = index_queue::Entity::find()
            .order_by_asc(index_queue::Column::Id)
            .limit(ROWS_PER_STEP)
            .all(&self.db)
            .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let ids: Vec<i64> = rows
            .iter()
            .map(|row| row.message_id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let (messages, locations, superseded) = self.load(&ids).await?;

        let index = self.index.clone();
        let store = self.store.clone();
        let writer = self.writer.clone();
        tokio::task::spawn_blocking(move || -> Result<(), IndexError> {
            let mut writer = lock(&writer)?;
            for id in &ids {
                writer.delete_term(Term::from_field_u64(index.fields.id, *id as u64));
            }
            // Documents are built a few megabytes of mail at a time, so a step
            // of large messages needs no more memory than one of small ones.
            for chunk in by_size(&messages, BYTES_PER_BUILD) {
                for document in build_documents(&index, &store, chunk, &locations, &superseded) {
                    writer.add_document(document)?;
                }
            }
            writer.commit()?;
            Ok(())
        })
        .await
        .map_err(|error| IndexError::Corrupt(format!("writing the index: {error}")))??;
        for chunk in rows.chunks(IDS_PER_QUERY) {
            index_queue::Entity::delete_many()
                .filter(index_queue::Column::Id.is_in(chunk.iter().map(|row| row.id)))
                .exec(&self.db)
                .await?;
        }
        self.index.reader.reload()?;
        Ok(rows.len() as u64)
    }

    /// The rows of `ids`, their locations, and which of them a newer
    /// revision supersedes.
    async fn load(
        &self,
        ids: &[i64],
    ) -> Result<
        (
            Vec<message::Model>,
            HashMap<i64, Vec<message_location::Model>>,
            HashSet<i64>,
        ),
        IndexError,
    > {
        let mut messages = Vec::with_capacity(ids.len());
        let mut locations: HashMap<i64, Vec<message_location::Model>> = HashMap::new();
        let mut superseded = HashSet::new();
        for chunk in ids.chunks(IDS_PER_QUERY) {
            messages.extend(
                message::Entity::find()
                    .filter(message::Column::Id.is_in(chunk.iter().copied()))
                    .all(&self.db)
                    .await?,
            );
            for location in message_location::Entity::find()
                .filter(message_location::Column::MessageId.is_in(chunk.iter().copied()))
                .all(&self.db)
                .await?
            {
                locations
                    .entry(location.message_id)
                    .or_default()
                    .push(location);
            }
            let newer: Vec<Option<i64>> = message::Entity::find()
                .select_only()
                .column(message::Column::SupersedesId)
                .filter(message::Column::SupersedesId.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(&self.db)
                .await?;
            superseded.extend(newer.into_iter().flatten());
        }
        Ok((messages, locations, superseded))
    }
}

/// `messages` in runs of at most `limit` bytes (a larger message alone).
fn by_size(messages: &[message::Model], limit: i64) -> Vec<&[message::Model]> {
    let mut chunks = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (index, message) in messages.iter().enumerate() {
        if index > start && bytes + message.size > limit {
            chunks.push(&messages[start..index]);
            (start, bytes) = (index, 0);
        }
        bytes += message.size;
    }
    if start < messages.len() {
        chunks.push(&messages[start..]);
    }
    chunks
}

fn lock(writer: &Mutex<IndexWriter>) -> Result<std::sync::MutexGuard<'_, IndexWriter>, IndexError> {
    writer
        .lock()
        .map_err(|_| IndexError::Corrupt("the index writer panicked".into()))
}

/// The documents of `messages`, built on all cores (reading a blob and
/// pulling its text out is the expensive part of indexing).
fn build_documents(
    index: &SearchIndex,
    store: &BlobStore,
    messages: &[message::Model],
    locations: &HashMap<i64, Vec<message_location::Model>>,
    superseded: &HashSet<i64>,
) -> Vec<TantivyDocument> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let per_thread = messages.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = messages
            .chunks(per_thread)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|message| document(index, store, message, locations, superseded))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("document building does not panic"))
            .collect()
    })
}

fn document(
    index: &SearchIndex,
    store: &BlobStore,
    message: &message::Model,
    locations: &HashMap<i64, Vec<message_location::Model>>,
    superseded: &HashSet<i64>,
) -> TantivyDocument {
    // A blob that cannot be read still gets a document from its headers;
    // `tresor verify` reports the blob.
    let raw = match message.sha256.parse::<Digest>() {
        Ok(digest) => store.get(&digest).unwrap_or_else(|error| {
            tracing::warn!(message = message.id, %error, "indexing without the body");
            Vec::new()
        }),
        Err(_) => {
            tracing::warn!(message = message.id, sha256 = %message.sha256, "indexing without the body: not a SHA-256");
            Vec::new()
        }
    };
    Source {
        message,
        locations: locations.get(&message.id).map(Vec::as_slice).unwrap_or(&[]),
        superseded: superseded.contains(&message.id),
        raw: &raw,
    }
    .document(&index.fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_built_in_runs_bounded_by_size() {
        let message = |id: i64, size: i64| message::Model {
            id,
            sha256: String::new(),
            size,
            message_id_header: None,
            date: None,
            subject: None,
            from_text: String::new(),
            to_text: String::new(),
            cc_text: String::new(),
            attachment_names: "[]".into(),
            has_attachments: false,
            in_reply_to: None,
            references: "[]".into(),
            defects: None,
            archived_at: chrono::Utc::now(),
            identity: None,
            supersedes_id: None,
        };
        let messages = vec![
            message(1, 40),
            message(2, 40),
            message(3, 200),
            message(4, 10),
        ];
        let runs: Vec<Vec<i64>> = by_size(&messages, 100)
            .into_iter()
            .map(|run| run.iter().map(|message| message.id).collect())
            .collect();
        assert_eq!(runs, [vec![1, 2], vec![3], vec![4]]);
        assert!(by_size(&[], 100).is_empty());
    }
}
