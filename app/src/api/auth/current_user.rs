//! Server function `/api/auth/current_user`: who is signed in, if anyone (public: pages ask it before rendering).

use crate::error::ApiError;
use crate::model::SessionUser;
use leptos::prelude::*;

/// The signed-in user, or `None`. Anyone may ask; it reveals only themselves.
#[server(prefix = "/api", endpoint = "auth/current_user")]
pub async fn current_user() -> Result<Option<SessionUser>, ApiError> {
    let request = crate::api::context::Request::current()?;
    request.optional_caller().await
}
