//! The `oauth_flows` table: an authorization-code flow waiting for the provider to send the browser
//! back.

use sea_orm::entity::prelude::*;

/// An authorization-code flow waiting for the provider to send the browser back.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oauth_flows")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub state: String,
    pub mailbox_id: i64,
    pub user_id: i64,
    pub verifier_sealed: String,
    pub redirect_url: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
