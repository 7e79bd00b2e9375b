//! A message on its way into the archive: as a source fetched it (its
//! bytes and where it is at the source), then staged (its blob compressed
//! into a temporary file, its metadata read) until a batch records it.

use crate::db::entity::message_location::RecordedEnvelope;
use crate::metadata::MessageMetadata;
use crate::store::{BlobStore, Digest, Staged, StoreError};
/// Where a *converted* message came from: its source held no RFC 5322 bytes
/// (an Outlook item), so what the archive stores is Tresor's conversion, not
/// the original. Kept as JSON on the location (`message_locations.converted_from`),
/// shown with the message's locations.
pub use app::model::archive::ConvertedFrom;
use chrono::{DateTime, Utc};

/// A message as fetched, before it is stored.
pub struct FetchedMessage {
    uid: u32,
    body: Vec<u8>,
    flags: Vec<String>,
    internal_date: Option<DateTime<Utc>>,
    remote_id: Option<String>,
    converted_from: Option<ConvertedFrom>,
    envelope: Option<RecordedEnvelope>,
}

impl FetchedMessage {
    /// A message as its source handed it over; `uid` numbers it within its
    /// folder (IMAP's UID, or Tresor's own numbering of a Graph folder or an
    /// imported file).
    pub fn new(
        uid: u32,
        body: Vec<u8>,
        flags: Vec<String>,
        internal_date: Option<DateTime<Utc>>,
    ) -> FetchedMessage {
        FetchedMessage {
            uid,
            body,
            flags,
            internal_date,
            remote_id: None,
            converted_from: None,
            envelope: None,
        }
    }

    /// Marks the message as converted from `provenance` (kept on its location).
    pub fn converted_from(self, provenance: ConvertedFrom) -> FetchedMessage {
        FetchedMessage {
            converted_from: Some(provenance),
            ..self
        }
    }

    /// Records the envelope a journal copy came with on its location.
    pub fn with_envelope(self, envelope: RecordedEnvelope) -> FetchedMessage {
        FetchedMessage {
            envelope: Some(envelope),
            ..self
        }
    }

    /// The message's id at its source (a Graph message id), kept on its location.
    pub fn with_remote_id(self, remote_id: String) -> FetchedMessage {
        FetchedMessage {
            remote_id: Some(remote_id),
            ..self
        }
    }

    /// Stages the blob (compressed into a temporary file; `Batch::commit`
    /// publishes it) and reads the metadata; the body is dropped here.
    pub fn store(self, store: &BlobStore) -> Result<StoredMessage, StoreError> {
        let staged = store.stage(&self.body)?;
        let metadata = MessageMetadata::read(&self.body);
        Ok(StoredMessage {
            uid: self.uid,
            digest: staged.digest,
            staged: Some(staged),
            identity: metadata.identity(),
            metadata,
            flags: self.flags,
            internal_date: self.internal_date,
            remote_id: self.remote_id,
            converted_from: self.converted_from,
            envelope: self.envelope,
        })
    }
}

/// A message whose blob is staged but which the database does not know yet.
pub struct StoredMessage {
    pub(super) uid: u32,
    pub(super) digest: Digest,
    /// Taken by `Batch::commit` when it publishes the batch's blobs.
    pub(super) staged: Option<Staged>,
    pub(super) metadata: MessageMetadata,
    /// `MessageMetadata::identity`, for matching duplicates by headers.
    pub(super) identity: Option<String>,
    pub(super) flags: Vec<String>,
    pub(super) internal_date: Option<DateTime<Utc>>,
    pub(super) remote_id: Option<String>,
    pub(super) converted_from: Option<ConvertedFrom>,
    pub(super) envelope: Option<RecordedEnvelope>,
}
