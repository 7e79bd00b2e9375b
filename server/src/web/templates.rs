//! Mailbox templates: the server side of `app::api::templates`, over
//! `crate::mailbox::Templates`.

use super::backend::WebBackend;
use super::caller::actor;
use super::error::form_problem;
use app::api::backend::TemplatesBackend;
use app::error::ApiError;
use app::model::SessionUser;
use app::model::mailbox::{MailboxInput, TemplateSummary};
use app::model::mailbox_form::MailboxForm;

#[async_trait::async_trait]
impl TemplatesBackend for WebBackend {
    async fn list_templates(&self) -> Result<Vec<TemplateSummary>, ApiError> {
        let templates = self.state.mailboxes.templates();
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
        let templates = self.state.mailboxes.templates();
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
        let id = form.id().map_err(form_problem)?;
        let input = form.parse().map_err(form_problem)?;
        let templates = self.state.mailboxes.templates();
        let row = templates.save(id, &input, &actor(caller)).await?;
        Ok(row.id)
    }

    async fn delete_template(&self, caller: &SessionUser, id: i64) -> Result<(), ApiError> {
        let templates = self.state.mailboxes.templates();
        templates.delete(id, &actor(caller)).await?;
        Ok(())
    }
}
