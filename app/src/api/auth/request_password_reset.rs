//! Server function `/api/auth/request_password_reset`: send a password-reset link by mail (public; the same answer whether the address exists or not).

use crate::error::ApiError;
use leptos::prelude::*;

/// Sends a password-reset link to `email` if it belongs to an enabled
/// account. The answer is the same either way, so nobody learns which
/// addresses have accounts.
#[server(prefix = "/api", endpoint = "auth/request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), ApiError> {
    let request = crate::api::context::Request::current()?;
    request
        .respond(
            request
                .backend
                .request_password_reset(&email, request.client_ip),
        )
        .await
}
