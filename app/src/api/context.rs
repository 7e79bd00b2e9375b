//! What every server function needs from the request: the backend, the
//! caller's identity, and a way to set cookies and the HTTP status.
//!
//! `Request::current()` reads all of it from Leptos context at once, and must be
//! called before the first `.await`: a server function run as a resource during
//! server rendering may be polled outside its reactive owner, where
//! `use_context` finds nothing.

use super::Backend;
use crate::error::ApiError;
use crate::model::SessionUser;
use crate::model::access::Capability;
use http::header::{COOKIE, SET_COOKIE, USER_AGENT};
use http::{HeaderValue, StatusCode, request::Parts};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use std::net::IpAddr;
use std::sync::Arc;

pub const SESSION_COOKIE: &str = "tresor_session";

/// Where the server functions live (`#[server(prefix = "/api", …)]`).
const SERVER_FUNCTIONS: &str = "/api/";

/// The client's address as the server worked it out for this request (the
/// socket peer, or what a trusted reverse proxy says it forwarded for), put
/// into the request's extensions by the server's edge. Nothing else here reads
/// the socket or the forwarding headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// The current request, as server functions see it.
pub struct Request {
    pub backend: Arc<dyn Backend>,
    pub session_token: Option<String>,
    /// See `ClientAddress`; `None` for a request that came from no socket.
    pub client_ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    response: Option<ResponseOptions>,
}

impl Request {
    /// Captures the request from context. Call it first, before any `.await`.
    pub fn current() -> Result<Request, ApiError> {
        let backend = use_context::<Arc<dyn Backend>>()
            .ok_or_else(|| ApiError::Internal("backend missing from context".into()))?;
        let parts = use_context::<Parts>();
        // Only a call of the server function itself answers with the error's
        // status. A page rendering on the server calls it too, for its data:
        // the page is still a page (its status is the router's, a redirect's
        // or the admin guard's), and the error shows inside it.
        let called = parts
            .as_ref()
            .is_some_and(|parts| parts.uri.path().starts_with(SERVER_FUNCTIONS));
        Ok(Request {
            backend,
            session_token: parts.as_ref().and_then(session_token),
            client_ip: parts.as_ref().and_then(client_ip),
            user_agent: parts.as_ref().and_then(user_agent),
            response: use_context::<ResponseOptions>().filter(|_| called),
        })
    }

    /// The signed-in caller, or `None` for an anonymous request.
    pub async fn optional_caller(&self) -> Result<Option<SessionUser>, ApiError> {
        match &self.session_token {
            Some(token) => self.respond(self.backend.session_user(token)).await,
            None => Ok(None),
        }
    }

    /// The signed-in caller; anonymous requests get 401.
    pub async fn caller(&self) -> Result<SessionUser, ApiError> {
        match self.optional_caller().await? {
            Some(user) => Ok(user),
            None => Err(self.fail(ApiError::Unauthenticated)),
        }
    }

    /// The signed-in caller if the access rule lets their role do
    /// `capability`'s kind of work; otherwise 401 or 403.
    pub async fn caller_who_may(&self, capability: Capability) -> Result<SessionUser, ApiError> {
        let user = self.caller().await?;
        if user.may(capability) {
            Ok(user)
        } else {
            Err(self.fail(ApiError::Forbidden))
        }
    }

    pub async fn admin(&self) -> Result<SessionUser, ApiError> {
        self.caller_who_may(Capability::Administer).await
    }

    /// Sets the HTTP status that belongs to `error` and hands the error back,
    /// so a server function can end with `Err(request.fail(error))`.
    pub fn fail(&self, error: ApiError) -> ApiError {
        if let Some(response) = &self.response {
            let status = StatusCode::from_u16(error.status_code())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            response.set_status(status);
        }
        error
    }

    /// Awaits a backend call and maps its error onto the response status.
    pub async fn respond<T>(
        &self,
        result: impl Future<Output = Result<T, ApiError>>,
    ) -> Result<T, ApiError> {
        result.await.map_err(|error| self.fail(error))
    }

    /// Sets (or, with `None`, clears) the session cookie on the response.
    pub fn set_session_cookie(
        &self,
        token: Option<&str>,
        max_age_secs: u64,
    ) -> Result<(), ApiError> {
        let cookie = session_cookie_header(token, max_age_secs, self.backend.secure_cookies());
        let value = HeaderValue::from_str(&cookie)
            .map_err(|_| ApiError::Internal("session cookie is not a valid header".into()))?;
        if let Some(response) = &self.response {
            response.append_header(SET_COOKIE, value);
        }
        Ok(())
    }
}

/// The session token from the request's cookie headers, if any.
fn session_token(parts: &Parts) -> Option<String> {
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

fn client_ip(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ClientAddress>()
        .map(|address| address.0)
}

fn user_agent(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get(USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(|text| text.chars().take(256).collect())
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
