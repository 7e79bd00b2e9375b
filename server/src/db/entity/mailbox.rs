//! The `mailboxes` table: a mailbox profile as stored. Typed access is `crate::mailbox::Profile`.

use sea_orm::entity::prelude::*;

/// A mailbox profile as stored. Typed access is `crate::mailbox::Profile`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mailboxes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub name: String,
    pub owner_id: Option<i64>,
    pub enabled: bool,
    pub email_address: Option<String>,
    pub host: String,
    pub port: i32,
    pub security: String,
    pub auth_method: String,
    pub username: String,
    pub secret_sealed: Option<String>,
    pub master_user: Option<String>,
    pub identity_kind: Option<String>,
    pub ca_file: Option<String>,
    pub accept_invalid_certs: bool,
    pub expected_cert_name: Option<String>,
    /// The one certificate trusted by its SHA-256 (lower-case hex), whoever issued it.
    pub pinned_cert_sha256: Option<String>,
    pub folder_rules: String,
    pub subscribed_only: bool,
    pub older_than_days: Option<i32>,
    pub max_message_size: Option<i64>,
    pub action: String,
    pub success_folder: String,
    pub duplicate_folder: String,
    pub error_folder: String,
    pub success_tag: String,
    pub duplicate_tag: String,
    pub delete_older_than_days: Option<i32>,
    pub duplicate_policy: String,
    /// `content` or `headers`: what counts as the same message.
    pub duplicate_match: String,
    pub labels: String,
    pub schedule: Option<String>,
    pub max_connections: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Where its mail comes from: `imap`, `graph` (Microsoft Graph), or `import` (files; no server).
    pub source: String,
    /// The template whose values the `inherited` fields take.
    pub template_id: Option<i64>,
    /// JSON list of form field names taken from the template.
    pub inherited: String,
    /// Set when deleted: no longer listed or run; its archived mail stays.
    pub deleted_at: Option<DateTimeUtc>,
    /// The sign-in app of an OAuth mailbox.
    pub oauth_app_id: Option<i64>,
    /// Messages per page of a Graph mailbox's delta rounds.
    pub page_size: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
