//! Mails that carry a link to choose a password: a reset someone asked for
//! at sign-in, and the links administrators send (a reset, or an invitation
//! for a new user). They go out with the instance's mail settings; without
//! them Tresor cannot send any.

use super::error::internal;
use super::state::AppState;
use crate::auth::{LinkPurpose, UserRow};
use crate::notify::{Mail, Notifier, NotifyError};
use app::error::ApiError;
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

/// Mails `user` the link with `token`.
pub async fn send_link(
    state: &AppState,
    notifier: &Notifier,
    user: &UserRow,
    token: &str,
    why: LinkMail,
) -> Result<(), NotifyError> {
    let link = format!(
        "{}/reset-password?token={token}",
        state.config.display_url().trim_end_matches('/')
    );
    let (subject, body) = match why {
        LinkMail::Requested => (
            "Tresor: choose a new password",
            format!(
                "Hello {},

someone (hopefully you) asked to reset the password of your Tresor account {}.

Choose a new password here (the link works once, for an hour, and only until a newer one is sent):
{link}

If you did not ask for this, ignore this mail: your password stays as it is.
",
                user.display_name, user.email
            ),
        ),
        LinkMail::FromAdmin(LinkPurpose::Reset) => (
            "Tresor: choose a new password",
            format!(
                "Hello {},

an administrator of Tresor sent you this link to choose a new password for your account {}.

Choose it here (the link works once, for an hour, and only until a newer one is sent):
{link}

Until you do, your current password keeps working.
",
                user.display_name, user.email
            ),
        ),
        LinkMail::FromAdmin(LinkPurpose::Invitation) => (
            "Tresor: your account is ready",
            format!(
                "Hello {},

an administrator of Tresor, the e-mail archive, created an account for you: {}.

Choose your password here (the link works once, for seven days):
{link}

Then sign in with your e-mail address and that password.
",
                user.display_name, user.email
            ),
        ),
    };
    let mail = Mail {
        to: vec![user.email.clone()],
        subject: subject.into(),
        body,
    };
    notifier.send_mail(None, &mail).await
}
