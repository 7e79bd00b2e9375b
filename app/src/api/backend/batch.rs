//! What the server functions of `api::batch` ask of the server: batch
//! archiving: many mailboxes at once. One part of the port `Backend` (see
//! there), implemented by `server::web::batch`.

use crate::error::ApiError;
use crate::model::SessionUser;
use crate::model::batch::{BatchReport, CsvImportForm, CsvPreview, MasterBatchForm};

#[async_trait::async_trait]
pub trait BatchBackend: Send + Sync + 'static {
    /// Creates one mailbox per selected user through a master user.
    async fn master_batch(
        &self,
        caller: &SessionUser,
        form: MasterBatchForm,
    ) -> Result<BatchReport, ApiError>;
    async fn preview_csv(&self, form: CsvImportForm) -> Result<CsvPreview, ApiError>;
    async fn import_csv(
        &self,
        caller: &SessionUser,
        form: CsvImportForm,
    ) -> Result<BatchReport, ApiError>;
}
