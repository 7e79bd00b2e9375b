//! Live progress of a running job, for the UI and the CLI: which folder, how
//! far, how fast. Published through a `watch` channel: readers always see the
//! latest state, and a job never waits for a slow reader.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub mailbox: String,
    /// The folder being archived; `None` while connecting or listing.
    pub folder: Option<String>,
    pub folders_done: usize,
    pub folders_total: usize,
    /// Messages of the current folder stored so far, and to store in this run.
    pub folder_done: u64,
    pub folder_total: u64,
    /// For the whole job so far.
    pub archived: u64,
    pub duplicates: u64,
    pub bytes: u64,
    pub started_at: DateTime<Utc>,
    /// When anything last moved; a job whose progress stands still is stalled.
    pub updated_at: DateTime<Utc>,
}

impl Progress {
    pub fn new(mailbox: &str) -> Progress {
        let now = Utc::now();
        Progress {
            mailbox: mailbox.to_string(),
            folder: None,
            folders_done: 0,
            folders_total: 0,
            folder_done: 0,
            folder_total: 0,
            archived: 0,
            duplicates: 0,
            bytes: 0,
            started_at: now,
            updated_at: now,
        }
    }

    /// Messages per second over the job so far.
    pub fn rate(&self) -> f64 {
        let seconds = (self.updated_at - self.started_at).num_milliseconds() as f64 / 1000.0;
        if seconds <= 0.0 {
            return 0.0;
        }
        (self.archived + self.duplicates) as f64 / seconds
    }
}

pub type ProgressSender = watch::Sender<Progress>;
pub type ProgressReceiver = watch::Receiver<Progress>;

/// A channel for one job.
pub fn channel(mailbox: &str) -> (ProgressSender, ProgressReceiver) {
    watch::channel(Progress::new(mailbox))
}

/// Changes the progress and stamps the time.
pub fn update(sender: &ProgressSender, change: impl FnOnce(&mut Progress)) {
    sender.send_modify(|progress| {
        change(progress);
        progress.updated_at = Utc::now();
    });
}
