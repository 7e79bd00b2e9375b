//! The `smtp_settings` table: sMTP settings: the instance's (`mailbox_id` NULL) or one mailbox's.
//! Holds a sealed secret, so never serialised.

use sea_orm::entity::prelude::*;

/// SMTP settings: the instance's (`mailbox_id` NULL) or one mailbox's.
/// Holds a sealed secret, so never serialised.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "smtp_settings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub mailbox_id: Option<i64>,
    pub host: String,
    pub port: i32,
    pub security: String,
    pub username: Option<String>,
    pub secret_sealed: Option<String>,
    pub from_address: String,
    pub from_name: String,
    pub ca_file: Option<String>,
    /// Addresses separated by commas.
    pub extra_recipients: String,
    /// Who gets the daily job summary (instance settings only); commas.
    pub summary_recipients: String,
    pub summary_sent_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
