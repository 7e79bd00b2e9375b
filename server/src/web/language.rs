//! Which language a request is answered in, and the switch that changes it.
//!
//! Every request gets an `app::i18n::Lang` in its extensions (the pages and
//! server functions read it): the `tresor_lang` cookie if set, else the
//! browser's `Accept-Language`, else English. For a signed-in person without
//! the cookie (a new browser), `follow_person` uses the language they chose
//! before. `POST /language` (the switch in the top bar and on the
//! sign-in card) sets the cookie, remembers the choice for a signed-in
//! person (their mails follow it) and goes back to the page it came from.

use super::caller::session_caller;
use super::error::internal;
use super::state::AppState;
use app::i18n::{LANG_COOKIE, Lang};
use axum::Form;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// How long the browser remembers the choice: a year.
const LANG_COOKIE_MAX_AGE_SECS: u64 = 365 * 24 * 3600;

/// The longest `next` path the switch goes back to; a longer one goes home.
const MAX_NEXT_PATH: usize = 2048;

/// The language the request asks for (cookie, then `Accept-Language`).
pub fn requested(headers: &HeaderMap) -> Option<Lang> {
    chosen(headers).or_else(|| {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .and_then(Lang::from_accept_language)
    })
}

/// The language chosen in this browser with the switch, if any.
pub fn chosen(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| app::api::context::cookie_value(value, LANG_COOKIE))
        .and_then(|code| Lang::from_code(&code))
}

/// Puts the request's language into its extensions.
pub async fn negotiate(mut request: Request, next: Next) -> Response {
    let lang = requested(request.headers()).unwrap_or_default();
    request.extensions_mut().insert(lang);
    next.run(request).await
}

/// A person signed in on a browser without the cookie (a new one) sees the
/// language they chose before. Runs after `caller::rendered_for`, which has
/// found who the page is for.
pub async fn follow_person(mut request: Request, next: Next) -> Response {
    let person = request
        .extensions()
        .get::<app::RenderedFor>()
        .and_then(|rendered| rendered.0.as_ref())
        .and_then(|user| user.language);
    if let Some(lang) = person
        && chosen(request.headers()).is_none()
    {
        request.extensions_mut().insert(lang);
    }
    next.run(request).await
}

#[derive(Deserialize)]
pub struct Choice {
    lang: String,
    #[serde(default)]
    next: String,
}

/// `POST /language`: `lang=de&next=/archive`.
pub async fn switch(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(choice): Form<Choice>,
) -> Response {
    let Some(lang) = Lang::from_code(&choice.lang) else {
        return (StatusCode::BAD_REQUEST, "Unknown language.").into_response();
    };
    if let Ok(user) = session_caller(&state, &headers).await
        && let Err(error) = state.accounts.set_language(user.id, lang).await
    {
        // The cookie still switches this browser; only other devices and
        // mails keep the old language.
        internal(&error);
    }
    let mut cookie = format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age={LANG_COOKIE_MAX_AGE_SECS}",
        lang.code()
    );
    if state.config.secure_cookies() {
        cookie.push_str("; Secure");
    }
    let mut response = (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, local_path(&choice.next))],
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// `next` if it is a path on this site, else the dashboard: the switch must
/// not become a way to send people elsewhere (`//evil.example`, `https:`).
fn local_path(next: &str) -> String {
    let is_local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.len() <= MAX_NEXT_PATH
        && !next.chars().any(|c| c.is_control());
    if is_local {
        next.to_string()
    } else {
        "/".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_switch_goes_back_only_to_pages_of_this_site() {
        assert_eq!(local_path("/archive?q=x"), "/archive?q=x");
        assert_eq!(local_path("//evil.example/"), "/");
        assert_eq!(local_path("/\\evil.example"), "/");
        assert_eq!(local_path("https://evil.example/"), "/");
        assert_eq!(local_path("/a\r\nSet-Cookie: x"), "/");
        assert_eq!(local_path(""), "/");
    }

    #[test]
    fn the_cookie_wins_over_the_browser_language() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("de-DE,de"),
        );
        assert_eq!(requested(&headers), Some(Lang::De));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("tresor_lang=en; x=1"),
        );
        assert_eq!(requested(&headers), Some(Lang::En));
    }
}
