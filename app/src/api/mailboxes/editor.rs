//! Server function `/api/mailboxes/editor`: a mailbox's editor form (secrets never sent), or a new one's.

use crate::error::ApiError;
use crate::model::mailbox::MailboxEditor;
use leptos::prelude::*;

/// The editor for mailbox `id` (its owner's or an admin's only), or for a
/// new mailbox when `id` is `None`; with the templates it may inherit from.
#[server(prefix = "/api", endpoint = "mailboxes/editor")]
pub async fn load_mailbox_editor(id: Option<i64>) -> Result<MailboxEditor, ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.caller().await?;
    request
        .respond(request.backend.mailbox_editor(&caller, id))
        .await
}
