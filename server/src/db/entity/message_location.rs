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
    /// The envelope a journal copy came with (its sender and every
    /// recipient, Bcc and expanded lists included): JSON of
    /// `RecordedEnvelope`; NULL for mail from other sources.
    pub envelope: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// What `Model::envelope` holds: who a journal copy was from and for, as the
/// journal report listed them (Bcc and expanded lists included) or as the
/// SMTP envelope said (MAIL FROM, RCPT TO).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RecordedEnvelope {
    /// The sender's address; empty for the null sender.
    pub sender: String,
    /// Every recipient's address, in the order given.
    pub recipients: Vec<String>,
    /// The SHA-256 of the Exchange journal report this message was unwrapped
    /// from (archived beside it); `None` for a plain journal copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_sha256: Option<String>,
    /// What was odd about the delivery (a journal report without the
    /// original attached, stored as it came).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl RecordedEnvelope {
    /// The envelope a location records, if any (unreadable JSON: none).
    pub fn of(location: &Model) -> Option<RecordedEnvelope> {
        serde_json::from_str(location.envelope.as_deref()?).ok()
    }

    /// The recipients of the message itself, as a journal report lists them
    /// (Bcc and expanded lists included). None for a plain journal copy: the
    /// recipients its SMTP envelope names are the journal's own addresses.
    pub fn reported_recipients(&self) -> impl Iterator<Item = &str> {
        let reported: &[String] = if self.report_sha256.is_some() {
            &self.recipients
        } else {
            &[]
        };
        reported.iter().map(String::as_str)
    }

    /// The parties it names: the sender and the reported recipients.
    pub fn addresses(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.sender.as_str())
            .chain(self.reported_recipients())
            .filter(|address| !address.is_empty())
    }
}
