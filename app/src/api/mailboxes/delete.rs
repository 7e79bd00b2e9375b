//! Server function `/api/mailboxes/delete`: delete a mailbox profile (its archived mail stays).

use crate::error::ApiError;
use leptos::prelude::*;

/// Deletes a mailbox the caller manages: it stops running and leaves the
/// lists; the mail it archived stays in the archive.
#[server(prefix = "/api", endpoint = "mailboxes/delete")]
pub async fn delete_mailbox(id: i64) -> Result<(), ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.caller().await?;
    request
        .respond(request.backend.delete_mailbox(&caller, id))
        .await
}
