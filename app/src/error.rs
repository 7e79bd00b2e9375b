//! The one error type every server function returns. Each variant has a stable
//! HTTP status (see `status_code`) and a message a person can act on.

use serde::{Deserialize, Serialize};
use server_fn_error::{FromServerFnError, ServerFnErrorErr};

// Re-exported through leptos so the app does not name server_fn directly.
mod server_fn_error {
    pub use leptos::server_fn::codec::JsonEncoding;
    pub use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    #[error("Please sign in.")]
    Unauthenticated,
    #[error("You do not have permission to do this.")]
    Forbidden,
    #[error("{message}")]
    Invalid { field: String, message: String },
    #[error("Wrong e-mail address or password.")]
    BadCredentials,
    #[error("Too many failed sign-in attempts. Try again in {retry_after_secs} seconds.")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("Not found.")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    /// Details are in the server log; the browser gets a reference, not internals.
    #[error(
        "Something went wrong on the server ({0}). The administrator can find details in the log."
    )]
    Internal(String),
    #[error("{0}")]
    Transport(ServerFnErrorErr),
}

impl ApiError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ApiError::Invalid {
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// The message for one form field, if this error is about that field.
    pub fn field_message(&self, name: &str) -> Option<String> {
        match self {
            ApiError::Invalid { field, message } if field == name => Some(message.clone()),
            _ => None,
        }
    }

    pub fn status_code(&self) -> u16 {
        match self {
            ApiError::Unauthenticated | ApiError::BadCredentials => 401,
            ApiError::Forbidden => 403,
            ApiError::Invalid { .. } => 422,
            ApiError::TooManyAttempts { .. } => 429,
            ApiError::NotFound => 404,
            ApiError::Conflict(_) => 409,
            ApiError::Internal(_) | ApiError::Transport(_) => 500,
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = server_fn_error::JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        ApiError::Transport(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_a_client_or_server_status() {
        let errors = [
            ApiError::Unauthenticated,
            ApiError::Forbidden,
            ApiError::invalid("email", "bad"),
            ApiError::BadCredentials,
            ApiError::TooManyAttempts {
                retry_after_secs: 3,
            },
            ApiError::NotFound,
            ApiError::Conflict("x".into()),
            ApiError::Internal("x".into()),
        ];
        for error in errors {
            assert!((400..600).contains(&error.status_code()), "{error:?}");
        }
        assert_eq!(ApiError::Forbidden.status_code(), 403);
    }

    #[test]
    fn field_message_only_matches_its_field() {
        let error = ApiError::invalid("email", "Not an e-mail address.");
        assert_eq!(
            error.field_message("email").as_deref(),
            Some("Not an e-mail address.")
        );
        assert_eq!(error.field_message("password"), None);
    }
}
