//! Sign-in, sign-out, sessions and passwords: the server side of
//! `app::api::auth` (and of `api::context`'s session lookup), over
//! `crate::auth::Accounts`; every sign-in, failed or not, is audit-logged.

use super::backend::WebBackend;
use super::caller::audit;
use super::error::internal;
use super::password_mail::{LinkMail, instance_mailer, send_link};
use super::state::AppState;
use crate::audit::{Action, Actor, Outcome};
use crate::auth::AuthError;
use app::api::SignedIn;
use app::api::backend::AuthBackend;
use app::error::ApiError;
use app::model::SessionUser;
use serde_json::json;
use std::net::IpAddr;

#[async_trait::async_trait]
impl AuthBackend for WebBackend {
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
        let client = client_ip.map(|ip| ip.to_string());
        let session = match self
            .state
            .accounts
            .sign_in(email, password, client_ip, user_agent)
            .await
        {
            Ok(session) => session,
            Err(error) => {
                // The reason in words, never the password tried.
                let outcome = match error {
                    AuthError::Db(_) => Outcome::Failed,
                    _ => Outcome::Denied,
                };
                self.state
                    .audit
                    .record(
                        &Actor::Anonymous {
                            email: email.trim().to_lowercase(),
                        },
                        client.as_deref(),
                        Action::SignInFailed,
                        "sign-in",
                        json!({ "reason": error.to_string() }),
                        outcome,
                    )
                    .await
                    .map_err(|error| internal(&error))?;
                return Err(error.into());
            }
        };
        self.state
            .audit
            .record(
                &Actor::User {
                    id: session.user.id,
                    email: session.user.email.clone(),
                },
                client.as_deref(),
                Action::SignIn,
                "sign-in",
                json!({ "user_agent": user_agent }),
                Outcome::Ok,
            )
            .await
            .map_err(|error| internal(&error))?;
        Ok(SignedIn {
            user: session.user.to_session_user()?,
            session_token: session.token,
            lifetime: session.lifetime,
        })
    }

    async fn sign_out(&self, session_token: &str) -> Result<(), ApiError> {
        let user = self.session_user(session_token).await?;
        self.state.accounts.sign_out(session_token).await?;
        if let Some(user) = user {
            audit(&self.state, &user, Action::SignOut, "sign-in", json!({})).await?;
        }
        Ok(())
    }

    /// Answers before anything that depends on whether the address has an
    /// account: the checks and the audit entry are the same for every address;
    /// issuing the link and mailing it happen afterwards, in a task of their
    /// own, so a known address is not answered later than an unknown one.
    async fn request_password_reset(
        &self,
        email: &str,
        client_ip: Option<IpAddr>,
    ) -> Result<(), ApiError> {
        let Some(notifier) = instance_mailer(&self.state).await? else {
            return Err(ApiError::Conflict(
                "Password reset by mail is not set up here. Ask your administrator to set a new password for you.".into(),
            ));
        };
        self.state.accounts.admit_password_reset(email, client_ip)?;
        let email = email.trim().to_lowercase();
        self.state
            .audit
            .record(
                &Actor::Anonymous {
                    email: email.clone(),
                },
                client_ip.map(|ip| ip.to_string()).as_deref(),
                Action::PasswordResetRequested,
                "sign-in",
                json!({}),
                Outcome::Ok,
            )
            .await
            .map_err(|error| internal(&error))?;
        // Asked on the sign-in page: in that page's language, unless the
        // person chose one.
        let lang = app::i18n::use_lang();
        tokio::spawn(mail_reset_link(self.state.clone(), notifier, email, lang));
        Ok(())
    }

    async fn reset_password(
        &self,
        token: &str,
        new_password: &str,
        client_ip: Option<IpAddr>,
    ) -> Result<(), ApiError> {
        let user = self
            .state
            .accounts
            .finish_password_reset(token, new_password)
            .await?;
        let client = client_ip.map(|ip| ip.to_string());
        self.state
            .audit
            .record(
                &Actor::User {
                    id: user.id,
                    email: user.email.clone(),
                },
                client.as_deref(),
                Action::PasswordChanged,
                &format!("user {}", user.email),
                json!({ "by": "reset link" }),
                Outcome::Ok,
            )
            .await
            .map_err(|error| internal(&error))
    }

    async fn change_password(
        &self,
        caller: &SessionUser,
        current_password: &str,
        new_password: &str,
        keep_session: Option<&str>,
    ) -> Result<(), ApiError> {
        self.state
            .accounts
            .change_password(caller.id, current_password, new_password, keep_session)
            .await?;
        let target = format!("user {}", caller.email);
        audit(
            &self.state,
            caller,
            Action::PasswordChanged,
            &target,
            json!({}),
        )
        .await
    }

    fn secure_cookies(&self) -> bool {
        self.state.config.secure_cookies()
    }
}

/// Issues a reset link for `email` if it has an enabled account, and mails
/// it; runs after the request was answered, so problems go to the log.
async fn mail_reset_link(
    state: AppState,
    notifier: std::sync::Arc<crate::notify::Notifier>,
    email: String,
    lang: app::i18n::Lang,
) {
    let (user, token) = match state.accounts.start_password_reset(&email).await {
        Ok(Some(issued)) => issued,
        Ok(None) => return,
        Err(error) => {
            tracing::error!(%error, %email, "no password-reset link could be issued");
            return;
        }
    };
    match send_link(&state, &notifier, &user, &token, LinkMail::Requested, lang).await {
        Ok(()) => tracing::info!(email = %user.email, "password-reset link sent"),
        Err(error) => {
            tracing::error!(%error, email = %user.email, "the password-reset mail could not be sent")
        }
    }
}
