//! SMTP settings for notification mail, and test mails. Settings are for
//! admins; a mailbox's managers may send its test mail to themselves.

use crate::error::ApiError;
use crate::model::notifications::{SmtpForm, SmtpSettingsView, TestMailSent};
use leptos::prelude::*;

/// The instance's settings (`mailbox_id` None) or one mailbox's.
#[server(prefix = "/api", endpoint = "notifications/smtp")]
pub async fn load_smtp(mailbox_id: Option<i64>) -> Result<SmtpSettingsView, ApiError> {
    let request = crate::api::context::Request::current()?;
    request.admin().await?;
    request
        .respond(request.backend.smtp_settings(mailbox_id))
        .await
}

#[server(prefix = "/api", endpoint = "notifications/save_smtp")]
pub async fn save_smtp(form: SmtpForm) -> Result<(), ApiError> {
    let request = crate::api::context::Request::current()?;
    let admin = request.admin().await?;
    request
        .respond(request.backend.save_smtp_settings(&admin, form))
        .await
}

/// A mailbox goes back to the instance's settings.
#[server(prefix = "/api", endpoint = "notifications/remove_smtp")]
pub async fn remove_smtp(mailbox_id: i64) -> Result<(), ApiError> {
    let request = crate::api::context::Request::current()?;
    let admin = request.admin().await?;
    request
        .respond(request.backend.remove_smtp_settings(&admin, mailbox_id))
        .await
}

/// A test mail with the settings that apply at that level (as saved).
#[server(prefix = "/api", endpoint = "notifications/test")]
pub async fn send_test_mail(mailbox_id: Option<i64>, to: String) -> Result<TestMailSent, ApiError> {
    let request = crate::api::context::Request::current()?;
    request.admin().await?;
    request
        .respond(request.backend.send_test_mail(mailbox_id, &to))
        .await
}

/// The mailbox test's mail: sent to the person asking, with the settings that
/// apply to this mailbox. For those who manage it.
#[server(prefix = "/api", endpoint = "mailboxes/test_mail")]
pub async fn send_mailbox_test_mail(id: i64) -> Result<TestMailSent, ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.caller().await?;
    request
        .respond(request.backend.send_mailbox_test_mail(&caller, id))
        .await
}
