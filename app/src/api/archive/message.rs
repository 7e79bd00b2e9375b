//! Server function `/api/archive/message`: one archived message as its reader sees it (text, sanitized HTML link, attachments).

use crate::error::ApiError;
use crate::model::archive::MessageView;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "archive/message")]
pub async fn load_archived_message(id: i64) -> Result<MessageView, ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.caller().await?;
    request
        .respond(request.backend.archived_message(&caller, id))
        .await
}
