//! Server function `/api/users/edit`: change a user's address, name and role (admin).

use crate::error::ApiError;
use crate::model::{Role, UserView};
use leptos::prelude::*;

/// Changes a user's e-mail address, name and role. The last active
/// administrator keeps the admin role (the server refuses).
#[server(prefix = "/api", endpoint = "users/edit")]
pub async fn edit_user(
    user_id: i64,
    email: String,
    display_name: String,
    role: Role,
) -> Result<UserView, ApiError> {
    use crate::model::UserEdit;
    let request = crate::api::context::Request::current()?;
    let admin = request.admin().await?;
    let edit = UserEdit {
        email,
        display_name,
        role,
    };
    request
        .respond(request.backend.edit_user(&admin, user_id, edit))
        .await
}
