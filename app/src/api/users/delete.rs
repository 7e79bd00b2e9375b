//! Server function `/api/users/delete`: delete a user who owns no mailboxes (admin; never oneself).

use crate::error::ApiError;
use leptos::prelude::*;

/// Deletes a user. Refused while they own mailboxes (their archived mail
/// belongs to those), for oneself, and for the last active administrator.
#[server(prefix = "/api", endpoint = "users/delete")]
pub async fn delete_user(user_id: i64) -> Result<(), ApiError> {
    let request = crate::api::context::Request::current()?;
    let admin = request.admin().await?;
    if admin.id == user_id {
        return Err(request.fail(ApiError::Conflict(
            "You cannot delete your own account.".into(),
        )));
    }
    request
        .respond(request.backend.delete_user(&admin, user_id))
        .await
}
