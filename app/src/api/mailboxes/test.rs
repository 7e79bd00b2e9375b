//! Server function `/api/mailboxes/test`: "Test connection": log in with the editor's settings and report, changing nothing.

use crate::error::ApiError;
use crate::model::mailbox_form::MailboxForm;
use crate::model::probe::ProbeReport;
use leptos::prelude::*;

/// "Test connection" with the editor's current values; saves nothing.
#[server(prefix = "/api", endpoint = "mailboxes/test")]
pub async fn test_mailbox(form: MailboxForm) -> Result<ProbeReport, ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.caller().await?;
    request
        .respond(request.backend.test_mailbox(&caller, form))
        .await
}
