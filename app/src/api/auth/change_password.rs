//! Server function `/api/auth/change_password`: a signed-in person changes their own password (the current one required).

use crate::error::ApiError;
use leptos::prelude::*;

/// Changes the caller's own password. Their other sessions are ended by the backend.
#[server(prefix = "/api", endpoint = "auth/change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), ApiError> {
    let request = crate::api::context::Request::current()?;
    let user = request.caller().await?;
    if new_password != confirm_password {
        return Err(request.fail(ApiError::invalid(
            "confirm_password",
            "The two new passwords differ.",
        )));
    }
    request
        .respond(request.backend.change_password(
            &user,
            &current_password,
            &new_password,
            request.session_token.as_deref(),
        ))
        .await
}
