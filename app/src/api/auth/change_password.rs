use crate::error::ApiError;
use leptos::prelude::*;

/// Changes the caller's own password. Other sessions of the caller are ended by the backend.
#[server(prefix = "/api", endpoint = "auth/change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), ApiError> {
    use crate::api::context;
    let user = context::caller().await?;
    if new_password != confirm_password {
        return Err(context::fail(ApiError::invalid(
            "confirm_password",
            "The two new passwords differ.",
        )));
    }
    let backend = context::backend()?;
    let keep_session = context::session_token();
    context::respond(backend.change_password(
        user.id,
        &current_password,
        &new_password,
        keep_session.as_deref(),
    ))
    .await
}
