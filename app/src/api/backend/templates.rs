//! What the server functions of `api::templates` ask of the server: mailbox
//! templates. One part of the port `Backend` (see there), implemented by
//! `server::web::templates`.

use crate::error::ApiError;
use crate::model::SessionUser;
use crate::model::mailbox::TemplateSummary;
use crate::model::mailbox_form::MailboxForm;

#[async_trait::async_trait]
pub trait TemplatesBackend: Send + Sync + 'static {
    async fn list_templates(&self) -> Result<Vec<TemplateSummary>, ApiError>;
    async fn template_editor(&self, id: Option<i64>) -> Result<MailboxForm, ApiError>;
    async fn save_template(&self, caller: &SessionUser, form: MailboxForm)
    -> Result<i64, ApiError>;
    async fn delete_template(&self, caller: &SessionUser, id: i64) -> Result<(), ApiError>;
}
