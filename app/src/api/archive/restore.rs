//! Server function `/api/archive/restore`: restore selected messages into a mailbox the caller manages (IMAP APPEND).

use crate::error::ApiError;
use crate::model::archive::{RestoreInput, RestoreReport};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "archive/restore")]
pub async fn restore_messages(input: RestoreInput) -> Result<RestoreReport, ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.caller().await?;
    request
        .respond(request.backend.restore_messages(&caller, input))
        .await
}
