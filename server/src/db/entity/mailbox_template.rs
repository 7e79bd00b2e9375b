//! The `mailbox_templates` table: defaults mailboxes inherit; `settings` is an
//! `app::model::template::TemplateSettings` as JSON.

use sea_orm::entity::prelude::*;

/// Defaults mailboxes inherit; `settings` is an `app::model::template::TemplateSettings` as JSON.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mailbox_templates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub name: String,
    pub settings: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
