//! Server function `/api/mailboxes/save`: create or change a mailbox profile from the editor's form.

use crate::error::ApiError;
use crate::model::mailbox_form::MailboxForm;
use leptos::prelude::*;

/// Creates or updates a mailbox from the editor; returns its id. Each
/// problem comes back as `ApiError::Invalid` naming its field.
#[server(prefix = "/api", endpoint = "mailboxes/save")]
pub async fn save_mailbox(form: MailboxForm) -> Result<i64, ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.caller().await?;
    request
        .respond(request.backend.save_mailbox(&caller, form))
        .await
}
