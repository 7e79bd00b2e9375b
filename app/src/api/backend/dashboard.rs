//! What the server functions of `api::dashboard` ask of the server: the start
//! page's figures. One part of the port `Backend` (see there), implemented by
//! `server::web::dashboard`.

use crate::error::ApiError;
use crate::model::{DashboardView, SessionUser};

#[async_trait::async_trait]
pub trait DashboardBackend: Send + Sync + 'static {
    async fn dashboard(&self, caller: &SessionUser) -> Result<DashboardView, ApiError>;
}
