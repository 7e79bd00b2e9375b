//! The archive viewer: the server side of `app::api::archive` (search, one
//! message, restore and its plan), over `crate::viewer` with `crate::access` deciding
//! what each person reads; and its byte routes, outside Leptos because they
//! answer with files, not pages: raw `.eml`, attachments, the sanitized HTML
//! body for the sandboxed frame, and streamed exports. Each checks the
//! session cookie and then the viewer's visibility rule; a message the
//! caller may not see is "404 Not Found", the same as one that does not
//! exist. Every answer that carries message content (or the audit log) is
//! written to the audit log first, so none of them may be opened by another
//! site's link (`cross_site::refuse_cross_site_reads`).

use super::backend::WebBackend;
use super::caller::{audit, session_caller};
use super::error::internal;
use super::refusal::Refusal;
use super::state::AppState;
use crate::access;
use crate::audit::Action;
use crate::viewer::{Selection, export};
use app::api::backend::ArchiveBackend;
use app::error::ApiError;
use app::model::SessionUser;
use app::model::access::Capability;
use app::model::archive::{
    ExportFormat, MessageView, RestoreInput, RestorePlan, RestoreReport, SearchInput, SearchPage,
};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::TryStreamExt;
use serde::Deserialize;
use serde_json::json;
use std::io::Write;

#[async_trait::async_trait]
impl ArchiveBackend for WebBackend {
    async fn search_archive(
        &self,
        caller: &SessionUser,
        input: SearchInput,
    ) -> Result<SearchPage, ApiError> {
        let page = self
            .state
            .viewer
            .search(access::reader(caller), &input)
            .await?;
        // What an auditor looked for is part of the record (GoBD: who
        // inspected which mail); users' and admins' own searches are not.
        if caller.role == app::model::Role::Auditor {
            let details = json!({ "query": input.query, "hits": page.total });
            audit(&self.state, caller, Action::Search, "archive", details).await?;
        }
        Ok(page)
    }

    async fn archived_message(
        &self,
        caller: &SessionUser,
        id: i64,
    ) -> Result<MessageView, ApiError> {
        let view = self
            .state
            .viewer
            .message(access::reader(caller), id)
            .await?;
        let details = json!({ "sha256": view.sha256, "subject": view.subject });
        audit(
            &self.state,
            caller,
            Action::MessageViewed,
            &format!("message {id}"),
            details,
        )
        .await?;
        Ok(view)
    }

    async fn restore_plan(
        &self,
        caller: &SessionUser,
        message_ids: Vec<i64>,
    ) -> Result<RestorePlan, ApiError> {
        Ok(self
            .state
            .viewer
            .restore_plan(access::reader(caller), &message_ids)
            .await?)
    }

    async fn restore_messages(
        &self,
        caller: &SessionUser,
        input: RestoreInput,
    ) -> Result<RestoreReport, ApiError> {
        access::require(caller, Capability::ManageOwnMailboxes)?;
        let report = self
            .state
            .viewer
            .restore(access::reader(caller), &input)
            .await?;
        // Per message: where it went and how it ended.
        let details = json!({
            "message_ids": input.message_ids,
            "mailbox_id": input.mailbox_id,
            "folder": input.folder,
            "force": input.force,
            "restored": report.restored(),
            "skipped": report.skipped(),
            "failed": report.failed(),
            "report": report.messages,
        });
        let target = restore_target(&self.state.db, &report).await;
        audit(&self.state, caller, Action::Restore, &target, details).await?;
        Ok(report)
    }
}

/// The audit target of a restore: the mailboxes the messages went into and
/// whose they are ("mailbox 7 (Sales) of anna@example.com"), so the log says
/// into whose mailbox mail was written without a lookup by id afterwards,
/// when the mailbox may be gone or renamed.
async fn restore_target(db: &sea_orm::DatabaseConnection, report: &RestoreReport) -> String {
    use crate::db::entity::{mailbox, user};
    use sea_orm::EntityTrait;
    let ids: std::collections::BTreeSet<i64> = report
        .messages
        .iter()
        .filter_map(|message| message.place.as_ref().map(|place| place.mailbox_id))
        .collect();
    if ids.is_empty() {
        return "restore".to_string();
    }
    let mut names = Vec::new();
    for id in ids {
        let Ok(Some(row)) = mailbox::Entity::find_by_id(id).one(db).await else {
            names.push(format!("mailbox {id}"));
            continue;
        };
        let owner = match row.owner_id {
            Some(owner) => user::Entity::find_by_id(owner).one(db).await.ok().flatten(),
            None => None,
        };
        names.push(match owner {
            Some(owner) => format!("mailbox {id} ({}) of {}", row.name, owner.email),
            None => format!("mailbox {id} ({}), no owner", row.name),
        });
    }
    names.join("; ")
}

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

/// Records a download or export; refused when it cannot be recorded.
async fn audit_download(
    state: &AppState,
    caller: &SessionUser,
    action: Action,
    target: &str,
    details: serde_json::Value,
) -> Result<(), Refusal> {
    audit(state, caller, action, target, details)
        .await
        .map_err(|_| {
            Refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The audit log cannot be written; downloads wait until it can.",
            )
        })
}

/// `Content-Disposition` with the name as ASCII fallback and RFC 5987 UTF-8.
/// Neither form can end the header, close the quoted name or name a folder:
/// control characters, quotes, slashes and backslashes become `_` or `%XX`.
fn disposition(kind: &str, name: &str) -> HeaderValue {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && !"\"\\/".contains(c) || c == ' ' {
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
    let caller = session_caller(&state, &headers).await?;
    let (row, bytes) = state
        .viewer
        .raw_of(crate::access::reader(&caller), id)
        .await?;
    let details = serde_json::json!({ "sha256": row.sha256 });
    audit_download(
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
    let caller = session_caller(&state, &headers).await?;
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
    audit_download(&state, &caller, action, &format!("message {id}"), details).await?;
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
    let caller = session_caller(&state, &headers).await?;
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
    audit_download(
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
    let caller = session_caller(&state, &headers).await?;
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
    audit_download(&state, &caller, Action::Export, "export", details).await?;
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
    let caller = session_caller(&state, &headers).await?;
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
                internal(&error);
                Refusal(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The audit log cannot be read.",
                )
            }
        })?;
    let details = serde_json::json!({ "filter": filter, "entries": export.count });
    audit_download(&state, &caller, Action::AuditExported, "audit log", details).await?;
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

#[cfg(test)]
mod tests {
    use super::disposition;

    #[test]
    fn a_download_name_cannot_break_the_header_or_name_a_folder() {
        let header = disposition("attachment", "../a\"b\r\nSet-Cookie: x\\ü.txt");
        assert_eq!(
            header.to_str().unwrap(),
            "attachment; filename=\".._a_b__Set-Cookie: x__.txt\"; \
             filename*=UTF-8''..%2Fa%22b%0D%0ASet-Cookie%3A%20x%5C%C3%BC.txt"
        );
    }
}
