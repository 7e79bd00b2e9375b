//! Server function `/api/users/create`: create a Tresor user (admin), with a
//! password typed by the admin or an invitation mailed to the user.

use crate::error::ApiError;
use crate::model::{Role, UserView};
use leptos::prelude::*;

/// Creates a user. With `invite` (a ticked box sends `true`), the user gets
/// a mail with a link to choose their own password and `password` is ignored.
#[server(prefix = "/api", endpoint = "users/create")]
pub async fn create_user(
    email: String,
    display_name: String,
    role: Role,
    #[server(default)] password: String,
    #[server(default)] invite: Option<bool>,
) -> Result<UserView, ApiError> {
    use crate::model::NewUserInput;
    let request = crate::api::context::Request::current()?;
    let admin = request.admin().await?;
    let input = NewUserInput {
        email,
        display_name,
        role,
        password,
        invite: invite.unwrap_or(false),
    };
    request
        .respond(request.backend.create_user(&admin, input))
        .await
}
