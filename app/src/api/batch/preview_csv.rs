//! Server function `/api/batch/preview_csv`: check a CSV mailbox list and show what it would create, creating nothing (admin).

use crate::error::ApiError;
use crate::model::batch::{CsvImportForm, CsvPreview};
use leptos::prelude::*;

/// What importing the list would do, row by row; saves nothing.
#[server(prefix = "/api", endpoint = "batch/preview_csv")]
pub async fn preview_csv(form: CsvImportForm) -> Result<CsvPreview, ApiError> {
    let request = crate::api::context::Request::current()?;
    request.admin().await?;
    request.respond(request.backend.preview_csv(form)).await
}
