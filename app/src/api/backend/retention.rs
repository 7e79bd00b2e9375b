//! What the server functions of `api::retention` ask of the server: retention
//! policies, legal holds and the deletion job. One part of the port `Backend`
//! (see there), implemented by `server::web::retention`.

use crate::error::ApiError;
use crate::model::SessionUser;
use crate::model::retention::{HoldInput, PolicyInput, RetentionOverview, RetentionSummary};

#[async_trait::async_trait]
pub trait RetentionBackend: Send + Sync + 'static {
    async fn retention_overview(&self) -> Result<RetentionOverview, ApiError>;
    async fn add_policy(&self, caller: &SessionUser, input: PolicyInput) -> Result<(), ApiError>;
    async fn remove_policy(&self, caller: &SessionUser, id: i64) -> Result<(), ApiError>;
    async fn place_hold(&self, caller: &SessionUser, input: HoldInput) -> Result<(), ApiError>;
    async fn release_hold(
        &self,
        caller: &SessionUser,
        id: i64,
        reason: &str,
    ) -> Result<(), ApiError>;
    /// A preview (`applied_by` None) or the deletion itself, by `applied_by`.
    async fn retention_run(
        &self,
        applied_by: Option<&SessionUser>,
    ) -> Result<RetentionSummary, ApiError>;
}
