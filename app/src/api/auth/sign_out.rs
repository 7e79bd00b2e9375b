//! Server function `/api/auth/sign_out`: end the session behind the cookie.

use crate::error::ApiError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "auth/sign_out")]
pub async fn sign_out() -> Result<(), ApiError> {
    let request = crate::api::context::Request::current()?;
    if let Some(token) = &request.session_token {
        request.respond(request.backend.sign_out(token)).await?;
    }
    request.set_session_cookie(None, 0)
}
