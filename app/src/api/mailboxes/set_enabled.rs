//! Server function `/api/mailboxes/set_enabled`: pause or resume a mailbox's schedule.

use crate::error::ApiError;
use leptos::prelude::*;

/// Pauses or resumes a mailbox's schedule; manual runs stay possible.
#[server(prefix = "/api", endpoint = "mailboxes/set_enabled")]
pub async fn set_mailbox_enabled(id: i64, enabled: bool) -> Result<(), ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.caller().await?;
    request
        .respond(request.backend.set_mailbox_enabled(&caller, id, enabled))
        .await
}
