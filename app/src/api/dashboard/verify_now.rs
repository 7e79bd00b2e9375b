//! Server function `/api/dashboard/verify_now`: an administrator starts a check of the archive now (the dashboard's "Verify now").

use crate::error::ApiError;
use crate::model::VerifyStart;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "dashboard/verify_now")]
pub async fn verify_now() -> Result<VerifyStart, ApiError> {
    let request = crate::api::context::Request::current()?;
    let user = request.caller().await?;
    request.respond(request.backend.verify_now(&user)).await
}
