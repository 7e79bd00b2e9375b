//! The server's implementation of `app::api::Backend`: maps each call onto
//! the services and their errors onto `ApiError`.

use super::AppState;
use crate::auth::AuthError;
use app::api::{Backend, SignedIn};
use app::error::ApiError;
use app::model::{DashboardView, NewUserInput, SessionUser, UserView};
use std::net::IpAddr;

pub struct WebBackend {
    state: AppState,
}

impl WebBackend {
    pub fn new(state: AppState) -> Self {
        WebBackend { state }
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::Invalid { field, message } => ApiError::invalid(field, message),
            AuthError::BadCredentials => ApiError::BadCredentials,
            AuthError::Throttled(wait) => ApiError::TooManyAttempts {
                retry_after_secs: wait.as_secs().max(1),
            },
            AuthError::EmailTaken(email) => ApiError::invalid(
                "email",
                format!("A user with the address {email} exists already."),
            ),
            AuthError::NotFound => ApiError::NotFound,
            internal @ (AuthError::CorruptRole(_) | AuthError::Hash(_) | AuthError::Db(_)) => {
                // The browser gets a reference to the log line, not the internals.
                let reference = format!("{:08x}", rand::random::<u32>());
                tracing::error!(error = %internal, reference, "request failed");
                ApiError::Internal(reference)
            }
        }
    }
}

#[async_trait::async_trait]
impl Backend for WebBackend {
    async fn session_user(&self, session_token: &str) -> Result<Option<SessionUser>, ApiError> {
        match self.state.accounts.session_user(session_token).await? {
            Some(row) => Ok(Some(row.to_session_user()?)),
            None => Ok(None),
        }
    }

    async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client_ip: Option<IpAddr>,
        user_agent: Option<&str>,
    ) -> Result<SignedIn, ApiError> {
        let session = self
            .state
            .accounts
            .sign_in(email, password, client_ip, user_agent)
            .await?;
        Ok(SignedIn {
            user: session.user.to_session_user()?,
            session_token: session.token,
            lifetime: session.lifetime,
        })
    }

    async fn sign_out(&self, session_token: &str) -> Result<(), ApiError> {
        Ok(self.state.accounts.sign_out(session_token).await?)
    }

    async fn change_password(
        &self,
        user_id: i64,
        current_password: &str,
        new_password: &str,
        keep_session: Option<&str>,
    ) -> Result<(), ApiError> {
        Ok(self
            .state
            .accounts
            .change_password(user_id, current_password, new_password, keep_session)
            .await?)
    }

    async fn list_users(&self) -> Result<Vec<UserView>, ApiError> {
        let rows = self.state.accounts.list_users().await?;
        Ok(rows
            .iter()
            .map(|row| row.to_view())
            .collect::<Result<_, _>>()?)
    }

    async fn create_user(&self, input: NewUserInput) -> Result<UserView, ApiError> {
        let row = self
            .state
            .accounts
            .create_user(
                &input.email,
                &input.display_name,
                input.role,
                &input.password,
            )
            .await?;
        tracing::info!(email = %row.email, role = %row.role, "user created");
        Ok(row.to_view()?)
    }

    async fn set_user_disabled(&self, user_id: i64, disabled: bool) -> Result<UserView, ApiError> {
        let row = self.state.accounts.set_disabled(user_id, disabled).await?;
        tracing::info!(email = %row.email, disabled, "user status changed");
        Ok(row.to_view()?)
    }

    async fn dashboard(&self, caller: &SessionUser) -> Result<DashboardView, ApiError> {
        let user_count = if caller.is_admin() {
            Some(self.state.accounts.count_users().await?)
        } else {
            None
        };
        Ok(DashboardView { user_count })
    }

    fn secure_cookies(&self) -> bool {
        self.state.config.secure_cookies()
    }
}
