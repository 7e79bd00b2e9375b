//! What the server functions of `api::dashboard` ask of the server: the start
//! page's figures, and a check of the archive on demand. One part of the port `Backend` (see there), implemented by
//! `server::web::dashboard`.

use crate::error::ApiError;
use crate::model::{DashboardView, SessionUser, VerifyStart};

#[async_trait::async_trait]
pub trait DashboardBackend: Send + Sync + 'static {
    async fn dashboard(&self, caller: &SessionUser) -> Result<DashboardView, ApiError>;
    /// Administrators: check the archive now, in the background.
    async fn verify_now(&self, caller: &SessionUser) -> Result<VerifyStart, ApiError>;
}
