//! Unattended archiving in `tresor serve`: start each enabled mailbox's job
//! when its schedule says so (or when someone asks), never more than
//! `max_jobs` at once and never more jobs against one server than its
//! mailboxes allow (providers throttle, fail2ban bans).
//!
//! Jobs are safe to abort at any point (the engine's crash guarantees), so a
//! stalled job is simply aborted and marked failed, and shutdown aborts what
//! runs. A job still marked running when the scheduler starts was interrupted
//! by a stop or crash and is marked failed with that reason.

use crate::db::entity::{job, mailbox};
use crate::engine::{Engine, JobStatus, Progress, ProgressReceiver, progress};
use crate::mailbox::Schedule;
use chrono::{DateTime, Duration as Span, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect,
};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

/// How often schedules are looked at when nothing else wakes the scheduler.
const TICK: Duration = Duration::from_secs(30);

/// The scheduler's watchdog: a job whose progress has not moved for this long
/// is aborted. Longer than any single network timeout of the engine, which
/// normally reports a stall itself.
pub const DEFAULT_STALL_AFTER: Span = Span::minutes(10);

pub struct Scheduler {
    db: DatabaseConnection,
    engine: Arc<Engine>,
    max_jobs: usize,
    stall_after: Span,
    running: Mutex<HashMap<i64, RunningJob>>,
    /// Mailboxes someone asked to run now.
    requested: Mutex<BTreeSet<i64>>,
    wake: Arc<Notify>,
    /// Sends failure notices after runs, once set (`tresor serve`).
    notifier: std::sync::OnceLock<Arc<crate::notify::Notifier>>,
}

struct RunningJob {
    /// What `max_connections` limits (`server_key`).
    host: String,
    progress: ProgressReceiver,
    task: JoinHandle<()>,
}

/// What became of a request to run a mailbox now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requested {
    /// Queued; it starts as soon as the limits allow.
    Queued,
    AlreadyRunning,
}

impl Scheduler {
    pub fn new(db: DatabaseConnection, engine: Arc<Engine>, max_jobs: usize) -> Arc<Scheduler> {
        Arc::new(Scheduler {
            db,
            engine,
            max_jobs: max_jobs.max(1),
            stall_after: DEFAULT_STALL_AFTER,
            running: Mutex::new(HashMap::new()),
            requested: Mutex::new(BTreeSet::new()),
            wake: Arc::new(Notify::new()),
            notifier: std::sync::OnceLock::new(),
        })
    }

    /// From now on, failing runs notify the administrators by mail.
    pub fn set_notifier(&self, notifier: Arc<crate::notify::Notifier>) {
        let _ = self.notifier.set(notifier);
    }

    /// Marks jobs left `running` by a previous process as failed; returns how many.
    pub async fn fail_interrupted(&self) -> Result<u64, DbErr> {
        self.fail_running_jobs(
            None,
            "interrupted: Tresor stopped while the job ran; the next run continues where it left off",
        )
        .await
    }

    /// Asks for a run of `mailbox_id` as soon as the limits allow.
    pub fn request_run(&self, mailbox_id: i64) -> Requested {
        if self.lock_running().contains_key(&mailbox_id) {
            return Requested::AlreadyRunning;
        }
        self.requested
            .lock()
            .expect("the request set is never poisoned")
            .insert(mailbox_id);
        self.wake.notify_one();
        Requested::Queued
    }

    /// Whether a run of `mailbox_id` was asked for and waits for a free slot.
    pub fn is_queued(&self, mailbox_id: i64) -> bool {
        self.requested
            .lock()
            .expect("the request set is never poisoned")
            .contains(&mailbox_id)
    }

    /// Live progress of every running job, by mailbox id.
    pub fn progress(&self) -> Vec<(i64, Progress)> {
        self.lock_running()
            .iter()
            .map(|(id, job)| (*id, job.progress.borrow().clone()))
            .collect()
    }

    /// Runs until `stop` turns true, then aborts running jobs.
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        match self.fail_interrupted().await {
            Ok(0) => {}
            Ok(count) => tracing::warn!(count, "marked interrupted archive jobs as failed"),
            Err(error) => tracing::error!(%error, "cannot mark interrupted jobs"),
        }
        loop {
            if let Err(error) = self.tick(Utc::now()).await {
                tracing::error!(%error, "the scheduler could not read the schedules");
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(TICK) => {}
                _ = stop.changed() => break,
            }
        }
        let aborted: Vec<i64> = {
            let mut running = self.lock_running();
            running.values().for_each(|job| job.task.abort());
            running.drain().map(|(id, _)| id).collect()
        };
        for mailbox_id in aborted {
            let _ = self
                .fail_running_jobs(
                    Some(mailbox_id),
                    "interrupted: Tresor was shut down while the job ran; the next run continues where it left off",
                )
                .await;
        }
    }

    /// One round: reap finished jobs, abort stalled ones, start due ones
    /// within the limits. Returns the ids of the mailboxes started.
    pub async fn tick(&self, now: DateTime<Utc>) -> Result<Vec<i64>, DbErr> {
        self.reap_and_watch(now).await?;
        let requested = self
            .requested
            .lock()
            .expect("the request set is never poisoned")
            .clone();
        // A paused schedule still runs when started by hand; a deleted
        // mailbox never runs.
        let mailboxes = mailbox::Entity::find()
            .filter(mailbox::Column::DeletedAt.is_null())
            .filter(
                Condition::any()
                    .add(mailbox::Column::Enabled.eq(true))
                    .add(mailbox::Column::Id.is_in(requested.iter().copied())),
            )
            .all(&self.db)
            .await?;
        // A request for a mailbox deleted meanwhile is dropped.
        self.requested
            .lock()
            .expect("the request set is never poisoned")
            .retain(|id| mailboxes.iter().any(|row| row.id == *id));
        let last_started = self.last_started().await?;

        // Requested first, then the longest overdue.
        let mut due: Vec<(bool, DateTime<Utc>, &mailbox::Model)> = mailboxes
            .iter()
            .filter_map(|row| {
                if requested.contains(&row.id) {
                    return Some((false, now, row));
                }
                let schedule = Schedule::parse(row.schedule.as_deref()?).ok()?;
                let next = schedule.next_run(last_started.get(&row.id).copied(), now);
                (next <= now).then_some((true, next, row))
            })
            .collect();
        due.sort_by_key(|(scheduled, next, row)| (*scheduled, *next, row.id));

        let mut started = Vec::new();
        for (_, _, row) in due {
            let mut running = self.lock_running();
            if running.len() >= self.max_jobs {
                break;
            }
            if running.contains_key(&row.id) {
                continue;
            }
            let server = server_key(row);
            let on_host = running.values().filter(|job| job.host == server).count();
            if on_host >= usize::try_from(row.max_connections.max(1)).unwrap_or(1) {
                continue;
            }
            running.insert(row.id, self.start(row));
            drop(running);
            self.requested
                .lock()
                .expect("the request set is never poisoned")
                .remove(&row.id);
            started.push(row.id);
        }
        Ok(started)
    }

    /// Waits until no job runs (for tests and orderly shutdown).
    pub async fn wait_idle(&self) {
        loop {
            let tasks_done = self
                .lock_running()
                .values()
                .all(|job| job.task.is_finished());
            if tasks_done {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn start(&self, row: &mailbox::Model) -> RunningJob {
        let (sender, receiver) = progress::channel(&row.name);
        let engine = self.engine.clone();
        let wake = self.wake.clone();
        let name = row.name.clone();
        let mailbox_id = row.id;
        let notifier = self.notifier.get().cloned();
        let task = tokio::spawn(async move {
            let failure = match engine.archive_mailbox_reporting(mailbox_id, &sender).await {
                Ok(log) if log.status == JobStatus::Succeeded => {
                    tracing::info!(mailbox = %name, archived = log.archived, duplicates = log.duplicates, "scheduled archive job finished");
                    None
                }
                Ok(log) => {
                    tracing::warn!(mailbox = %name, error = log.error.as_deref().unwrap_or(""), "scheduled archive job failed");
                    Some(log.error.unwrap_or_else(|| "the run failed".into()))
                }
                Err(error) => {
                    tracing::error!(mailbox = %name, %error, "archive job could not be recorded");
                    Some(error.to_string())
                }
            };
            if let Some(notifier) = notifier
                && let Err(error) = notifier
                    .job_finished(mailbox_id, &name, failure.as_deref())
                    .await
            {
                tracing::warn!(mailbox = %name, %error, "the failure notice could not be sent");
            }
            // A slot is free: queued jobs need not wait for the next tick.
            wake.notify_one();
        });
        RunningJob {
            host: server_key(row),
            progress: receiver,
            task,
        }
    }

    async fn reap_and_watch(&self, now: DateTime<Utc>) -> Result<(), DbErr> {
        let stalled: Vec<i64> = {
            let mut running = self.lock_running();
            running.retain(|_, job| !job.task.is_finished());
            running
                .iter()
                .filter(|(_, job)| now - job.progress.borrow().updated_at > self.stall_after)
                .map(|(id, _)| *id)
                .collect()
        };
        for mailbox_id in stalled {
            if let Some(job) = self.lock_running().remove(&mailbox_id) {
                job.task.abort();
            }
            let minutes = self.stall_after.num_minutes();
            tracing::warn!(mailbox_id, minutes, "aborting a stalled archive job");
            self.fail_running_jobs(
                Some(mailbox_id),
                &format!("stalled: no progress for {minutes} minutes, so the job was stopped; the next run continues where it left off"),
            )
            .await?;
        }
        Ok(())
    }

    /// When each mailbox's last job started.
    async fn last_started(&self) -> Result<HashMap<i64, DateTime<Utc>>, DbErr> {
        let rows: Vec<(i64, Option<DateTime<Utc>>)> = job::Entity::find()
            .select_only()
            .column(job::Column::MailboxId)
            .column_as(job::Column::StartedAt.max(), "last_started")
            .group_by(job::Column::MailboxId)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, started)| Some((id, started?)))
            .collect())
    }

    async fn fail_running_jobs(&self, mailbox_id: Option<i64>, reason: &str) -> Result<u64, DbErr> {
        let mut update = job::Entity::update_many()
            .col_expr(job::Column::Status, Expr::value(JobStatus::Failed.as_str()))
            .col_expr(job::Column::Error, Expr::value(reason))
            .col_expr(job::Column::FinishedAt, Expr::value(Utc::now()))
            .filter(job::Column::Status.eq(JobStatus::Running.as_str()));
        if let Some(mailbox_id) = mailbox_id {
            update = update.filter(job::Column::MailboxId.eq(mailbox_id));
        }
        Ok(update.exec(&self.db).await?.rows_affected)
    }

    fn lock_running(&self) -> std::sync::MutexGuard<'_, HashMap<i64, RunningJob>> {
        self.running
            .lock()
            .expect("the job table is never poisoned")
    }
}

/// What a mailbox's `max_connections` counts runs against: its IMAP server;
/// for Graph, whose limits are per mailbox (four requests at once), the
/// mailbox's user, not the one service root all Graph mailboxes share.
fn server_key(row: &crate::mailbox::MailboxRow) -> String {
    if row.source == crate::mailbox::Source::Graph.as_str() {
        format!("{} {}", row.host, row.username)
    } else {
        row.host.clone()
    }
}
