use crate::error::ApiError;
use crate::model::batch::{BatchReport, CsvImportForm, CsvPreview};
use leptos::prelude::*;

/// What importing the list would do, row by row; saves nothing.
#[server(prefix = "/api", endpoint = "batch/preview_csv")]
pub async fn preview_csv(form: CsvImportForm) -> Result<CsvPreview, ApiError> {
    let request = crate::api::context::Request::current()?;
    request.admin().await?;
    request.respond(request.backend.preview_csv(form)).await
}

/// Creates a mailbox for every row the preview accepts (and missing users).
#[server(prefix = "/api", endpoint = "batch/import_csv")]
pub async fn import_csv(form: CsvImportForm) -> Result<BatchReport, ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.admin().await?;
    request
        .respond(request.backend.import_csv(&caller, form))
        .await
}
