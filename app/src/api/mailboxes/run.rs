//! Server function `/api/mailboxes/run`: ask the scheduler to run a mailbox now ("Run now").

use crate::error::ApiError;
use crate::model::job::RunRequest;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "mailboxes/run")]
pub async fn start_mailbox_run(id: i64) -> Result<RunRequest, ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.caller().await?;
    request
        .respond(request.backend.run_mailbox(&caller, id))
        .await
}
