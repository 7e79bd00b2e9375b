use crate::error::ApiError;
use crate::model::UserView;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "users/list")]
pub async fn list_users() -> Result<Vec<UserView>, ApiError> {
    use crate::api::context;
    context::admin().await?;
    context::respond(context::backend()?.list_users()).await
}
