use crate::error::ApiError;
use crate::model::UserView;
use leptos::prelude::*;

/// Disables or re-enables a user. A disabled user's sessions stop working at once.
#[server(prefix = "/api", endpoint = "users/set_disabled")]
pub async fn set_user_disabled(user_id: i64, disabled: bool) -> Result<UserView, ApiError> {
    use crate::api::context;
    let admin = context::admin().await?;
    if admin.id == user_id && disabled {
        return Err(context::fail(ApiError::Conflict(
            "You cannot disable your own account.".into(),
        )));
    }
    context::respond(context::backend()?.set_user_disabled(user_id, disabled)).await
}
