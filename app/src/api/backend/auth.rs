//! What the server functions of `api::auth` ask of the server: sign-in, sign-
//! out, sessions and passwords. One part of the port `Backend` (see there),
//! implemented by `server::web::auth`.

use crate::error::ApiError;
use crate::model::SessionUser;
use std::net::IpAddr;
use std::time::Duration;

/// A successful sign-in: who it is, and the secret to put into the session cookie.
pub struct SignedIn {
    pub user: SessionUser,
    pub session_token: String,
    pub lifetime: Duration,
}

#[async_trait::async_trait]
pub trait AuthBackend: Send + Sync + 'static {
    /// The user behind a session cookie value, if the session is live and the user enabled.
    async fn session_user(&self, session_token: &str) -> Result<Option<SessionUser>, ApiError>;
    async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client_ip: Option<IpAddr>,
        user_agent: Option<&str>,
    ) -> Result<SignedIn, ApiError>;
    async fn sign_out(&self, session_token: &str) -> Result<(), ApiError>;
    /// Mails a reset link if `email` has an enabled account; Ok either way.
    async fn request_password_reset(
        &self,
        email: &str,
        client_ip: Option<IpAddr>,
    ) -> Result<(), ApiError>;
    async fn reset_password(
        &self,
        token: &str,
        new_password: &str,
        client_ip: Option<IpAddr>,
    ) -> Result<(), ApiError>;
    async fn change_password(
        &self,
        caller: &SessionUser,
        current_password: &str,
        new_password: &str,
        keep_session: Option<&str>,
    ) -> Result<(), ApiError>;
    /// Whether cookies must carry `Secure` (Tresor is served over https).
    fn secure_cookies(&self) -> bool;
}
