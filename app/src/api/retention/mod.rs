//! Retention policies, legal holds and the deletion job. Admins only.

use crate::error::ApiError;
use crate::model::retention::{HoldInput, PolicyInput, RetentionOverview, RetentionSummary};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "retention/overview")]
pub async fn load_retention() -> Result<RetentionOverview, ApiError> {
    let request = crate::api::context::Request::current()?;
    request.admin().await?;
    request.respond(request.backend.retention_overview()).await
}

#[server(prefix = "/api", endpoint = "retention/add_policy")]
pub async fn add_policy(input: PolicyInput) -> Result<(), ApiError> {
    let request = crate::api::context::Request::current()?;
    let admin = request.admin().await?;
    request
        .respond(request.backend.add_policy(&admin, input))
        .await
}

#[server(prefix = "/api", endpoint = "retention/remove_policy")]
pub async fn remove_policy(id: i64) -> Result<(), ApiError> {
    let request = crate::api::context::Request::current()?;
    let admin = request.admin().await?;
    request
        .respond(request.backend.remove_policy(&admin, id))
        .await
}

#[server(prefix = "/api", endpoint = "retention/place_hold")]
pub async fn place_hold(input: HoldInput) -> Result<(), ApiError> {
    let request = crate::api::context::Request::current()?;
    let admin = request.admin().await?;
    request
        .respond(request.backend.place_hold(&admin, input))
        .await
}

#[server(prefix = "/api", endpoint = "retention/release_hold")]
pub async fn release_hold(id: i64, reason: String) -> Result<(), ApiError> {
    let request = crate::api::context::Request::current()?;
    let admin = request.admin().await?;
    request
        .respond(request.backend.release_hold(&admin, id, &reason))
        .await
}

/// What `apply` would delete now; deletes nothing.
#[server(prefix = "/api", endpoint = "retention/preview")]
pub async fn retention_preview() -> Result<RetentionSummary, ApiError> {
    let request = crate::api::context::Request::current()?;
    request.admin().await?;
    request.respond(request.backend.retention_run(None)).await
}

/// Deletes what every covering policy released and no hold keeps.
#[server(prefix = "/api", endpoint = "retention/apply")]
pub async fn apply_retention() -> Result<RetentionSummary, ApiError> {
    let request = crate::api::context::Request::current()?;
    let admin = request.admin().await?;
    request
        .respond(request.backend.retention_run(Some(&admin)))
        .await
}
