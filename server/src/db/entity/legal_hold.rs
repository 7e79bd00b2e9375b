//! The `legal_holds` table: a legal hold; see `crate::retention`. Released, never deleted.

use sea_orm::entity::prelude::*;

/// A legal hold; see `crate::retention`. Released, never deleted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "legal_holds")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub reason: String,
    /// `mailbox`, `query` or `messages`.
    pub scope: String,
    pub mailbox_id: Option<i64>,
    pub query: Option<String>,
    /// JSON array of message ids.
    pub message_ids: Option<String>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
    pub released_at: Option<DateTimeUtc>,
    pub released_by: Option<String>,
    pub release_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
