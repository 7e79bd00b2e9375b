//! What every server function needs from the request: the backend, the
//! caller's identity, and a way to set cookies and the HTTP status.

use super::Backend;
use crate::error::ApiError;
use crate::model::{Role, SessionUser};
use http::header::{COOKIE, SET_COOKIE, USER_AGENT};
use http::{HeaderValue, StatusCode, request::Parts};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

pub const SESSION_COOKIE: &str = "tresor_session";

/// The shared backend, provided by the server for every request.
pub fn backend() -> Result<Arc<dyn Backend>, ApiError> {
    use_context::<Arc<dyn Backend>>()
        .ok_or_else(|| ApiError::Internal("backend missing from context".into()))
}

fn request_parts() -> Result<Parts, ApiError> {
    use_context::<Parts>().ok_or_else(|| ApiError::Internal("request missing from context".into()))
}

/// The session token from the request's cookie header, if any.
pub fn session_token() -> Option<String> {
    let parts = use_context::<Parts>()?;
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|header| cookie_value(header, SESSION_COOKIE))
}

/// Finds `name=value` in one `Cookie:` header.
pub fn cookie_value(header: &str, name: &str) -> Option<String> {
    header.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name && !value.is_empty()).then(|| value.to_string())
    })
}

/// The signed-in caller, or `None` for an anonymous request.
pub async fn optional_caller() -> Result<Option<SessionUser>, ApiError> {
    let Some(token) = session_token() else {
        return Ok(None);
    };
    backend()?.session_user(&token).await
}

/// The signed-in caller; anonymous requests get 401.
pub async fn caller() -> Result<SessionUser, ApiError> {
    optional_caller()
        .await?
        .ok_or(ApiError::Unauthenticated)
        .map_err(fail)
}

/// The signed-in caller if they hold one of `roles`; otherwise 401 or 403.
pub async fn caller_with_role(roles: &[Role]) -> Result<SessionUser, ApiError> {
    let user = caller().await?;
    if roles.contains(&user.role) {
        Ok(user)
    } else {
        Err(fail(ApiError::Forbidden))
    }
}

pub async fn admin() -> Result<SessionUser, ApiError> {
    caller_with_role(&[Role::Admin]).await
}

/// Sets the HTTP status that belongs to `error` and hands the error back,
/// so a server function can end with `Err(fail(error))`.
pub fn fail(error: ApiError) -> ApiError {
    if let Some(response) = use_context::<ResponseOptions>() {
        let status =
            StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        response.set_status(status);
    }
    error
}

/// Runs a backend call and maps its error onto the response status.
pub async fn respond<T>(result: impl Future<Output = Result<T, ApiError>>) -> Result<T, ApiError> {
    result.await.map_err(fail)
}

pub fn client_ip() -> Option<IpAddr> {
    let parts = request_parts().ok()?;
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
}

pub fn user_agent() -> Option<String> {
    let parts = request_parts().ok()?;
    parts
        .headers
        .get(USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(|text| text.chars().take(256).collect())
}

/// Sets (or, with `None`, clears) the session cookie on the response.
pub fn set_session_cookie(token: Option<&str>, max_age_secs: u64) -> Result<(), ApiError> {
    let secure = backend()?.secure_cookies();
    let cookie = session_cookie_header(token, max_age_secs, secure);
    let value = HeaderValue::from_str(&cookie)
        .map_err(|_| ApiError::Internal("session cookie is not a valid header".into()))?;
    if let Some(response) = use_context::<ResponseOptions>() {
        response.append_header(SET_COOKIE, value);
    }
    Ok(())
}

/// The `Set-Cookie` value: HttpOnly so scripts cannot read it, SameSite=Lax so
/// other sites cannot post forms with it, Secure whenever Tresor is served over https.
pub fn session_cookie_header(token: Option<&str>, max_age_secs: u64, secure: bool) -> String {
    let (value, max_age) = match token {
        Some(token) => (token, max_age_secs),
        None => ("", 0),
    };
    let mut cookie =
        format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}");
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_cookie_among_others() {
        let header = "theme=dark; tresor_session=abc123; other=1";
        assert_eq!(
            cookie_value(header, SESSION_COOKIE).as_deref(),
            Some("abc123")
        );
        assert_eq!(cookie_value("tresor_session=", SESSION_COOKIE), None);
        assert_eq!(cookie_value("xtresor_session=1", SESSION_COOKIE), None);
    }

    #[test]
    fn session_cookie_is_http_only_and_same_site() {
        let cookie = session_cookie_header(Some("t"), 60, false);
        assert!(cookie.contains("HttpOnly"));
        assert!(cookie.contains("SameSite=Lax"));
        assert!(!cookie.contains("Secure"));
        assert!(session_cookie_header(Some("t"), 60, true).ends_with("; Secure"));
        assert!(session_cookie_header(None, 60, false).contains("Max-Age=0"));
    }
}
