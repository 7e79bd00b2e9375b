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
    /// A submitted value cannot be used: the first problem, and any further
    /// ones (`others`) so a form can mark every field at once.
    #[error("{message}")]
    Invalid {
        field: String,
        message: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        others: Vec<FieldProblem>,
    },
    #[error("Wrong e-mail address or password.")]
    BadCredentials,
    #[error("Too many attempts. Try again in {retry_after_secs} seconds.")]
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
            others: Vec::new(),
        }
    }

    /// Every problem of a form, each with its field; `None` when there are none.
    pub fn invalid_fields(problems: impl IntoIterator<Item = FieldProblem>) -> Option<Self> {
        let mut problems = problems.into_iter();
        let first = problems.next()?;
        Some(ApiError::Invalid {
            field: first.field,
            message: first.message,
            others: problems.collect(),
        })
    }

    /// The message for one form field, if this error is about that field
    /// (several problems of one field are joined).
    pub fn field_message(&self, name: &str) -> Option<String> {
        let ApiError::Invalid {
            field,
            message,
            others,
        } = self
        else {
            return None;
        };
        let messages: Vec<&str> = std::iter::once((field, message))
            .chain(
                others
                    .iter()
                    .map(|problem| (&problem.field, &problem.message)),
            )
            .filter(|(field, _)| *field == name)
            .map(|(_, message)| message.as_str())
            .collect();
        (!messages.is_empty()).then(|| messages.join(" "))
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

/// One field's problem in a submitted form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
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

    #[test]
    fn every_field_of_a_form_gets_its_problems() {
        let problem = |field: &str, message: &str| FieldProblem {
            field: field.into(),
            message: message.into(),
        };
        let error = ApiError::invalid_fields([
            problem("host", "No host."),
            problem("port", "Bad port."),
            problem("host", "Spaces."),
        ])
        .unwrap();
        assert_eq!(
            error.field_message("host").as_deref(),
            Some("No host. Spaces.")
        );
        assert_eq!(error.field_message("port").as_deref(), Some("Bad port."));
        assert_eq!(error.to_string(), "No host.");
        assert_eq!(ApiError::invalid_fields([]), None);
    }
}
