//! Server function `/api/users/set_disabled`: disable or re-enable a user (admin; never oneself).

use crate::error::ApiError;
use crate::model::UserView;
use leptos::prelude::*;

/// Disables or re-enables a user. A disabled user's sessions stop working at once.
#[server(prefix = "/api", endpoint = "users/set_disabled")]
pub async fn set_user_disabled(user_id: i64, disabled: bool) -> Result<UserView, ApiError> {
    let request = crate::api::context::Request::current()?;
    let admin = request.admin().await?;
    if admin.id == user_id && disabled {
        return Err(request.fail(ApiError::Conflict(
            "You cannot disable your own account.".into(),
        )));
    }
    request
        .respond(request.backend.set_user_disabled(&admin, user_id, disabled))
        .await
}
