//! Server function `/api/users/set_password`: an admin sets a user's password.

use crate::error::ApiError;
use leptos::prelude::*;

/// Sets a user's password to one the admin typed; every session of the
/// user ends.
#[server(prefix = "/api", endpoint = "users/set_password")]
pub async fn set_user_password(user_id: i64, password: String) -> Result<(), ApiError> {
    let request = crate::api::context::Request::current()?;
    let admin = request.admin().await?;
    request
        .respond(
            request
                .backend
                .set_user_password(&admin, user_id, &password),
        )
        .await
}
