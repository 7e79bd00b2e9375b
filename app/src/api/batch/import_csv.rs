//! Server function `/api/batch/import_csv`: create mailboxes from a CSV list (admin).

use crate::error::ApiError;
use crate::model::batch::{BatchReport, CsvImportForm};
use leptos::prelude::*;

/// Creates a mailbox for every row the preview accepts (and missing users).
#[server(prefix = "/api", endpoint = "batch/import_csv")]
pub async fn import_csv(form: CsvImportForm) -> Result<BatchReport, ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.admin().await?;
    request
        .respond(request.backend.import_csv(&caller, form))
        .await
}
