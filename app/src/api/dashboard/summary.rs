//! Server function `/api/dashboard/summary`: the dashboard's figures for the caller (their mailboxes; admins: everything and the checks).

use crate::error::ApiError;
use crate::model::DashboardView;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "dashboard/summary")]
pub async fn dashboard_summary() -> Result<DashboardView, ApiError> {
    let request = crate::api::context::Request::current()?;
    let user = request.caller().await?;
    request.respond(request.backend.dashboard(&user)).await
}
