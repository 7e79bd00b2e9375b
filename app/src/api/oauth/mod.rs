//! OAuth sign-in: sign-in apps (admins) and a mailbox's sign-in (those who
//! manage it). The authorization-code flow itself runs through the plain
//! routes `/oauth/start/{mailbox}` and `/oauth/callback`, since the provider
//! sends the browser there.

use crate::error::ApiError;
use crate::model::oauth::{
    DeviceProgress, DeviceSignIn, MailboxSignIn, SignInAppForm, SignInAppsView,
};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "oauth/apps")]
pub async fn load_sign_in_apps() -> Result<SignInAppsView, ApiError> {
    let request = crate::api::context::Request::current()?;
    request.admin().await?;
    request.respond(request.backend.sign_in_apps()).await
}

#[server(prefix = "/api", endpoint = "oauth/save_app")]
pub async fn save_sign_in_app(form: SignInAppForm) -> Result<(), ApiError> {
    let request = crate::api::context::Request::current()?;
    let admin = request.admin().await?;
    request
        .respond(request.backend.save_sign_in_app(&admin, form))
        .await
}

#[server(prefix = "/api", endpoint = "oauth/remove_app")]
pub async fn remove_sign_in_app(id: i64) -> Result<(), ApiError> {
    let request = crate::api::context::Request::current()?;
    let admin = request.admin().await?;
    request
        .respond(request.backend.remove_sign_in_app(&admin, id))
        .await
}

/// The sign-in apps' ids and names, for the mailbox and template editors.
#[server(prefix = "/api", endpoint = "oauth/app_names")]
pub async fn load_sign_in_app_names() -> Result<Vec<(i64, String)>, ApiError> {
    let request = crate::api::context::Request::current()?;
    request
        .caller_who_may(crate::model::access::Capability::ManageOwnMailboxes)
        .await?;
    request.respond(request.backend.sign_in_app_names()).await
}

/// A mailbox's sign-in; `None` when it has no sign-in app.
#[server(prefix = "/api", endpoint = "mailboxes/sign_in")]
pub async fn load_mailbox_sign_in(id: i64) -> Result<Option<MailboxSignIn>, ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.caller().await?;
    request
        .respond(request.backend.mailbox_sign_in(&caller, id))
        .await
}

/// Starts a sign-in with a code (device code) and returns what to show.
#[server(prefix = "/api", endpoint = "mailboxes/device_sign_in")]
pub async fn start_device_sign_in(id: i64) -> Result<DeviceSignIn, ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.caller().await?;
    request
        .respond(request.backend.start_device_sign_in(&caller, id))
        .await
}

#[server(prefix = "/api", endpoint = "mailboxes/device_sign_in_progress")]
pub async fn device_sign_in_progress(id: i64) -> Result<DeviceProgress, ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.caller().await?;
    request
        .respond(request.backend.device_sign_in_progress(&caller, id))
        .await
}

/// App-only access (client credentials) for a mailbox.
#[server(prefix = "/api", endpoint = "mailboxes/app_only_sign_in")]
pub async fn app_only_sign_in(id: i64) -> Result<(), ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.caller().await?;
    request
        .respond(request.backend.app_only_sign_in(&caller, id))
        .await
}

/// Forgets a mailbox's tokens.
#[server(prefix = "/api", endpoint = "mailboxes/sign_out")]
pub async fn sign_out_mailbox(id: i64) -> Result<(), ApiError> {
    let request = crate::api::context::Request::current()?;
    let caller = request.caller().await?;
    request
        .respond(request.backend.sign_out_mailbox(&caller, id))
        .await
}
