//! What the server functions of `api::users` ask of the server: user
//! administration and the audit log. One part of the port `Backend` (see
//! there), implemented by `server::web::users`.

use crate::error::ApiError;
use crate::model::audit::{AuditFilter, AuditPage};
use crate::model::{NewUserInput, SessionUser, UserEdit, UserView};

#[async_trait::async_trait]
pub trait UsersBackend: Send + Sync + 'static {
    async fn list_users(&self) -> Result<Vec<UserView>, ApiError>;
    async fn create_user(
        &self,
        caller: &SessionUser,
        input: NewUserInput,
    ) -> Result<UserView, ApiError>;
    async fn set_user_disabled(
        &self,
        caller: &SessionUser,
        user_id: i64,
        disabled: bool,
    ) -> Result<UserView, ApiError>;
    /// Changes a user's address, name and role (never the last active admin's role).
    async fn edit_user(
        &self,
        caller: &SessionUser,
        user_id: i64,
        edit: UserEdit,
    ) -> Result<UserView, ApiError>;
    /// Deletes a user who owns no mailboxes and is not the last active admin.
    async fn delete_user(&self, caller: &SessionUser, user_id: i64) -> Result<(), ApiError>;
    /// Sets a user's password as the admin typed it; their sessions end.
    async fn set_user_password(
        &self,
        caller: &SessionUser,
        user_id: i64,
        password: &str,
    ) -> Result<(), ApiError>;
    /// Mails a user a one-time link to choose a new password.
    async fn send_password_link(&self, caller: &SessionUser, user_id: i64) -> Result<(), ApiError>;
    /// Whether set-password links can be mailed (the instance has mail settings).
    async fn password_mail_ready(&self) -> Result<bool, ApiError>;
    /// A page of the audit log, newest first (admins only: the caller checks).
    async fn audit_log(&self, filter: AuditFilter) -> Result<AuditPage, ApiError>;
}
