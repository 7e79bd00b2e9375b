use crate::error::ApiError;
use crate::model::mailbox::MailboxEditor;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "mailboxes/editor")]
pub async fn load_mailbox_editor(id: i64) -> Result<MailboxEditor, ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.caller().await?;
    request
        .respond(request.backend.mailbox_editor(&caller, id))
        .await
}
