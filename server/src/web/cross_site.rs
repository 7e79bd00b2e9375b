//! Requests another site makes a signed-in browser send (CSRF).
//!
//! The session cookie is `SameSite=Lax`: browsers leave it off another
//! site's form posts, frames, images and scripted requests, but send it with
//! a top-level navigation (a clicked link) and some browsers have exceptions.
//! So, beside it:
//! - every request that may change something (any method but GET, HEAD,
//!   OPTIONS — every server function is a POST) must come from Tresor's own
//!   pages: `Sec-Fetch-Site` `same-origin` (or `none`: typed by the person),
//!   or, from browsers that do not send it, an `Origin` that is this server;
//! - a GET never changes state; the archive's byte routes, whose every access
//!   is written to the audit log, refuse another site's navigation, so a link
//!   elsewhere cannot make someone's browser leave an entry in their name.
//!
//! Requests that say neither (curl, scripts, the tests) pass: without a
//! browser there is no one else's cookie to ride on. `same-site` counts as
//! another site: a neighbouring subdomain is not Tresor.

use super::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// Where the browser says a request comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Initiator {
    /// A page of this origin, or the person (typed URL, bookmark).
    ThisSite,
    /// Another origin, a neighbouring subdomain included.
    OtherSite,
    /// Not said: not a browser, or one that sends neither header.
    Unknown,
}

/// Middleware: refuses a state-changing request another site sent.
pub async fn refuse_cross_site_changes(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && initiator(&request, state.config.public_url.as_deref()) == Initiator::OtherSite {
        tracing::warn!(
            method = %request.method(),
            path = request.uri().path(),
            "refused a cross-site request"
        );
        return super::refusal::refuse(
            request.uri().path(),
            StatusCode::FORBIDDEN,
            "This request came from another website and was refused. Open Tresor itself and try again there.",
        );
    }
    next.run(request).await
}

/// Route middleware for audited reads: refuses another site's navigation to
/// them. An image another site embeds carries no session (the cookie is
/// `SameSite=Lax`), so images pass: a message's inline images load from its
/// sandboxed frame, whose origin is opaque and therefore "cross-site".
pub async fn refuse_cross_site_reads(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let embedded_image = request
        .headers()
        .get("sec-fetch-dest")
        .is_some_and(|dest| dest.as_bytes() == b"image");
    if !embedded_image
        && initiator(&request, state.config.public_url.as_deref()) == Initiator::OtherSite
    {
        tracing::warn!(
            path = request.uri().path(),
            "refused a download another site linked to"
        );
        return super::refusal::refuse(
            request.uri().path(),
            StatusCode::FORBIDDEN,
            "Downloads open from Tresor's own pages only: this link came from another website. Open the message in Tresor and download it there.",
        );
    }
    next.run(request).await
}

fn initiator(request: &Request, public_url: Option<&str>) -> Initiator {
    // HTTP/2 names the host in the URI (`:authority`), not in a header.
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .or_else(|| {
            request
                .uri()
                .authority()
                .map(|authority| authority.as_str())
        });
    initiator_of(request.headers(), host, public_url)
}

/// `Sec-Fetch-Site` when the browser sends it; else whether `Origin`, if
/// any, is this server's: the public URL's origin, or the `host` asked.
fn initiator_of(headers: &HeaderMap, host: Option<&str>, public_url: Option<&str>) -> Initiator {
    if let Some(site) = headers.get("sec-fetch-site") {
        return match site.as_bytes() {
            b"same-origin" | b"none" => Initiator::ThisSite,
            _ => Initiator::OtherSite,
        };
    }
    match headers.get(header::ORIGIN).map(|origin| origin.to_str()) {
        None => Initiator::Unknown,
        Some(Ok(origin)) if is_this_server(origin, host, public_url) => Initiator::ThisSite,
        // `null` (a sandboxed frame, a redirect across sites) or elsewhere.
        Some(_) => Initiator::OtherSite,
    }
}

/// Whether `origin` is the configured public URL's origin, or names the host
/// the request was sent to (scheme aside: a proxy may end TLS before us).
fn is_this_server(origin: &str, host: Option<&str>, public_url: Option<&str>) -> bool {
    let Ok(origin) = reqwest::Url::parse(origin) else {
        return false;
    };
    let public = public_url.and_then(|url| reqwest::Url::parse(url).ok());
    if public.is_some_and(|public| public.origin() == origin.origin()) {
        return true;
    }
    let Some(host) = host else {
        return false;
    };
    let origin_authority = match (origin.host_str(), origin.port()) {
        (Some(name), Some(port)) => format!("{name}:{port}"),
        (Some(name), None) => name.to_string(),
        (None, _) => return false,
    };
    // `Url` drops a scheme's default port; a Host header may keep it.
    let host = host
        .trim()
        .trim_end_matches(":80")
        .trim_end_matches(":443")
        .to_ascii_lowercase();
    origin_authority == host
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn fetch_metadata_decides_when_the_browser_sends_it() {
        let of = |pairs: &[(&'static str, &'static str)]| {
            let headers = headers(pairs);
            let host = headers.get("host").map(|host| host.to_str().unwrap());
            initiator_of(&headers, host, None)
        };
        assert_eq!(
            of(&[("sec-fetch-site", "same-origin")]),
            Initiator::ThisSite
        );
        assert_eq!(of(&[("sec-fetch-site", "none")]), Initiator::ThisSite);
        assert_eq!(of(&[("sec-fetch-site", "same-site")]), Initiator::OtherSite);
        assert_eq!(
            of(&[("sec-fetch-site", "cross-site")]),
            Initiator::OtherSite
        );
        // The header outranks an Origin that would pass.
        assert_eq!(
            of(&[
                ("sec-fetch-site", "cross-site"),
                ("host", "tresor.example"),
                ("origin", "https://tresor.example"),
            ]),
            Initiator::OtherSite
        );
        assert_eq!(of(&[]), Initiator::Unknown);
    }

    #[test]
    fn without_fetch_metadata_the_origin_must_be_this_server() {
        let of = |pairs: &[(&'static str, &'static str)]| {
            let headers = headers(pairs);
            let host = headers.get("host").map(|host| host.to_str().unwrap());
            initiator_of(&headers, host, Some("https://archive.example.com/"))
        };
        let host = ("host", "127.0.0.1:3000");
        assert_eq!(
            of(&[host, ("origin", "http://127.0.0.1:3000")]),
            Initiator::ThisSite
        );
        assert_eq!(
            of(&[host, ("origin", "https://archive.example.com")]),
            Initiator::ThisSite,
            "the public URL behind a proxy"
        );
        assert_eq!(
            of(&[
                ("host", "archive.example.com:443"),
                ("origin", "https://archive.example.com")
            ]),
            Initiator::ThisSite
        );
        assert_eq!(
            of(&[host, ("origin", "http://127.0.0.1:3001")]),
            Initiator::OtherSite
        );
        assert_eq!(
            of(&[host, ("origin", "https://evil.example")]),
            Initiator::OtherSite
        );
        assert_eq!(of(&[host, ("origin", "null")]), Initiator::OtherSite);
        assert_eq!(
            of(&[("origin", "http://127.0.0.1:3000")]),
            Initiator::OtherSite,
            "no host to compare with"
        );
    }
}
