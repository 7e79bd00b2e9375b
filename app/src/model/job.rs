//! Archiving jobs as the browser and the server share them: the job log
//! (MailStore's "Protokoll": per folder what the server has, what was
//! archived, what was a duplicate or failed and why, and the reconciliation
//! of server count against archive count) and the live progress of a run.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    Running,
    Succeeded,
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Failed => "failed",
        }
    }

    /// The status a job summary carries as text (`as_str`); anything else
    /// reads as failed.
    pub fn from_text(text: &str) -> JobStatus {
        match text {
            "running" => JobStatus::Running,
            "succeeded" => JobStatus::Succeeded,
            _ => JobStatus::Failed,
        }
    }

    /// The status as the job history and the mailbox list show it, in `lang`.
    pub fn label(self, lang: crate::i18n::Lang) -> String {
        match self {
            JobStatus::Running => crate::t!(lang, "jobs-status-running"),
            JobStatus::Succeeded => crate::t!(lang, "jobs-status-succeeded"),
            JobStatus::Failed => crate::t!(lang, "jobs-status-failed"),
        }
    }
}

/// One message the log has something to say about: why it failed or was skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageNote {
    pub uid: u32,
    pub reason: String,
}

/// A message found again in a run: the archived message it is a copy of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateNote {
    pub uid: u32,
    /// The archived message (`/m/<id>`) this one is the same as.
    pub message_id: i64,
}

/// At most this many duplicates are listed per folder in a run's log (the
/// count stays exact): a first run over a mailbox whose mail another one
/// archived already finds every message again, and a log is one row.
pub const MAX_LISTED_DUPLICATES: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderLog {
    pub name: String,
    /// Messages in the folder on the server when the run opened it.
    pub server_count: u64,
    /// Messages of this folder in the archive after the run (reconciliation).
    pub archived_total: u64,
    /// New in the archive in this run.
    pub archived: u64,
    /// Already in the archive (same bytes), found again in this run.
    pub duplicates: u64,
    /// Stored as a newer revision of a message with the same Message-ID,
    /// Date and From (`replace` policy); also counted in `archived`.
    #[serde(default)]
    pub revisions: u64,
    /// Left on the server by a filter (too young, too large).
    pub skipped: u64,
    pub failed: u64,
    pub failures: Vec<MessageNote>,
    /// Skipped for good (too large), with the reason; too-young messages
    /// are only counted, a later run archives them.
    #[serde(default)]
    pub skips: Vec<MessageNote>,
    /// The first `MAX_LISTED_DUPLICATES` duplicates, with what they duplicate.
    #[serde(default)]
    pub duplicate_of: Vec<DuplicateNote>,
    /// Converted from a file that is not RFC 5322 (Outlook PST/MSG) without
    /// a part that could not be read (an attachment…), with what is missing.
    #[serde(default)]
    pub incomplete: Vec<MessageNote>,
    /// After-archive action: messages tagged, moved, deleted on the server.
    #[serde(default)]
    pub tagged: u64,
    #[serde(default)]
    pub moved: u64,
    #[serde(default)]
    pub deleted: u64,
    /// Nothing changed on the server since the last run settled the folder
    /// (same HIGHESTMODSEQ), so it was not searched.
    #[serde(default)]
    pub unchanged: bool,
    /// Why the folder could not be finished, if it could not.
    pub error: Option<String>,
}

impl FolderLog {
    pub fn new(name: &str) -> FolderLog {
        FolderLog {
            name: name.to_string(),
            server_count: 0,
            archived_total: 0,
            archived: 0,
            duplicates: 0,
            revisions: 0,
            skipped: 0,
            failed: 0,
            failures: Vec::new(),
            skips: Vec::new(),
            duplicate_of: Vec::new(),
            incomplete: Vec::new(),
            tagged: 0,
            moved: 0,
            deleted: 0,
            unchanged: false,
            error: None,
        }
    }

    pub fn record_failure(&mut self, uid: u32, reason: &str) {
        self.failed += 1;
        self.failures.push(MessageNote {
            uid,
            reason: reason.to_string(),
        });
    }

    /// Notes why a message is skipped for good (the count is kept by the caller).
    pub fn record_skip(&mut self, uid: u32, reason: &str) {
        self.skips.push(MessageNote {
            uid,
            reason: reason.to_string(),
        });
    }

    /// Counts a message found again and lists it (up to `MAX_LISTED_DUPLICATES`).
    pub fn record_duplicate(&mut self, uid: u32, message_id: i64) {
        self.duplicates += 1;
        if self.duplicate_of.len() < MAX_LISTED_DUPLICATES {
            self.duplicate_of.push(DuplicateNote { uid, message_id });
        }
    }

    /// Whether every message on the server is accounted for in the archive.
    pub fn is_reconciled(&self) -> bool {
        self.error.is_none()
            && self.archived_total + self.failed + self.skipped >= self.server_count
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobLog {
    pub mailbox: String,
    pub status: JobStatus,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub archived: u64,
    pub duplicates: u64,
    pub skipped: u64,
    pub failed: u64,
    #[serde(default)]
    pub tagged: u64,
    #[serde(default)]
    pub moved: u64,
    #[serde(default)]
    pub deleted: u64,
    #[serde(default)]
    pub revisions: u64,
    /// How often Microsoft Graph asked the run to wait (429/503) — it did.
    #[serde(default)]
    pub throttled: u64,
    pub folders: Vec<FolderLog>,
}

impl JobLog {
    pub fn new(mailbox: &str, started_at: DateTime<Utc>) -> JobLog {
        JobLog {
            mailbox: mailbox.to_string(),
            status: JobStatus::Running,
            started_at,
            finished_at: None,
            error: None,
            archived: 0,
            duplicates: 0,
            revisions: 0,
            skipped: 0,
            failed: 0,
            tagged: 0,
            moved: 0,
            deleted: 0,
            throttled: 0,
            folders: Vec::new(),
        }
    }

    pub fn add_folder(&mut self, folder: FolderLog) {
        self.archived += folder.archived;
        self.duplicates += folder.duplicates;
        self.revisions += folder.revisions;
        self.skipped += folder.skipped;
        self.failed += folder.failed;
        self.tagged += folder.tagged;
        self.moved += folder.moved;
        self.deleted += folder.deleted;
        self.folders.push(folder);
    }

    pub fn fail(&mut self, error: String) {
        self.error = Some(error);
    }

    /// Failed when the job or any folder could not be finished.
    pub fn finish(&mut self, finished_at: DateTime<Utc>) {
        self.finished_at = Some(finished_at);
        let folder_failed = self.folders.iter().any(|folder| folder.error.is_some());
        if folder_failed && self.error.is_none() {
            self.error = Some("some folders could not be archived; see their errors".into());
        }
        self.status = if self.error.is_some() {
            JobStatus::Failed
        } else {
            JobStatus::Succeeded
        };
    }
}

/// Live progress of a running job: which folder, how far, how fast.
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

/// A mailbox's runs: the one going on, and the history, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailboxRuns {
    pub mailbox: String,
    /// The schedule, if any, and whether it is on (paused when not).
    pub schedule: Option<String>,
    pub enabled: bool,
    pub running: Option<Progress>,
    /// A run was asked for and waits for a free job slot.
    pub queued: bool,
    pub jobs: Vec<JobRecord>,
    /// The caller may run, pause, edit and delete it (owner or admin); a
    /// user it is only granted to reads it.
    pub can_manage: bool,
}

/// One finished or running job with its log (`None` if the log cannot be read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRecord {
    pub summary: super::mailbox::JobSummary,
    pub log: Option<JobLog>,
}

/// What "Run now" did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunRequest {
    /// It starts as soon as the job limits allow.
    Queued,
    /// A run of this mailbox is going on already.
    AlreadyRunning,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_reads_back_from_its_text_and_has_a_word_in_each_language() {
        use crate::i18n::Lang;
        for status in [JobStatus::Running, JobStatus::Succeeded, JobStatus::Failed] {
            assert_eq!(JobStatus::from_text(status.as_str()), status);
        }
        assert_eq!(JobStatus::from_text("cancelled"), JobStatus::Failed);
        assert_eq!(JobStatus::Succeeded.label(Lang::En), "Succeeded");
        assert_eq!(JobStatus::Succeeded.label(Lang::De), "Erfolgreich");
    }

    #[test]
    fn totals_add_up_and_a_folder_error_fails_the_job() {
        let mut log = JobLog::new("alice", Utc::now());
        let mut inbox = FolderLog::new("INBOX");
        inbox.server_count = 3;
        inbox.archived = 2;
        inbox.duplicates = 1;
        inbox.archived_total = 3;
        assert!(inbox.is_reconciled());
        let mut sent = FolderLog::new("Sent");
        sent.server_count = 2;
        sent.record_failure(7, "the server sent no message body");
        sent.archived_total = 0;
        assert!(
            !sent.is_reconciled(),
            "one of two messages is unaccounted for"
        );
        log.add_folder(inbox);
        log.add_folder(sent);
        log.finish(Utc::now());
        assert_eq!((log.archived, log.duplicates, log.failed), (2, 1, 1));
        assert_eq!(
            log.status,
            JobStatus::Succeeded,
            "a failed message is reported, not a failed job"
        );

        let mut broken = JobLog::new("bob", Utc::now());
        let mut folder = FolderLog::new("INBOX");
        folder.error = Some("connection lost".into());
        broken.add_folder(folder);
        broken.finish(Utc::now());
        assert_eq!(broken.status, JobStatus::Failed);
    }
}
