//! The ledger's side of a verification: the chain walked in order (each
//! entry hashing to its hash and naming the one before), the head row and
//! the head file's heads found in it, and the rows compared with what the
//! entries recorded.

use super::finding::Finding;
use super::{Verifier, VerifyError, sorted};
use crate::db::entity::ledger as ledger_row;
use crate::store::ledger;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{HashMap, HashSet};

/// Ledger entries read per query.
const LEDGER_PAGE: u64 = 10_000;

impl Verifier {
    /// Walks the chain in order: each entry must hash to its hash, name the
    /// previous hash and follow its sequence number. What the entries say
    /// about messages and locations is gathered for `compare_rows`.
    pub(super) async fn walk_ledger(
        &self,
        wanted: &HashSet<i64>,
        findings: &mut Vec<Finding>,
    ) -> Result<LedgerWalk, VerifyError> {
        let mut walk = LedgerWalk::default();
        let (mut expected_seq, mut prev_hash) = (1i64, ledger::GENESIS.to_string());
        loop {
            let page = ledger_row::Entity::find()
                .filter(ledger_row::Column::Seq.gte(expected_seq))
                .order_by_asc(ledger_row::Column::Seq)
                .limit(LEDGER_PAGE)
                .all(&self.db)
                .await?;
            if page.is_empty() {
                break;
            }
            for entry in page {
                walk.entries += 1;
                if entry.seq != expected_seq {
                    findings.push(Finding::BrokenChain {
                        seq: entry.seq,
                        reason: format!("entry {expected_seq} is missing before it"),
                    });
                } else if entry.prev_hash != prev_hash {
                    findings.push(Finding::BrokenChain {
                        seq: entry.seq,
                        reason: "it does not name the previous entry's hash".into(),
                    });
                }
                if ledger::entry_hash(&entry) != entry.hash {
                    findings.push(Finding::AlteredLedgerEntry { seq: entry.seq });
                }
                let action = ledger::Action::parse(&entry.action);
                // The latest entry about a message or location says whether
                // it should exist now, and (for a message) with which hash.
                let present = action != Some(ledger::Action::Purged);
                walk.messages
                    .insert(entry.message_id, (entry.seq, present, entry.sha256.clone()));
                if let Some(location_id) = entry.location_id {
                    let present = action != Some(ledger::Action::Deleted);
                    walk.locations.insert(location_id, (entry.seq, present));
                }
                if wanted.contains(&entry.seq) {
                    walk.hashes.insert(entry.seq, entry.hash.clone());
                }
                expected_seq = entry.seq + 1;
                prev_hash = entry.hash;
            }
        }
        walk.last = (expected_seq - 1, prev_hash);
        Ok(walk)
    }

    /// The lines of the head file (none without one).
    pub(super) fn written_heads(
        &self,
    ) -> Result<Vec<Result<ledger::WrittenHead, String>>, VerifyError> {
        let Some(file) = &self.heads else {
            return Ok(Vec::new());
        };
        file.read().map_err(|source| VerifyError::HeadFile {
            path: file.path().display().to_string(),
            source,
        })
    }

    /// The head row and every head written to the head file must be in the chain.
    pub(super) async fn check_heads(
        &self,
        walk: &LedgerWalk,
        written: Vec<Result<ledger::WrittenHead, String>>,
        findings: &mut Vec<Finding>,
    ) -> Result<(), VerifyError> {
        let (last_seq, last_hash) = &walk.last;
        if let Some(head) = ledger::head(&self.db).await?
            && (head.seq != *last_seq || head.hash != *last_hash)
        {
            findings.push(Finding::HeadMismatch {
                seq: head.seq,
                source: "the database's ledger_head".into(),
                expected: head.hash,
                found: format!("entry {last_seq} with {last_hash}"),
            });
        }
        let Some(file) = &self.heads else {
            return Ok(());
        };
        let source = file.path().display().to_string();
        for line in written {
            match line {
                Ok(head) => {
                    let found = if head.seq == 0 {
                        Some(ledger::GENESIS)
                    } else {
                        walk.hashes.get(&head.seq).map(String::as_str)
                    };
                    if found != Some(head.hash.as_str()) {
                        findings.push(Finding::HeadMismatch {
                            seq: head.seq,
                            source: format!("{source} (written {})", head.written_at),
                            expected: head.hash,
                            found: found.unwrap_or("no such entry").to_string(),
                        });
                    }
                }
                Err(line) => findings.push(Finding::HeadMismatch {
                    seq: -1,
                    source: source.clone(),
                    expected: "a line `<time> seq=<n> sha256=<hash>`".into(),
                    found: line,
                }),
            }
        }
        Ok(())
    }
}

#[derive(Default)]
pub(super) struct LedgerWalk {
    /// How many entries the walk read.
    pub(super) entries: u64,
    /// Per message: the seq of its latest entry, whether the message should
    /// exist (not purged since), and the hash that entry recorded.
    messages: HashMap<i64, (i64, bool, String)>,
    /// Per location: the seq of its latest entry, whether it should exist.
    locations: HashMap<i64, (i64, bool)>,
    /// The hashes of the entries the head file names, by seq.
    hashes: HashMap<i64, String>,
    /// The last entry's seq and hash (0 and GENESIS for an empty ledger).
    last: (i64, String),
}

impl LedgerWalk {
    /// Rows against what the ledger says should exist: every row recorded, every
    /// recorded (and not deleted) one present with the recorded hash.
    pub(super) fn compare_rows(
        &self,
        messages: &HashMap<i64, String>,
        locations: &HashMap<i64, i64>,
        findings: &mut Vec<Finding>,
    ) {
        for (message_id, sha256) in sorted(messages) {
            match self.messages.get(&message_id) {
                Some((seq, true, recorded)) if recorded != sha256 => {
                    findings.push(Finding::AlteredMessage {
                        message_id,
                        sha256: sha256.clone(),
                        recorded_sha256: recorded.clone(),
                        seq: *seq,
                    });
                }
                Some((_, true, _)) => {}
                // Never recorded, or recorded as deleted yet here.
                _ => findings.push(Finding::UnrecordedMessage {
                    message_id,
                    sha256: sha256.clone(),
                }),
            }
        }
        for (message_id, (seq, present, _)) in sorted(&self.messages) {
            if *present && !messages.contains_key(&message_id) {
                findings.push(Finding::MissingMessage {
                    message_id,
                    seq: *seq,
                });
            }
        }
        for (location_id, message_id) in sorted(locations) {
            if !matches!(self.locations.get(&location_id), Some((_, true))) {
                findings.push(Finding::UnrecordedLocation {
                    location_id,
                    message_id: *message_id,
                });
            }
        }
        for (location_id, (seq, present)) in sorted(&self.locations) {
            if *present && !locations.contains_key(&location_id) {
                findings.push(Finding::MissingLocation {
                    location_id,
                    seq: *seq,
                });
            }
        }
    }
}
