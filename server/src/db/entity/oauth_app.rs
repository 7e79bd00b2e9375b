//! The `oauth_apps` table: a sign-in app (OAuth2 client registration). Holds a sealed secret.

use sea_orm::entity::prelude::*;

/// A sign-in app (OAuth2 client registration). Holds a sealed secret.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oauth_apps")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub name: String,
    /// `microsoft`, `google` or `generic`.
    pub provider: String,
    pub tenant: String,
    pub authority: String,
    pub authorize_url: String,
    pub token_url: String,
    pub device_url: String,
    pub client_id: String,
    pub secret_sealed: Option<String>,
    /// One scope per line.
    pub scopes: String,
    pub redirect_url: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
