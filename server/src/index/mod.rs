//! The full-text index (tantivy), in the data directory next to the blobs.
//!
//! The index is derived state: everything in it can be rebuilt from the
//! database and the blob store (`tresor reindex`), and it never holds message
//! bytes, only terms and a short preview for snippets. The engine queues
//! message ids in the `index_queue` table in the same transaction that records
//! them; the `Indexer` (one per data directory: tantivy's writer lock) turns
//! queued ids into documents and removes the rows once the index has committed
//! them, so nothing recorded is ever left unindexed by a crash.
//!
//! `schema` names the fields, `document` builds a message's document, `query`
//! parses the search syntax, `search` runs it within what the asker may see.

mod document;
mod indexer;
pub mod query;
pub mod schema;
mod search;

pub use indexer::{Indexer, IndexerProgress};
pub use query::{Query, QueryError};
pub use search::{Hit, Scope, SearchRequest, SearchResults, Sort, Visibility};

use crate::db::entity::index_queue;
use schema::Fields;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set};
use std::path::{Path, PathBuf};
use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexReader, ReloadPolicy};

/// Bumped when the schema or the analyzers change: a new version starts in a
/// directory of its own and is built from the database.
const VERSION: &str = "v3";

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(
        "the search index has not been built yet: start `tresor serve` or run `tresor reindex`"
    )]
    Missing,
    #[error("another Tresor process is writing the search index (is `tresor serve` running?)")]
    Busy,
    #[error("{0}")]
    Query(#[from] QueryError),
    /// A page beyond `MAX_SEARCH_WINDOW` (`search::SearchRequest::offset`).
    #[error(
        "a search shows only its first {max} hits, and this page would end at hit {end}: narrow the search (a sender, a date, a folder) to reach messages further down",
        max = app::model::archive::MAX_SEARCH_WINDOW
    )]
    TooDeep { end: usize },
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("search index: {0}")]
    Corrupt(String),
    #[error("search index directory {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// An opened index: searchable at once; `Indexer` writes to it.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

impl SearchIndex {
    /// Where the index of `data_dir` lives.
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("index").join(VERSION)
    }

    /// Opens the index under `data_dir`; `IndexError::Missing` if none was built.
    pub fn open(data_dir: &Path) -> Result<SearchIndex, IndexError> {
        let path = SearchIndex::path(data_dir);
        if !path.join("meta.json").exists() {
            return Err(IndexError::Missing);
        }
        SearchIndex::open_dir(&path)
    }

    /// Opens the index under `data_dir`, creating an empty one if there is
    /// none (the `Indexer` fills it).
    pub(crate) fn open_or_create(data_dir: &Path) -> Result<SearchIndex, IndexError> {
        let path = SearchIndex::path(data_dir);
        std::fs::create_dir_all(&path).map_err(|source| IndexError::Io {
            path: path.clone(),
            source,
        })?;
        SearchIndex::open_dir(&path)
    }

    fn open_dir(path: &Path) -> Result<SearchIndex, IndexError> {
        let directory = MmapDirectory::open(path).map_err(|error| IndexError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(error.to_string()),
        })?;
        let (schema, _) = Fields::schema();
        let index = Index::open_or_create(directory, schema)?;
        Fields::register_tokenizers(&index);
        let fields = Fields::of(&index.schema())?;
        // Another process (`tresor serve`) may commit: pick its commits up.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
        })
    }
}

/// Queues `message_ids` for (re)indexing, within the caller's transaction.
pub async fn queue(db: &impl ConnectionTrait, message_ids: Vec<i64>) -> Result<(), DbErr> {
    for chunk in message_ids.chunks(1_000) {
        index_queue::Entity::insert_many(chunk.iter().map(|id| index_queue::ActiveModel {
            message_id: Set(*id),
            ..Default::default()
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// How many messages wait to be (re)indexed.
pub async fn queued(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    use sea_orm::{EntityTrait, PaginatorTrait};
    index_queue::Entity::find().count(db).await
}

/// Queues every archived message: the whole index is rebuilt.
pub async fn queue_all(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let statement = sea_orm::Statement::from_string(
        db.get_database_backend(),
        "INSERT INTO index_queue (message_id) SELECT id FROM messages ORDER BY id",
    );
    Ok(db.execute_raw(statement).await?.rows_affected())
}

#[cfg(test)]
mod tests;
