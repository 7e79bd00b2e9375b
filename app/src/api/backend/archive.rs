//! What the server functions of `api::archive` ask of the server: the archive
//! viewer: search, one message, restore. One part of the port `Backend` (see
//! there), implemented by `server::web::archive`.

use crate::error::ApiError;
use crate::model::SessionUser;
use crate::model::archive::{
    MessageView, RestoreInput, RestorePlan, RestoreReport, SearchInput, SearchPage,
};

#[async_trait::async_trait]
pub trait ArchiveBackend: Send + Sync + 'static {
    /// One page of what `caller` may find in the archive.
    async fn search_archive(
        &self,
        caller: &SessionUser,
        input: SearchInput,
    ) -> Result<SearchPage, ApiError>;
    /// A message `caller` may see; `NotFound` otherwise.
    async fn archived_message(
        &self,
        caller: &SessionUser,
        id: i64,
    ) -> Result<MessageView, ApiError>;
    /// What restoring `message_ids` would do: the folder each came from and
    /// the mailboxes `caller` may restore into (those they manage, with a server).
    async fn restore_plan(
        &self,
        caller: &SessionUser,
        message_ids: Vec<i64>,
    ) -> Result<RestorePlan, ApiError>;
    /// Each message back to its own folder or all to one; duplicates skipped
    /// unless forced; the outcome of each.
    async fn restore_messages(
        &self,
        caller: &SessionUser,
        input: RestoreInput,
    ) -> Result<RestoreReport, ApiError>;
}
