//! Server function `/api/users/password_mail_ready`: whether Tresor can mail
//! set-password links (invitations, resets), i.e. the instance has mail settings (admin).

use crate::error::ApiError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "users/password_mail_ready")]
pub async fn password_mail_ready() -> Result<bool, ApiError> {
    let request = crate::api::context::Request::current()?;
    request.admin().await?;
    request.respond(request.backend.password_mail_ready()).await
}
