//! The `audit_log` table: one audit log entry; see `crate::audit`. Never updated or deleted.

use sea_orm::entity::prelude::*;

/// One audit log entry; see `crate::audit`. Never updated or deleted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub client: Option<String>,
    pub action: String,
    pub target: String,
    /// JSON, secrets masked.
    pub details: String,
    /// `ok`, `denied` or `failed`.
    pub outcome: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
