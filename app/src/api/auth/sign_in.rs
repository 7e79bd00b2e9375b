//! Server function `/api/auth/sign_in`: sign in with e-mail and password; sets the session cookie (public, throttled).

use crate::error::ApiError;
use crate::model::SessionUser;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "auth/sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<SessionUser, ApiError> {
    let request = crate::api::context::Request::current()?;
    let signed_in = request
        .respond(request.backend.sign_in(
            &email,
            &password,
            request.client_ip,
            request.user_agent.as_deref(),
        ))
        .await?;
    request.set_session_cookie(Some(&signed_in.session_token), signed_in.lifetime.as_secs())?;
    Ok(signed_in.user)
}
