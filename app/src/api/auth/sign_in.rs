use crate::error::ApiError;
use crate::model::SessionUser;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "auth/sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<SessionUser, ApiError> {
    use crate::api::context;
    let backend = context::backend()?;
    let user_agent = context::user_agent();
    let signed_in = context::respond(backend.sign_in(
        &email,
        &password,
        context::client_ip(),
        user_agent.as_deref(),
    ))
    .await?;
    context::set_session_cookie(Some(&signed_in.session_token), signed_in.lifetime.as_secs())?;
    Ok(signed_in.user)
}
