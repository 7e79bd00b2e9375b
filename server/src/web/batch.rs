//! Batch archiving: the server side of `app::api::batch`, over
//! `crate::mailbox::batch`; the first runs of what it creates are queued here.

use super::backend::WebBackend;
use super::caller::actor;
use super::password_mail::instance_mailer;
use super::state::AppState;
use super::users::NO_MAIL_SETTINGS;
use crate::auth::LinkPurpose;
use crate::mailbox::batch::Batch;
use app::api::backend::BatchBackend;
use app::error::ApiError;
use app::model::SessionUser;
use app::model::batch::{
    BatchOutcome, BatchReport, BatchRow, CsvImportForm, CsvPreview, MasterBatchForm,
};

#[async_trait::async_trait]
impl BatchBackend for WebBackend {
    async fn master_batch(
        &self,
        caller: &SessionUser,
        form: MasterBatchForm,
    ) -> Result<BatchReport, ApiError> {
        let rows = batch(&self.state)
            .master_user(&form, &actor(caller))
            .await?;
        Ok(batch_report(&self.state, rows, form.run_now.is_some()))
    }

    async fn preview_csv(&self, form: CsvImportForm) -> Result<CsvPreview, ApiError> {
        Ok(batch(&self.state).preview_csv(&form).await?)
    }

    async fn import_csv(
        &self,
        caller: &SessionUser,
        form: CsvImportForm,
    ) -> Result<BatchReport, ApiError> {
        // Asked before anything is created: invitations need the mail settings.
        let mailer = match form.invite {
            Some(_) => Some(
                instance_mailer(&self.state)
                    .await?
                    .ok_or_else(|| ApiError::Conflict(NO_MAIL_SETTINGS.into()))?,
            ),
            None => None,
        };
        let mut rows = batch(&self.state).import_csv(&form, &actor(caller)).await?;
        if let Some(mailer) = mailer {
            self.invite_new_users(caller, &mailer, &mut rows).await;
        }
        Ok(batch_report(&self.state, rows, form.run_now.is_some()))
    }
}

impl WebBackend {
    /// Mails every user the batch created an invitation. A mail that cannot
    /// be sent is that row's note, not the batch's failure: the user and
    /// the mailbox exist, and the admin can send the link again from Users.
    async fn invite_new_users(
        &self,
        caller: &SessionUser,
        mailer: &crate::notify::Notifier,
        rows: &mut [BatchRow],
    ) {
        for row in rows {
            let Some(user_id) = row.new_user else {
                continue;
            };
            match self
                .mail_password_link(caller, mailer, user_id, LinkPurpose::Invitation)
                .await
            {
                Ok(()) => row.invited = true,
                Err(error) => row.reason = Some(error.to_string()),
            }
        }
    }
}

fn batch(state: &AppState) -> Batch<'_> {
    Batch::new(
        &state.accounts,
        &state.mailboxes,
        state.mailboxes.templates(),
    )
}

/// The report of a batch; with `run_now`, first runs of the mailboxes
/// created are queued (the scheduler keeps to the concurrent-job limit).
fn batch_report(state: &AppState, rows: Vec<BatchRow>, run_now: bool) -> BatchReport {
    let mut queued = 0;
    if run_now {
        for row in &rows {
            if let (BatchOutcome::Created, Some(id)) = (row.outcome, row.mailbox_id) {
                state.scheduler.request_run(id);
                queued += 1;
            }
        }
    }
    BatchReport::from_rows(rows, queued)
}
