//! The `mailbox_grants` table: a user who may read a mailbox they do not own (and its archived
//! mail).

use sea_orm::entity::prelude::*;

/// A user who may read a mailbox they do not own (and its archived mail).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mailbox_grants")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub mailbox_id: i64,
    pub user_id: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
