//! The one error type every server function returns, and its stable codes.
//! Each variant has an `ErrorCode` (`ApiError::code`), each code one HTTP
//! status (`ErrorCode::status`): the only place a status is chosen, as in
//! Bichon's `error/code.rs`. The server's services' errors become `ApiError`s
//! in one place too, `server::web::error`.

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
    /// The message for a person reading `lang`. The fixed refusals are
    /// translated here; the texts a variant carries (`Invalid`, `Conflict`)
    /// are written where they arise.
    pub fn message(&self, lang: crate::i18n::Lang) -> String {
        use crate::t;
        match self {
            ApiError::Unauthenticated => t!(lang, "error-unauthenticated"),
            ApiError::Forbidden => t!(lang, "error-forbidden"),
            ApiError::BadCredentials => t!(lang, "error-bad-credentials"),
            ApiError::TooManyAttempts { retry_after_secs } => {
                t!(lang, "error-too-many-attempts", seconds = *retry_after_secs)
            }
            ApiError::NotFound => t!(lang, "error-not-found"),
            ApiError::Internal(reference) => {
                t!(lang, "error-internal", reference = reference.as_str())
            }
            ApiError::Transport(error) => t!(lang, "error-transport", error = error.to_string()),
            ApiError::Invalid { .. } | ApiError::Conflict(_) => self.to_string(),
        }
    }

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

    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Unauthenticated => ErrorCode::Unauthenticated,
            ApiError::BadCredentials => ErrorCode::BadCredentials,
            ApiError::TooManyAttempts { .. } => ErrorCode::TooManyAttempts,
            ApiError::Forbidden => ErrorCode::Forbidden,
            ApiError::Invalid { .. } => ErrorCode::Invalid,
            ApiError::NotFound => ErrorCode::NotFound,
            ApiError::Conflict(_) => ErrorCode::Conflict,
            ApiError::Internal(_) => ErrorCode::Internal,
            ApiError::Transport(_) => ErrorCode::Transport,
        }
    }

    /// The HTTP status a response with this error carries.
    pub fn status_code(&self) -> u16 {
        self.code().status()
    }
}

/// What went wrong, as a stable number grouped by range: 1xxx who asks,
/// 2xxx what was sent, 3xxx what is there, 5xxx the server. A number never
/// changes its meaning; new kinds get new numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum ErrorCode {
    /// Nobody is signed in.
    Unauthenticated = 1000,
    /// A sign-in with a wrong address or password.
    BadCredentials = 1010,
    /// Too many attempts of a throttled kind (sign-in, password reset).
    TooManyAttempts = 1020,
    /// The role may not do this kind of work.
    Forbidden = 1030,
    /// A submitted value cannot be used.
    Invalid = 2000,
    /// No such thing, or not one the caller may see.
    NotFound = 3000,
    /// The request cannot be done in the present state of things.
    Conflict = 3010,
    /// The server failed; the log has the details.
    Internal = 5000,
    /// The request or response could not be carried (decoding, the network).
    Transport = 5010,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 9] = [
        ErrorCode::Unauthenticated,
        ErrorCode::BadCredentials,
        ErrorCode::TooManyAttempts,
        ErrorCode::Forbidden,
        ErrorCode::Invalid,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::Internal,
        ErrorCode::Transport,
    ];

    /// The number, as logs and reports quote it.
    pub fn number(self) -> u16 {
        self as u16
    }

    /// The one mapping from error codes to HTTP statuses.
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::Unauthenticated | ErrorCode::BadCredentials => 401,
            ErrorCode::TooManyAttempts => 429,
            ErrorCode::Forbidden => 403,
            ErrorCode::Invalid => 422,
            ErrorCode::NotFound => 404,
            ErrorCode::Conflict => 409,
            ErrorCode::Internal | ErrorCode::Transport => 500,
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
    fn codes_keep_their_numbers_and_statuses() {
        let table: Vec<(u16, u16)> = ErrorCode::ALL
            .iter()
            .map(|code| (code.number(), code.status()))
            .collect();
        assert_eq!(
            table,
            [
                (1000, 401),
                (1010, 401),
                (1020, 429),
                (1030, 403),
                (2000, 422),
                (3000, 404),
                (3010, 409),
                (5000, 500),
                (5010, 500),
            ]
        );
        assert_eq!(ApiError::invalid("x", "y").code(), ErrorCode::Invalid);
        assert_eq!(
            ApiError::TooManyAttempts {
                retry_after_secs: 1
            }
            .status_code(),
            429
        );
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
