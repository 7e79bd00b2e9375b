//! The archive viewer's service: search, read, download, export and restore
//! archived mail — each only over what the asker may see. The web and the
//! CLI both go through here, so the visibility rule is applied in one place:
//! a `Reader` becomes a `Scope` from `Mailboxes::visible_to`, the index
//! applies it to every query, and every single-message access checks that
//! the message has a copy in one of the reader's mailboxes.

pub mod export;
pub mod message;
mod restore;

use crate::db::entity::{mailbox, message as message_row, message_location};
use crate::index::{self, IndexError, Query, Scope, SearchIndex, SearchRequest, Visibility};
use crate::mailbox::{MailboxError, Mailboxes};
use crate::store::{BlobStore, Digest, StoreError};
use app::model::archive::{
    HitView, LocationView, MAX_PAGE_SIZE, MessageView, PAGE_SIZE, SearchInput, SearchPage,
    SearchSort, SnippetPiece, ThreadEntry,
};
use export::ExportItem;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub use restore::RestoreError;

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

/// What to export.
#[derive(Debug, Clone)]
pub enum Selection {
    Messages(Vec<i64>),
    Query(String),
    Folder { mailbox_id: i64, folder: String },
    Mailbox(i64),
}

pub struct Viewer {
    db: DatabaseConnection,
    store: Arc<BlobStore>,
    mailboxes: Arc<Mailboxes>,
    index: Arc<SearchIndex>,
    export_page_size: usize,
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
            },
            Some(user_id) => {
                let rows = self.mailboxes.visible_to(user_id, false).await?;
                Scope {
                    visibility: Visibility::Mailboxes(rows.iter().map(|row| row.id).collect()),
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
        if let Visibility::Mailboxes(visible) = &scope.visibility
            && !locations
                .iter()
                .any(|location| visible.contains(&location.mailbox_id))
        {
            return Err(ViewerError::NotFound);
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

    /// What `selection` covers for `reader`, resolved once: how to page
    /// through it by message id, and how many messages it holds now. Mail
    /// archived after this moment is not part of it.
    pub async fn plan_export(
        &self,
        reader: Reader,
        selection: &Selection,
    ) -> Result<ExportPlan, ViewerError> {
        let scope = self.scope(reader).await?;
        let visible: Option<HashSet<i64>> = match &scope.visibility {
            Visibility::All => None,
            Visibility::Mailboxes(ids) => Some(ids.iter().copied().collect()),
        };
        let may_see =
            |mailbox_id: i64| visible.as_ref().is_none_or(|ids| ids.contains(&mailbox_id));
        let through: i64 = message_row::Entity::find()
            .select_only()
            .column_as(message_row::Column::Id.max(), "through")
            .into_tuple::<Option<i64>>()
            .one(&self.db)
            .await?
            .flatten()
            .unwrap_or(0);
        let source = match selection {
            // The ids come from the request, so they are in memory already.
            Selection::Messages(ids) => {
                let mut readable = std::collections::BTreeSet::new();
                for chunk in ids.chunks(self.export_page_size) {
                    let locations = message_location::Entity::find()
                        .filter(message_location::Column::MessageId.is_in(chunk.iter().copied()))
                        .all(&self.db)
                        .await?;
                    readable.extend(
                        locations
                            .into_iter()
                            .filter(|location| may_see(location.mailbox_id))
                            .map(|location| location.message_id),
                    );
                }
                ExportSource::Given(readable.into_iter().collect())
            }
            Selection::Query(query) => ExportSource::Search {
                request: SearchRequest {
                    query: Query::parse(query).map_err(|error| ViewerError::Query(error.0))?,
                    sort: index::Sort::Oldest,
                    offset: 0,
                    limit: 0,
                    include_superseded: false,
                },
                scope,
            },
            Selection::Folder { mailbox_id, folder } => {
                if !may_see(*mailbox_id) {
                    return Err(ViewerError::NotFound);
                }
                ExportSource::Listed {
                    mailbox_id: *mailbox_id,
                    folder: Some(folder.clone()),
                }
            }
            Selection::Mailbox(mailbox_id) => {
                if !may_see(*mailbox_id) {
                    return Err(ViewerError::NotFound);
                }
                ExportSource::Listed {
                    mailbox_id: *mailbox_id,
                    folder: None,
                }
            }
        };
        let count = match &source {
            ExportSource::Given(ids) => ids.len() as u64,
            ExportSource::Listed { mailbox_id, folder } => {
                listed_ids(*mailbox_id, folder.as_deref(), 0, through)
                    .count(&self.db)
                    .await?
            }
            ExportSource::Search { request, scope } => {
                let index = self.index.clone();
                let (request, scope) = (request.clone(), scope.clone());
                tokio::task::spawn_blocking(move || index.count_through(&request, &scope, through))
                    .await
                    .map_err(joined)??
            }
        };
        Ok(ExportPlan {
            source,
            count,
            through,
        })
    }

    /// The next page of `plan`: up to a page of its messages with ids above
    /// `after`, ascending; empty at the end.
    pub async fn export_page(
        &self,
        plan: &ExportPlan,
        after: i64,
    ) -> Result<Vec<(i64, ExportItem)>, ViewerError> {
        let page = self.export_page_size;
        let ids: Vec<i64> = match &plan.source {
            ExportSource::Given(ids) => {
                let start = ids.partition_point(|id| *id <= after);
                ids[start..].iter().take(page).copied().collect()
            }
            ExportSource::Listed { mailbox_id, folder } => {
                listed_ids(*mailbox_id, folder.as_deref(), after, plan.through)
                    .order_by_asc(message_location::Column::MessageId)
                    .limit(page as u64)
                    .into_tuple::<i64>()
                    .all(&self.db)
                    .await?
            }
            ExportSource::Search { request, scope } => {
                let index = self.index.clone();
                let (request, scope, through) = (request.clone(), scope.clone(), plan.through);
                tokio::task::spawn_blocking(move || {
                    index.ids_page(&request, &scope, after, through, page)
                })
                .await
                .map_err(joined)??
            }
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = message_row::Entity::find()
            .filter(message_row::Column::Id.is_in(ids))
            .order_by_asc(message_row::Column::Id)
            .all(&self.db)
            .await?;
        rows.into_iter()
            .map(|row| {
                Ok((
                    row.id,
                    ExportItem {
                        digest: digest_of(&row)?,
                        sender: first_address(&row.from_text),
                        subject: row.subject,
                        date: row.date,
                    },
                ))
            })
            .collect()
    }

    /// Ids of the live mailboxes `reader` manages (may restore into).
    async fn managed_ids(&self, reader: Reader) -> Result<HashSet<i64>, ViewerError> {
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

    async fn locations_of(&self, id: i64) -> Result<Vec<message_location::Model>, DbErr> {
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

/// Messages per page of an export: one query (or search) and the rows of
/// that many messages in memory at a time, however large the selection.
pub const EXPORT_PAGE_SIZE: usize = 500;

/// A resolved export (`Viewer::plan_export`), read page by page.
#[derive(Debug, Clone)]
pub struct ExportPlan {
    source: ExportSource,
    /// How many messages the export holds (fewer are written if some are
    /// deleted by retention while it runs).
    pub count: u64,
    /// The highest message id when it was resolved.
    through: i64,
}

#[derive(Debug, Clone)]
enum ExportSource {
    /// Ids the asker listed (those they may see), ascending.
    Given(Vec<i64>),
    /// The listed messages of a mailbox, or of one of its folders.
    Listed {
        mailbox_id: i64,
        folder: Option<String>,
    },
    /// What a search finds within the asker's scope.
    Search {
        request: SearchRequest,
        scope: Scope,
    },
}

/// The distinct ids of the messages listed in mailbox `mailbox_id` (and
/// `folder`) with `after < id <= through`.
fn listed_ids(
    mailbox_id: i64,
    folder: Option<&str>,
    after: i64,
    through: i64,
) -> sea_orm::Select<message_location::Entity> {
    let mut query = message_location::Entity::find()
        .select_only()
        .column(message_location::Column::MessageId)
        .distinct()
        .filter(message_location::Column::MailboxId.eq(mailbox_id))
        .filter(message_location::Column::Listed.eq(true))
        .filter(message_location::Column::MessageId.gt(after))
        .filter(message_location::Column::MessageId.lte(through));
    if let Some(folder) = folder {
        query = query.filter(message_location::Column::Folder.eq(folder));
    }
    query
}

/// An export's messages for the writers in `export`, which run on a
/// blocking thread: each page is read (on the runtime) when the one before
/// is written, so memory holds one page, never the whole selection.
pub struct ExportItems {
    viewer: Arc<Viewer>,
    plan: ExportPlan,
    runtime: tokio::runtime::Handle,
    page: std::vec::IntoIter<(i64, ExportItem)>,
    after: i64,
    finished: bool,
}

impl ExportItems {
    /// Call on the runtime; iterate on a blocking thread (`spawn_blocking`).
    pub fn new(viewer: Arc<Viewer>, plan: ExportPlan) -> ExportItems {
        ExportItems {
            viewer,
            plan,
            runtime: tokio::runtime::Handle::current(),
            page: Vec::new().into_iter(),
            after: 0,
            finished: false,
        }
    }
}

impl Iterator for ExportItems {
    type Item = Result<ExportItem, ViewerError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some((id, item)) = self.page.next() {
                self.after = id;
                return Some(Ok(item));
            }
            if self.finished {
                return None;
            }
            let page = self
                .runtime
                .block_on(self.viewer.export_page(&self.plan, self.after));
            match page {
                Ok(page) if page.is_empty() => self.finished = true,
                Ok(page) => self.page = page.into_iter(),
                Err(error) => {
                    self.finished = true;
                    return Some(Err(error));
                }
            }
        }
    }
}

/// A blocking task that panicked or was cancelled (the runtime shutting down).
fn joined(error: tokio::task::JoinError) -> ViewerError {
    ViewerError::Index(IndexError::Corrupt(format!(
        "a background task failed: {error}"
    )))
}

fn digest_of(row: &message_row::Model) -> Result<Digest, ViewerError> {
    row.sha256
        .parse()
        .map_err(|_| ViewerError::Internal(format!("message {} has no valid SHA-256", row.id)))
}

/// The first address of a `Name <address>, …` list.
fn first_address(text: &str) -> Option<String> {
    let first = text.split(", ").next()?.trim();
    let address = match (first.rfind('<'), first.rfind('>')) {
        (Some(open), Some(close)) if open < close => &first[open + 1..close],
        _ => first,
    };
    (!address.is_empty()).then(|| address.to_string())
}
