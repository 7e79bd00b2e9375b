//! What the server functions of `api::notifications` ask of the server: sMTP
//! settings and test mails. One part of the port `Backend` (see there),
//! implemented by `server::web::notifications`.

use crate::error::ApiError;
use crate::model::SessionUser;
use crate::model::notifications::{SmtpForm, SmtpSettingsView, TestMailSent};

#[async_trait::async_trait]
pub trait NotificationsBackend: Send + Sync + 'static {
    /// SMTP settings at one level (admins only: the caller checks).
    async fn smtp_settings(&self, mailbox_id: Option<i64>) -> Result<SmtpSettingsView, ApiError>;
    async fn save_smtp_settings(
        &self,
        caller: &SessionUser,
        form: SmtpForm,
    ) -> Result<(), ApiError>;
    async fn remove_smtp_settings(
        &self,
        caller: &SessionUser,
        mailbox_id: i64,
    ) -> Result<(), ApiError>;
    async fn send_test_mail(
        &self,
        mailbox_id: Option<i64>,
        to: &str,
    ) -> Result<TestMailSent, ApiError>;
    /// The mailbox test's mail, to `caller`, for a mailbox they manage.
    async fn send_mailbox_test_mail(
        &self,
        caller: &SessionUser,
        id: i64,
    ) -> Result<TestMailSent, ApiError>;
}
