//! Microsoft Graph as a mail source (the alternative to IMAP for Microsoft
//! 365): `client` does the HTTP (token, concurrency limit, throttling);
//! `folders` walks the mail folder tree; `delta` runs one delta round of a
//! folder (first everything, then what changed, from the stored delta
//! link); `Client::get_bytes` on `messages/{id}/$value` gives the MIME bytes
//! exactly as Exchange keeps them.
//!
//! Wire reference: ../shared/reference/oauth-graph.md §4.

mod client;
mod delta;
mod folders;

pub use client::{Client, MAX_CONCURRENT, MAX_JSON_BYTES, MAX_MIME_BYTES, TokenSource};
pub use delta::{DeltaItem, DeltaRound, Listed, delta_round};
pub use folders::{Folder, create_folder, list_folders, well_known_folder};

use reqwest::StatusCode;

/// Graph's public service root.
pub const GRAPH_BASE: &str = "https://graph.microsoft.com/v1.0";

#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// Graph said no; `code` is its error code (`ErrorItemNotFound`, …),
    /// which is what to branch on, never the message.
    #[error("Microsoft Graph refused {url}: {status} {code}: {message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
        url: String,
    },
    #[error("Microsoft Graph cannot be reached ({url}): {reason}")]
    Unreachable { url: String, reason: String },
    #[error("Microsoft Graph's answer to {url} cannot be read: {reason}")]
    BadAnswer { url: String, reason: String },
    /// No access token to send (the mailbox needs a sign-in, say).
    #[error("{0}")]
    NoToken(String),
}

impl GraphError {
    fn refused(status: StatusCode, url: &str, body: &[u8]) -> GraphError {
        #[derive(serde::Deserialize)]
        struct Envelope {
            error: Inner,
        }
        #[derive(serde::Deserialize)]
        struct Inner {
            code: String,
            #[serde(default)]
            message: String,
        }
        let (code, message) = match serde_json::from_slice::<Envelope>(body) {
            Ok(envelope) => (envelope.error.code, envelope.error.message),
            Err(_) => (
                status.canonical_reason().unwrap_or("error").to_string(),
                String::from_utf8_lossy(body).chars().take(200).collect(),
            ),
        };
        GraphError::Refused {
            status: status.as_u16(),
            code,
            message,
            url: url.to_string(),
        }
    }

    /// Graph's error code, if it refused.
    pub fn code(&self) -> Option<&str> {
        match self {
            GraphError::Refused { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The item is not there (any more): deleted or moved meanwhile.
    pub fn is_not_found(&self) -> bool {
        matches!(self, GraphError::Refused { status: 404, .. })
    }

    /// A delta link that is no longer valid: start the folder's round afresh.
    pub fn is_sync_state_lost(&self) -> bool {
        matches!(self, GraphError::Refused { status: 410, .. })
            || self.code() == Some("syncStateNotFound")
    }
}
