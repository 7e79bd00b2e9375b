//! The `users` table: a person who signs in to Tresor: e-mail, role, password hash, disabled flag.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Lower-cased.
    #[sea_orm(unique)]
    pub email: String,
    pub display_name: String,
    /// `admin`, `user` or `auditor` (see `app::model::Role`).
    pub role: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub disabled: bool,
    /// `en` or `de` once the person chose (see `app::i18n::Lang`); pages
    /// and mails for them are in it.
    pub language: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::session::Entity")]
    Session,
}

impl Related<super::session::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Session.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
