//! Server function `/api/mailboxes/runs`: a mailbox's recent runs and its live progress.

use crate::error::ApiError;
use crate::model::job::MailboxRuns;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "mailboxes/runs")]
pub async fn load_mailbox_runs(id: i64) -> Result<MailboxRuns, ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.caller().await?;
    request
        .respond(request.backend.mailbox_runs(&caller, id))
        .await
}
