//! The `Viewer` service: who is asking (`Reader`) and what they may see
//! (`Viewer::scope`), search, one message with its locations and
//! conversation, and raw bytes. Exports (`selection`) and restores
//! (`restore`) extend it.

use super::message;
use crate::db::entity::{mailbox, message as message_row, message_location};
use crate::index::{self, IndexError, Query, Scope, SearchIndex, SearchRequest, Visibility};
use crate::mailbox::{MailboxError, Mailboxes};
use crate::store::{BlobStore, Digest, StoreError};
use app::model::archive::{
    HitView, LocationView, MAX_PAGE_SIZE, MessageView, PAGE_SIZE, SearchInput, SearchPage,
    SearchSort, SnippetPiece, ThreadEntry,
};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// An administrator, or the operator at the command line: all mail.
    Everyone,
    /// A user: mail of the mailboxes they own or were granted.
    User(i64),
    /// An auditor: the same mail as a user sees, but read-only (restores
    /// into nothing, not even a mailbox they own).
    Auditor(i64),
}

impl Reader {
    /// The user whose mailboxes bound what is read; `None`: everything.
    fn user(self) -> Option<i64> {
        match self {
            Reader::Everyone => None,
            Reader::User(id) | Reader::Auditor(id) => Some(id),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ViewerError {
    /// No such message, or not one the reader may see (the same answer, so
    /// that ids cannot be probed).
    #[error("no such message")]
    NotFound,
    #[error("{0}")]
    Query(String),
    /// A page deeper than a search may go (`MAX_SEARCH_WINDOW`).
    #[error("{0}")]
    Offset(String),
    #[error(transparent)]
    Index(IndexError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mailbox(#[from] MailboxError),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    /// A damaged record or a failed background task.
    #[error("{0}")]
    Internal(String),
}

impl From<IndexError> for ViewerError {
    fn from(error: IndexError) -> Self {
        match error {
            IndexError::Query(query) => ViewerError::Query(query.0),
            too_deep @ IndexError::TooDeep { .. } => ViewerError::Offset(too_deep.to_string()),
            other => ViewerError::Index(other),
        }
    }
}

/// Messages per page of an export: one query (or search) and the rows of
/// that many messages in memory at a time, however large the selection.
pub const EXPORT_PAGE_SIZE: usize = 500;

pub struct Viewer {
    pub(super) db: DatabaseConnection,
    pub(super) store: Arc<BlobStore>,
    pub(super) mailboxes: Arc<Mailboxes>,
    pub(super) index: Arc<SearchIndex>,
    pub(super) export_page_size: usize,
}

impl Viewer {
    pub fn new(
        db: DatabaseConnection,
        store: Arc<BlobStore>,
        mailboxes: Arc<Mailboxes>,
        index: Arc<SearchIndex>,
    ) -> Viewer {
        Viewer {
            db,
            store,
            mailboxes,
            index,
            export_page_size: EXPORT_PAGE_SIZE,
        }
    }

    /// The same viewer exporting `size` messages per page (tests use tiny
    /// pages to cross many page boundaries).
    pub fn with_export_page_size(mut self, size: usize) -> Viewer {
        self.export_page_size = size.max(1);
        self
    }

    pub fn store(&self) -> &Arc<BlobStore> {
        &self.store
    }

    /// The mailboxes `reader` may search, and the visibility that follows.
    pub async fn scope(&self, reader: Reader) -> Result<Scope, ViewerError> {
        Ok(match reader.user() {
            None => Scope {
                visibility: Visibility::All,
                mailboxes: mailbox::Entity::find()
                    .order_by_asc(mailbox::Column::Name)
                    .all(&self.db)
                    .await?
                    .into_iter()
                    .map(|row| (row.id, row.name))
                    .collect(),
                journal_mailboxes: Vec::new(),
            },
            Some(user_id) => {
                let rows = self.mailboxes.visible_to(user_id, false).await?;
                Scope {
                    visibility: Visibility::Limited {
                        mailboxes: rows.iter().map(|row| row.id).collect(),
                        journal_addresses: self.mailboxes.journal_addresses_of(user_id).await?,
                    },
                    journal_mailboxes: rows
                        .iter()
                        .filter(|row| row.source == crate::mailbox::Source::Journal.as_str())
                        .map(|row| row.id)
                        .collect(),
                    mailboxes: rows.into_iter().map(|row| (row.id, row.name)).collect(),
                }
            }
        })
    }

    pub async fn search(
        &self,
        reader: Reader,
        input: &SearchInput,
    ) -> Result<SearchPage, ViewerError> {
        let scope = self.scope(reader).await?;
        let request = SearchRequest {
            query: Query::parse(&input.query).map_err(|error| ViewerError::Query(error.0))?,
            sort: match input.sort {
                SearchSort::Newest => index::Sort::Newest,
                SearchSort::Oldest => index::Sort::Oldest,
                SearchSort::Relevance => index::Sort::Relevance,
            },
            offset: input.offset,
            limit: match input.limit {
                0 => PAGE_SIZE,
                limit => limit.min(MAX_PAGE_SIZE),
            },
            include_superseded: false,
        };
        let index = self.index.clone();
        let searched_scope = scope.clone();
        let results = tokio::task::spawn_blocking(move || index.search(&request, &searched_scope))
            .await
            .map_err(joined)??;
        let ids: Vec<i64> = results.hits.iter().map(|hit| hit.id).collect();
        let rows = self.rows(&ids).await?;
        let places = self.places(&ids, &scope).await?;
        let hits = results
            .hits
            .into_iter()
            .filter_map(|hit| {
                let row = rows.get(&hit.id)?;
                Some(HitView {
                    id: row.id,
                    sha256: row.sha256.clone(),
                    message_id: row.message_id_header.clone(),
                    subject: row.subject.clone().unwrap_or_default(),
                    from: row.from_text.clone(),
                    to: row.to_text.clone(),
                    date: row.date,
                    size: row.size,
                    has_attachments: row.has_attachments,
                    snippet: hit
                        .snippet
                        .into_iter()
                        .map(|(text, hit)| SnippetPiece { text, hit })
                        .collect(),
                    location: places.get(&hit.id).cloned().unwrap_or_default(),
                })
            })
            .collect();
        Ok(SearchPage {
            total: results.total,
            offset: input.offset,
            hits,
            indexing: crate::db::entity::index_queue::Entity::find()
                .count(&self.db)
                .await?,
            mailboxes: scope.mailboxes.into_iter().map(|(_, name)| name).collect(),
            now: chrono::Utc::now(),
        })
    }

    /// The row of message `id` if `reader` may see it.
    pub async fn readable(
        &self,
        reader: Reader,
        id: i64,
    ) -> Result<message_row::Model, ViewerError> {
        let scope = self.scope(reader).await?;
        Ok(self.readable_in(&scope, id).await?.0)
    }

    /// The row of message `id` and all its locations, if one of them is in
    /// a mailbox of `scope`.
    async fn readable_in(
        &self,
        scope: &Scope,
        id: i64,
    ) -> Result<(message_row::Model, Vec<message_location::Model>), ViewerError> {
        let row = message_row::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(ViewerError::NotFound)?;
        let locations = self.locations_of(id).await?;
        if let Visibility::Limited {
            mailboxes,
            journal_addresses,
        } = &scope.visibility
        {
            let in_mailbox = locations
                .iter()
                .any(|location| mailboxes.contains(&location.mailbox_id));
            let as_party = || {
                let parties = crate::journal::parties::of(&row, &locations);
                journal_addresses
                    .iter()
                    .any(|address| parties.contains(address))
            };
            if !in_mailbox && !as_party() {
                return Err(ViewerError::NotFound);
            }
        }
        Ok((row, locations))
    }

    pub async fn message(&self, reader: Reader, id: i64) -> Result<MessageView, ViewerError> {
        let scope = self.scope(reader).await?;
        let (row, locations) = self.readable_in(&scope, id).await?;
        let raw = self.raw(&row).await?;
        let body = tokio::task::spawn_blocking(move || message::body(&raw))
            .await
            .map_err(joined)?;
        let names: HashMap<i64, String> = scope.mailboxes.iter().cloned().collect();
        let managed = self.managed_ids(reader).await?;
        let locations = locations
            .into_iter()
            .filter(|location| names.contains_key(&location.mailbox_id))
            .map(|location| LocationView {
                mailbox: names[&location.mailbox_id].clone(),
                can_restore: managed.contains(&location.mailbox_id),
                mailbox_id: location.mailbox_id,
                folder: location.folder,
                uid: location.uid,
                flags: serde_json::from_str(&location.flags).unwrap_or_default(),
                archived_at: location.archived_at,
                converted_from: location
                    .converted_from
                    .as_deref()
                    .and_then(|json| serde_json::from_str(json).ok()),
            })
            .collect();
        let superseded_by = message_row::Entity::find()
            .filter(message_row::Column::SupersedesId.eq(id))
            .order_by_desc(message_row::Column::Id)
            .one(&self.db)
            .await?
            .map(|newer| newer.id);
        Ok(MessageView {
            id,
            sha256: row.sha256.clone(),
            size: row.size,
            message_id: row.message_id_header.clone(),
            subject: row.subject.clone().unwrap_or_default(),
            from: row.from_text.clone(),
            to: row.to_text.clone(),
            cc: row.cc_text.clone(),
            date: row.date,
            archived_at: row.archived_at,
            text_body: body.text,
            has_html: body.has_html,
            has_remote_images: body.has_remote_images,
            attachments: body.attachments,
            locations,
            thread: self.thread(&row, &scope).await?,
            defects: row
                .defects
                .as_deref()
                .and_then(|json| serde_json::from_str(json).ok())
                .unwrap_or_default(),
            superseded_by,
            supersedes: row.supersedes_id,
        })
    }

    /// The raw bytes of a message `reader` may see.
    pub async fn raw_of(
        &self,
        reader: Reader,
        id: i64,
    ) -> Result<(message_row::Model, Vec<u8>), ViewerError> {
        let row = self.readable(reader, id).await?;
        let raw = self.raw(&row).await?;
        Ok((row, raw))
    }

    async fn raw(&self, row: &message_row::Model) -> Result<Vec<u8>, ViewerError> {
        let digest = digest_of(row)?;
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.get(&digest))
            .await
            .map_err(joined)?
            .map_err(ViewerError::from)
    }

    /// Every message `query` finds for `reader`, superseded revisions
    /// included (for legal holds: a hold keeps every revision).
    pub async fn matching_ids(&self, reader: Reader, query: &str) -> Result<Vec<i64>, ViewerError> {
        let scope = self.scope(reader).await?;
        let request = SearchRequest {
            query: Query::parse(query).map_err(|error| ViewerError::Query(error.0))?,
            sort: index::Sort::Oldest,
            offset: 0,
            limit: 0,
            include_superseded: true,
        };
        let index = self.index.clone();
        tokio::task::spawn_blocking(move || index.all_ids(&request, &scope))
            .await
            .map_err(joined)?
            .map_err(ViewerError::from)
    }

    /// Ids of the live mailboxes `reader` manages (may restore into).
    pub(super) async fn managed_ids(&self, reader: Reader) -> Result<HashSet<i64>, ViewerError> {
        let rows = self.mailboxes.list().await?;
        Ok(rows
            .into_iter()
            .filter(|row| match reader {
                Reader::Everyone => true,
                Reader::User(user_id) => row.owner_id == Some(user_id),
                Reader::Auditor(_) => false,
            })
            .map(|row| row.id)
            .collect())
    }

    pub(super) async fn locations_of(
        &self,
        id: i64,
    ) -> Result<Vec<message_location::Model>, DbErr> {
        message_location::Entity::find()
            .filter(message_location::Column::MessageId.eq(id))
            .order_by_asc(message_location::Column::Id)
            .all(&self.db)
            .await
    }

    async fn rows(&self, ids: &[i64]) -> Result<HashMap<i64, message_row::Model>, DbErr> {
        Ok(message_row::Entity::find()
            .filter(message_row::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| (row.id, row))
            .collect())
    }

    /// "Mailbox / folder" of each message's first listed location the scope shows.
    async fn places(&self, ids: &[i64], scope: &Scope) -> Result<HashMap<i64, String>, DbErr> {
        let names: HashMap<i64, &str> = scope
            .mailboxes
            .iter()
            .map(|(id, name)| (*id, name.as_str()))
            .collect();
        let mut places = HashMap::new();
        for location in message_location::Entity::find()
            .filter(message_location::Column::MessageId.is_in(ids.iter().copied()))
            .order_by_desc(message_location::Column::Listed)
            .order_by_asc(message_location::Column::Id)
            .all(&self.db)
            .await?
        {
            if let Some(name) = names.get(&location.mailbox_id) {
                places
                    .entry(location.message_id)
                    .or_insert_with(|| format!("{name} / {}", location.folder));
            }
        }
        Ok(places)
    }

    /// The conversation of `row`: every message sharing one of its
    /// Message-IDs (its own, In-Reply-To, References), oldest first.
    async fn thread(
        &self,
        row: &message_row::Model,
        scope: &Scope,
    ) -> Result<Vec<ThreadEntry>, ViewerError> {
        let mut ids: Vec<String> = serde_json::from_str(&row.references).unwrap_or_default();
        ids.extend(row.in_reply_to.iter().cloned());
        ids.extend(row.message_id_header.iter().cloned());
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let request = SearchRequest {
            query: Query::Or(ids.into_iter().map(Query::Thread).collect()),
            sort: index::Sort::Oldest,
            offset: 0,
            limit: 200,
            include_superseded: false,
        };
        let index = self.index.clone();
        let scope = scope.clone();
        let hits = tokio::task::spawn_blocking(move || index.search(&request, &scope))
            .await
            .map_err(joined)??
            .hits;
        if hits.len() < 2 {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = hits.iter().map(|hit| hit.id).collect();
        let rows = self.rows(&ids).await?;
        Ok(ids
            .iter()
            .filter_map(|id| rows.get(id))
            .map(|row| ThreadEntry {
                id: row.id,
                subject: row.subject.clone().unwrap_or_default(),
                from: row.from_text.clone(),
                date: row.date,
            })
            .collect())
    }
}

/// A blocking task that panicked or was cancelled (the runtime shutting down).
pub(super) fn joined(error: tokio::task::JoinError) -> ViewerError {
    ViewerError::Index(IndexError::Corrupt(format!(
        "a background task failed: {error}"
    )))
}

pub(super) fn digest_of(row: &message_row::Model) -> Result<Digest, ViewerError> {
    row.sha256
        .parse()
        .map_err(|_| ViewerError::Internal(format!("message {} has no valid SHA-256", row.id)))
}
