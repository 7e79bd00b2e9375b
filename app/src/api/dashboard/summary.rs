use crate::error::ApiError;
use crate::model::DashboardView;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "dashboard/summary")]
pub async fn dashboard_summary() -> Result<DashboardView, ApiError> {
    let request = crate::api::context::Request::current()?;
    let user = request.caller().await?;
    request.respond(request.backend.dashboard(&user)).await
}
