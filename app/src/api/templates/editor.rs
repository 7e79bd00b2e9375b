//! Server function `/api/templates/editor`: a template's editor form, or a new one's (admin).

use crate::error::ApiError;
use crate::model::mailbox_form::MailboxForm;
use leptos::prelude::*;

/// Template `id` as the editor's form, or a new one's defaults for `None`.
#[server(prefix = "/api", endpoint = "templates/editor")]
pub async fn load_template_editor(id: Option<i64>) -> Result<MailboxForm, ApiError> {
    let request = crate::api::context::Request::current()?;
    request.admin().await?;
    request.respond(request.backend.template_editor(id)).await
}
