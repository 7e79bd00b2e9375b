//! The `folder_checkpoints` table: how far a folder of a mailbox is archived.

use sea_orm::entity::prelude::*;

/// How far a folder of a mailbox is archived.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "folder_checkpoints")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub mailbox_id: i64,
    pub folder: String,
    pub uid_validity: i64,
    pub last_uid: i64,
    pub highest_modseq: Option<i64>,
    /// A Graph folder's delta link: where the next round starts.
    pub delta_link: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
