//! Server function `/api/templates/list`: the mailbox templates (admin).

use crate::error::ApiError;
use crate::model::mailbox::TemplateSummary;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "templates/list")]
pub async fn list_templates() -> Result<Vec<TemplateSummary>, ApiError> {
    let request = crate::api::context::Request::current()?;
    request.admin().await?;
    request.respond(request.backend.list_templates()).await
}
