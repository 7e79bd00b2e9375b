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
//!
//! Here: `Verifier` (a run, and recording it in `verifications`), the last
//! results for the dashboard, and `tresor serve`'s daily routine. `chain`
//! checks the ledger and the rows against it, `blobs` the blob store,
//! `finding` is what either reports.

mod blobs;
mod chain;
mod finding;

pub use finding::Finding;

use super::BlobStore;
use super::ledger::{self, Head, HeadFile};
use crate::db::entity::{message, message_location, verification};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

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
    /// A check of this process is going on: the daily one and "verify now"
    /// never run side by side (each re-reads every blob).
    busy: Arc<AtomicBool>,
}

/// Holds the verifier busy while alive.
struct Busy(Arc<AtomicBool>);

impl Busy {
    fn claim(flag: &Arc<AtomicBool>) -> Option<Busy> {
        (!flag.swap(true, Ordering::AcqRel)).then(|| Busy(flag.clone()))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl Verifier {
    pub fn new(db: DatabaseConnection, store: Arc<BlobStore>, heads: Option<HeadFile>) -> Self {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        Verifier {
            db,
            store,
            heads,
            threads,
            busy: Arc::new(AtomicBool::new(false)),
        }
    }

    /// "Verify now": starts a check in the background unless this process
    /// has one going on; whether it started. The check records itself like
    /// the daily one (`verify_and_record`).
    pub fn start(self: &Arc<Self>) -> bool {
        let Some(busy) = Busy::claim(&self.busy) else {
            return false;
        };
        let verifier = self.clone();
        tokio::spawn(async move {
            let _busy = busy;
            match verifier.verify_and_record().await {
                Ok(report) if report.is_clean() => tracing::info!("the archive verified clean"),
                Ok(report) => tracing::error!(
                    findings = report.findings.len(),
                    "the archive did NOT verify clean; run `tresor verify` for the full list"
                ),
                Err(error) => tracing::error!(%error, "the verification could not finish"),
            }
        });
        true
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
        walk.compare_rows(&messages, &locations, &mut findings);

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
        // A check started by hand is going on: it counts as today's.
        let Some(_busy) = Busy::claim(&self.busy) else {
            return Ok(());
        };
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
