//! Holds by search query: which messages a query matches, and whether the
//! index can be trusted to see all of them right now.

use sea_orm::DatabaseConnection;

/// Finds the messages a search query matches (all mailboxes, revisions
/// included); `None` when the index is not up to date, so a hold by query
/// cannot be trusted to see everything.
#[async_trait::async_trait]
pub trait HoldSearch: Send + Sync {
    async fn matching(&self, query: &str) -> Result<Vec<i64>, String>;
    /// Why the index cannot be trusted now (messages waiting to be indexed).
    async fn not_ready(&self) -> Option<String>;
}

/// Holds by query, answered by the archive viewer's index (every mailbox,
/// revisions included); not ready while messages wait to be indexed.
pub struct ViewerSearch<'a> {
    viewer: &'a crate::viewer::Viewer,
    db: &'a DatabaseConnection,
}

impl<'a> ViewerSearch<'a> {
    pub fn new(viewer: &'a crate::viewer::Viewer, db: &'a DatabaseConnection) -> Self {
        ViewerSearch { viewer, db }
    }
}

#[async_trait::async_trait]
impl HoldSearch for ViewerSearch<'_> {
    async fn matching(&self, query: &str) -> Result<Vec<i64>, String> {
        self.viewer
            .matching_ids(crate::viewer::Reader::Everyone, query)
            .await
            .map_err(|error| error.to_string())
    }

    async fn not_ready(&self) -> Option<String> {
        match crate::index::queued(self.db).await {
            Ok(0) => None,
            Ok(waiting) => Some(format!(
                "{waiting} messages wait to be indexed; let `tresor serve` (or `tresor reindex`) finish first"
            )),
            Err(error) => Some(error.to_string()),
        }
    }
}
