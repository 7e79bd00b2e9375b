//! What a verification finds: each `Finding` names the object that is not
//! as it was archived (message id, location id, ledger seq, SHA-256), in
//! words an administrator can act on.

/// One thing that is not as it was archived.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// A blob's bytes no longer hash to its address, or no longer decompress.
    AlteredBlob {
        sha256: String,
        message_ids: Vec<i64>,
        reason: String,
    },
    /// A message whose blob is gone.
    MissingBlob { message_id: i64, sha256: String },
    /// A blob no message refers to.
    ExtraBlob { sha256: String },
    /// A file in the blob store that is not a blob at all.
    StrayFile { path: String },
    /// A message row whose SHA-256 is not the one the ledger recorded for it.
    AlteredMessage {
        message_id: i64,
        sha256: String,
        recorded_sha256: String,
        seq: i64,
    },
    /// A message row the ledger never recorded.
    UnrecordedMessage { message_id: i64, sha256: String },
    /// A location row the ledger never recorded.
    UnrecordedLocation { location_id: i64, message_id: i64 },
    /// A message the ledger recorded whose row is gone.
    MissingMessage { message_id: i64, seq: i64 },
    /// A location the ledger recorded whose row is gone.
    MissingLocation { location_id: i64, seq: i64 },
    /// A ledger entry whose content does not hash to its recorded hash.
    AlteredLedgerEntry { seq: i64 },
    /// A ledger entry that does not follow the one before it (an entry was
    /// removed, inserted or rewritten before it).
    BrokenChain { seq: i64, reason: String },
    /// The head (in the database or written to the head file) is not in the chain.
    HeadMismatch {
        seq: i64,
        source: String,
        expected: String,
        found: String,
    },
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::AlteredBlob {
                sha256,
                message_ids,
                reason,
            } => write!(
                f,
                "altered blob {sha256} (messages {message_ids:?}): {reason}"
            ),
            Finding::MissingBlob { message_id, sha256 } => {
                write!(f, "missing blob {sha256} of message {message_id}")
            }
            Finding::ExtraBlob { sha256 } => {
                write!(f, "extra blob {sha256}: no message refers to it")
            }
            Finding::StrayFile { path } => write!(f, "stray file in the blob store: {path}"),
            Finding::AlteredMessage {
                message_id,
                sha256,
                recorded_sha256,
                seq,
            } => write!(
                f,
                "altered message {message_id}: its row says {sha256}, ledger entry {seq} recorded {recorded_sha256}"
            ),
            Finding::UnrecordedMessage { message_id, sha256 } => write!(
                f,
                "unrecorded message {message_id} ({sha256}): not in the ledger"
            ),
            Finding::UnrecordedLocation {
                location_id,
                message_id,
            } => write!(
                f,
                "unrecorded location {location_id} of message {message_id}: not in the ledger"
            ),
            Finding::MissingMessage { message_id, seq } => write!(
                f,
                "missing message {message_id}: recorded by ledger entry {seq}, its row is gone"
            ),
            Finding::MissingLocation { location_id, seq } => write!(
                f,
                "missing location {location_id}: recorded by ledger entry {seq}, its row is gone"
            ),
            Finding::AlteredLedgerEntry { seq } => {
                write!(
                    f,
                    "altered ledger entry {seq}: its content does not match its hash"
                )
            }
            Finding::BrokenChain { seq, reason } => {
                write!(f, "broken ledger chain at entry {seq}: {reason}")
            }
            Finding::HeadMismatch {
                seq,
                source,
                expected,
                found,
            } => write!(
                f,
                "ledger head {seq} from {source} is {expected}, the chain has {found}"
            ),
        }
    }
}
