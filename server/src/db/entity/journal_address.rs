//! The `journal_addresses` table: which journal mailbox takes mail for which
//! recipient address.

use sea_orm::entity::prelude::*;

/// A recipient address a journal mailbox takes (lower-case; `*` for every
/// address no other journal mailbox names).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "journal_addresses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub mailbox_id: i64,
    pub address: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
