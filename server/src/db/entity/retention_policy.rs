//! The `retention_policies` table: a retention policy; see `crate::retention`.

use sea_orm::entity::prelude::*;

/// A retention policy; see `crate::retention`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "retention_policies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// `all`, `mailbox`, `folder` or `label`.
    pub scope: String,
    pub mailbox_id: Option<i64>,
    pub folder: Option<String>,
    pub label_key: Option<String>,
    pub label_value: Option<String>,
    pub keep_years: i32,
    /// `message_date` or `archived_at`.
    pub basis: String,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
