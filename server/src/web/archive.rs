//! The archive's byte routes, outside Leptos because they answer with files,
//! not pages: raw `.eml`, attachments, the sanitized HTML body for the
//! sandboxed frame, and streamed exports. Each checks the session cookie and
//! then the viewer's visibility rule; a message the caller may not see is
//! "404 Not Found", the same as one that does not exist. Every answer that
//! carries message content (or the audit log) is written to the audit log
//! first, so none of them may be opened by another site's link
//! (`cross_site::refuse_cross_site_reads`).

use super::AppState;
use crate::audit::Action;
use crate::viewer::{Selection, ViewerError, export};
use app::model::SessionUser;
use app::model::archive::ExportFormat;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::TryStreamExt;
use serde::Deserialize;
use std::io::Write;

pub fn routes<S: Clone + Send + Sync + 'static>(state: AppState) -> Router<S> {
    Router::new()
        .route("/m/{id}/raw", get(raw))
        .route("/m/{id}/html", get(html))
        .route("/m/{id}/attachments/{index}", get(attachment))
        .route("/export", get(export))
        .route("/admin/audit.csv", get(audit_csv))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::cross_site::refuse_cross_site_reads,
        ))
        .with_state(state)
}

/// Why a byte route answers with an error, as a status and a short text.
pub(super) struct Refusal(pub(super) StatusCode, pub(super) &'static str);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (
            self.0,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            self.1,
        )
            .into_response()
    }
}

impl From<ViewerError> for Refusal {
    fn from(error: ViewerError) -> Self {
        match error {
            ViewerError::NotFound => Refusal(StatusCode::NOT_FOUND, "Not found."),
            ViewerError::Query(_) => Refusal(StatusCode::BAD_REQUEST, "The search is not valid."),
            other => {
                super::backend::internal(&other);
                Refusal(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong on the server; the administrator can find details in the log.",
                )
            }
        }
    }
}

/// Records a download or export; refused when it cannot be recorded.
async fn audit(
    state: &AppState,
    caller: &SessionUser,
    action: Action,
    target: &str,
    details: serde_json::Value,
) -> Result<(), Refusal> {
    super::backend::audit(state, caller, action, target, details)
        .await
        .map_err(|_| {
            Refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The audit log cannot be written; downloads wait until it can.",
            )
        })
}

/// The signed-in user behind the request's session cookie.
pub(super) async fn caller(state: &AppState, headers: &HeaderMap) -> Result<SessionUser, Refusal> {
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
            super::backend::internal(&error);
            return Err(Refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sessions cannot be checked right now.",
            ));
        }
    };
    let user = user.to_session_user().map_err(|error| {
        super::backend::internal(&error);
        Refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Your account record is damaged.",
        )
    })?;
    Ok(user)
}

/// `Content-Disposition` with the name as ASCII fallback and RFC 5987 UTF-8.
fn disposition(kind: &str, name: &str) -> HeaderValue {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect();
    HeaderValue::from_str(&format!(
        "{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// Downloads are never rendered as a page of this site: no sniffing, and a
/// sandbox if a browser shows one anyway.
fn download_headers(
    content_type: &str,
    disposition_value: HeaderValue,
) -> [(header::HeaderName, HeaderValue); 4] {
    [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type)
                .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
        ),
        (header::CONTENT_DISPOSITION, disposition_value),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("sandbox; default-src 'none'"),
        ),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        ),
    ]
}

async fn raw(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, Refusal> {
    let caller = caller(&state, &headers).await?;
    let (row, bytes) = state
        .viewer
        .raw_of(crate::access::reader(&caller), id)
        .await?;
    let details = serde_json::json!({ "sha256": row.sha256 });
    audit(
        &state,
        &caller,
        Action::MessageDownloaded,
        &format!("message {id}"),
        details,
    )
    .await?;
    let item = export::ExportItem {
        digest: row
            .sha256
            .parse()
            .map_err(|_| Refusal(StatusCode::INTERNAL_SERVER_ERROR, "damaged record"))?,
        subject: row.subject,
        date: row.date,
        sender: None,
    };
    let name = export::eml_name(&item);
    Ok((
        download_headers("message/rfc822", disposition("attachment", &name)),
        bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
struct AttachmentQuery {
    /// Shown inside the message's HTML (an embedded image), not downloaded.
    #[serde(default)]
    inline: Option<u8>,
}

async fn attachment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, index)): Path<(i64, usize)>,
    Query(query): Query<AttachmentQuery>,
) -> Result<Response, Refusal> {
    let caller = caller(&state, &headers).await?;
    let (_, raw) = state
        .viewer
        .raw_of(crate::access::reader(&caller), id)
        .await?;
    let attachment =
        tokio::task::spawn_blocking(move || crate::viewer::message::attachment(&raw, index))
            .await
            .ok()
            .flatten()
            .ok_or(Refusal(StatusCode::NOT_FOUND, "Not found."))?;
    // Only images are shown inline, and only inside the sandboxed frame.
    let inline = query.inline == Some(1)
        && attachment.content_type.starts_with("image/")
        && attachment.content_type != "image/svg+xml";
    let kind = if inline { "inline" } else { "attachment" };
    // An image shown inside the message is as much its content as the file
    // saved from it.
    let (action, details) = if inline {
        (
            Action::MessageViewed,
            serde_json::json!({ "part": "inline image", "index": index, "name": attachment.name }),
        )
    } else {
        (
            Action::AttachmentDownloaded,
            serde_json::json!({ "index": index, "name": attachment.name }),
        )
    };
    audit(&state, &caller, action, &format!("message {id}"), details).await?;
    Ok((
        download_headers(
            &attachment.content_type,
            disposition(kind, &attachment.name),
        ),
        attachment.bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
struct HtmlQuery {
    #[serde(default)]
    images: Option<u8>,
}

async fn html(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(query): Query<HtmlQuery>,
) -> Result<Response, Refusal> {
    let caller = caller(&state, &headers).await?;
    let (row, raw) = state
        .viewer
        .raw_of(crate::access::reader(&caller), id)
        .await?;
    let load_images = query.images == Some(1);
    let document = tokio::task::spawn_blocking(move || {
        crate::viewer::message::sanitized_html(&raw, id, load_images)
    })
    .await
    .ok()
    .flatten()
    .ok_or(Refusal(
        StatusCode::NOT_FOUND,
        "This message has no HTML body.",
    ))?;
    let details = serde_json::json!({
        "sha256": row.sha256,
        "part": "html",
        "remote_images": load_images,
    });
    audit(
        &state,
        &caller,
        Action::MessageViewed,
        &format!("message {id}"),
        details,
    )
    .await?;
    // The sanitizer removed scripts and remote images; the policy makes sure
    // of it: nothing runs, nothing loads from elsewhere unless asked.
    let images = if load_images {
        "img-src 'self' data: https: http:"
    } else {
        "img-src 'self' data:"
    };
    let policy = format!(
        "default-src 'none'; {images}; style-src 'unsafe-inline'; font-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox"
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_str(&policy).expect("ASCII policy"),
            ),
            (
                header::X_FRAME_OPTIONS,
                HeaderValue::from_static("SAMEORIGIN"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        document,
    )
        .into_response())
}

#[derive(Deserialize)]
struct ExportQuery {
    #[serde(default)]
    format: Option<String>,
    /// Comma-separated message ids.
    #[serde(default)]
    ids: Option<String>,
    #[serde(default)]
    query: Option<String>,
    #[serde(default)]
    mailbox: Option<i64>,
    #[serde(default)]
    folder: Option<String>,
}

/// `/export?format=eml|mbox&(ids=1,2|query=Q|mailbox=ID[&folder=F])`:
/// written while it downloads, one message at a time.
async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<ExportQuery>,
) -> Result<Response, Refusal> {
    let caller = caller(&state, &headers).await?;
    let reader = crate::access::reader(&caller);
    let format = ExportFormat::parse(query.format.as_deref().unwrap_or("eml")).ok_or(Refusal(
        StatusCode::BAD_REQUEST,
        "Unknown export format; use eml or mbox.",
    ))?;
    let selection = match (&query.ids, &query.query, query.mailbox, &query.folder) {
        (Some(ids), _, _, _) => Selection::Messages(
            ids.split(',')
                .filter(|id| !id.trim().is_empty())
                .map(|id| id.trim().parse::<i64>())
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    Refusal(
                        StatusCode::BAD_REQUEST,
                        "ids must be numbers separated by commas.",
                    )
                })?,
        ),
        (None, Some(search), _, _) => Selection::Query(search.clone()),
        (None, None, Some(mailbox_id), Some(folder)) => Selection::Folder {
            mailbox_id,
            folder: folder.clone(),
        },
        (None, None, Some(mailbox_id), None) => Selection::Mailbox(mailbox_id),
        _ => {
            return Err(Refusal(
                StatusCode::BAD_REQUEST,
                "Say what to export: ids, query or mailbox.",
            ));
        }
    };
    // The selection is resolved, not read: its messages are read a page at
    // a time while the download is written.
    let plan = state.viewer.plan_export(reader, &selection).await?;
    let count = plan.count;
    if count == 0 {
        return Err(Refusal(
            StatusCode::NOT_FOUND,
            "Nothing to export: no message you may see matches.",
        ));
    }
    let details = serde_json::json!({
        "format": query.format.as_deref().unwrap_or("eml"),
        "ids": query.ids,
        "query": query.query,
        "mailbox_id": query.mailbox,
        "folder": query.folder,
        "messages": count,
    });
    audit(&state, &caller, Action::Export, "export", details).await?;
    let (sender, receiver) = tokio::sync::mpsc::channel::<std::io::Result<Vec<u8>>>(8);
    let store = state.viewer.store().clone();
    let items = crate::viewer::ExportItems::new(state.viewer.clone(), plan);
    tokio::task::spawn_blocking(move || {
        let mut writer =
            std::io::BufWriter::with_capacity(256 << 10, ChannelWriter(sender.clone()));
        let written = match format {
            ExportFormat::Eml => export::write_zip(&store, items, &mut writer).map(|_| ()),
            ExportFormat::Mbox => export::write_mbox(&store, items, &mut writer).map(|_| ()),
        };
        let flushed = written
            .map_err(std::io::Error::other)
            .and_then(|()| writer.flush());
        if let Err(error) = flushed {
            // The download breaks off instead of ending as if complete.
            tracing::error!(%error, "export failed while streaming");
            let _ = sender.blocking_send(Err(error));
        }
    });
    let stream = futures::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    let stamp = chrono::Utc::now().format("%Y-%m-%d");
    let (content_type, name) = match format {
        ExportFormat::Eml => (
            "application/zip",
            format!("tresor-export-{stamp}-{count}.zip"),
        ),
        ExportFormat::Mbox => (
            "application/mbox",
            format!("tresor-export-{stamp}-{count}.mbox"),
        ),
    };
    Ok((
        download_headers(content_type, disposition("attachment", &name)),
        Body::from_stream(stream),
    )
        .into_response())
}

/// A `Write` that hands each chunk to the response body as it is written.
struct ChannelWriter(tokio::sync::mpsc::Sender<std::io::Result<Vec<u8>>>);

impl Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.blocking_send(Ok(bytes.to_vec())).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the download was cancelled")
        })?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `/admin/audit.csv?action=&actor=&from=&to=`: the filtered audit log as
/// CSV, oldest first. Admins only; the export itself is recorded.
async fn audit_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(filter): Query<app::model::audit::AuditFilter>,
) -> Result<Response, Refusal> {
    let caller = caller(&state, &headers).await?;
    if !caller.may(app::model::access::Capability::Administer) {
        return Err(Refusal(StatusCode::FORBIDDEN, "Administrators only."));
    }
    // Resolved before this export is recorded, so the CSV ends before its
    // own entry; read a page at a time while the download is written.
    let export = state
        .audit
        .csv_export(&filter)
        .await
        .map_err(|error| match error {
            crate::audit::AuditError::Filter(_) => {
                Refusal(StatusCode::BAD_REQUEST, "Dates are written 2026-03-31.")
            }
            crate::audit::AuditError::Db(error) => {
                super::backend::internal(&error);
                Refusal(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The audit log cannot be read.",
                )
            }
        })?;
    let details = serde_json::json!({ "filter": filter, "entries": export.count });
    audit(&state, &caller, Action::AuditExported, "audit log", details).await?;
    let csv = state.audit.csv_stream(export).map_err(|error| {
        // The download breaks off instead of ending as if complete.
        tracing::error!(%error, "the audit CSV failed while streaming");
        std::io::Error::other(error)
    });
    let name = format!("tresor-audit-{}.csv", chrono::Utc::now().format("%Y-%m-%d"));
    Ok((
        download_headers("text/csv; charset=utf-8", disposition("attachment", &name)),
        Body::from_stream(csv),
    )
        .into_response())
}
