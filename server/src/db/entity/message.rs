//! The `messages` table: one distinct archived message (one blob). Where it was found is in
//! `message_location`.

use sea_orm::entity::prelude::*;

/// One distinct archived message (one blob). Where it was found is in `message_location`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub sha256: String,
    pub size: i64,
    pub message_id_header: Option<String>,
    pub date: Option<DateTimeUtc>,
    pub subject: Option<String>,
    pub from_text: String,
    pub to_text: String,
    pub cc_text: String,
    /// JSON array of file names.
    pub attachment_names: String,
    pub has_attachments: bool,
    pub in_reply_to: Option<String>,
    /// JSON array of Message-IDs.
    pub references: String,
    /// JSON array of parser defects; NULL when the message is well-formed.
    pub defects: Option<String>,
    pub archived_at: DateTimeUtc,
    /// SHA-256 of Message-ID, Date and From (`metadata::identity`); NULL
    /// without a Message-ID.
    pub identity: Option<String>,
    /// The message this one is a newer revision of (`replace` policy).
    pub supersedes_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
