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

impl FolderInfo {
    /// Puts `folders` in the folder picker's order: a tree, INBOX and its
    /// subfolders first, then the others by name (without case), each
    /// folder followed by its subfolders.
    pub fn tree_order(folders: &mut [FolderInfo]) {
        folders.sort_by_cached_key(|folder| {
            let levels: Vec<String> = folder.path.split('/').map(str::to_lowercase).collect();
            (levels[0] != "inbox", levels)
        });
    }

    /// How deep in the tree the folder is (INBOX: 0, INBOX/Invoices: 1).
    pub fn depth(&self) -> usize {
        self.path.matches('/').count()
    }

    /// The folder's own name, without its parents.
    pub fn leaf(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or_default()
    }
}

/// The hex digits of a SHA-256 fingerprint.
pub const SHA256_HEX_DIGITS: usize = 64;

/// A SHA-256 fingerprint as typed or pasted (`AB:CD:…`, spaces, any case)
/// in the one form Tresor stores and compares: 64 lower-case hex digits.
/// `None` for anything else.
pub fn fingerprint(text: &str) -> Option<String> {
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, ':' | ' ' | '-'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (digits.len() == SHA256_HEX_DIGITS && digits.chars().all(|c| c.is_ascii_hexdigit()))
        .then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(path: &str) -> FolderInfo {
        FolderInfo {
            path: path.into(),
            server_name: path.into(),
            messages: None,
            special_use: None,
            subscribed: true,
            selectable: true,
            selected: false,
        }
    }

    #[test]
    fn folders_are_a_tree_with_inbox_first() {
        let mut folders: Vec<FolderInfo> = [
            "archive",
            "Sent",
            "INBOX/Invoices",
            "Archive/2024",
            "Drafts",
            "INBOX",
            "Sent Items",
        ]
        .into_iter()
        .map(folder)
        .collect();
        FolderInfo::tree_order(&mut folders);
        let paths: Vec<&str> = folders.iter().map(|folder| folder.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "INBOX",
                "INBOX/Invoices",
                "archive",
                "Archive/2024",
                "Drafts",
                "Sent",
                "Sent Items"
            ]
        );
        assert_eq!(folders[1].depth(), 1);
        assert_eq!(folders[1].leaf(), "Invoices");
    }

    #[test]
    fn a_fingerprint_is_read_with_colons_and_in_any_case() {
        let hex = "ab".repeat(32);
        let colons = vec!["AB"; 32].join(":");
        assert_eq!(fingerprint(&colons).as_deref(), Some(hex.as_str()));
        assert_eq!(fingerprint(&hex).as_deref(), Some(hex.as_str()));
        assert_eq!(fingerprint(&hex[2..]), None, "too short");
        assert_eq!(fingerprint(&"zz".repeat(32)), None, "not hex");
    }
}
