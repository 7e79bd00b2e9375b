//! Server function `/api/archive/search`: search the archive within what the caller may read.

use crate::error::ApiError;
use crate::model::archive::{SearchInput, SearchPage};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "archive/search")]
pub async fn search_archive(input: SearchInput) -> Result<SearchPage, ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.caller().await?;
    request
        .respond(request.backend.search_archive(&caller, input))
        .await
}
