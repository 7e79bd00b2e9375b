//! What the server functions of `api::users` ask of the server: user
//! administration and the audit log. One part of the port `Backend` (see
//! there), implemented by `server::web::users`.

use crate::error::ApiError;
use crate::model::audit::{AuditFilter, AuditPage};
use crate::model::{NewUserInput, SessionUser, UserView};

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
    /// A page of the audit log, newest first (admins only: the caller checks).
    async fn audit_log(&self, filter: AuditFilter) -> Result<AuditPage, ApiError>;
}
