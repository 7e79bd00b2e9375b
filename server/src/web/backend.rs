//! The server's implementation of `app::api::Backend`: maps each call onto
//! the services and their errors onto `ApiError`.

use super::AppState;
use crate::auth::AuthError;
use crate::db::entity::job;
use crate::engine::JobLog;
use crate::mailbox::{MailboxError, MailboxRow};
use crate::scheduler::Requested;
use crate::secrets::Secret;
use app::api::{Backend, SignedIn};
use app::error::ApiError;
use app::model::job::{JobRecord, MailboxRuns, RunRequest};
use app::model::mailbox::{JobSummary, MailboxEditor, MailboxSummary, Source};
use app::model::mailbox_form::MailboxForm;
use app::model::probe::ProbeReport;
use app::model::{DashboardView, NewUserInput, SessionUser, UserView};
use sea_orm::QueryOrder;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;
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
            MailboxError::Invalid(errors) => match errors.first() {
                Some(first) => ApiError::invalid(first.field, first.message.clone()),
                None => ApiError::invalid("name", "The profile is not valid."),
            },
            MailboxError::NameTaken(name) => ApiError::invalid(
                "name",
                format!("A mailbox named {name:?} exists already; choose another name."),
            ),
            MailboxError::NotFound(_) => ApiError::NotFound,
            other => internal(&other),
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
        let row = self.state.mailboxes.by_id(id).await?;
        if caller.is_admin() || row.owner_id == Some(caller.id) {
            Ok(row)
        } else {
            Err(ApiError::NotFound)
        }
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
        let session = self
            .state
            .accounts
            .sign_in(email, password, client_ip, user_agent)
            .await?;
        Ok(SignedIn {
            user: session.user.to_session_user()?,
            session_token: session.token,
            lifetime: session.lifetime,
        })
    }

    async fn sign_out(&self, session_token: &str) -> Result<(), ApiError> {
        Ok(self.state.accounts.sign_out(session_token).await?)
    }

    async fn change_password(
        &self,
        user_id: i64,
        current_password: &str,
        new_password: &str,
        keep_session: Option<&str>,
    ) -> Result<(), ApiError> {
        Ok(self
            .state
            .accounts
            .change_password(user_id, current_password, new_password, keep_session)
            .await?)
    }

    async fn list_users(&self) -> Result<Vec<UserView>, ApiError> {
        let rows = self.state.accounts.list_users().await?;
        Ok(rows
            .iter()
            .map(|row| row.to_view())
            .collect::<Result<_, _>>()?)
    }

    async fn create_user(&self, input: NewUserInput) -> Result<UserView, ApiError> {
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
        Ok(row.to_view()?)
    }

    async fn set_user_disabled(&self, user_id: i64, disabled: bool) -> Result<UserView, ApiError> {
        let row = self.state.accounts.set_disabled(user_id, disabled).await?;
        tracing::info!(email = %row.email, disabled, "user status changed");
        Ok(row.to_view()?)
    }

    async fn dashboard(&self, caller: &SessionUser) -> Result<DashboardView, ApiError> {
        super::dashboard::figures(&self.state, caller).await
    }

    async fn list_mailboxes(&self, caller: &SessionUser) -> Result<Vec<MailboxSummary>, ApiError> {
        let rows = self
            .state
            .mailboxes
            .visible_to(caller.id, caller.is_admin())
            .await?;
        let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
        let mut last_jobs = self.last_jobs(&ids).await?;
        let owners: HashMap<i64, String> = if caller.is_admin() {
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
                        Source::Import => String::new(),
                    },
                    owner: row.owner_id.and_then(|id| owners.get(&id).cloned()),
                    enabled: row.enabled,
                    schedule: row.schedule.clone(),
                    last_job: last_jobs.remove(&row.id),
                    warnings: warnings(&row),
                    name: row.name,
                    source,
                })
            })
            .collect()
    }

    async fn mailbox_editor(
        &self,
        caller: &SessionUser,
        id: i64,
    ) -> Result<MailboxEditor, ApiError> {
        let row = self.managed_mailbox(caller, id).await?;
        let input = self.state.mailboxes.input_of(&row)?;
        Ok(MailboxEditor {
            form: MailboxForm::from_input(Some(row.id), &input),
            has_secret: row.secret_sealed.is_some(),
        })
    }

    async fn save_mailbox(&self, caller: &SessionUser, form: MailboxForm) -> Result<i64, ApiError> {
        let invalid = |error: app::model::mailbox_form::FormError| {
            ApiError::invalid(error.field, error.message)
        };
        let input = form.parse().map_err(invalid)?;
        let secret = form.secret().map(Secret::new);
        let row = match form.id().map_err(invalid)? {
            Some(id) => {
                self.managed_mailbox(caller, id).await?;
                self.state
                    .mailboxes
                    .update(id, &input, secret.as_ref())
                    .await?
            }
            None => {
                self.state
                    .mailboxes
                    .create(Some(caller.id), &input, secret.as_ref())
                    .await?
            }
        };
        tracing::info!(mailbox = %row.name, by = %caller.email, "mailbox saved");
        Ok(row.id)
    }

    async fn test_mailbox(
        &self,
        caller: &SessionUser,
        form: MailboxForm,
    ) -> Result<ProbeReport, ApiError> {
        let invalid = |error: app::model::mailbox_form::FormError| {
            ApiError::invalid(error.field, error.message)
        };
        let input = form.parse().map_err(invalid)?;
        let secret = form.secret().map(Secret::new);
        let existing = match form.id().map_err(invalid)? {
            Some(id) => Some(self.managed_mailbox(caller, id).await?),
            None => None,
        };
        let owner = existing
            .as_ref()
            .map_or(Some(caller.id), |row| row.owner_id);
        let row =
            self.state
                .mailboxes
                .probe_row(owner, existing.as_ref(), &input, secret.as_ref())?;
        Ok(crate::engine::probe::probe(&self.state.mailboxes, &row).await)
    }

    async fn mailbox_runs(&self, caller: &SessionUser, id: i64) -> Result<MailboxRuns, ApiError> {
        let row = self.managed_mailbox(caller, id).await?;
        let jobs = job::Entity::find()
            .filter(job::Column::MailboxId.eq(id))
            .order_by_desc(job::Column::Id)
            .limit(RUNS_SHOWN)
            .all(&self.state.db)
            .await
            .map_err(|error| internal(&error))?;
        Ok(MailboxRuns {
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
        if row.source != Source::Imap.as_str() {
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

    fn secure_cookies(&self) -> bool {
        self.state.config.secure_cookies()
    }
}
