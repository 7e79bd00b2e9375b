//! What the server functions of `api::mailboxes` ask of the server: mailbox
//! profiles, their runs and their connection tests. One part of the port
//! `Backend` (see there), implemented by `server::web::mailboxes`.

use crate::error::ApiError;
use crate::model::SessionUser;
use crate::model::job::{MailboxRuns, RunRequest};
use crate::model::mailbox::{MailboxEditor, MailboxSummary};
use crate::model::mailbox_form::MailboxForm;
use crate::model::probe::ProbeReport;

#[async_trait::async_trait]
pub trait MailboxesBackend: Send + Sync + 'static {
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
}
