//! `tresor verify`: is the archive exactly what was archived?
//!
//! Three sources of truth are checked against each other: the blobs (each
//! re-hashed against its address), the database rows (each message must have
//! its blob, each blob a message) and the ledger (each entry must hash to what
//! it says, follow its predecessor, and agree with the rows it recorded; every
//! row must have been recorded). Heads written to the head file must still be
//! in the chain, which catches a ledger rewritten wholesale.
//!
//! Findings name the object (message id, location id, ledger seq, SHA-256) so
//! an administrator can look at exactly that; a clean run has none.

use super::ledger::{self, Head, HeadFile};
use super::{BlobStore, Check, Digest};
use crate::db::entity::{ledger as ledger_row, message, message_location, verification};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Ledger entries read per query.
const LEDGER_PAGE: u64 = 10_000;
/// Findings kept in the stored report (the count is always complete).
const STORED_FINDINGS: usize = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error(transparent)]
    Store(#[from] super::StoreError),
    #[error("cannot read the head file {path}: {source}")]
    HeadFile {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the blob check stopped: {0}")]
    Join(String),
}

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

/// What a verification found, with what it covered.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub blobs: u64,
    /// Raw (uncompressed) bytes re-hashed.
    pub bytes: u64,
    pub messages: u64,
    pub locations: u64,
    pub ledger_entries: u64,
    pub head: Option<Head>,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

pub struct Verifier {
    db: DatabaseConnection,
    store: Arc<BlobStore>,
    heads: Option<HeadFile>,
    threads: usize,
}

impl Verifier {
    pub fn new(db: DatabaseConnection, store: Arc<BlobStore>, heads: Option<HeadFile>) -> Self {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        Verifier {
            db,
            store,
            heads,
            threads,
        }
    }

    /// Checks everything; findings are in the report, not errors. An error
    /// means the check could not be completed.
    pub async fn verify(&self) -> Result<Report, VerifyError> {
        let started_at = Utc::now();
        let mut findings = Vec::new();

        let messages: HashMap<i64, String> = message::Entity::find()
            .select_only()
            .columns([message::Column::Id, message::Column::Sha256])
            .into_tuple::<(i64, String)>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        let locations: HashMap<i64, i64> = message_location::Entity::find()
            .select_only()
            .columns([
                message_location::Column::Id,
                message_location::Column::MessageId,
            ])
            .into_tuple::<(i64, i64)>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();

        let written_heads = self.written_heads()?;
        let wanted: HashSet<i64> = written_heads
            .iter()
            .flatten()
            .map(|head| head.seq)
            .collect();
        let walk = self.walk_ledger(&wanted, &mut findings).await?;
        self.check_heads(&walk, written_heads, &mut findings)
            .await?;
        compare_rows(&walk, &messages, &locations, &mut findings);

        let (blobs, bytes) = self.check_blobs(&messages, &mut findings).await?;
        Ok(Report {
            started_at,
            finished_at: Utc::now(),
            blobs,
            bytes,
            messages: messages.len() as u64,
            locations: locations.len() as u64,
            ledger_entries: walk.entries,
            head: ledger::head(&self.db).await?,
            findings,
        })
    }

    /// Walks the chain in order: each entry must hash to its hash, name the
    /// previous hash and follow its sequence number. What the entries say
    /// about messages and locations is gathered for `compare_rows`.
    async fn walk_ledger(
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
    fn written_heads(&self) -> Result<Vec<Result<ledger::WrittenHead, String>>, VerifyError> {
        let Some(file) = &self.heads else {
            return Ok(Vec::new());
        };
        file.read().map_err(|source| VerifyError::HeadFile {
            path: file.path().display().to_string(),
            source,
        })
    }

    /// The head row and every head written to the head file must be in the chain.
    async fn check_heads(
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

    /// Re-hashes every blob on all cores; compares the store with the rows.
    async fn check_blobs(
        &self,
        messages: &HashMap<i64, String>,
        findings: &mut Vec<Finding>,
    ) -> Result<(u64, u64), VerifyError> {
        let store = self.store.clone();
        let threads = self.threads;
        let (listing, checks) = tokio::task::spawn_blocking(move || {
            let listing = store.list()?;
            let checks = check_all(&store, &listing.digests, threads);
            Ok::<_, super::StoreError>((listing, checks))
        })
        .await
        .map_err(|error| VerifyError::Join(error.to_string()))??;

        let mut by_hash: HashMap<&str, Vec<i64>> = HashMap::new();
        for (id, sha256) in messages {
            by_hash.entry(sha256.as_str()).or_default().push(*id);
        }
        let mut bytes = 0u64;
        let mut present = HashSet::with_capacity(listing.digests.len());
        for (digest, check) in listing.digests.iter().zip(checks) {
            let sha256 = digest.to_string();
            let mut message_ids = by_hash.get(sha256.as_str()).cloned().unwrap_or_default();
            message_ids.sort_unstable();
            match check {
                Ok(Check::Intact { raw_len }) => bytes += raw_len,
                // Listed a moment ago, gone now: reported below as missing.
                Ok(Check::Missing) => continue,
                Ok(Check::Damaged { reason }) => findings.push(Finding::AlteredBlob {
                    sha256: sha256.clone(),
                    message_ids: message_ids.clone(),
                    reason,
                }),
                Err(error) => findings.push(Finding::AlteredBlob {
                    sha256: sha256.clone(),
                    message_ids: message_ids.clone(),
                    reason: error.to_string(),
                }),
            }
            if message_ids.is_empty() {
                findings.push(Finding::ExtraBlob {
                    sha256: sha256.clone(),
                });
            }
            present.insert(sha256);
        }
        for (message_id, sha256) in sorted(messages) {
            if !present.contains(sha256) {
                findings.push(Finding::MissingBlob {
                    message_id,
                    sha256: sha256.clone(),
                });
            }
        }
        for path in listing.strays {
            findings.push(Finding::StrayFile {
                path: path.display().to_string(),
            });
        }
        Ok((present.len() as u64, bytes))
    }

    /// Runs `verify` and records the result in `verifications`, where the
    /// dashboard finds the last one and the last clean one.
    pub async fn verify_and_record(&self) -> Result<Report, VerifyError> {
        let running = verification::ActiveModel {
            started_at: Set(Utc::now()),
            status: Set("running".into()),
            blobs: Set(0),
            bytes: Set(0),
            ledger_entries: Set(0),
            finding_count: Set(0),
            report: Set("{}".into()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        let result = self.verify().await;
        let mut row: verification::ActiveModel = running.into();
        row.finished_at = Set(Some(Utc::now()));
        match &result {
            Ok(report) => {
                let mut stored = report.clone();
                stored.findings.truncate(STORED_FINDINGS);
                row.status = Set(if report.is_clean() {
                    "clean"
                } else {
                    "findings"
                }
                .into());
                row.blobs = Set(report.blobs as i64);
                row.bytes = Set(report.bytes as i64);
                row.ledger_entries = Set(report.ledger_entries as i64);
                row.finding_count = Set(report.findings.len() as i64);
                row.report = Set(serde_json::to_string(&stored).expect("reports serialise"));
            }
            Err(error) => {
                row.status = Set("failed".into());
                row.report = Set(serde_json::json!({ "error": error.to_string() }).to_string());
            }
        }
        row.update(&self.db).await?;
        result
    }
}

#[derive(Default)]
struct LedgerWalk {
    entries: u64,
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

/// Rows against what the ledger says should exist: every row recorded, every
/// recorded (and not deleted) one present with the recorded hash.
fn compare_rows(
    walk: &LedgerWalk,
    messages: &HashMap<i64, String>,
    locations: &HashMap<i64, i64>,
    findings: &mut Vec<Finding>,
) {
    for (message_id, sha256) in sorted(messages) {
        match walk.messages.get(&message_id) {
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
    for (message_id, (seq, present, _)) in sorted(&walk.messages) {
        if *present && !messages.contains_key(&message_id) {
            findings.push(Finding::MissingMessage {
                message_id,
                seq: *seq,
            });
        }
    }
    for (location_id, message_id) in sorted(locations) {
        if !matches!(walk.locations.get(&location_id), Some((_, true))) {
            findings.push(Finding::UnrecordedLocation {
                location_id,
                message_id: *message_id,
            });
        }
    }
    for (location_id, (seq, present)) in sorted(&walk.locations) {
        if *present && !locations.contains_key(&location_id) {
            findings.push(Finding::MissingLocation {
                location_id,
                seq: *seq,
            });
        }
    }
}

/// Checks blobs on `threads` threads, each taking the next unchecked one;
/// results in the order of `digests`.
fn check_all(
    store: &BlobStore,
    digests: &[Digest],
    threads: usize,
) -> Vec<Result<Check, super::StoreError>> {
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<Result<Check, super::StoreError>>> =
        (0..digests.len()).map(|_| None).collect();
    let parts: Vec<Vec<(usize, Result<Check, super::StoreError>)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(digest) = digests.get(index) else {
                            return done;
                        };
                        done.push((index, store.check(digest)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("a blob check never panics"))
            .collect()
    });
    for (index, result) in parts.into_iter().flatten() {
        results[index] = Some(result);
    }
    results
        .into_iter()
        .map(|result| result.expect("every blob was checked"))
        .collect()
}

fn sorted<K: Copy + Ord, V>(map: &HashMap<K, V>) -> Vec<(K, &V)> {
    let mut entries: Vec<(K, &V)> = map.iter().map(|(key, value)| (*key, value)).collect();
    entries.sort_unstable_by_key(|(key, _)| *key);
    entries
}

/// The last verification, and when the archive last verified clean.
pub async fn history(
    db: &DatabaseConnection,
) -> Result<(Option<verification::Model>, Option<DateTime<Utc>>), DbErr> {
    let last = verification::Entity::find()
        .order_by_desc(verification::Column::Id)
        .one(db)
        .await?;
    let last_clean = verification::Entity::find()
        .filter(verification::Column::Status.eq("clean"))
        .order_by_desc(verification::Column::Id)
        .one(db)
        .await?
        .and_then(|row| row.finished_at);
    Ok((last, last_clean))
}

/// `tresor serve`'s integrity routine: writes the ledger head to the head
/// file once a day, and verifies the archive when the last verification
/// (by this routine or by `tresor verify`) started more than `every` ago.
/// Looks every ten minutes, so a restart neither skips nor repeats a day.
pub async fn run_schedule(
    verifier: Arc<Verifier>,
    every: Option<std::time::Duration>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    const LOOK_EVERY: std::time::Duration = std::time::Duration::from_secs(600);
    // A check the last shutdown cut short is not "running" any more.
    let interrupted = verification::Entity::update_many()
        .col_expr(verification::Column::Status, Expr::value("failed"))
        .col_expr(
            verification::Column::Report,
            Expr::value(r#"{"error":"interrupted by a shutdown"}"#),
        )
        .filter(verification::Column::Status.eq("running"))
        .exec(&verifier.db)
        .await;
    if let Err(error) = interrupted {
        tracing::warn!(%error, "could not close interrupted verifications");
    }
    loop {
        tokio::select! {
            result = verifier.daily_round(every) => if let Err(error) = result {
                tracing::error!(%error, "the integrity routine failed; trying again in ten minutes");
            },
            _ = stop.changed() => return,
        }
        tokio::select! {
            _ = tokio::time::sleep(LOOK_EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}

impl Verifier {
    async fn daily_round(&self, every: Option<std::time::Duration>) -> Result<(), VerifyError> {
        let now = Utc::now();
        if let (Some(file), Some(head)) = (&self.heads, ledger::head(&self.db).await?) {
            let written = file
                .write_daily(&head, now)
                .map_err(|source| VerifyError::HeadFile {
                    path: file.path().display().to_string(),
                    source,
                })?;
            if written {
                tracing::info!(seq = head.seq, hash = %head.hash, file = %file.path().display(), "wrote today's ledger head");
            }
        }
        let Some(every) = every else {
            return Ok(());
        };
        let (last, _) = history(&self.db).await?;
        let due = last.is_none_or(|last| {
            (now - last.started_at)
                .to_std()
                .is_ok_and(|age| age >= every)
        });
        if !due {
            return Ok(());
        }
        tracing::info!("verifying the archive");
        let report = self.verify_and_record().await?;
        if report.is_clean() {
            tracing::info!(
                blobs = report.blobs,
                ledger_entries = report.ledger_entries,
                "the archive verified clean"
            );
        } else {
            for finding in report.findings.iter().take(20) {
                tracing::error!(%finding, "verification finding");
            }
            tracing::error!(
                findings = report.findings.len(),
                "the archive did NOT verify clean; run `tresor verify` for the full list"
            );
        }
        Ok(())
    }
}
