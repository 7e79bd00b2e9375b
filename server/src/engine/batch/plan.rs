//! What each message of a batch is — new, a duplicate of a stored or an
//! earlier message, a newer revision — judged against the archive as it is
//! and against the batch's earlier messages, by the mailbox's duplicate
//! policy. Deciding writes nothing; `Batch::commit` carries the plan out.

use super::rows::{latest_revisions, message_ids};
use crate::engine::message::StoredMessage;
use crate::engine::settings::Duplicates;
use crate::mailbox::{DuplicateMatch, DuplicatePolicy};
use sea_orm::{DatabaseConnection, DbErr};
use std::collections::HashMap;

/// What each message of the batch is, judged against the archive as it
/// is now and against the batch's earlier messages.
pub(super) async fn plan(
    db: &DatabaseConnection,
    messages: &[StoredMessage],
    hashes: &[String],
    duplicates: Duplicates,
) -> Result<Vec<Decision>, DbErr> {
    let by_content = message_ids(db, hashes).await?;
    let by_headers = if duplicates.matching == DuplicateMatch::Headers {
        let identities: Vec<String> = messages
            .iter()
            .zip(hashes)
            .filter(|(_, sha256)| !by_content.contains_key(*sha256))
            .filter_map(|(stored, _)| stored.identity.clone())
            .collect();
        latest_revisions(db, &identities).await?
    } else {
        HashMap::new()
    };
    let listed = duplicates.policy != DuplicatePolicy::Drop;
    let mut new_hashes: HashMap<&str, usize> = HashMap::new();
    let mut new_identities: HashMap<&str, usize> = HashMap::new();
    let mut plan = Vec::with_capacity(messages.len());
    for (index, (stored, sha256)) in messages.iter().zip(hashes).enumerate() {
        let same_bytes = by_content
            .get(sha256)
            .map(|id| Target::Stored(*id))
            .or_else(|| {
                new_hashes
                    .get(sha256.as_str())
                    .map(|at| Target::InBatch(*at))
            });
        if let Some(of) = same_bytes {
            plan.push(Decision::Duplicate { of, listed });
            continue;
        }
        // The newest revision: one earlier in this batch, else the archive's.
        let identity = stored
            .identity
            .as_deref()
            .filter(|_| duplicates.matching == DuplicateMatch::Headers);
        let same_headers = identity.and_then(|identity| {
            new_identities
                .get(identity)
                .map(|at| Target::InBatch(*at))
                .or_else(|| by_headers.get(identity).map(|id| Target::Stored(*id)))
        });
        let decision = match (same_headers, duplicates.policy) {
            (None, _) => Decision::New,
            (Some(of), DuplicatePolicy::Replace) => Decision::Revision { of },
            (Some(of), _) => Decision::Duplicate { of, listed },
        };
        if !matches!(decision, Decision::Duplicate { .. }) {
            new_hashes.insert(sha256, index);
            if let Some(identity) = identity {
                new_identities.insert(identity, index);
            }
        }
        plan.push(decision);
    }
    Ok(plan)
}

/// What the batch does with one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Decision {
    /// New to the archive: its blob is kept and it gets a row.
    New,
    /// The same Message-ID, Date and From as `of`, other bytes, and the
    /// policy is `replace`: a new row that supersedes `of`, which stays.
    Revision { of: Target },
    /// The archive has it (same bytes, or same headers under `drop` or
    /// `change`): only a location on `of`; this copy's blob is not kept.
    Duplicate { of: Target, listed: bool },
}

/// A message a decision refers to: in the archive already, or new earlier
/// in the same batch (its id is known once that one is inserted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    Stored(i64),
    InBatch(usize),
}

/// Insert order for new rows: 0 for those that refer to nothing new, n + 1
/// for a revision of a message in generation n; `None` for duplicates.
pub(super) fn generations(plan: &[Decision]) -> Vec<Option<usize>> {
    let mut generations: Vec<Option<usize>> = Vec::with_capacity(plan.len());
    for decision in plan {
        generations.push(match decision {
            Decision::New
            | Decision::Revision {
                of: Target::Stored(_),
            } => Some(0),
            // Targets are always earlier in the batch.
            Decision::Revision {
                of: Target::InBatch(at),
            } => generations[*at].map(|generation| generation + 1),
            Decision::Duplicate { .. } => None,
        });
    }
    generations
}

/// The id of a target; a target in the batch is inserted by then (an
/// earlier generation), or was found as a racing job's copy.
pub(super) fn resolve(target: &Target, ids: &[Option<i64>]) -> i64 {
    match target {
        Target::Stored(id) => *id,
        Target::InBatch(at) => ids[*at].expect("targets are inserted before what refers to them"),
    }
}
