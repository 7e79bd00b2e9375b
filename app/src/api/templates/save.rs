//! Server function `/api/templates/save`: create or change a template; its mailboxes' inherited settings follow (admin).

use crate::error::ApiError;
use crate::model::mailbox_form::MailboxForm;
use leptos::prelude::*;

/// Creates or updates a template; inheriting mailboxes take the new values
/// from their next run. Returns its id.
#[server(prefix = "/api", endpoint = "templates/save")]
pub async fn save_template(form: MailboxForm) -> Result<i64, ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.admin().await?;
    request
        .respond(request.backend.save_template(&caller, form))
        .await
}
