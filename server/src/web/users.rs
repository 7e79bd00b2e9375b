//! User administration and the audit log's page: the server side of
//! `app::api::users`, over `crate::auth::Accounts` and `crate::audit`; the
//! set-password links administrators send go out by `password_mail`.

use super::backend::WebBackend;
use super::caller::{actor, audit};
use super::password_mail::{LinkMail, instance_mailer, send_link};
use crate::audit::Action;
use crate::auth::{LinkPurpose, generate_password};
use app::api::backend::UsersBackend;
use app::error::ApiError;
use app::model::audit::{AuditEntryView, AuditFilter, AuditPage};
use app::model::{NewUserInput, SessionUser, UserEdit, UserView};
use serde_json::json;

/// What an admin is told when a link cannot be mailed for want of mail settings.
pub(super) const NO_MAIL_SETTINGS: &str = "Tresor cannot send mail yet: set up the instance's mail server under Notifications first, or type a password.";

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
        let mailer = match input.invite {
            true => Some(
                instance_mailer(&self.state)
                    .await?
                    .ok_or_else(|| ApiError::Conflict(NO_MAIL_SETTINGS.into()))?,
            ),
            false => None,
        };
        // An invited user's password is random and told to nobody: the
        // link is their only way in.
        let password = match input.invite {
            true => generate_password(),
            false => input.password,
        };
        let row = self
            .state
            .accounts
            .add_user(
                &input.email,
                &input.display_name,
                input.role,
                &password,
                &actor(caller),
            )
            .await?;
        if let Some(mailer) = mailer {
            self.mail_password_link(caller, &mailer, row.id, LinkPurpose::Invitation)
                .await?;
        }
        Ok(row.to_view()?)
    }

    async fn edit_user(
        &self,
        caller: &SessionUser,
        user_id: i64,
        edit: UserEdit,
    ) -> Result<UserView, ApiError> {
        let accounts = &self.state.accounts;
        let row = accounts.edit_user(user_id, &edit, &actor(caller)).await?;
        Ok(row.to_view()?)
    }

    async fn delete_user(&self, caller: &SessionUser, user_id: i64) -> Result<(), ApiError> {
        Ok(self
            .state
            .accounts
            .delete_user(user_id, &actor(caller))
            .await?)
    }

    async fn set_user_password(
        &self,
        caller: &SessionUser,
        user_id: i64,
        password: &str,
    ) -> Result<(), ApiError> {
        let accounts = &self.state.accounts;
        accounts
            .set_user_password(user_id, password, &actor(caller))
            .await?;
        Ok(())
    }

    async fn send_password_link(&self, caller: &SessionUser, user_id: i64) -> Result<(), ApiError> {
        let mailer = instance_mailer(&self.state)
            .await?
            .ok_or_else(|| ApiError::Conflict(NO_MAIL_SETTINGS.into()))?;
        self.mail_password_link(caller, &mailer, user_id, LinkPurpose::Reset)
            .await
    }

    async fn password_mail_ready(&self) -> Result<bool, ApiError> {
        Ok(instance_mailer(&self.state).await?.is_some())
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

impl WebBackend {
    /// Issues a set-password link for `user_id`, mails it and records who
    /// sent it. The admin waits for the mail server's answer, so a failure
    /// is theirs to see (and send again).
    pub(super) async fn mail_password_link(
        &self,
        caller: &SessionUser,
        mailer: &crate::notify::Notifier,
        user_id: i64,
        purpose: LinkPurpose,
    ) -> Result<(), ApiError> {
        let (user, token) = self
            .state
            .accounts
            .start_password_link(user_id, purpose)
            .await?;
        send_link(
            &self.state,
            mailer,
            &user,
            &token,
            LinkMail::FromAdmin(purpose),
            // The person's own choice first; else the administrator's.
            app::i18n::use_lang(),
        )
        .await
        .map_err(|error| {
            ApiError::Conflict(format!(
                "The mail to {} could not be sent: {error}. Check the mail settings under Notifications, then send the link again.",
                user.email
            ))
        })?;
        let kind = match purpose {
            LinkPurpose::Invitation => "invitation",
            LinkPurpose::Reset => "reset",
        };
        let target = format!("user {}", user.email);
        audit(
            &self.state,
            caller,
            Action::PasswordResetRequested,
            &target,
            json!({ "link": kind, "sent_to": user.email }),
        )
        .await
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
