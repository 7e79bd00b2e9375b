//! The `ledger` table: one entry of the hash-chained ledger; see `crate::ledger`. Never updated.

use sea_orm::entity::prelude::*;

/// One entry of the hash-chained ledger; see `crate::ledger`. Never updated.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub recorded_at: DateTimeUtc,
    pub action: String,
    pub message_id: i64,
    pub location_id: Option<i64>,
    pub sha256: String,
    pub mailbox_id: Option<i64>,
    pub folder: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
