//! Server function `/api/archive/restore_targets`: the mailboxes (and their folders) the caller may restore into.

use crate::error::ApiError;
use crate::model::archive::RestoreTarget;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "archive/restore_targets")]
pub async fn load_restore_targets() -> Result<Vec<RestoreTarget>, ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.caller().await?;
    request
        .respond(request.backend.restore_targets(&caller))
        .await
}
