//! The `ledger_head` table: the ledger's last sequence number and hash (one row, id 1); appenders
//! lock it first. `seq` -1: the ledger has not begun (see `Ledger::begin`).

use sea_orm::entity::prelude::*;

/// The ledger's last sequence number and hash (one row, id 1); appenders
/// lock it first. `seq` -1: the ledger has not begun (see `Ledger::begin`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_head")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub seq: i64,
    pub hash: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
