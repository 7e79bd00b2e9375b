//! Server function `/api/archive/restore_plan`: what restoring the chosen messages would do — the folder each came from and the mailboxes the caller may restore into.

use crate::error::ApiError;
use crate::model::archive::{RestorePlan, RestorePlanInput};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "archive/restore_plan")]
pub async fn plan_restore(input: RestorePlanInput) -> Result<RestorePlan, ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.caller().await?;
    request
        .respond(request.backend.restore_plan(&caller, input.message_ids))
        .await
}
