//! Server function `/api/mailboxes/subscribe`: subscribe or unsubscribe a folder on the mailbox's server.

use crate::error::ApiError;
use crate::model::mailbox_form::MailboxForm;
use leptos::prelude::*;

/// Subscribes (`subscribed`) or unsubscribes `folder` (as the server spells
/// it) on the server of the editor's current settings, like "Test connection".
#[server(prefix = "/api", endpoint = "mailboxes/subscribe")]
pub async fn subscribe_folder(
    form: MailboxForm,
    folder: String,
    subscribed: bool,
) -> Result<(), ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.caller().await?;
    request
        .respond(
            request
                .backend
                .subscribe_folder(&caller, form, &folder, subscribed),
        )
        .await
}
