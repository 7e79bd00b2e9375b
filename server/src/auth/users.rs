//! The changes people make to users (an administrator in the browser, or the
//! command line), each recorded in the audit log by the service that makes
//! it, so the web and the CLI leave the same entries.

use super::accounts::{Accounts, AuthError, UserRow};
use crate::audit::{Action, Actor};
use app::model::Role;
use serde_json::json;

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
}
