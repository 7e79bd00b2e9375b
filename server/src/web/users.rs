//! User administration and the audit log's page: the server side of
//! `app::api::users`, over `crate::auth::Accounts` and `crate::audit`.

use super::backend::WebBackend;
use super::caller::actor;
use app::api::backend::UsersBackend;
use app::error::ApiError;
use app::model::audit::{AuditEntryView, AuditFilter, AuditPage};
use app::model::{NewUserInput, SessionUser, UserView};

#[async_trait::async_trait]
impl UsersBackend for WebBackend {
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
            .add_user(
                &input.email,
                &input.display_name,
                input.role,
                &input.password,
                &actor(caller),
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
        let accounts = &self.state.accounts;
        let row = accounts
            .set_user_disabled(user_id, disabled, &actor(caller))
            .await?;
        Ok(row.to_view()?)
    }

    async fn audit_log(&self, filter: AuditFilter) -> Result<AuditPage, ApiError> {
        let (entries, total) = self.state.audit.page(&filter).await?;
        Ok(AuditPage {
            entries: entries.into_iter().map(audit_view).collect(),
            total,
            offset: filter.offset,
        })
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
