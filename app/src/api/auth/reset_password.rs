//! Server function `/api/auth/reset_password`: set a new password with a reset link's token (public, once, one hour).

use crate::error::ApiError;
use leptos::prelude::*;

/// Sets a new password with the token from a reset mail; every session of
/// the account ends. The token works once, within an hour.
#[server(prefix = "/api", endpoint = "auth/reset_password")]
pub async fn reset_password(
    token: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), ApiError> {
    let request = crate::api::context::Request::current()?;
    if new_password != confirm_password {
        return Err(request.fail(ApiError::invalid(
            "confirm_password",
            "The two new passwords differ.",
        )));
    }
    request
        .respond(
            request
                .backend
                .reset_password(&token, &new_password, request.client_ip),
        )
        .await
}
