//! Server function `/api/users/list`: the Tresor users (admin).

use crate::error::ApiError;
use crate::model::UserView;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "users/list")]
pub async fn list_users() -> Result<Vec<UserView>, ApiError> {
    let request = crate::api::context::Request::current()?;
    request.admin().await?;
    request.respond(request.backend.list_users()).await
}
