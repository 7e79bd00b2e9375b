//! Server function `/api/users/create`: create a Tresor user (admin).

use crate::error::ApiError;
use crate::model::{Role, UserView};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "users/create")]
pub async fn create_user(
    email: String,
    display_name: String,
    role: Role,
    password: String,
) -> Result<UserView, ApiError> {
    use crate::model::NewUserInput;
    let request = crate::api::context::Request::current()?;
    let admin = request.admin().await?;
    let input = NewUserInput {
        email,
        display_name,
        role,
        password,
    };
    request
        .respond(request.backend.create_user(&admin, input))
        .await
}
