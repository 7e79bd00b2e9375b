//! Mails that carry a link to choose a password: a reset someone asked for
//! at sign-in, and the links administrators send (a reset, or an invitation
//! for a new user). They go out with the instance's mail settings; without
//! them Tresor cannot send any.

use super::error::internal;
use super::state::AppState;
use crate::auth::{LinkPurpose, UserRow};
use crate::notify::{Mail, Notifier, NotifyError};
use app::error::ApiError;
use app::i18n::Lang;
use app::t;
use std::sync::Arc;

/// Why the mail is sent, which decides what it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkMail {
    /// The person asked for it on the sign-in page.
    Requested,
    /// An administrator sent it (a reset or an invitation).
    FromAdmin(LinkPurpose),
}

/// The notifier when the instance has mail settings, else `None`.
pub async fn instance_mailer(state: &AppState) -> Result<Option<Arc<Notifier>>, ApiError> {
    let Some(notifier) = &state.notifier else {
        return Ok(None);
    };
    let configured = notifier
        .settings_for(None)
        .await
        .map_err(|error| internal(&error))?
        .is_some();
    Ok(configured.then(|| notifier.clone()))
}

/// Mails `user` the link with `token`, in the language they chose, else in
/// `fallback` (the language of the page they, or the administrator, used).
pub async fn send_link(
    state: &AppState,
    notifier: &Notifier,
    user: &UserRow,
    token: &str,
    why: LinkMail,
    fallback: Lang,
) -> Result<(), NotifyError> {
    let lang = user.language().unwrap_or(fallback);
    let link = format!(
        "{}/reset-password?token={token}",
        state.config.display_url().trim_end_matches('/')
    );
    let name = user.display_name.clone();
    let email = user.email.clone();
    let (subject, body) = match why {
        LinkMail::Requested => (
            t!(lang, "mail-link-subject-reset"),
            t!(
                lang,
                "mail-link-requested",
                name = name,
                email = email,
                link = link
            ),
        ),
        LinkMail::FromAdmin(LinkPurpose::Reset) => (
            t!(lang, "mail-link-subject-reset"),
            t!(
                lang,
                "mail-link-reset",
                name = name,
                email = email,
                link = link
            ),
        ),
        LinkMail::FromAdmin(LinkPurpose::Invitation) => (
            t!(lang, "mail-link-subject-invitation"),
            t!(
                lang,
                "mail-link-invitation",
                name = name,
                email = email,
                link = link
            ),
        ),
    };
    let mail = Mail {
        to: vec![user.email.clone()],
        subject,
        body,
    };
    notifier.send_mail(None, &mail).await
}
