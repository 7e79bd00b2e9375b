//! The `failure_notices` table: a failing mailbox's notices: since when it fails, when the last
//! went out.

use sea_orm::entity::prelude::*;

/// A failing mailbox's notices: since when it fails, when the last went out.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "failure_notices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub mailbox_id: i64,
    pub failing_since: DateTimeUtc,
    pub last_sent_at: Option<DateTimeUtc>,
    pub sent_count: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
