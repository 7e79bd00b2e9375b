//! The changes administrators make to SMTP settings (in the browser, or from
//! the command line), each recorded in the audit log by the `Notifier`
//! itself: the settings before and after, and of the password only whether
//! it was kept, changed or removed.

use super::{Notifier, NotifyError, PasswordChange, SmtpInput};
use crate::audit::{Action, Actor};
use crate::db::entity::smtp_settings;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

/// A mailbox whose own settings change: its id and name.
pub type MailboxScope<'a> = (i64, &'a str);

impl Notifier {
    /// Saves the instance's settings (`mailbox` None) or a mailbox's (see
    /// `save_settings`), as `by`'s recorded change.
    pub async fn change_settings(
        &self,
        mailbox: Option<MailboxScope<'_>>,
        input: &SmtpInput,
        password: PasswordChange,
        by: &Actor,
    ) -> Result<(), NotifyError> {
        let mailbox_id = mailbox.map(|(id, _)| id);
        let before = self.stored(mailbox_id).await?;
        let password_change = match &password {
            PasswordChange::Keep => "kept",
            PasswordChange::Set(_) => "changed",
            PasswordChange::Remove => "removed",
        };
        self.save_settings(mailbox_id, input, password).await?;
        let details = json!({
            "before": before.as_ref().map(|stored| logged(&stored.input)),
            "after": logged(input),
            "password_change": password_change,
        });
        self.audit
            .record_change(by, Action::SmtpChanged, &target(mailbox), details)
            .await
            .map_err(NotifyError::Audit)
    }

    /// A mailbox's own settings go, as `by`'s recorded change; it uses the
    /// instance's again. Returns whether it had any (nothing is recorded
    /// when it had none).
    pub async fn remove_settings(
        &self,
        mailbox: MailboxScope<'_>,
        by: &Actor,
    ) -> Result<bool, NotifyError> {
        let before = self.stored(Some(mailbox.0)).await?;
        let removed = smtp_settings::Entity::delete_many()
            .filter(smtp_settings::Column::MailboxId.eq(mailbox.0))
            .exec(&self.db)
            .await?;
        if removed.rows_affected == 0 {
            return Ok(false);
        }
        let details = json!({ "before": before.as_ref().map(|stored| logged(&stored.input)) });
        self.audit
            .record_change(by, Action::SmtpRemoved, &target(Some(mailbox)), details)
            .await
            .map_err(NotifyError::Audit)?;
        Ok(true)
    }
}

/// What the audit log records of settings: everything but the password.
fn logged(input: &SmtpInput) -> serde_json::Value {
    json!({
        "host": input.host,
        "port": input.port,
        "security": input.security.as_str(),
        "username": input.username,
        "from_address": input.from_address,
        "from_name": input.from_name,
        "ca_file": input.ca_file,
        "extra_recipients": input.extra_recipients,
        "summary_recipients": input.summary_recipients,
    })
}

fn target(mailbox: Option<MailboxScope<'_>>) -> String {
    match mailbox {
        Some((_, name)) => format!("smtp settings of mailbox {name}"),
        None => "smtp settings of the instance".into(),
    }
}
