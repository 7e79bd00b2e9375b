//! How much of a request's body Tresor reads: a named limit per kind of
//! route, checked against `Content-Length` before anything is read and
//! counted while a body without a length (chunked) arrives. A body over its
//! limit is answered 413 and the connection closed, so nobody can make the
//! server hold or even receive more than the limit.
//!
//! The body is read here, within its limit, before any handler runs: the
//! handlers (Leptos' server functions among them) then get it whole, and no
//! route can forget its limit.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use futures::StreamExt;

/// Every server function's form but the CSV upload: the largest legitimate
/// ones are a mailbox or template form with long folder rules, a restore of
/// a selection of message ids and a hold listing message ids — tens of KiB.
/// A mebibyte leaves room for thousands of ids and stays cheap to hold for
/// each of many concurrent requests.
pub const SERVER_FUNCTION_BODY_LIMIT: usize = 1 << 20;

/// A list of mailboxes for batch creation is pasted or uploaded as CSV text
/// and sent form-encoded (separators and `@` percent-encoded: about 1.2×
/// the file). Ten MiB is a file of well over 100,000 rows of address, user
/// and password — more mailboxes than one installation archives.
pub const CSV_UPLOAD_BODY_LIMIT: usize = 10 << 20;

/// Everything else — pages, the archive's byte routes, the OAuth routes,
/// static files — takes no body worth the name (at most an empty form).
pub const OTHER_ROUTE_BODY_LIMIT: usize = 16 << 10;

/// A mail file uploaded for import (`web::upload`): streamed to disk, never
/// read here. 50 GiB is the largest PST Outlook writes by default; a bigger
/// archive is imported on the server with `tresor import`.
pub const IMPORT_UPLOAD_LIMIT: u64 = 50 << 30;

/// The one route whose body is not read here: `web::upload` streams it to
/// disk within `IMPORT_UPLOAD_LIMIT` (and only for an administrator).
pub const IMPORT_UPLOAD_PATH: &str = "/admin/import/upload";

/// The server functions that take a CSV list of mailboxes.
const CSV_UPLOAD_PATHS: [&str; 2] = ["/api/batch/preview_csv", "/api/batch/import_csv"];

/// The limit of the route at `path`.
pub fn limit_for(path: &str) -> usize {
    if CSV_UPLOAD_PATHS.contains(&path) {
        CSV_UPLOAD_BODY_LIMIT
    } else if super::refusal::is_server_function(path) {
        SERVER_FUNCTION_BODY_LIMIT
    } else {
        OTHER_ROUTE_BODY_LIMIT
    }
}

/// Middleware: reads the body within the route's limit, or answers 413.
pub async fn limit_request_body(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    if path == IMPORT_UPLOAD_PATH {
        return next.run(request).await;
    }
    let limit = limit_for(&path);
    if declared_length(request.headers()).is_some_and(|length| length > limit as u64) {
        return too_large(&path, limit);
    }
    let (parts, body) = request.into_parts();
    let mut chunks = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = chunks.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(error) => {
                // The client went away or sent a broken chunk: nobody to
                // answer but the log.
                tracing::debug!(%error, %path, "a request body could not be read");
                return super::refusal::refuse(
                    &path,
                    StatusCode::BAD_REQUEST,
                    "The request could not be read completely. Please try again.",
                );
            }
        };
        if bytes.len() + chunk.len() > limit {
            return too_large(&path, limit);
        }
        bytes.extend_from_slice(&chunk);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The body's length as the client declared it; `None` when it did not
/// (chunked) or the header is not a number (hyper refuses those anyway).
pub(super) fn declared_length(headers: &axum::http::HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// 413, saying what fits, and the connection closed: the rest of the body is
/// not read (or drained) by this server.
fn too_large(path: &str, limit: usize) -> Response {
    let message = format!(
        "The request is too large: this address accepts at most {}. Send less at once (for a list of mailboxes: split the file).",
        size_in_words(limit)
    );
    let mut response = super::refusal::refuse(path, StatusCode::PAYLOAD_TOO_LARGE, &message);
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

fn size_in_words(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{} KiB", bytes >> 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_route_has_its_limit() {
        assert_eq!(limit_for("/api/batch/import_csv"), CSV_UPLOAD_BODY_LIMIT);
        assert_eq!(limit_for("/api/batch/preview_csv"), CSV_UPLOAD_BODY_LIMIT);
        assert_eq!(limit_for("/api/auth/sign_in"), SERVER_FUNCTION_BODY_LIMIT);
        assert_eq!(limit_for("/m/1/raw"), OTHER_ROUTE_BODY_LIMIT);
        assert_eq!(limit_for("/oauth/start/1"), OTHER_ROUTE_BODY_LIMIT);
        assert_eq!(limit_for("/apiary"), OTHER_ROUTE_BODY_LIMIT);
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_in_words(SERVER_FUNCTION_BODY_LIMIT), "1 MiB");
        assert_eq!(size_in_words(CSV_UPLOAD_BODY_LIMIT), "10 MiB");
        assert_eq!(size_in_words(OTHER_ROUTE_BODY_LIMIT), "16 KiB");
    }
}
