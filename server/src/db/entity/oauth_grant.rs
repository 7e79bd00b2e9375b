//! The `oauth_grants` table: a mailbox's OAuth grant: its tokens, sealed.

use sea_orm::entity::prelude::*;

/// A mailbox's OAuth grant: its tokens, sealed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oauth_grants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub mailbox_id: i64,
    pub app_id: i64,
    /// `authorization_code`, `device_code` or `client_credentials`.
    pub flow: String,
    pub refresh_sealed: Option<String>,
    pub access_sealed: Option<String>,
    pub access_expires_at: Option<DateTimeUtc>,
    pub scope: String,
    /// `active` or `needs_sign_in`.
    pub status: String,
    pub error: Option<String>,
    pub signed_in_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
