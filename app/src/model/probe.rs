//! "Test connection" as the browser shows it: what the server offers, or
//! the specific reason it failed.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeReport {
    pub mailbox: String,
    pub ok: bool,
    /// What went wrong, in words an administrator can act on.
    pub error: Option<String>,
    /// The class of failure: `authentication`, `certificate`, `host_not_found`,
    /// `connect`, `timeout`, `tls`, `settings`, `protocol`.
    pub error_kind: Option<String>,
    pub capabilities: Vec<String>,
    pub certificate: Option<PeerCertificate>,
    /// The mailbox weakens certificate checks (shown as a warning).
    pub insecure_tls: bool,
    pub folders: Vec<FolderInfo>,
    pub elapsed_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderInfo {
    /// Readable path with `/` between levels.
    pub path: String,
    /// As the server spells it.
    pub server_name: String,
    pub messages: Option<u32>,
    pub special_use: Option<String>,
    pub subscribed: bool,
    pub selectable: bool,
    /// Whether the mailbox's rules archive this folder.
    pub selected: bool,
}

/// What the server presented, for `mailbox test` and the editor's test button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerCertificate {
    pub subject: String,
    pub issuer: String,
    pub not_before: String,
    pub not_after: String,
    /// DNS names the certificate is valid for.
    pub names: Vec<String>,
    /// SHA-256 of the DER encoding, hex, as browsers show it.
    pub sha256: String,
}
