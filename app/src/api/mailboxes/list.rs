//! Server function `/api/mailboxes/list`: the mailboxes the caller may read, with their last run.

use crate::error::ApiError;
use crate::model::mailbox::MailboxSummary;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "mailboxes/list")]
pub async fn list_mailboxes() -> Result<Vec<MailboxSummary>, ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.caller().await?;
    request
        .respond(request.backend.list_mailboxes(&caller))
        .await
}
