//! Server function `/api/batch/master`: create mailboxes for Tresor users through a master user (admin).

use crate::error::ApiError;
use crate::model::batch::{BatchReport, MasterBatchForm};
use leptos::prelude::*;

/// One mailbox per selected user, read through the master user.
#[server(prefix = "/api", endpoint = "batch/master")]
pub async fn run_master_batch(form: MasterBatchForm) -> Result<BatchReport, ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.admin().await?;
    request
        .respond(request.backend.master_batch(&caller, form))
        .await
}
