//! OAuth2 sign-in for mailboxes (Microsoft 365, Outlook.com, Gmail): the
//! sign-in apps an administrator registers (`apps`), the grants Tresor takes
//! part in (`flows`), each mailbox's tokens with their renewal (`grants`),
//! and the sign-ins and sign-outs people do, recorded (`sign_ins`).
//! IMAP logs in with XOAUTH2/OAUTHBEARER using `Grants::access_token`.

mod apps;
pub mod flows;
mod grants;
mod sign_ins;

pub use apps::{
    App, AppInput, Endpoints, Provider, SecretChange, SignInApps, endpoints, is_app_only, scopes_of,
};
pub use flows::{DeviceAuthorization, Tokens};
pub use grants::{Flow, GrantState, Grants, PendingFlow, SignIn, expires_soon};

use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("the audit log cannot be written: {0}")]
    Audit(DbErr),
    #[error("a stored OAuth secret cannot be opened: {0}")]
    Secret(String),
    #[error("there is no sign-in app {0}")]
    UnknownApp(String),
    #[error("the sign-in app is used by the mailboxes {0}; give them another one first")]
    InUse(String),
    #[error("{}", .0.iter().map(|(field, message)| format!("{field}: {message}")).collect::<Vec<_>>().join("; "))]
    Fields(Vec<(String, String)>),
    #[error("{0}")]
    Settings(String),
    /// The provider said no; `error` is its code (`invalid_grant`, …).
    #[error("the sign-in provider refused: {error}{}", if .description.is_empty() { String::new() } else { format!(" ({description})") })]
    Refused { error: String, description: String },
    #[error("the sign-in provider cannot be reached: {0}")]
    Unreachable(String),
    #[error("the sign-in provider's answer cannot be read: {0}")]
    BadAnswer(String),
    #[error("the code expired before anyone signed in; start again")]
    DeviceCodeExpired,
    #[error("the sign-in was declined")]
    Declined,
    #[error("the mailbox {mailbox:?} needs a new sign-in{}", .reason.as_deref().map(|reason| format!(": {reason}")).unwrap_or_default())]
    NeedsSignIn {
        mailbox: String,
        reason: Option<String>,
    },
}

impl OAuthError {
    pub fn invalid(field: &str, message: String) -> OAuthError {
        OAuthError::Fields(vec![(field.to_string(), message)])
    }

    /// Whether only a person signing in again can mend it (as opposed to a
    /// provider that is down for a moment).
    pub fn needs_sign_in(&self) -> bool {
        match self {
            OAuthError::Refused { error, .. } => matches!(
                error.as_str(),
                "invalid_grant"
                    | "interaction_required"
                    | "consent_required"
                    | "invalid_client"
                    | "unauthorized_client"
                    | "invalid_scope"
            ),
            OAuthError::NeedsSignIn { .. } => true,
            _ => false,
        }
    }
}
