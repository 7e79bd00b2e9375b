//! Mailbox profiles as the browser and the server share them: the closed
//! sets of choices, and `MailboxInput`, a profile as submitted. The server
//! validates it (`server::mailbox::Validation`); secrets travel separately and
//! are never part of a profile sent back.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A closed set of names, parsed case-insensitively, stored as its name.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$variant_meta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$variant_meta])* $variant),+ }

        impl $name {
            /// Every choice, in the order a form offers them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(text: &str) -> Result<Self, String> {
                match text.trim().to_ascii_lowercase().as_str() {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!("{other:?} is not one of: {}", [$($text),+].join(", "))),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use named_enum;

named_enum!(
    /// How the IMAP connection is secured.
    Security { Tls => "tls", StartTls => "starttls", Plain => "plain" }
);
named_enum!(
    AuthMethod {
        Plain => "plain",
        Login => "login",
        CramMd5 => "cram-md5",
        XOAuth2 => "xoauth2",
        OAuthBearer => "oauthbearer",
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
    /// Where a mailbox's mail comes from: a server read over IMAP or
    /// Microsoft Graph, or imported files.
    Source { Imap => "imap", Graph => "graph", Import => "import" }
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
    /// Read from a server (IMAP or Graph), as opposed to imported files.
    pub fn is_server(self) -> bool {
        matches!(self, Source::Imap | Source::Graph)
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
    pub fn default_port(self) -> u16 {
        match self {
            Security::Tls => 993,
            Security::StartTls | Security::Plain => 143,
        }
    }
}

/// A profile as submitted. Secrets travel separately (`Secret`) and are sealed on save.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxInput {
    pub name: String,
    pub email_address: Option<String>,
    /// `imap` or `graph` (an import mailbox is made by importing).
    #[serde(default = "default_source")]
    pub source: Source,
    /// The IMAP server's host name, or for Graph the service root URL.
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

/// One row of the mailbox list: what it reads, how its last run went, and
/// what needs attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxSummary {
    pub id: i64,
    pub name: String,
    pub source: Source,
    /// `user@host:port`; empty for imported mail.
    pub server: String,
    /// The owner's e-mail address; `None` for a shared (organisation) mailbox.
    pub owner: Option<String>,
    /// Scheduled runs are on (manual runs are always possible).
    pub enabled: bool,
    pub schedule: Option<String>,
    pub last_job: Option<JobSummary>,
    /// Things an administrator should know, in words (e.g. weakened TLS checks).
    pub warnings: Vec<String>,
    /// Owned by the organisation (`owner` is `None`), read by those it is granted to.
    pub shared: bool,
    /// The caller may change, run and delete it; otherwise it is granted, read-only.
    pub can_manage: bool,
    /// The template it inherits from.
    pub template: Option<String>,
    /// For an OAuth mailbox with a sign-in app: how it stands.
    #[serde(default)]
    pub sign_in: Option<super::oauth::SignInState>,
}

/// How one archiving run ended (or that it is still running).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobSummary {
    pub id: i64,
    /// `running`, `succeeded` or `failed`.
    pub status: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    pub archived: u64,
    pub duplicates: u64,
    pub failed: u64,
    pub error: Option<String>,
}

/// What the editor loads: the mailbox (empty for a new one) and the
/// templates it may inherit from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxEditor {
    pub form: super::mailbox_form::MailboxForm,
    /// A password or token is stored (the field shows "unchanged").
    pub has_secret: bool,
    pub templates: Vec<TemplateChoice>,
    /// The caller is an admin: the editor offers sharing.
    pub can_share: bool,
}

/// A template as the mailbox editor offers it: its values fill the inherited fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateChoice {
    pub id: i64,
    pub name: String,
    pub form: super::mailbox_form::MailboxForm,
}

/// One row of the template list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSummary {
    pub id: i64,
    pub name: String,
    /// `host:port (security)`.
    pub server: String,
    pub schedule: Option<String>,
    /// How many mailboxes inherit from it.
    pub mailboxes: u64,
}
