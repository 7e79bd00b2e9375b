//! Every service error becomes an `ApiError` here, and nowhere else: what a
//! person can act on keeps its words (a field's problem, a conflict), what
//! only the administrator can is logged and answered with a reference. The
//! HTTP status follows from the `ApiError`'s code (`app::error::ErrorCode`).

use crate::access::Denied;
use crate::audit::AuditError;
use crate::auth::AuthError;
use crate::mailbox::MailboxError;
use crate::mailbox::batch::BatchError;
use crate::notify::NotifyError;
use crate::oauth::OAuthError;
use crate::retention::RetentionError;
use crate::viewer::{RestoreError, ViewerError};
use app::error::{ApiError, FieldProblem};
use app::model::mailbox_form::FormError;

/// A form value that cannot be read, as that field's problem, in the
/// language of the request.
pub fn form_problem(error: FormError) -> ApiError {
    ApiError::invalid(error.field, error.message(app::i18n::use_lang()))
}

/// The browser gets a reference to the log line, not the internals.
pub fn internal(error: &dyn std::fmt::Display) -> ApiError {
    let reference = format!("{:08x}", rand::random::<u32>());
    tracing::error!(error = %error, reference, "request failed");
    ApiError::Internal(reference)
}

impl From<Denied> for ApiError {
    fn from(denied: Denied) -> Self {
        match denied {
            Denied::Forbidden => ApiError::Forbidden,
            Denied::NotFound => ApiError::NotFound,
            Denied::Mailbox(error) => error.into(),
        }
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
            AuthError::Disabled => ApiError::Conflict(
                "This account is disabled. Ask an administrator to enable it again.".into(),
            ),
            AuthError::LastAdmin(email) => ApiError::Conflict(format!(
                "{email} is the last active administrator: make another user an administrator first."
            )),
            AuthError::OwnsMailboxes { email, count } => ApiError::Conflict(format!(
                "{email} owns {count} mailbox(es). Delete them or make them shared mailboxes first \
                 (in each mailbox's settings; archived mail stays with its mailbox), or disable the account instead."
            )),
            other @ (AuthError::CorruptRole(_)
            | AuthError::Hash(_)
            | AuthError::Db(_)
            | AuthError::Audit(_)) => internal(&other),
        }
    }
}

impl From<MailboxError> for ApiError {
    fn from(error: MailboxError) -> Self {
        match error {
            MailboxError::Invalid(errors) => {
                ApiError::invalid_fields(errors.into_iter().map(|error| FieldProblem {
                    field: error.field.to_string(),
                    message: error.message,
                }))
                .unwrap_or_else(|| ApiError::invalid("name", "The profile is not valid."))
            }
            MailboxError::NameTaken(name) => ApiError::invalid(
                "name",
                format!("A mailbox named {name:?} exists already; choose another name."),
            ),
            MailboxError::NotFound(_) => ApiError::NotFound,
            // Said to the person: they can act on it (sign in again, retry).
            MailboxError::NeedsSignIn { .. }
            | MailboxError::OAuth { .. }
            | MailboxError::GraphRootNotAllowed { .. }
            | MailboxError::NotImap(..) => ApiError::Conflict(error.to_string()),
            other => internal(&other),
        }
    }
}

impl From<BatchError> for ApiError {
    fn from(error: BatchError) -> Self {
        match error {
            BatchError::Invalid { field, message } => ApiError::invalid(field, message),
            BatchError::Mailbox(error) => error.into(),
            BatchError::Auth(error) => error.into(),
        }
    }
}

impl From<ViewerError> for ApiError {
    fn from(error: ViewerError) -> Self {
        match error {
            ViewerError::NotFound => ApiError::NotFound,
            ViewerError::Query(message) => ApiError::invalid("query", message),
            ViewerError::Offset(message) => ApiError::invalid("offset", message),
            other => internal(&other),
        }
    }
}

impl From<RestoreError> for ApiError {
    fn from(error: RestoreError) -> Self {
        match error {
            RestoreError::NoFolder => {
                ApiError::invalid("folder", "Choose the folder to restore into.")
            }
            RestoreError::NotManaged => {
                ApiError::invalid("mailbox", "You can only restore into a mailbox you manage.")
            }
            too_many @ RestoreError::TooMany => {
                ApiError::invalid("message_ids", too_many.to_string())
            }
            RestoreError::Imap(error) => {
                ApiError::Conflict(format!("The mail server refused the restore: {error}"))
            }
            RestoreError::Mailbox(error) => error.into(),
            RestoreError::Viewer(error) => error.into(),
        }
    }
}

impl From<AuditError> for ApiError {
    fn from(error: AuditError) -> Self {
        match error {
            AuditError::Filter(message) => ApiError::invalid("filter", message),
            AuditError::Db(error) => internal(&error),
        }
    }
}

impl From<OAuthError> for ApiError {
    fn from(error: OAuthError) -> Self {
        match error {
            OAuthError::Fields(problems) => ApiError::invalid_fields(
                problems
                    .into_iter()
                    .map(|(field, message)| FieldProblem { field, message }),
            )
            .unwrap_or_else(|| ApiError::Conflict("invalid".into())),
            OAuthError::UnknownApp(_) => ApiError::NotFound,
            OAuthError::Db(_) | OAuthError::Audit(_) | OAuthError::Secret(_) => internal(&error),
            other => ApiError::Conflict(other.to_string()),
        }
    }
}

impl From<NotifyError> for ApiError {
    fn from(error: NotifyError) -> Self {
        match error {
            // What the mail server said is what the administrator needs.
            NotifyError::Smtp(_) | NotifyError::Invalid(_) => ApiError::Conflict(error.to_string()),
            other @ (NotifyError::Db(_) | NotifyError::Secret(_) | NotifyError::Audit(_)) => {
                internal(&other)
            }
        }
    }
}

impl From<RetentionError> for ApiError {
    fn from(error: RetentionError) -> Self {
        match error {
            RetentionError::Field { field, message } => ApiError::invalid(field, message),
            RetentionError::Invalid(message) => ApiError::Conflict(message),
            RetentionError::IndexNotReady(_) | RetentionError::HoldQuery { .. } => {
                ApiError::Conflict(error.to_string())
            }
            other => internal(&other),
        }
    }
}
