//! Mailbox profiles as the browser and the server share them: the closed
//! sets of choices, and `MailboxInput`, a profile as submitted. The server
//! validates it (`server::mailbox::Validation`); secrets travel separately and
//! are never part of a profile sent back.

use super::named_enum::named_enum;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

named_enum!(
    /// How the connection is secured: TLS from the first byte (IMAPS,
    /// POP3S), upgraded before login (STARTTLS, POP3's STLS), or not at all.
    Security { Tls => "tls", StartTls => "starttls", Plain => "plain" }
);
named_enum!(
    AuthMethod {
        Plain => "plain",
        Login => "login",
        CramMd5 => "cram-md5",
        XOAuth2 => "xoauth2",
        OAuthBearer => "oauthbearer",
        /// POP3's APOP: a digest of the greeting's timestamp and the password.
        Apop => "apop",
    }
);
named_enum!(
    /// Which identity a master user logs in as (MailStore).
    IdentityKind { Address => "address", LocalPart => "localpart", Username => "username" }
);
named_enum!(
    /// What happens on the server to a message once it is durably archived.
    Action { None => "none", Tag => "tag", Move => "move", Delete => "delete" }
);
named_enum!(
    /// Where a mailbox's mail comes from: a server read over IMAP, POP3 or
    /// Microsoft Graph, imported files, or journal copies delivered to
    /// Tresor over SMTP (a journal mailbox).
    Source {
        Imap => "imap",
        Graph => "graph",
        Import => "import",
        Pop3 => "pop3",
        Journal => "journal",
    }
);
named_enum!(
    /// What to do with a message the archive has already (Dr.DOC).
    DuplicatePolicy { Drop => "drop", Change => "change", Replace => "replace" }
);
named_enum!(
    /// What counts as a message the archive has already: the same bytes, or
    /// the same Message-ID, Date and From (a copy a server or gateway altered).
    DuplicateMatch { Content => "content", Headers => "headers" }
);

impl Source {
    /// Read from a server (IMAP, POP3 or Graph), as opposed to imported files.
    pub fn is_server(self) -> bool {
        matches!(self, Source::Imap | Source::Pop3 | Source::Graph)
    }

    /// A mail server with folders, reached by host and port (IMAP), or one
    /// with a single maildrop (POP3): the sources `Security` and the
    /// certificate rules apply to.
    pub fn is_mail_server(self) -> bool {
        matches!(self, Source::Imap | Source::Pop3)
    }
}

/// Microsoft Graph's public service root, a Graph mailbox's default "host".
pub const GRAPH_SERVICE_ROOT: &str = "https://graph.microsoft.com/v1.0";
/// Messages per page of a Graph delta round unless the profile says otherwise.
pub const DEFAULT_PAGE_SIZE: u32 = 25;

fn default_source() -> Source {
    Source::Imap
}

fn default_page_size() -> u32 {
    DEFAULT_PAGE_SIZE
}

impl Security {
    /// IMAP's port: 993 for TLS, 143 otherwise.
    pub fn default_port(self) -> u16 {
        match self {
            Security::Tls => 993,
            Security::StartTls | Security::Plain => 143,
        }
    }

    /// The port for `source`: POP3's are 995 (POP3S) and 110; IMAP's otherwise.
    pub fn default_port_for(self, source: Source) -> u16 {
        match (source, self) {
            (Source::Pop3, Security::Tls) => 995,
            (Source::Pop3, Security::StartTls | Security::Plain) => 110,
            _ => self.default_port(),
        }
    }
}

/// A profile as submitted. Secrets travel separately (`Secret`) and are sealed on save.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxInput {
    pub name: String,
    pub email_address: Option<String>,
    /// `imap`, `pop3` or `graph` (an import mailbox is made by importing).
    #[serde(default = "default_source")]
    pub source: Source,
    /// The IMAP or POP3 server's host name, or for Graph the service root URL.
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub auth_method: AuthMethod,
    /// The sign-in app an OAuth mailbox signs in with.
    #[serde(default)]
    pub oauth_app_id: Option<i64>,
    pub username: String,
    pub master_user: Option<String>,
    pub identity_kind: Option<IdentityKind>,
    pub ca_file: Option<String>,
    pub accept_invalid_certs: bool,
    pub expected_cert_name: Option<String>,
    /// The one server certificate trusted by its SHA-256 fingerprint
    /// (lower-case hex of its DER), whoever issued it: pinned after the
    /// person saw it in "Test connection"; a changed certificate fails runs.
    #[serde(default)]
    pub pinned_cert_sha256: Option<String>,
    pub folder_rules: String,
    pub subscribed_only: bool,
    pub older_than_days: Option<u32>,
    pub max_message_size: Option<u64>,
    pub action: Action,
    pub success_folder: String,
    pub duplicate_folder: String,
    pub error_folder: String,
    pub success_tag: String,
    pub duplicate_tag: String,
    pub delete_older_than_days: Option<u32>,
    pub duplicate_policy: DuplicatePolicy,
    pub duplicate_match: DuplicateMatch,
    pub labels: BTreeMap<String, String>,
    pub schedule: Option<String>,
    pub max_connections: u32,
    /// Messages per page of a Graph delta round.
    #[serde(default = "default_page_size")]
    pub page_size: u32,
}

impl MailboxInput {
    /// The defaults for a new profile on `host`: implicit TLS, every folder but
    /// trash/junk/drafts, no action on the server, duplicates dropped.
    pub fn new(name: &str, host: &str, username: &str) -> MailboxInput {
        MailboxInput {
            name: name.to_string(),
            email_address: None,
            source: Source::Imap,
            host: host.to_string(),
            port: Security::Tls.default_port(),
            security: Security::Tls,
            auth_method: AuthMethod::Plain,
            oauth_app_id: None,
            username: username.to_string(),
            master_user: None,
            identity_kind: None,
            ca_file: None,
            accept_invalid_certs: false,
            expected_cert_name: None,
            pinned_cert_sha256: None,
            folder_rules: String::new(),
            subscribed_only: false,
            older_than_days: None,
            max_message_size: None,
            action: Action::None,
            success_folder: "Archived".into(),
            duplicate_folder: "Duplicates".into(),
            error_folder: "Archive errors".into(),
            success_tag: "$Archived".into(),
            duplicate_tag: "$ArchivedDuplicate".into(),
            delete_older_than_days: None,
            duplicate_policy: DuplicatePolicy::Drop,
            duplicate_match: DuplicateMatch::Content,
            labels: BTreeMap::new(),
            schedule: None,
            max_connections: 2,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}
