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
    use crate::api::context;
    use crate::model::NewUserInput;
    context::admin().await?;
    let input = NewUserInput {
        email,
        display_name,
        role,
        password,
    };
    context::respond(context::backend()?.create_user(input)).await
}
