//! HTTP to Microsoft Graph for one mailbox: the bearer token from a
//! `TokenSource` (asked for a renewed one after a 401), at most four requests at once
//! (Outlook's per-mailbox concurrency limit), and throttling obeyed — 429 and
//! 503 wait for `Retry-After` (seconds, fractional at times), 503/504 without
//! one back off exponentially. Redirects are never followed, links Graph
//! hands out must stay on the service root, and answers are read up to a
//! size (`MAX_MIME_BYTES`, `MAX_JSON_BYTES`).

use super::GraphError;
use crate::connect::{self, CheckedResolver, Destinations};
use crate::secrets::Secret;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Semaphore;

/// Outlook allows four concurrent requests per app and mailbox.
pub const MAX_CONCURRENT: usize = 4;
/// Attempts of one request before its failure counts.
const ATTEMPTS: u32 = 8;
/// Backoff without a `Retry-After`, doubled each time, capped.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_WAIT: Duration = Duration::from_secs(60);
/// One request, its answer included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

const MB: usize = 1024 * 1024;
/// The largest `$value` (a message's MIME bytes) read: Exchange Online
/// takes messages of at most 150 MB (the most an administrator can allow),
/// measured with attachments encoded, plus room for the headers Exchange
/// adds. Anything longer is not a message it could hold, and is not read
/// into memory.
pub const MAX_MIME_BYTES: usize = 160 * MB;
/// The largest JSON answer read (a delta page, the folder list, an error):
/// a page of 1,000 messages with the few fields a round selects is well
/// under 1 MB.
pub const MAX_JSON_BYTES: usize = 8 * MB;
/// The part of a refusal's body kept for its message.
const MAX_ERROR_BYTES: usize = 64 * 1024;

/// Where the access token comes from (a mailbox's OAuth grant).
#[async_trait::async_trait]
pub trait TokenSource: Send + Sync {
    /// The current token; with `refused`, one other than that, which Graph
    /// turned away with 401 although it had not expired.
    async fn token(&self, refused: Option<&Secret>) -> Result<Secret, GraphError>;
}

pub struct Client {
    http: reqwest::Client,
    /// `https://graph.microsoft.com/v1.0/users/{user}` (or a stand-in's).
    user_base: String,
    /// The service root's origin: links Graph hands out (next, delta) must
    /// stay there, since the bearer token goes with them.
    origin: Option<reqwest::Url>,
    tokens: Arc<dyn TokenSource>,
    /// Where requests may go (every URL: next and delta links come from the server).
    destinations: Destinations,
    permits: Semaphore,
    /// How often Graph asked to wait (429/503), for the job log.
    throttled: AtomicU64,
}

impl Client {
    /// `base` is the service root, e.g. `https://graph.microsoft.com/v1.0`;
    /// connections go only where `destinations` permit.
    pub fn new(
        base: &str,
        user: &str,
        tokens: Arc<dyn TokenSource>,
        destinations: Destinations,
    ) -> Client {
        let user = reqwest::Url::parse("http://x/")
            .ok()
            .and_then(|mut url| {
                url.path_segments_mut().ok()?.push(user);
                Some(url.path().trim_start_matches('/').to_string())
            })
            .unwrap_or_else(|| user.to_string());
        // A redirect would carry the request (and its token, where the HTTP
        // stack keeps it) to wherever the answer says: never followed.
        let mut http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .dns_resolver(Arc::new(CheckedResolver::new(destinations.clone())));
        if matches!(destinations, Destinations::Public(_)) {
            // Through a proxy, the proxy would resolve and reach the host,
            // unchecked; restricted connections resolve and connect themselves.
            http = http.no_proxy();
        }
        Client {
            http: http.build().expect("the HTTP client builds with rustls"),
            destinations,
            origin: reqwest::Url::parse(base).ok(),
            user_base: format!("{}/users/{user}", base.trim_end_matches('/')),
            tokens,
            permits: Semaphore::new(MAX_CONCURRENT),
            throttled: AtomicU64::new(0),
        }
    }

    /// A path under the mailbox's user, e.g. `mailFolders/inbox`.
    pub fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.user_base)
    }

    pub fn throttled(&self) -> u64 {
        self.throttled.load(Ordering::Relaxed)
    }

    /// GET a JSON document (a path under the user, or a full next/delta link).
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
        page_size: Option<usize>,
    ) -> Result<T, GraphError> {
        let body = self
            .send(Method::GET, url, None, page_size, MAX_JSON_BYTES)
            .await?;
        serde_json::from_slice(&body).map_err(|error| GraphError::BadAnswer {
            url: url.to_string(),
            reason: error.to_string(),
        })
    }

    /// GET raw bytes (a message's MIME content), at most `MAX_MIME_BYTES`.
    pub async fn get_bytes(&self, url: &str) -> Result<Vec<u8>, GraphError> {
        self.send(Method::GET, url, None, None, MAX_MIME_BYTES)
            .await
    }

    /// POST/PATCH a JSON body, or DELETE; the answer's bytes.
    pub async fn call(
        &self,
        method: Method,
        url: &str,
        body: Option<serde_json::Value>,
    ) -> Result<Vec<u8>, GraphError> {
        self.send(method, url, body, None, MAX_JSON_BYTES).await
    }

    /// Whether `url` is on the service root's origin.
    fn on_service_root(&self, url: &str) -> bool {
        let Ok(url) = reqwest::Url::parse(url) else {
            return false;
        };
        self.origin
            .as_ref()
            .is_some_and(|origin| origin.origin() == url.origin())
    }

    async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<serde_json::Value>,
        page_size: Option<usize>,
        max_bytes: usize,
    ) -> Result<Vec<u8>, GraphError> {
        if !self.on_service_root(url) {
            return Err(GraphError::BadAnswer {
                url: url.to_string(),
                reason: "the link leads away from the service root; the token is not sent there"
                    .into(),
            });
        }
        let _permit = self
            .permits
            .acquire()
            .await
            .expect("the semaphore is never closed");
        connect::check_url(&self.destinations, url).map_err(|refused| GraphError::Unreachable {
            url: url.to_string(),
            reason: refused.to_string(),
        })?;
        let mut backoff = FIRST_BACKOFF;
        // Set after a 401: the next attempt asks for another token, once.
        let mut refused_token: Option<Secret> = None;
        let mut renewed_token = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let token = self.tokens.token(refused_token.take().as_ref()).await?;
            let mut request = self
                .http
                .request(method.clone(), url)
                .bearer_auth(token.expose());
            if let Some(size) = page_size {
                request = request.header("Prefer", format!("odata.maxpagesize={size}"));
            }
            if let Some(body) = &body {
                request = request.json(body);
            }
            let response = match request.send().await {
                Ok(response) => response,
                // Final: asking again resolves to the same refused addresses.
                Err(error) if let Some(refused) = connect::refusal_in(&error) => {
                    return Err(GraphError::Unreachable {
                        url: url.to_string(),
                        reason: refused.to_string(),
                    });
                }
                Err(error) if attempt < ATTEMPTS && worth_retrying(&method, &error) => {
                    tracing::debug!(url, %error, "a Graph request failed on the way: once more");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_WAIT);
                    continue;
                }
                Err(error) => {
                    return Err(GraphError::Unreachable {
                        url: url.to_string(),
                        reason: error.to_string(),
                    });
                }
            };
            let status = response.status();
            if status.is_success() {
                match read_capped(response, url, max_bytes).await {
                    // The answer broke off: asked again where asking twice changes nothing.
                    Err(GraphError::Unreachable { reason, .. })
                        if attempt < ATTEMPTS && method_is_idempotent(&method) =>
                    {
                        tracing::debug!(url, reason, "a Graph answer broke off: once more");
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(MAX_WAIT);
                        continue;
                    }
                    read => return read,
                }
            }
            let retry_after = retry_after(response.headers());
            let body = read_capped(response, url, MAX_ERROR_BYTES)
                .await
                .unwrap_or_default();
            let refusal = GraphError::refused(status, url, &body);
            let throttled = matches!(
                status,
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
            );
            if throttled {
                self.throttled.fetch_add(1, Ordering::Relaxed);
            }
            if attempt >= ATTEMPTS {
                return Err(refusal);
            }
            match (status, retry_after) {
                // An expired token: once more with a renewed one.
                (StatusCode::UNAUTHORIZED, _) if !renewed_token => {
                    refused_token = Some(token);
                    renewed_token = true;
                }
                (_, Some(wait)) if throttled => {
                    tracing::debug!(url, ?wait, "Graph asks to wait");
                    tokio::time::sleep(wait.min(MAX_WAIT)).await;
                }
                (
                    StatusCode::TOO_MANY_REQUESTS
                    | StatusCode::SERVICE_UNAVAILABLE
                    | StatusCode::GATEWAY_TIMEOUT
                    | StatusCode::BAD_GATEWAY,
                    _,
                ) => {
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_WAIT);
                }
                _ => return Err(refusal),
            }
        }
    }
}

/// Whether a request that failed before its answer arrived is sent again:
/// a connection that could not be made or timed out, always; one that broke
/// off (reset, closed before the answer — busy servers and proxies do it),
/// only where sending it twice does no harm. A move (`POST`) or a delete is
/// not sent twice: the next run finds the message where it went.
fn worth_retrying(method: &Method, error: &reqwest::Error) -> bool {
    error.is_timeout()
        || error.is_connect()
        || (method_is_idempotent(method) && (error.is_request() || error.is_body()))
}

/// Reading and setting categories (the whole list) give the same result
/// when done twice. (A second `DELETE` would answer 404 for the message the
/// first one deleted, and count as a failure.)
fn method_is_idempotent(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::PATCH)
}

/// The body of `response`, read as it arrives and refused as soon as it
/// is longer than `max_bytes` (whatever `Content-Length` claims).
async fn read_capped(
    mut response: reqwest::Response,
    url: &str,
    max_bytes: usize,
) -> Result<Vec<u8>, GraphError> {
    let too_large = || GraphError::BadAnswer {
        url: url.to_string(),
        reason: format!("the answer is larger than {max_bytes} bytes"),
    };
    if response
        .content_length()
        .is_some_and(|length| length > max_bytes as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    loop {
        let chunk = response
            .chunk()
            .await
            .map_err(|error| GraphError::Unreachable {
                url: url.to_string(),
                reason: error.to_string(),
            })?;
        let Some(chunk) = chunk else {
            return Ok(body);
        };
        if body.len() + chunk.len() > max_bytes {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
}

/// `Retry-After` in seconds, fractional ones included (Graph sends `2.128`).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let seconds: f64 = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_fractional_seconds() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::RETRY_AFTER, "2.128".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(2128)));
        headers.insert(reqwest::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }
}
