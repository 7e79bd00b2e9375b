use crate::error::ApiError;
use crate::model::DashboardView;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "dashboard/summary")]
pub async fn dashboard_summary() -> Result<DashboardView, ApiError> {
    use crate::api::context;
    let user = context::caller().await?;
    context::respond(context::backend()?.dashboard(&user)).await
}
