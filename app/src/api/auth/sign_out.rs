use crate::error::ApiError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "auth/sign_out")]
pub async fn sign_out() -> Result<(), ApiError> {
    use crate::api::context;
    if let Some(token) = context::session_token() {
        context::respond(context::backend()?.sign_out(&token)).await?;
    }
    context::set_session_cookie(None, 0)
}
