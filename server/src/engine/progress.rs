//! Live progress of a running job, for the UI and the CLI: which folder, how
//! far, how fast. Published through a `watch` channel: readers always see the
//! latest state, and a job never waits for a slow reader.

use super::action::{Outcome, Settled};
pub use app::model::job::Progress;
use chrono::Utc;
use tokio::sync::watch;

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

/// Counts a committed batch (`bytes` of raw mail) into the folder's progress.
pub fn count_committed(sender: &ProgressSender, committed: &[Settled], bytes: u64) {
    let duplicates = committed
        .iter()
        .filter(|message| message.outcome == Outcome::Duplicate)
        .count() as u64;
    let total = committed.len() as u64;
    update(sender, |progress| {
        progress.folder_done += total;
        progress.archived += total - duplicates;
        progress.duplicates += duplicates;
        progress.bytes += bytes;
    });
}
