//! Mailbox profiles: the server side of `app::api::mailboxes` — the list,
//! the editor, saving, testing, folder subscriptions, runs, pausing and
//! deleting — over `crate::mailbox`, asking `crate::access` who may do what.

use super::backend::WebBackend;
use super::caller::{actor, managed_mailbox, readable_mailbox};
use super::error::form_problem;
use super::error::internal;
use super::state::AppState;
use crate::access;
use crate::connect::Disclosure;
use crate::db::entity::job;
use crate::engine::JobLog;
use crate::mailbox::{Author, MailboxRow, warnings};
use crate::oauth::SignIn;
use crate::scheduler::Requested;
use app::api::backend::MailboxesBackend;
use app::error::ApiError;
use app::model::SessionUser;
use app::model::access::Capability;
use app::model::job::{JobRecord, MailboxRuns, RunRequest};
use app::model::mailbox::{
    JobSummary, MailboxEditor, MailboxInput, MailboxSummary, Source, TemplateChoice,
};
use app::model::mailbox_form::MailboxForm;
use app::model::oauth::SignInState;
use app::model::probe::ProbeReport;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

#[async_trait::async_trait]
impl MailboxesBackend for WebBackend {
    async fn list_mailboxes(&self, caller: &SessionUser) -> Result<Vec<MailboxSummary>, ApiError> {
        let rows = self.state.access.visible_mailboxes(caller).await?;
        let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
        let mut last_jobs = last_jobs(&self.state, &ids).await?;
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
            .state
            .mailboxes
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
                        Source::Pop3 => {
                            format!("{}@{}:{} (POP3)", row.username, row.host, row.port)
                        }
                        Source::Graph => format!("{} via Microsoft Graph", row.username),
                        Source::Import => String::new(),
                        Source::Journal => "SMTP journal".to_string(),
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
        let templates = template_choices(&self.state).await?;
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
        let row = managed_mailbox(&self.state, caller, id).await?;
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

    async fn save_mailbox(&self, caller: &SessionUser, form: MailboxForm) -> Result<i64, ApiError> {
        let existing = form_mailbox(&self.state, caller, &form).await?;
        let row = self
            .state
            .mailboxes
            .save(&Author::person(caller), existing.as_ref(), form)
            .await?;
        Ok(row.id)
    }

    async fn test_mailbox(
        &self,
        caller: &SessionUser,
        form: MailboxForm,
    ) -> Result<ProbeReport, ApiError> {
        let row = probe_row(&self.state, caller, &form).await?;
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
        let row = probe_row(&self.state, caller, &form).await?;
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
        let (row, can_manage) = readable_mailbox(&self.state, caller, id).await?;
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
        let row = managed_mailbox(&self.state, caller, id).await?;
        self.state.mailboxes.set_enabled(id, enabled).await?;
        tracing::info!(mailbox = %row.name, by = %caller.email, enabled, "schedule switched");
        Ok(())
    }

    async fn run_mailbox(&self, caller: &SessionUser, id: i64) -> Result<RunRequest, ApiError> {
        let row = managed_mailbox(&self.state, caller, id).await?;
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
        managed_mailbox(&self.state, caller, id).await?;
        self.state.mailboxes.delete(id, &actor(caller)).await?;
        Ok(())
    }
}

/// How many past runs a mailbox page lists.
const RUNS_SHOWN: u64 = 20;

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

/// The templates as the mailbox editor offers them.
async fn template_choices(state: &AppState) -> Result<Vec<TemplateChoice>, ApiError> {
    let templates = state.mailboxes.templates();
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

/// The latest job of each of `mailbox_ids`.
async fn last_jobs(
    state: &AppState,
    mailbox_ids: &[i64],
) -> Result<HashMap<i64, JobSummary>, ApiError> {
    let latest: Vec<i64> = job::Entity::find()
        .select_only()
        .column_as(job::Column::Id.max(), "id")
        .filter(job::Column::MailboxId.is_in(mailbox_ids.iter().copied()))
        .group_by(job::Column::MailboxId)
        .into_tuple()
        .all(&state.db)
        .await
        .map_err(|error| internal(&error))?;
    let rows = job::Entity::find()
        .filter(job::Column::Id.is_in(latest))
        .all(&state.db)
        .await
        .map_err(|error| internal(&error))?;
    Ok(rows
        .into_iter()
        .map(|row| (row.mailbox_id, job_summary(row)))
        .collect())
}

/// The saved mailbox the editor's form is about, if `caller` may manage
/// it; for a new one, whether their role may create mailboxes at all.
async fn form_mailbox(
    state: &AppState,
    caller: &SessionUser,
    form: &MailboxForm,
) -> Result<Option<MailboxRow>, ApiError> {
    match form.id().map_err(form_problem)? {
        Some(id) => Ok(Some(managed_mailbox(state, caller, id).await?)),
        None => {
            access::require(caller, Capability::ManageOwnMailboxes)?;
            Ok(None)
        }
    }
}

/// The unsaved row the editor's current values describe (for a saved
/// mailbox: only its manager's, with its stored password or sign-in only
/// where nothing they were given for changed).
async fn probe_row(
    state: &AppState,
    caller: &SessionUser,
    form: &MailboxForm,
) -> Result<MailboxRow, ApiError> {
    let profile = form.parse().map_err(form_problem)?;
    let existing = form_mailbox(state, caller, form).await?;
    Ok(state
        .mailboxes
        .probe_form(&Author::person(caller), existing.as_ref(), form, &profile)
        .await?)
}
