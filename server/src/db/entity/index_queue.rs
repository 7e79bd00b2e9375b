//! The `index_queue` table: a message whose search-index document must be (re)built; see the
//! `index_queue` migration for why rows are removed one by one.

use sea_orm::entity::prelude::*;

/// A message whose search-index document must be (re)built; see the
/// `index_queue` migration for why rows are removed one by one.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "index_queue")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub message_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
