//! The changes people make to users (an administrator in the browser, or the
//! command line), each recorded in the audit log by the service that makes
//! it, so the web and the CLI leave the same entries: `before` and `after`
//! of each changed field.
//!
//! One rule holds for every change: the last active administrator is never
//! disabled, deleted or given another role, so someone can always
//! administer the instance.

use super::accounts::{
    Accounts, AuthError, UserRow, check_password_rules, keep_an_admin, locked_user, normalize_email,
};
use crate::audit::{Action, Actor};
use crate::db::entity::{mailbox, user};
use app::model::{Role, UserEdit};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, ModelTrait, PaginatorTrait, QueryFilter, Set,
    SqlErr, TransactionTrait,
};
use serde_json::{Map, Value, json};

impl Accounts {
    /// Adds a user, as `by`'s recorded change. (`create_user` records
    /// nothing: for the first administrator and a batch's new owners, whose
    /// batch is recorded as one.)
    pub async fn add_user(
        &self,
        email: &str,
        display_name: &str,
        role: Role,
        password: &str,
        by: &Actor,
    ) -> Result<UserRow, AuthError> {
        let row = self
            .create_user(email, display_name, role, password)
            .await?;
        tracing::info!(email = %row.email, role = %row.role, "user created");
        let target = format!("user {}", row.email);
        let after =
            json!({ "email": row.email, "display_name": row.display_name, "role": row.role });
        self.audit
            .record_change(by, Action::UserCreated, &target, json!({ "after": after }))
            .await
            .map_err(AuthError::Audit)?;
        Ok(row)
    }

    /// Disables or enables a user (see `set_disabled`), as `by`'s recorded
    /// change.
    pub async fn set_user_disabled(
        &self,
        user_id: i64,
        disabled: bool,
        by: &Actor,
    ) -> Result<UserRow, AuthError> {
        let row = self.set_disabled(user_id, disabled).await?;
        tracing::info!(email = %row.email, disabled, "user status changed");
        let target = format!("user {}", row.email);
        let details =
            json!({ "before": { "disabled": !disabled }, "after": { "disabled": disabled } });
        self.audit
            .record_change(by, Action::UserChanged, &target, details)
            .await
            .map_err(AuthError::Audit)?;
        Ok(row)
    }

    /// Changes a user's address, name and role, as `by`'s recorded change
    /// (only the fields that changed, before → after).
    pub async fn edit_user(
        &self,
        user_id: i64,
        edit: &UserEdit,
        by: &Actor,
    ) -> Result<UserRow, AuthError> {
        let email = normalize_email(&edit.email)?;
        let display_name = edit.display_name.trim().to_string();
        if display_name.is_empty() {
            return Err(AuthError::Invalid {
                field: "display_name",
                message: "Enter a name.".into(),
            });
        }
        let txn = self.db.begin().await?;
        let row = locked_user(&txn, user_id).await?;
        if edit.role != Role::Admin {
            keep_an_admin(&txn, &row).await?;
        }
        let mut before = Map::new();
        let mut after = Map::new();
        let mut note = |field: &str, old: &str, new: &str| {
            if old != new {
                before.insert(field.into(), Value::from(old));
                after.insert(field.into(), Value::from(new));
            }
        };
        note("email", &row.email, &email);
        note("display_name", &row.display_name, &display_name);
        note("role", &row.role, edit.role.as_str());
        if after.is_empty() {
            return Ok(row);
        }
        let target = format!("user {}", row.email);
        let mut active: user::ActiveModel = row.into();
        active.email = Set(email.clone());
        active.display_name = Set(display_name);
        active.role = Set(edit.role.as_str().to_string());
        active.updated_at = Set(self.clock.now());
        let updated = active.update(&txn).await.map_err(|error| {
            if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
                AuthError::EmailTaken(email)
            } else {
                AuthError::Db(error)
            }
        })?;
        txn.commit().await?;
        tracing::info!(email = %updated.email, "user changed");
        let details = json!({ "before": before, "after": after });
        self.audit
            .record_change(by, Action::UserChanged, &target, details)
            .await
            .map_err(AuthError::Audit)?;
        Ok(updated)
    }

    /// Deletes a user, as `by`'s recorded change. Refused while they own
    /// mailboxes: those and their archived mail would have no owner (an
    /// admin deletes them or makes them shared first). Their sessions,
    /// links and grants go with them; the audit log keeps their address.
    pub async fn delete_user(&self, user_id: i64, by: &Actor) -> Result<(), AuthError> {
        let txn = self.db.begin().await?;
        let row = locked_user(&txn, user_id).await?;
        keep_an_admin(&txn, &row).await?;
        let owned = mailbox::Entity::find()
            .filter(mailbox::Column::OwnerId.eq(user_id))
            .count(&txn)
            .await?;
        if owned > 0 {
            return Err(AuthError::OwnsMailboxes {
                email: row.email,
                count: owned,
            });
        }
        let target = format!("user {}", row.email);
        let before =
            json!({ "email": row.email, "display_name": row.display_name, "role": row.role });
        row.delete(&txn).await?;
        txn.commit().await?;
        tracing::info!(%target, "user deleted");
        self.audit
            .record_change(
                by,
                Action::UserDeleted,
                &target,
                json!({ "before": before }),
            )
            .await
            .map_err(AuthError::Audit)?;
        Ok(())
    }

    /// Sets a user's password as an administrator typed it, as `by`'s
    /// recorded change; every session of the user ends.
    pub async fn set_user_password(
        &self,
        user_id: i64,
        new_password: &str,
        by: &Actor,
    ) -> Result<UserRow, AuthError> {
        check_password_rules(new_password, "password")?;
        let row = self.user(user_id).await?;
        self.set_password(row.clone(), new_password).await?;
        self.end_sessions(user_id, None).await?;
        let target = format!("user {}", row.email);
        self.audit
            .record_change(
                by,
                Action::PasswordChanged,
                &target,
                json!({ "by": "administrator" }),
            )
            .await
            .map_err(AuthError::Audit)?;
        Ok(row)
    }

    async fn user(&self, user_id: i64) -> Result<UserRow, AuthError> {
        user::Entity::find_by_id(user_id)
            .one(&self.db)
            .await?
            .ok_or(AuthError::NotFound)
    }
}
