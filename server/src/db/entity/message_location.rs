//! The `message_locations` table: where an archived message was found: mailbox, folder, UIDVALIDITY
//! and UID.

use sea_orm::entity::prelude::*;

/// Where an archived message was found: mailbox, folder, UIDVALIDITY and UID.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "message_locations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub message_id: i64,
    pub mailbox_id: i64,
    pub folder: String,
    pub uid_validity: i64,
    pub uid: i64,
    /// JSON array of IMAP flags and keywords.
    pub flags: String,
    pub internal_date: Option<DateTimeUtc>,
    /// JSON object of the profile's labels at archiving time.
    pub labels: String,
    pub archived_at: DateTimeUtc,
    /// The message was in the archive already when it was found here.
    pub duplicate: bool,
    /// Shows the message in this mailbox and folder, with these labels;
    /// `false` for a duplicate the `drop` policy only recorded.
    pub listed: bool,
    /// The message's id at its source when it has one besides the UID (a
    /// Graph message id); a Graph folder's UIDs are Tresor's own numbering.
    pub remote_id: Option<String>,
    /// The bytes are Tresor's conversion of an item that was not RFC 5322
    /// (an Outlook PST/MSG item), not the source's own: JSON of
    /// `engine::message::Provenance` (file, its SHA-256, folder, entry id).
    pub converted_from: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
