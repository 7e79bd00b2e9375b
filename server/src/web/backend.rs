//! The server's implementation of `app::api::Backend`: maps each call onto
//! the services and their errors onto `ApiError`.

use super::AppState;
use crate::access::{self, Denied, MailboxUse};
use crate::audit::{Action, Actor, Outcome};
use crate::auth::AuthError;
use crate::connect::Disclosure;
use crate::db::entity::job;
use crate::engine::JobLog;
use crate::mailbox::batch::{Batch, BatchError};
use crate::mailbox::{Editor, MailboxError, MailboxRow, Templates};
use crate::oauth::SignIn;
use crate::scheduler::Requested;
use crate::secrets::Secret;
use crate::viewer::ViewerError;
use app::api::{Backend, SignedIn};
use app::error::{ApiError, FieldProblem};
use app::model::access::Capability;
use app::model::archive::{
    MessageView, RestoreInput, RestoreReport, RestoreTarget, SearchInput, SearchPage,
};
use app::model::audit::{AuditEntryView, AuditFilter, AuditPage};
use app::model::batch::{
    BatchOutcome, BatchReport, BatchRow, CsvImportForm, CsvPreview, MasterBatchForm,
};
use app::model::job::{JobRecord, MailboxRuns, RunRequest};
use app::model::mailbox::{
    JobSummary, MailboxEditor, MailboxInput, MailboxSummary, Source, TemplateChoice,
    TemplateSummary,
};
use app::model::mailbox_form::{FormError, FormField, MailboxForm};
use app::model::notifications::{SmtpForm, SmtpSettingsView, TestMailSent};
use app::model::oauth::{
    DeviceProgress, DeviceSignIn, MailboxSignIn, SignInAppForm, SignInAppsView, SignInState,
};
use app::model::probe::ProbeReport;
use app::model::retention::{HoldInput, PolicyInput, RetentionOverview, RetentionSummary};
use app::model::{DashboardView, NewUserInput, SessionUser, UserView};
use sea_orm::QueryOrder;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;
use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;

pub struct WebBackend {
    state: AppState,
}

impl WebBackend {
    pub fn new(state: AppState) -> Self {
        WebBackend { state }
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
            other @ (AuthError::CorruptRole(_) | AuthError::Hash(_) | AuthError::Db(_)) => {
                internal(&other)
            }
        }
    }
}

/// The browser gets a reference to the log line, not the internals.
pub(super) fn internal(error: &dyn std::fmt::Display) -> ApiError {
    let reference = format!("{:08x}", rand::random::<u32>());
    tracing::error!(error = %error, reference, "request failed");
    ApiError::Internal(reference)
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
            | MailboxError::NotImap(_) => ApiError::Conflict(error.to_string()),
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

/// How many past runs a mailbox page lists.
const RUNS_SHOWN: u64 = 20;

/// What an administrator should know about a mailbox, in words.
pub(super) fn warnings(row: &MailboxRow) -> Vec<String> {
    let mut warnings = Vec::new();
    if row.accept_invalid_certs {
        warnings
            .push("Certificate checks are off: any server can pretend to be this one.".to_string());
    }
    if let Some(name) = &row.expected_cert_name {
        warnings.push(format!(
            "The certificate is accepted for {name:?} instead of the host name."
        ));
    }
    if row.security == "plain" && row.source == Source::Imap.as_str() {
        warnings.push("Unencrypted connection: the password crosses the network readable.".into());
    }
    warnings
}

fn job_summary(row: job::Model) -> JobSummary {
    // Counts come from the stored log; a log that cannot be read shows zeros
    // (the status and error columns still tell how the run ended).
    let log: Option<JobLog> = serde_json::from_str(&row.log).ok();
    JobSummary {
        id: row.id,
        status: row.status,
        started_at: row.started_at,
        finished_at: row.finished_at,
        archived: log.as_ref().map_or(0, |log| log.archived),
        duplicates: log.as_ref().map_or(0, |log| log.duplicates),
        failed: log.as_ref().map_or(0, |log| log.failed),
        error: row.error,
    }
}

impl WebBackend {
    /// Mailbox `id` if `caller` may manage it: its owner or an admin. Others
    /// get "not found", which does not tell them the mailbox exists.
    async fn managed_mailbox(&self, caller: &SessionUser, id: i64) -> Result<MailboxRow, ApiError> {
        managed_mailbox(&self.state, caller, id).await
    }

    /// Mailbox `id` if `caller` may read it: manage it, or it was granted
    /// to them. Others get "not found".
    async fn readable_mailbox(
        &self,
        caller: &SessionUser,
        id: i64,
    ) -> Result<(MailboxRow, bool), ApiError> {
        let row = self
            .state
            .access
            .mailbox(caller, id, MailboxUse::Read)
            .await?;
        let can_manage = access::manages(caller, &row);
        Ok((row, can_manage))
    }

    fn templates(&self) -> Templates<'_> {
        Templates::new(&self.state.db, &self.state.mailboxes)
    }

    fn batch(&self) -> Batch<'_> {
        Batch::new(
            &self.state.accounts,
            &self.state.mailboxes,
            self.templates(),
        )
    }

    /// The report of a batch; with `run_now`, first runs of the mailboxes
    /// created are queued (the scheduler keeps to the concurrent-job limit).
    fn batch_report(&self, rows: Vec<BatchRow>, run_now: bool) -> BatchReport {
        let mut queued = 0;
        if run_now {
            for row in &rows {
                if let (BatchOutcome::Created, Some(id)) = (row.outcome, row.mailbox_id) {
                    self.state.scheduler.request_run(id);
                    queued += 1;
                }
            }
        }
        BatchReport::from_rows(rows, queued)
    }

    /// The templates as the mailbox editor offers them.
    async fn template_choices(&self) -> Result<Vec<TemplateChoice>, ApiError> {
        let templates = self.templates();
        templates
            .list()
            .await?
            .iter()
            .map(|row| {
                Ok(TemplateChoice {
                    id: row.id,
                    name: row.name.clone(),
                    form: templates.form_of(row)?,
                })
            })
            .collect()
    }

    /// The user ids behind the form's grant addresses; an unknown address is
    /// a problem of the `grants` field.
    async fn granted_users(&self, form: &MailboxForm) -> Result<BTreeSet<i64>, ApiError> {
        let mut ids = BTreeSet::new();
        for address in form.grant_addresses() {
            match self.state.accounts.find_by_email(&address).await? {
                Some(user) => {
                    ids.insert(user.id);
                }
                None => {
                    return Err(ApiError::invalid(
                        "grants",
                        format!("There is no user with the address {address}; add the user first."),
                    ));
                }
            }
        }
        Ok(ids)
    }

    /// The unsaved row the editor's current values describe (for a saved
    /// mailbox: only its manager's, with its stored password or sign-in only
    /// where nothing they were given for changed).
    async fn probe_row(
        &self,
        caller: &SessionUser,
        form: &MailboxForm,
    ) -> Result<MailboxRow, ApiError> {
        let invalid = |error: FormError| ApiError::invalid(error.field, error.message);
        let input = form.parse().map_err(invalid)?;
        let secret = form.secret().map(Secret::new);
        let existing = match form.id().map_err(invalid)? {
            Some(id) => Some(self.managed_mailbox(caller, id).await?),
            None => {
                access::require(caller, Capability::ManageOwnMailboxes)?;
                None
            }
        };
        self.check_ca_file(caller, form, existing.as_ref()).await?;
        let owner = existing
            .as_ref()
            .map_or(Some(caller.id), |row| row.owner_id);
        Ok(self
            .state
            .mailboxes
            .probe_row(
                Editor::of(caller.role),
                owner,
                existing.as_ref(),
                &input,
                secret.as_ref(),
            )
            .await?)
    }

    /// Only administrators name files on the Tresor server: anyone else may
    /// keep the CA file an administrator chose (the mailbox's, or its
    /// template's), but not name another — reading it would tell them
    /// whether some file exists.
    async fn check_ca_file(
        &self,
        caller: &SessionUser,
        form: &MailboxForm,
        existing: Option<&MailboxRow>,
    ) -> Result<(), ApiError> {
        let named = form.ca_file.trim();
        if caller.is_admin() || named.is_empty() {
            return Ok(());
        }
        let invalid = |error: FormError| ApiError::invalid(error.field, error.message);
        let template_ca_file = match form.template_id().map_err(invalid)? {
            Some(id)
                if form
                    .inherited_fields()
                    .map_err(invalid)?
                    .contains(&FormField::CaFile) =>
            {
                let templates = self.templates();
                match templates.by_id(id).await {
                    Ok(template) => Some(templates.form_of(&template)?.ca_file),
                    Err(_) => None,
                }
            }
            _ => None,
        };
        let chosen_by_admin = [
            template_ca_file.as_deref(),
            existing.and_then(|row| row.ca_file.as_deref()),
        ];
        if chosen_by_admin
            .into_iter()
            .flatten()
            .any(|path| path.trim() == named)
        {
            return Ok(());
        }
        Err(ApiError::invalid(
            "ca_file",
            "Only an administrator can name a CA file on the Tresor server: leave it empty, or ask an administrator to set it for this mailbox.",
        ))
    }

    /// The latest job of each of `mailbox_ids`.
    async fn last_jobs(&self, mailbox_ids: &[i64]) -> Result<HashMap<i64, JobSummary>, ApiError> {
        let latest: Vec<i64> = job::Entity::find()
            .select_only()
            .column_as(job::Column::Id.max(), "id")
            .filter(job::Column::MailboxId.is_in(mailbox_ids.iter().copied()))
            .group_by(job::Column::MailboxId)
            .into_tuple()
            .all(&self.state.db)
            .await
            .map_err(|error| internal(&error))?;
        let rows = job::Entity::find()
            .filter(job::Column::Id.is_in(latest))
            .all(&self.state.db)
            .await
            .map_err(|error| internal(&error))?;
        Ok(rows
            .into_iter()
            .map(|row| (row.mailbox_id, job_summary(row)))
            .collect())
    }
}

#[async_trait::async_trait]
impl Backend for WebBackend {
    async fn session_user(&self, session_token: &str) -> Result<Option<SessionUser>, ApiError> {
        match self.state.accounts.session_user(session_token).await? {
            Some(row) => Ok(Some(row.to_session_user()?)),
            None => Ok(None),
        }
    }

    async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client_ip: Option<IpAddr>,
        user_agent: Option<&str>,
    ) -> Result<SignedIn, ApiError> {
        let client = client_ip.map(|ip| ip.to_string());
        let session = match self
            .state
            .accounts
            .sign_in(email, password, client_ip, user_agent)
            .await
        {
            Ok(session) => session,
            Err(error) => {
                // The reason in words, never the password tried.
                let outcome = match error {
                    AuthError::Db(_) => Outcome::Failed,
                    _ => Outcome::Denied,
                };
                self.state
                    .audit
                    .record(
                        &Actor::Anonymous {
                            email: email.trim().to_lowercase(),
                        },
                        client.as_deref(),
                        Action::SignInFailed,
                        "sign-in",
                        json!({ "reason": error.to_string() }),
                        outcome,
                    )
                    .await
                    .map_err(|error| internal(&error))?;
                return Err(error.into());
            }
        };
        self.state
            .audit
            .record(
                &Actor::User {
                    id: session.user.id,
                    email: session.user.email.clone(),
                },
                client.as_deref(),
                Action::SignIn,
                "sign-in",
                json!({ "user_agent": user_agent }),
                Outcome::Ok,
            )
            .await
            .map_err(|error| internal(&error))?;
        Ok(SignedIn {
            user: session.user.to_session_user()?,
            session_token: session.token,
            lifetime: session.lifetime,
        })
    }

    async fn sign_out(&self, session_token: &str) -> Result<(), ApiError> {
        let user = self.session_user(session_token).await?;
        self.state.accounts.sign_out(session_token).await?;
        if let Some(user) = user {
            audit(&self.state, &user, Action::SignOut, "sign-in", json!({})).await?;
        }
        Ok(())
    }

    /// Answers before anything that depends on whether the address has an
    /// account: the checks and the audit entry are the same for every address;
    /// issuing the link and mailing it happen afterwards, in a task of their
    /// own, so a known address is not answered later than an unknown one.
    async fn request_password_reset(
        &self,
        email: &str,
        client_ip: Option<IpAddr>,
    ) -> Result<(), ApiError> {
        let notifier = match &self.state.notifier {
            Some(notifier)
                if notifier
                    .settings_for(None)
                    .await
                    .map_err(|error| internal(&error))?
                    .is_some() =>
            {
                notifier.clone()
            }
            _ => {
                return Err(ApiError::Conflict(
                    "Password reset by mail is not set up here. Ask your administrator to set a new password for you.".into(),
                ));
            }
        };
        self.state.accounts.admit_password_reset(email, client_ip)?;
        let email = email.trim().to_lowercase();
        self.state
            .audit
            .record(
                &Actor::Anonymous {
                    email: email.clone(),
                },
                client_ip.map(|ip| ip.to_string()).as_deref(),
                Action::PasswordResetRequested,
                "sign-in",
                json!({}),
                Outcome::Ok,
            )
            .await
            .map_err(|error| internal(&error))?;
        tokio::spawn(mail_reset_link(self.state.clone(), notifier, email));
        Ok(())
    }

    async fn reset_password(
        &self,
        token: &str,
        new_password: &str,
        client_ip: Option<IpAddr>,
    ) -> Result<(), ApiError> {
        let user = self
            .state
            .accounts
            .finish_password_reset(token, new_password)
            .await?;
        let client = client_ip.map(|ip| ip.to_string());
        self.state
            .audit
            .record(
                &Actor::User {
                    id: user.id,
                    email: user.email.clone(),
                },
                client.as_deref(),
                Action::PasswordChanged,
                &format!("user {}", user.email),
                json!({ "by": "reset link" }),
                Outcome::Ok,
            )
            .await
            .map_err(|error| internal(&error))
    }

    async fn change_password(
        &self,
        caller: &SessionUser,
        current_password: &str,
        new_password: &str,
        keep_session: Option<&str>,
    ) -> Result<(), ApiError> {
        self.state
            .accounts
            .change_password(caller.id, current_password, new_password, keep_session)
            .await?;
        let target = format!("user {}", caller.email);
        audit(
            &self.state,
            caller,
            Action::PasswordChanged,
            &target,
            json!({}),
        )
        .await
    }

    async fn list_users(&self) -> Result<Vec<UserView>, ApiError> {
        let rows = self.state.accounts.list_users().await?;
        Ok(rows
            .iter()
            .map(|row| row.to_view())
            .collect::<Result<_, _>>()?)
    }

    async fn create_user(
        &self,
        caller: &SessionUser,
        input: NewUserInput,
    ) -> Result<UserView, ApiError> {
        let row = self
            .state
            .accounts
            .create_user(
                &input.email,
                &input.display_name,
                input.role,
                &input.password,
            )
            .await?;
        tracing::info!(email = %row.email, role = %row.role, "user created");
        let target = format!("user {}", row.email);
        let after =
            json!({ "email": row.email, "display_name": row.display_name, "role": row.role });
        audit(
            &self.state,
            caller,
            Action::UserCreated,
            &target,
            json!({ "after": after }),
        )
        .await?;
        Ok(row.to_view()?)
    }

    async fn set_user_disabled(
        &self,
        caller: &SessionUser,
        user_id: i64,
        disabled: bool,
    ) -> Result<UserView, ApiError> {
        let row = self.state.accounts.set_disabled(user_id, disabled).await?;
        tracing::info!(email = %row.email, disabled, "user status changed");
        let target = format!("user {}", row.email);
        let details =
            json!({ "before": { "disabled": !disabled }, "after": { "disabled": disabled } });
        audit(&self.state, caller, Action::UserChanged, &target, details).await?;
        Ok(row.to_view()?)
    }

    async fn retention_overview(&self) -> Result<RetentionOverview, ApiError> {
        super::retention::overview(&self.state).await
    }

    async fn add_policy(&self, caller: &SessionUser, input: PolicyInput) -> Result<(), ApiError> {
        super::retention::add_policy(&self.state, caller, input).await
    }

    async fn remove_policy(&self, caller: &SessionUser, id: i64) -> Result<(), ApiError> {
        super::retention::remove_policy(&self.state, caller, id).await
    }

    async fn place_hold(&self, caller: &SessionUser, input: HoldInput) -> Result<(), ApiError> {
        super::retention::place_hold(&self.state, caller, input).await
    }

    async fn release_hold(
        &self,
        caller: &SessionUser,
        id: i64,
        reason: &str,
    ) -> Result<(), ApiError> {
        super::retention::release_hold(&self.state, caller, id, reason).await
    }

    async fn retention_run(
        &self,
        applied_by: Option<&SessionUser>,
    ) -> Result<RetentionSummary, ApiError> {
        super::retention::run(&self.state, applied_by).await
    }

    async fn sign_in_apps(&self) -> Result<SignInAppsView, ApiError> {
        super::oauth::apps(&self.state).await
    }

    async fn save_sign_in_app(
        &self,
        caller: &SessionUser,
        form: SignInAppForm,
    ) -> Result<(), ApiError> {
        super::oauth::save_app(&self.state, caller, form).await
    }

    async fn remove_sign_in_app(&self, caller: &SessionUser, id: i64) -> Result<(), ApiError> {
        super::oauth::remove_app(&self.state, caller, id).await
    }

    async fn sign_in_app_names(&self) -> Result<Vec<(i64, String)>, ApiError> {
        super::oauth::app_names(&self.state).await
    }

    async fn mailbox_sign_in(
        &self,
        caller: &SessionUser,
        id: i64,
    ) -> Result<Option<MailboxSignIn>, ApiError> {
        super::oauth::sign_in_state(&self.state, caller, id).await
    }

    async fn start_device_sign_in(
        &self,
        caller: &SessionUser,
        id: i64,
    ) -> Result<DeviceSignIn, ApiError> {
        super::oauth::start_device_sign_in(&self.state, caller, id).await
    }

    async fn device_sign_in_progress(
        &self,
        caller: &SessionUser,
        id: i64,
    ) -> Result<DeviceProgress, ApiError> {
        super::oauth::device_progress(&self.state, caller, id).await
    }

    async fn app_only_sign_in(&self, caller: &SessionUser, id: i64) -> Result<(), ApiError> {
        super::oauth::app_only_sign_in(&self.state, caller, id).await
    }

    async fn sign_out_mailbox(&self, caller: &SessionUser, id: i64) -> Result<(), ApiError> {
        super::oauth::sign_out(&self.state, caller, id).await
    }

    async fn smtp_settings(&self, mailbox_id: Option<i64>) -> Result<SmtpSettingsView, ApiError> {
        super::notifications::settings(&self.state, mailbox_id).await
    }

    async fn save_smtp_settings(
        &self,
        caller: &SessionUser,
        form: SmtpForm,
    ) -> Result<(), ApiError> {
        super::notifications::save(&self.state, caller, form).await
    }

    async fn remove_smtp_settings(
        &self,
        caller: &SessionUser,
        mailbox_id: i64,
    ) -> Result<(), ApiError> {
        super::notifications::remove(&self.state, caller, mailbox_id).await
    }

    async fn send_test_mail(
        &self,
        mailbox_id: Option<i64>,
        to: &str,
    ) -> Result<TestMailSent, ApiError> {
        super::notifications::send_test(&self.state, mailbox_id, to).await
    }

    async fn send_mailbox_test_mail(
        &self,
        caller: &SessionUser,
        id: i64,
    ) -> Result<TestMailSent, ApiError> {
        let mailbox = self.managed_mailbox(caller, id).await?;
        super::notifications::send_mailbox_test(&self.state, caller, &mailbox).await
    }

    async fn audit_log(&self, filter: AuditFilter) -> Result<AuditPage, ApiError> {
        let (entries, total) = self.state.audit.page(&filter).await?;
        Ok(AuditPage {
            entries: entries.into_iter().map(audit_view).collect(),
            total,
            offset: filter.offset,
        })
    }

    async fn dashboard(&self, caller: &SessionUser) -> Result<DashboardView, ApiError> {
        super::dashboard::figures(&self.state, caller).await
    }

    async fn list_mailboxes(&self, caller: &SessionUser) -> Result<Vec<MailboxSummary>, ApiError> {
        let rows = self.state.access.visible_mailboxes(caller).await?;
        let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
        let mut last_jobs = self.last_jobs(&ids).await?;
        let owners: HashMap<i64, String> = if caller.may(Capability::Administer) {
            self.state
                .accounts
                .list_users()
                .await?
                .into_iter()
                .map(|user| (user.id, user.email))
                .collect()
        } else {
            HashMap::from([(caller.id, caller.email.clone())])
        };
        let template_names: HashMap<i64, String> = self
            .templates()
            .list()
            .await?
            .into_iter()
            .map(|template| (template.id, template.name))
            .collect();
        let oauth_mailboxes: Vec<(i64, i64)> = rows
            .iter()
            .filter_map(|row| row.oauth_app_id.map(|app_id| (row.id, app_id)))
            .collect();
        let sign_ins: HashMap<i64, SignInState> = self
            .state
            .mailboxes
            .oauth()
            .sign_ins(&oauth_mailboxes)
            .await?
            .into_iter()
            .map(|(id, sign_in)| {
                let state = match sign_in {
                    SignIn::NotSignedIn => SignInState::NotSignedIn,
                    SignIn::SignedIn => SignInState::SignedIn,
                    SignIn::NeedsSignIn(_) => SignInState::NeedsSignIn,
                };
                (id, state)
            })
            .collect();
        rows.into_iter()
            .map(|row| {
                let source: Source = row
                    .source
                    .parse()
                    .map_err(|reason: String| internal(&reason))?;
                Ok(MailboxSummary {
                    id: row.id,
                    server: match source {
                        Source::Imap => format!("{}@{}:{}", row.username, row.host, row.port),
                        Source::Graph => format!("{} via Microsoft Graph", row.username),
                        Source::Import => String::new(),
                    },
                    owner: row.owner_id.and_then(|id| owners.get(&id).cloned()),
                    enabled: row.enabled,
                    schedule: row.schedule.clone(),
                    last_job: last_jobs.remove(&row.id),
                    warnings: warnings(&row),
                    shared: row.owner_id.is_none(),
                    can_manage: access::manages(caller, &row),
                    template: row
                        .template_id
                        .and_then(|id| template_names.get(&id).cloned()),
                    sign_in: sign_ins.get(&row.id).copied(),
                    name: row.name,
                    source,
                })
            })
            .collect()
    }

    async fn mailbox_editor(
        &self,
        caller: &SessionUser,
        id: Option<i64>,
    ) -> Result<MailboxEditor, ApiError> {
        let templates = self.template_choices().await?;
        access::require(caller, Capability::ManageOwnMailboxes)?;
        let can_share = caller.may(Capability::Administer);
        let Some(id) = id else {
            return Ok(MailboxEditor {
                form: MailboxForm::from_input(None, &MailboxInput::new("", "", "")),
                has_secret: false,
                templates,
                can_share,
            });
        };
        let row = self.managed_mailbox(caller, id).await?;
        let mut form = MailboxForm::from_input(Some(row.id), &self.state.mailboxes.input_of(&row)?);
        if let Some((template_id, fields)) = self.state.mailboxes.inheritance_of(&row)? {
            form.template_id = template_id.to_string();
            form.set_inherited(&fields);
        }
        form.shared = row.owner_id.is_none().then(|| "on".to_string());
        let users: HashMap<i64, String> = self
            .state
            .accounts
            .list_users()
            .await?
            .into_iter()
            .map(|user| (user.id, user.email))
            .collect();
        form.grants = self
            .state
            .mailboxes
            .grants(id)
            .await?
            .iter()
            .filter_map(|user_id| users.get(user_id).cloned())
            .collect::<Vec<_>>()
            .join("\n");
        Ok(MailboxEditor {
            form,
            has_secret: row.secret_sealed.is_some(),
            templates,
            can_share,
        })
    }

    async fn save_mailbox(
        &self,
        caller: &SessionUser,
        mut form: MailboxForm,
    ) -> Result<i64, ApiError> {
        let invalid = |error: FormError| ApiError::invalid(error.field, error.message);
        let existing = match form.id().map_err(invalid)? {
            Some(id) => Some(self.managed_mailbox(caller, id).await?),
            None => {
                access::require(caller, Capability::ManageOwnMailboxes)?;
                None
            }
        };
        // Inherited fields take the template's values whatever the form says.
        let template_id = form.template_id().map_err(invalid)?;
        let inherited = form.inherited_fields().map_err(invalid)?;
        if let Some(template_id) = template_id {
            let templates = self.templates();
            let template = templates.by_id(template_id).await.map_err(|_| {
                ApiError::invalid(
                    "template_id",
                    "This template no longer exists; choose another.",
                )
            })?;
            form.inherit(&templates.form_of(&template)?, &inherited);
        }
        self.check_ca_file(caller, &form, existing.as_ref()).await?;
        let sharing = form.shared.is_some() || !form.grants.trim().is_empty();
        if sharing && !caller.may(Capability::Administer) {
            return Err(ApiError::invalid(
                "grants",
                "Only an administrator shares mailboxes.",
            ));
        }
        let granted = self.granted_users(&form).await?;
        let input = form.parse().map_err(invalid)?;
        let secret = form.secret().map(Secret::new);
        // The change as the audit log keeps it: the settings before and
        // after; of the secret only whether it changed.
        let before = match &existing {
            Some(existing) => Some(self.state.mailboxes.input_of(existing)?),
            None => None,
        };
        let mailboxes = &self.state.mailboxes;
        let editor = Editor::of(caller.role);
        let row = match &existing {
            Some(existing) => {
                mailboxes
                    .update(editor, existing.id, &input, secret.as_ref())
                    .await?
            }
            None => {
                // Created with the owner it ends up with: names are unique
                // per owner, so a name check against another owner's would
                // be wrong (and leave a half-made mailbox).
                let owner = match form.shared {
                    Some(_) if caller.may(Capability::Administer) => None,
                    _ => Some(caller.id),
                };
                mailboxes
                    .create(editor, owner, &input, secret.as_ref())
                    .await?
            }
        };
        mailboxes
            .set_template(row.id, template_id.map(|id| (id, &inherited)))
            .await?;
        if caller.may(Capability::Administer) {
            // Unsharing gives the mailbox to the admin who does it.
            let owner = match form.shared {
                Some(_) => None,
                None => row.owner_id.or(Some(caller.id)),
            };
            mailboxes.set_sharing(row.id, owner, &granted).await?;
        }
        tracing::info!(mailbox = %row.name, by = %caller.email, "mailbox saved");
        let (action, mut details) = match before {
            Some(before) => (
                Action::MailboxChanged,
                json!({ "before": before, "after": input }),
            ),
            None => (Action::MailboxCreated, json!({ "after": input })),
        };
        details["secret_changed"] = json!(secret.is_some());
        details["shared"] = json!(form.shared.is_some());
        details["granted_user_ids"] = json!(granted);
        let target = format!("mailbox {} ({})", row.id, row.name);
        audit(&self.state, caller, action, &target, details).await?;
        Ok(row.id)
    }

    async fn test_mailbox(
        &self,
        caller: &SessionUser,
        form: MailboxForm,
    ) -> Result<ProbeReport, ApiError> {
        let row = self.probe_row(caller, &form).await?;
        Ok(crate::engine::probe::probe(
            &self.state.mailboxes,
            &row,
            Disclosure::for_role(caller.role),
        )
        .await)
    }

    async fn subscribe_folder(
        &self,
        caller: &SessionUser,
        form: MailboxForm,
        folder: &str,
        subscribed: bool,
    ) -> Result<(), ApiError> {
        let row = self.probe_row(caller, &form).await?;
        crate::engine::probe::set_subscription(
            &self.state.mailboxes,
            &row,
            folder,
            subscribed,
            Disclosure::for_role(caller.role),
        )
        .await
        .map_err(ApiError::Conflict)?;
        tracing::info!(mailbox = %row.name, folder, subscribed, by = %caller.email, "subscription changed");
        Ok(())
    }

    async fn mailbox_runs(&self, caller: &SessionUser, id: i64) -> Result<MailboxRuns, ApiError> {
        let (row, can_manage) = self.readable_mailbox(caller, id).await?;
        let jobs = job::Entity::find()
            .filter(job::Column::MailboxId.eq(id))
            .order_by_desc(job::Column::Id)
            .limit(RUNS_SHOWN)
            .all(&self.state.db)
            .await
            .map_err(|error| internal(&error))?;
        Ok(MailboxRuns {
            can_manage,
            queued: self.state.scheduler.is_queued(id),
            mailbox: row.name,
            schedule: row.schedule,
            enabled: row.enabled,
            running: self
                .state
                .scheduler
                .progress()
                .into_iter()
                .find_map(|(mailbox_id, progress)| (mailbox_id == id).then_some(progress)),
            jobs: jobs
                .into_iter()
                .map(|row| JobRecord {
                    log: serde_json::from_str(&row.log).ok(),
                    summary: job_summary(row),
                })
                .collect(),
        })
    }

    async fn set_mailbox_enabled(
        &self,
        caller: &SessionUser,
        id: i64,
        enabled: bool,
    ) -> Result<(), ApiError> {
        let row = self.managed_mailbox(caller, id).await?;
        self.state.mailboxes.set_enabled(id, enabled).await?;
        tracing::info!(mailbox = %row.name, by = %caller.email, enabled, "schedule switched");
        Ok(())
    }

    async fn run_mailbox(&self, caller: &SessionUser, id: i64) -> Result<RunRequest, ApiError> {
        let row = self.managed_mailbox(caller, id).await?;
        if !row.source.parse::<Source>().is_ok_and(Source::is_server) {
            return Err(ApiError::Conflict(
                "This mailbox holds imported files; there is no server to archive from.".into(),
            ));
        }
        tracing::info!(mailbox = %row.name, by = %caller.email, "run requested");
        Ok(match self.state.scheduler.request_run(id) {
            Requested::Queued => RunRequest::Queued,
            Requested::AlreadyRunning => RunRequest::AlreadyRunning,
        })
    }

    async fn delete_mailbox(&self, caller: &SessionUser, id: i64) -> Result<(), ApiError> {
        let row = self.managed_mailbox(caller, id).await?;
        self.state.mailboxes.delete(id).await?;
        tracing::info!(mailbox = %row.name, by = %caller.email, "mailbox deleted");
        let target = format!("mailbox {} ({})", row.id, row.name);
        audit(
            &self.state,
            caller,
            Action::MailboxDeleted,
            &target,
            json!({}),
        )
        .await
    }

    async fn list_templates(&self) -> Result<Vec<TemplateSummary>, ApiError> {
        let templates = self.templates();
        let mut summaries = Vec::new();
        for row in templates.list().await? {
            let form = templates.form_of(&row)?;
            let mailboxes = self.state.mailboxes.inheriting_from(row.id).await?.len() as u64;
            summaries.push(TemplateSummary {
                id: row.id,
                name: row.name,
                server: format!("{}:{} ({})", form.host, form.port, form.security),
                schedule: (!form.schedule.is_empty()).then_some(form.schedule),
                mailboxes,
            });
        }
        Ok(summaries)
    }

    async fn template_editor(&self, id: Option<i64>) -> Result<MailboxForm, ApiError> {
        let templates = self.templates();
        Ok(match id {
            Some(id) => templates.form_of(&templates.by_id(id).await?)?,
            None => MailboxForm::from_input(None, &MailboxInput::new("", "", "")),
        })
    }

    async fn save_template(
        &self,
        caller: &SessionUser,
        form: MailboxForm,
    ) -> Result<i64, ApiError> {
        let invalid = |error: FormError| ApiError::invalid(error.field, error.message);
        let id = form.id().map_err(invalid)?;
        let input = form.parse().map_err(invalid)?;
        let row = self.templates().save(id, &input).await?;
        tracing::info!(template = %row.name, by = %caller.email, "template saved");
        let target = format!("template {} ({})", row.id, row.name);
        let details = json!({ "after": input, "new": id.is_none() });
        audit(&self.state, caller, Action::TemplateSaved, &target, details).await?;
        Ok(row.id)
    }

    async fn delete_template(&self, caller: &SessionUser, id: i64) -> Result<(), ApiError> {
        let row = self.templates().delete(id).await?;
        tracing::info!(template = %row.name, by = %caller.email, "template deleted");
        let target = format!("template {} ({})", row.id, row.name);
        audit(
            &self.state,
            caller,
            Action::TemplateDeleted,
            &target,
            json!({}),
        )
        .await
    }

    async fn master_batch(
        &self,
        caller: &SessionUser,
        form: MasterBatchForm,
    ) -> Result<BatchReport, ApiError> {
        let rows = self.batch().master_user(&form).await?;
        let report = self.batch_report(rows, form.run_now.is_some());
        tracing::info!(by = %caller.email, created = report.created, skipped = report.skipped,
            failed = report.failed, "master-user batch");
        let details = json!({ "kind": "master user", "created": report.created, "skipped": report.skipped, "failed": report.failed });
        audit(
            &self.state,
            caller,
            Action::BatchCreated,
            "mailboxes",
            details,
        )
        .await?;
        Ok(report)
    }

    async fn preview_csv(&self, form: CsvImportForm) -> Result<CsvPreview, ApiError> {
        Ok(self.batch().preview_csv(&form).await?)
    }

    async fn import_csv(
        &self,
        caller: &SessionUser,
        form: CsvImportForm,
    ) -> Result<BatchReport, ApiError> {
        let rows = self.batch().import_csv(&form).await?;
        let report = self.batch_report(rows, form.run_now.is_some());
        tracing::info!(by = %caller.email, created = report.created, failed = report.failed,
            "mailbox list imported");
        let details =
            json!({ "kind": "CSV list", "created": report.created, "failed": report.failed });
        audit(
            &self.state,
            caller,
            Action::BatchCreated,
            "mailboxes",
            details,
        )
        .await?;
        Ok(report)
    }

    async fn search_archive(
        &self,
        caller: &SessionUser,
        input: SearchInput,
    ) -> Result<SearchPage, ApiError> {
        let page = self
            .state
            .viewer
            .search(access::reader(caller), &input)
            .await?;
        // What an auditor looked for is part of the record (GoBD: who
        // inspected which mail); users' and admins' own searches are not.
        if caller.role == app::model::Role::Auditor {
            let details = json!({ "query": input.query, "hits": page.total });
            audit(&self.state, caller, Action::Search, "archive", details).await?;
        }
        Ok(page)
    }

    async fn archived_message(
        &self,
        caller: &SessionUser,
        id: i64,
    ) -> Result<MessageView, ApiError> {
        let view = self
            .state
            .viewer
            .message(access::reader(caller), id)
            .await?;
        let details = json!({ "sha256": view.sha256, "subject": view.subject });
        audit(
            &self.state,
            caller,
            Action::MessageViewed,
            &format!("message {id}"),
            details,
        )
        .await?;
        Ok(view)
    }

    async fn restore_targets(&self, caller: &SessionUser) -> Result<Vec<RestoreTarget>, ApiError> {
        Ok(self
            .state
            .viewer
            .restore_targets(access::reader(caller))
            .await?)
    }

    async fn restore_messages(
        &self,
        caller: &SessionUser,
        input: RestoreInput,
    ) -> Result<RestoreReport, ApiError> {
        use crate::viewer::RestoreError;
        access::require(caller, Capability::ManageOwnMailboxes)?;
        match self
            .state
            .viewer
            .restore(access::reader(caller), &input)
            .await
        {
            Ok(report) => {
                let details = json!({
                    "message_ids": input.message_ids,
                    "mailbox_id": input.mailbox_id,
                    "folder": input.folder,
                    "report": report,
                });
                audit(&self.state, caller, Action::Restore, "restore", details).await?;
                Ok(report)
            }
            Err(RestoreError::NoFolder) => Err(ApiError::invalid(
                "folder",
                "Choose the folder to restore into.",
            )),
            Err(RestoreError::NotManaged) => Err(ApiError::invalid(
                "mailbox",
                "You can only restore into a mailbox you manage.",
            )),
            Err(RestoreError::Imap(error)) => Err(ApiError::Conflict(format!(
                "The mail server refused the restore: {error}"
            ))),
            Err(RestoreError::Mailbox(error)) => Err(error.into()),
            Err(RestoreError::Viewer(error)) => Err(error.into()),
        }
    }

    fn secure_cookies(&self) -> bool {
        self.state.config.secure_cookies()
    }
}

/// Issues a reset link for `email` if it has an enabled account, and mails
/// it; runs after the request was answered, so problems go to the log.
async fn mail_reset_link(
    state: AppState,
    notifier: std::sync::Arc<crate::notify::Notifier>,
    email: String,
) {
    let (user, token) = match state.accounts.start_password_reset(&email).await {
        Ok(Some(issued)) => issued,
        Ok(None) => return,
        Err(error) => {
            tracing::error!(%error, %email, "no password-reset link could be issued");
            return;
        }
    };
    let link = format!(
        "{}/reset-password?token={token}",
        state.config.display_url().trim_end_matches('/')
    );
    let mail = crate::notify::Mail {
        to: vec![user.email.clone()],
        subject: "Tresor: choose a new password".into(),
        body: format!(
            "Hello {},

someone (hopefully you) asked to reset the password of your Tresor account {}.

Choose a new password here (the link works once, for an hour, and only until a newer one is sent):
{link}

If you did not ask for this, ignore this mail: your password stays as it is.
",
            user.display_name, user.email
        ),
    };
    match notifier.send_mail(None, &mail).await {
        Ok(()) => tracing::info!(email = %user.email, "password-reset link sent"),
        Err(error) => {
            tracing::error!(%error, email = %user.email, "the password-reset mail could not be sent")
        }
    }
}

/// Mailbox `id` if the access rule lets `caller` manage it.
pub(super) async fn managed_mailbox(
    state: &AppState,
    caller: &SessionUser,
    id: i64,
) -> Result<MailboxRow, ApiError> {
    Ok(state.access.mailbox(caller, id, MailboxUse::Manage).await?)
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

/// Who did it, for the audit log.
pub(super) fn actor(caller: &SessionUser) -> Actor {
    Actor::User {
        id: caller.id,
        email: caller.email.clone(),
    }
}

/// Records a signed-in user's action; an access that cannot be recorded
/// fails (nothing unaudited happens).
pub(super) async fn audit(
    state: &AppState,
    caller: &SessionUser,
    action: Action,
    target: &str,
    details: serde_json::Value,
) -> Result<(), ApiError> {
    state
        .audit
        .record(&actor(caller), None, action, target, details, Outcome::Ok)
        .await
        .map_err(|error| internal(&error))
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

fn audit_view(entry: crate::db::entity::audit_entry::Model) -> AuditEntryView {
    AuditEntryView {
        id: entry.id,
        at: entry.at,
        actor: entry.actor,
        client: entry.client,
        action: entry.action,
        target: entry.target,
        details: entry.details,
        outcome: entry.outcome,
    }
}

impl From<crate::audit::AuditError> for ApiError {
    fn from(error: crate::audit::AuditError) -> Self {
        match error {
            crate::audit::AuditError::Filter(message) => ApiError::invalid("filter", message),
            crate::audit::AuditError::Db(error) => internal(&error),
        }
    }
}
