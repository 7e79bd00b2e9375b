//! Mail files uploaded in the browser for import (`POST /admin/import/upload`):
//! an Outlook `.pst`/`.ost`/`.msg`, an `.eml` or an mbox file, streamed to a
//! folder of its own under `<data_dir>/uploads/` as it arrives (never held
//! in memory: a PST is often tens of GiB), then imported by `crate::import`
//! in the background — the same importer as `tresor import`, so the same
//! pipeline, job log and provenance. Administrators only; the upload is
//! audit-logged before the import starts, and its file is removed when the
//! import ends, however it ends.
//!
//! The body is raw file bytes (not multipart), its name and the target in
//! the query: `?file=archive.pst&mailbox=Imported&owner=anna@example.com`.
//! `body_limit` lets this one path through unbuffered; its own limit is
//! `IMPORT_UPLOAD_LIMIT`, checked against `Content-Length` (required) and
//! counted while the bytes arrive.

use super::body_limit::{IMPORT_UPLOAD_LIMIT, declared_length};
use super::caller::{audit, session_caller};
use super::refusal::Refusal;
use super::state::AppState;
use crate::audit::Action;
use crate::import::Importer;
use crate::mailbox::MailboxError;
use app::model::access::Capability;
use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use futures::StreamExt;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// The file types the importer reads from a single file.
const IMPORTABLE_EXTENSIONS: [&str; 5] = ["pst", "ost", "msg", "eml", "mbox"];
/// A file name longer than this is not a name a person gave a mail file.
const MAX_FILE_NAME_BYTES: usize = 200;
/// A mailbox name as the editor allows it.
const MAX_MAILBOX_NAME_CHARS: usize = 200;

pub fn routes<S: Clone + Send + Sync + 'static>(state: AppState) -> Router<S> {
    Router::new()
        // Written out, so the authorization matrix finds the route.
        .route("/admin/import/upload", post(upload))
        .with_state(state)
}

#[derive(Debug, Deserialize)]
struct Target {
    /// The file's name as the browser gives it (its type says how to read it).
    file: String,
    /// The import mailbox the messages go into (created on first use).
    mailbox: String,
    /// Whose mailbox it is: a Tresor user's e-mail address.
    owner: String,
}

/// What the browser is told when the import has started.
#[derive(Debug, serde::Serialize)]
struct Started {
    mailbox_id: i64,
    mailbox: String,
    bytes: u64,
}

async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(target): Query<Target>,
    body: Body,
) -> Result<Response, Refusal> {
    let caller = session_caller(&state, &headers).await?;
    if !caller.may(Capability::Administer) {
        return Err(Refusal(StatusCode::FORBIDDEN, "Administrators only."));
    }
    let file_name = checked_file_name(&target.file)
        .map_err(|reason| Refusal(StatusCode::BAD_REQUEST, reason))?;
    let mailbox_name = target.mailbox.trim();
    if mailbox_name.is_empty() || mailbox_name.chars().count() > MAX_MAILBOX_NAME_CHARS {
        return Err(Refusal(
            StatusCode::BAD_REQUEST,
            "Give the mailbox a name of at most 200 characters.",
        ));
    }
    let Some(length) = declared_length(&headers) else {
        return Err(Refusal(
            StatusCode::LENGTH_REQUIRED,
            "The upload must say its length (Content-Length).",
        ));
    };
    if length > IMPORT_UPLOAD_LIMIT {
        return Err(Refusal(
            StatusCode::PAYLOAD_TOO_LARGE,
            "The file is larger than 50 GiB: import it on the server with `tresor import`.",
        ));
    }
    let owner = state
        .accounts
        .find_by_email(target.owner.trim())
        .await
        .map_err(|error| {
            tracing::error!(%error, "an import owner could not be looked up");
            Refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The users cannot be read.",
            )
        })?
        .ok_or(Refusal(
            StatusCode::BAD_REQUEST,
            "No Tresor user has this e-mail address: the mailbox needs an owner who exists.",
        ))?;
    // Before a byte is written: a name another kind of mailbox has is refused now.
    let mailbox = state
        .mailboxes
        .import_target(Some(owner.id), mailbox_name)
        .await
        .map_err(|error| match error {
            MailboxError::NameTaken(_) => Refusal(
                StatusCode::CONFLICT,
                "The owner has a mailbox of this name that is not an import: choose another name.",
            ),
            error => {
                tracing::error!(%error, "an import mailbox could not be made");
                Refusal(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The mailbox cannot be made.",
                )
            }
        })?;

    let folder = state
        .config
        .data_dir
        .join("uploads")
        .join(random_folder_name());
    let path = folder.join(file_name);
    let received = match receive(body, &folder, &path, length).await {
        Ok(received) => received,
        Err(refusal) => {
            let _ = tokio::fs::remove_dir_all(&folder).await;
            return Err(refusal);
        }
    };
    let details = serde_json::json!({
        "file": file_name,
        "bytes": received,
        "mailbox_id": mailbox.id,
        "owner": owner.email,
    });
    let target_name = format!(
        "mailbox {} ({}) of {}",
        mailbox.id, mailbox.name, owner.email
    );
    if audit(
        &state,
        &caller,
        Action::ImportUploaded,
        &target_name,
        details,
    )
    .await
    .is_err()
    {
        let _ = tokio::fs::remove_dir_all(&folder).await;
        return Err(Refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The audit log cannot be written; imports wait until it can.",
        ));
    }

    let importer = Importer::new(
        state.db.clone(),
        state.viewer.store().clone(),
        state.mailboxes.clone(),
    );
    let (owner_id, name) = (owner.id, mailbox.name.clone());
    tokio::spawn(async move {
        match importer.import(Some(owner_id), &name, &[path]).await {
            Ok(log) => {
                tracing::info!(mailbox = %name, archived = log.archived, "uploaded file imported")
            }
            // The job log holds what went wrong with the messages; this is
            // what kept the job from running at all.
            Err(error) => {
                tracing::error!(mailbox = %name, %error, "an uploaded file could not be imported")
            }
        }
        if let Err(error) = tokio::fs::remove_dir_all(&folder).await {
            tracing::warn!(folder = %folder.display(), %error, "an uploaded file was not removed");
        }
    });

    let started = Started {
        mailbox_id: mailbox.id,
        mailbox: mailbox.name,
        bytes: received,
    };
    Ok((StatusCode::ACCEPTED, axum::Json(started)).into_response())
}

/// Writes the body to `path` (in a new `folder`), exactly `length` bytes and
/// synced, or refuses.
async fn receive(body: Body, folder: &Path, path: &Path, length: u64) -> Result<u64, Refusal> {
    let cannot_store = |error: std::io::Error| {
        tracing::error!(%error, "an upload could not be stored");
        Refusal(
            StatusCode::INSUFFICIENT_STORAGE,
            "The file cannot be stored on the server (is the disk full?).",
        )
    };
    tokio::fs::create_dir_all(folder)
        .await
        .map_err(cannot_store)?;
    let mut file = tokio::fs::File::create(path).await.map_err(cannot_store)?;
    let mut chunks = body.into_data_stream();
    let mut received: u64 = 0;
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|_| {
            Refusal(
                StatusCode::BAD_REQUEST,
                "The upload broke off. Please try again.",
            )
        })?;
        received += chunk.len() as u64;
        if received > length {
            return Err(Refusal(
                StatusCode::BAD_REQUEST,
                "The upload is longer than it said it would be.",
            ));
        }
        file.write_all(&chunk).await.map_err(cannot_store)?;
    }
    if received != length {
        return Err(Refusal(
            StatusCode::BAD_REQUEST,
            "The upload broke off. Please try again.",
        ));
    }
    file.sync_all().await.map_err(cannot_store)?;
    Ok(received)
}

/// The name the file is stored under: a plain name of a type the importer
/// reads (no folders, nothing hidden).
fn checked_file_name(name: &str) -> Result<&str, &'static str> {
    let name = name.trim();
    if name.is_empty() || name.len() > MAX_FILE_NAME_BYTES {
        return Err("Give the file's name (at most 200 bytes).");
    }
    if name.starts_with('.')
        || name.contains(['/', '\\', '\0'])
        || Path::new(name).file_name().and_then(|n| n.to_str()) != Some(name)
    {
        return Err("The file's name must be a plain name, without folders.");
    }
    let extension = Path::new(name)
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase);
    if !extension.is_some_and(|extension| IMPORTABLE_EXTENSIONS.contains(&extension.as_str())) {
        return Err("Only .pst, .ost, .msg, .eml and .mbox files can be uploaded.");
    }
    Ok(name)
}

/// A folder name nobody can guess or collide with.
fn random_folder_name() -> PathBuf {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    PathBuf::from(hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::body_limit::IMPORT_UPLOAD_PATH;

    #[test]
    fn the_route_is_the_path_the_body_limit_lets_through() {
        let route = format!(".route(\"{IMPORT_UPLOAD_PATH}\"");
        assert!(include_str!("upload.rs").contains(&route));
    }

    #[test]
    fn only_plain_names_of_mail_files_are_taken() {
        assert_eq!(checked_file_name("Archiv 2023.pst"), Ok("Archiv 2023.pst"));
        assert_eq!(checked_file_name(" offline.OST "), Ok("offline.OST"));
        assert_eq!(checked_file_name("note.msg"), Ok("note.msg"));
        assert_eq!(checked_file_name("inbox.mbox"), Ok("inbox.mbox"));
        for bad in [
            "",
            "../etc/passwd.pst",
            "a/b.pst",
            "a\\b.pst",
            ".hidden.pst",
            "..",
            "archive.zip",
            "archive",
            "x\0.pst",
        ] {
            assert!(checked_file_name(bad).is_err(), "{bad:?} was taken");
        }
        assert!(checked_file_name(&format!("{}.pst", "a".repeat(300))).is_err());
    }
}
