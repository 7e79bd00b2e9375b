//! Server function `/api/users/send_password_link`: mail a user a link to
//! choose a new password (admin; needs the instance's mail settings).

use crate::error::ApiError;
use leptos::prelude::*;

/// Mails the user a one-time link to choose a new password. Their current
/// password keeps working until they use it.
#[server(prefix = "/api", endpoint = "users/send_password_link")]
pub async fn send_password_link(user_id: i64) -> Result<(), ApiError> {
    let request = crate::api::context::Request::current()?;
    let admin = request.admin().await?;
    request
        .respond(request.backend.send_password_link(&admin, user_id))
        .await
}
