//! Who asks, and what they may touch: the signed-in person behind a plain
//! route's session cookie, the mailboxes the access rule (`crate::access`)
//! lets them read or manage, and their name in the audit log.

use super::error::internal;
use super::refusal::Refusal;
use super::state::AppState;
use crate::access::{self, MailboxUse};
use crate::audit::{Action, Actor};
use crate::mailbox::MailboxRow;
use app::error::ApiError;
use app::model::SessionUser;
use axum::http::{HeaderMap, StatusCode, header};

/// Who did it, for the audit log.
pub fn actor(caller: &SessionUser) -> Actor {
    Actor::User {
        id: caller.id,
        email: caller.email.clone(),
    }
}

/// Records a signed-in user's action; an access that cannot be recorded
/// fails (nothing unaudited happens).
pub async fn audit(
    state: &AppState,
    caller: &SessionUser,
    action: Action,
    target: &str,
    details: serde_json::Value,
) -> Result<(), ApiError> {
    state
        .audit
        .record_change(&actor(caller), action, target, details)
        .await
        .map_err(|error| internal(&error))
}

/// Mailbox `id` if the access rule lets `caller` manage it: its owner or an
/// admin. Others get "not found", which does not tell them it exists.
pub async fn managed_mailbox(
    state: &AppState,
    caller: &SessionUser,
    id: i64,
) -> Result<MailboxRow, ApiError> {
    Ok(state.access.mailbox(caller, id, MailboxUse::Manage).await?)
}

/// Mailbox `id` if `caller` may read it (manage it, or it was granted to
/// them), and whether they manage it. Others get "not found".
pub async fn readable_mailbox(
    state: &AppState,
    caller: &SessionUser,
    id: i64,
) -> Result<(MailboxRow, bool), ApiError> {
    let row = state.access.mailbox(caller, id, MailboxUse::Read).await?;
    let can_manage = access::manages(caller, &row);
    Ok((row, can_manage))
}

/// The signed-in user behind a plain route's session cookie.
pub async fn session_caller(state: &AppState, headers: &HeaderMap) -> Result<SessionUser, Refusal> {
    let token = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| {
            app::api::context::cookie_value(value, app::api::context::SESSION_COOKIE)
        });
    let unauthenticated = Refusal(StatusCode::UNAUTHORIZED, "Please sign in.");
    let Some(token) = token else {
        return Err(unauthenticated);
    };
    let user = match state.accounts.session_user(&token).await {
        Ok(Some(user)) => user,
        Ok(None) => return Err(unauthenticated),
        Err(error) => {
            internal(&error);
            return Err(Refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sessions cannot be checked right now.",
            ));
        }
    };
    let user = user.to_session_user().map_err(|error| {
        internal(&error);
        Refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Your account record is damaged.",
        )
    })?;
    Ok(user)
}

/// Resolves who a page is rendered for before Leptos renders it (see
/// `app::CurrentUser::known`): the session behind the cookie, or nobody.
/// Only for pages: a server function asks for its caller itself.
pub async fn rendered_for(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    // A browser asks for a page with `Accept: text/html`; assets, downloads
    // and server functions do not, and need no lookup here.
    let is_page = request.method() == axum::http::Method::GET
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
    if is_page {
        let user = session_caller(&state, request.headers()).await.ok();
        request.extensions_mut().insert(app::RenderedFor(user));
    }
    next.run(request).await
}
