//! The port through which server functions reach the server's services.
//!
//! `app` cannot depend on `server` (the server embeds the app), so the app
//! declares what it needs here and `server::web` implements it. The trait is
//! deliberately free of HTTP: cookies and status codes stay in `api::context`.

use crate::error::ApiError;
use crate::model::archive::{
    MessageView, RestoreInput, RestoreReport, RestoreTarget, SearchInput, SearchPage,
};
use crate::model::audit::{AuditFilter, AuditPage};
use crate::model::batch::{BatchReport, CsvImportForm, CsvPreview, MasterBatchForm};
use crate::model::job::{MailboxRuns, RunRequest};
use crate::model::mailbox::{MailboxEditor, MailboxSummary, TemplateSummary};
use crate::model::mailbox_form::MailboxForm;
use crate::model::notifications::{SmtpForm, SmtpSettingsView, TestMailSent};
use crate::model::oauth::{
    DeviceProgress, DeviceSignIn, MailboxSignIn, SignInAppForm, SignInAppsView,
};
use crate::model::probe::ProbeReport;
use crate::model::retention::{HoldInput, PolicyInput, RetentionOverview, RetentionSummary};
use crate::model::{DashboardView, NewUserInput, SessionUser, UserView};
use std::net::IpAddr;
use std::time::Duration;

/// A successful sign-in: who it is, and the secret to put into the session cookie.
pub struct SignedIn {
    pub user: SessionUser,
    pub session_token: String,
    pub lifetime: Duration,
}

#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    /// The user behind a session cookie value, if the session is live and the user enabled.
    async fn session_user(&self, session_token: &str) -> Result<Option<SessionUser>, ApiError>;
    async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client_ip: Option<IpAddr>,
        user_agent: Option<&str>,
    ) -> Result<SignedIn, ApiError>;
    async fn sign_out(&self, session_token: &str) -> Result<(), ApiError>;
    /// Mails a reset link if `email` has an enabled account; Ok either way.
    async fn request_password_reset(
        &self,
        email: &str,
        client_ip: Option<IpAddr>,
    ) -> Result<(), ApiError>;
    async fn reset_password(
        &self,
        token: &str,
        new_password: &str,
        client_ip: Option<IpAddr>,
    ) -> Result<(), ApiError>;
    async fn change_password(
        &self,
        caller: &SessionUser,
        current_password: &str,
        new_password: &str,
        keep_session: Option<&str>,
    ) -> Result<(), ApiError>;
    async fn list_users(&self) -> Result<Vec<UserView>, ApiError>;
    async fn create_user(
        &self,
        caller: &SessionUser,
        input: NewUserInput,
    ) -> Result<UserView, ApiError>;
    async fn set_user_disabled(
        &self,
        caller: &SessionUser,
        user_id: i64,
        disabled: bool,
    ) -> Result<UserView, ApiError>;
    async fn retention_overview(&self) -> Result<RetentionOverview, ApiError>;
    async fn add_policy(&self, caller: &SessionUser, input: PolicyInput) -> Result<(), ApiError>;
    async fn remove_policy(&self, caller: &SessionUser, id: i64) -> Result<(), ApiError>;
    async fn place_hold(&self, caller: &SessionUser, input: HoldInput) -> Result<(), ApiError>;
    async fn release_hold(
        &self,
        caller: &SessionUser,
        id: i64,
        reason: &str,
    ) -> Result<(), ApiError>;
    /// A preview (`applied_by` None) or the deletion itself, by `applied_by`.
    async fn retention_run(
        &self,
        applied_by: Option<&SessionUser>,
    ) -> Result<RetentionSummary, ApiError>;
    /// Sign-in apps (admins only: the caller checks).
    async fn sign_in_apps(&self) -> Result<SignInAppsView, ApiError>;
    async fn save_sign_in_app(
        &self,
        caller: &SessionUser,
        form: SignInAppForm,
    ) -> Result<(), ApiError>;
    async fn remove_sign_in_app(&self, caller: &SessionUser, id: i64) -> Result<(), ApiError>;
    async fn sign_in_app_names(&self) -> Result<Vec<(i64, String)>, ApiError>;
    /// A mailbox's sign-in, for those who manage it; `None` without a sign-in app.
    async fn mailbox_sign_in(
        &self,
        caller: &SessionUser,
        id: i64,
    ) -> Result<Option<MailboxSignIn>, ApiError>;
    async fn start_device_sign_in(
        &self,
        caller: &SessionUser,
        id: i64,
    ) -> Result<DeviceSignIn, ApiError>;
    async fn device_sign_in_progress(
        &self,
        caller: &SessionUser,
        id: i64,
    ) -> Result<DeviceProgress, ApiError>;
    async fn app_only_sign_in(&self, caller: &SessionUser, id: i64) -> Result<(), ApiError>;
    async fn sign_out_mailbox(&self, caller: &SessionUser, id: i64) -> Result<(), ApiError>;
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
    /// A page of the audit log, newest first (admins only: the caller checks).
    async fn audit_log(&self, filter: AuditFilter) -> Result<AuditPage, ApiError>;
    async fn dashboard(&self, caller: &SessionUser) -> Result<DashboardView, ApiError>;
    /// The mailboxes `caller` may see: their own; every one for an admin.
    async fn list_mailboxes(&self, caller: &SessionUser) -> Result<Vec<MailboxSummary>, ApiError>;
    /// An existing mailbox in the editor's terms (its owner's or an admin's
    /// only), or a new one's defaults; with the templates to inherit from.
    async fn mailbox_editor(
        &self,
        caller: &SessionUser,
        id: Option<i64>,
    ) -> Result<MailboxEditor, ApiError>;
    /// Creates (owned by `caller`) or updates the mailbox; returns its id.
    async fn save_mailbox(&self, caller: &SessionUser, form: MailboxForm) -> Result<i64, ApiError>;
    /// Logs in with the form's values (saved or not) and reports what the
    /// server offers, or why it failed. Changes nothing.
    async fn test_mailbox(
        &self,
        caller: &SessionUser,
        form: MailboxForm,
    ) -> Result<ProbeReport, ApiError>;
    /// Subscribes or unsubscribes a folder on the server of the form's settings.
    async fn subscribe_folder(
        &self,
        caller: &SessionUser,
        form: MailboxForm,
        folder: &str,
        subscribed: bool,
    ) -> Result<(), ApiError>;
    /// The run going on and the last runs of a mailbox the caller manages.
    async fn mailbox_runs(&self, caller: &SessionUser, id: i64) -> Result<MailboxRuns, ApiError>;
    /// Pauses (`false`) or resumes the schedule of a mailbox the caller manages.
    async fn set_mailbox_enabled(
        &self,
        caller: &SessionUser,
        id: i64,
        enabled: bool,
    ) -> Result<(), ApiError>;
    /// Starts a run of a mailbox the caller manages.
    async fn run_mailbox(&self, caller: &SessionUser, id: i64) -> Result<RunRequest, ApiError>;
    /// Deletes a mailbox the caller manages (its archived mail stays).
    async fn delete_mailbox(&self, caller: &SessionUser, id: i64) -> Result<(), ApiError>;
    async fn list_templates(&self) -> Result<Vec<TemplateSummary>, ApiError>;
    async fn template_editor(&self, id: Option<i64>) -> Result<MailboxForm, ApiError>;
    async fn save_template(&self, caller: &SessionUser, form: MailboxForm)
    -> Result<i64, ApiError>;
    async fn delete_template(&self, caller: &SessionUser, id: i64) -> Result<(), ApiError>;
    /// Creates one mailbox per selected user through a master user.
    async fn master_batch(
        &self,
        caller: &SessionUser,
        form: MasterBatchForm,
    ) -> Result<BatchReport, ApiError>;
    async fn preview_csv(&self, form: CsvImportForm) -> Result<CsvPreview, ApiError>;
    async fn import_csv(
        &self,
        caller: &SessionUser,
        form: CsvImportForm,
    ) -> Result<BatchReport, ApiError>;
    /// One page of what `caller` may find in the archive.
    async fn search_archive(
        &self,
        caller: &SessionUser,
        input: SearchInput,
    ) -> Result<SearchPage, ApiError>;
    /// A message `caller` may see; `NotFound` otherwise.
    async fn archived_message(
        &self,
        caller: &SessionUser,
        id: i64,
    ) -> Result<MessageView, ApiError>;
    /// The mailboxes `caller` may restore into (those they manage, with a server).
    async fn restore_targets(&self, caller: &SessionUser) -> Result<Vec<RestoreTarget>, ApiError>;
    async fn restore_messages(
        &self,
        caller: &SessionUser,
        input: RestoreInput,
    ) -> Result<RestoreReport, ApiError>;
    /// Whether cookies must carry `Secure` (Tresor is served over https).
    fn secure_cookies(&self) -> bool;
}
