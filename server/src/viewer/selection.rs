//! What an export covers: a `Selection` (messages, a search, a folder, a
//! mailbox) resolved once for a reader into an `ExportPlan`, then read a page
//! at a time by id (`ExportItems`), so the writers in `export` never hold the
//! whole selection.

use super::export::ExportItem;
use super::service::{Reader, Viewer, ViewerError, digest_of, joined};
use crate::db::entity::{message as message_row, message_location};
use crate::index::{self, Query, Scope, SearchRequest, Visibility};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashSet;
use std::sync::Arc;

/// What to export.
#[derive(Debug, Clone)]
pub enum Selection {
    Messages(Vec<i64>),
    Query(String),
    Folder { mailbox_id: i64, folder: String },
    Mailbox(i64),
}

impl Viewer {
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
            // Journal copies seen as a party are exported from a search;
            // a list of ids or a mailbox takes what the mailboxes hold.
            Visibility::Limited { mailboxes, .. } => Some(mailboxes.iter().copied().collect()),
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
}

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

/// The first address of a `Name <address>, …` list.
fn first_address(text: &str) -> Option<String> {
    let first = text.split(", ").next()?.trim();
    let address = match (first.rfind('<'), first.rfind('>')) {
        (Some(open), Some(close)) if open < close => &first[open + 1..close],
        _ => first,
    };
    (!address.is_empty()).then(|| address.to_string())
}
