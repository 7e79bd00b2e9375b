//! Batch archiving: the server side of `app::api::batch`, over
//! `crate::mailbox::batch`; the first runs of what it creates are queued here.

use super::backend::WebBackend;
use super::caller::actor;
use super::state::AppState;
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
        let rows = batch(&self.state).import_csv(&form, &actor(caller)).await?;
        Ok(batch_report(&self.state, rows, form.run_now.is_some()))
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
