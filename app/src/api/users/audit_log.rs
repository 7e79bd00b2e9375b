//! Server function `/api/admin/audit_log`: a page of the audit log, filtered (admin).

use crate::error::ApiError;
use crate::model::audit::{AuditFilter, AuditPage};
use leptos::prelude::*;

/// A page of the audit log, newest first. Admins only.
#[server(prefix = "/api", endpoint = "admin/audit_log")]
pub async fn audit_log(filter: AuditFilter) -> Result<AuditPage, ApiError> {
    let request = crate::api::context::Request::current()?;
    request.admin().await?;
    request.respond(request.backend.audit_log(filter)).await
}
