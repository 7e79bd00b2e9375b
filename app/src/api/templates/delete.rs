//! Server function `/api/templates/delete`: delete a mailbox template (its mailboxes keep their settings; admin).

use crate::error::ApiError;
use leptos::prelude::*;

/// Deletes a template; its mailboxes keep their values as their own.
#[server(prefix = "/api", endpoint = "templates/delete")]
pub async fn delete_template(id: i64) -> Result<(), ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.admin().await?;
    request
        .respond(request.backend.delete_template(&caller, id))
        .await
}
