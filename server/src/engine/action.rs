//! After-archive actions (Dr.DOC `Archive_Action`): tag, move or delete the
//! messages of a folder on the server once they are durably archived.
//!
//! The engine only ever hands this module messages whose blob and database
//! rows are committed. If a run dies between that commit and the action, the
//! next run finds the messages still waiting (`pending_query`) and applies the
//! action then; it never acts on a message it cannot find in the archive.

use super::window::Window;
use crate::imap::{self, Capabilities, ImapError, ListedFolder, Session, uid_sets};
use crate::mailbox::{Action, MailboxRow};
use chrono::{DateTime, Duration as Days, Utc};
use std::collections::HashSet;
use std::time::Duration;

/// What became of a message in this folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// New to the archive.
    Archived,
    /// The archive held it already (same bytes).
    Duplicate,
    /// Could not be archived (the reason is in the job log).
    Failed,
}

/// A message whose fate is decided and durably recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settled {
    pub uid: u32,
    pub outcome: Outcome,
    pub internal_date: Option<DateTime<Utc>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error(transparent)]
    Imap(#[from] ImapError),
    #[error(transparent)]
    Graph(#[from] crate::graph::GraphError),
    #[error(
        "the server supports neither MOVE nor UIDPLUS; removing messages would need a plain EXPUNGE, which can also remove messages someone else marked as deleted, so the action was not applied"
    )]
    NoSafeExpunge,
    #[error(
        "the server reports no folder separator for {0:?}, so the target folder cannot be created below the base folder"
    )]
    NoDelimiter(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterArchive {
    None,
    /// Set an IMAP keyword: one for new messages, one for duplicates.
    Tag {
        success: String,
        duplicate: String,
    },
    /// Move to `<base>/<source folder>`; base folders are readable names.
    Move {
        success: String,
        duplicate: String,
        error: String,
    },
    /// Delete, optionally only messages older than this many days.
    Delete {
        older_than_days: Option<u32>,
    },
}

impl AfterArchive {
    pub fn from_row(mailbox: &MailboxRow, action: Action) -> AfterArchive {
        match action {
            Action::None => AfterArchive::None,
            Action::Tag => AfterArchive::Tag {
                success: mailbox.success_tag.clone(),
                duplicate: mailbox.duplicate_tag.clone(),
            },
            Action::Move => AfterArchive::Move {
                success: mailbox.success_folder.clone(),
                duplicate: mailbox.duplicate_folder.clone(),
                error: mailbox.error_folder.clone(),
            },
            Action::Delete => AfterArchive::Delete {
                older_than_days: mailbox
                    .delete_older_than_days
                    .and_then(|days| u32::try_from(days).ok()),
            },
        }
    }

    /// Whether the folder must be opened read-write.
    pub fn changes_the_server(&self) -> bool {
        *self != AfterArchive::None
    }

    /// Whether the action needs each message's internal date.
    pub fn needs_dates(&self) -> bool {
        matches!(
            self,
            AfterArchive::Delete {
                older_than_days: Some(_)
            }
        )
    }

    /// The move targets are never archived themselves: that would archive
    /// every message a second time, as a duplicate, and move it again.
    pub fn is_target(&self, folder: &ListedFolder) -> bool {
        self.is_target_path(&folder.path())
    }

    /// `is_target` by the folder's readable path (`Archived/Inbox`).
    pub fn is_target_path(&self, path: &str) -> bool {
        let AfterArchive::Move {
            success,
            duplicate,
            error,
        } = self
        else {
            return false;
        };
        [success, duplicate, error]
            .iter()
            .any(|base| path == **base || path.starts_with(&format!("{base}/")))
    }

    /// An IMAP search for messages in `window` (below the checkpoint: all
    /// archived) that still wait for the action, or `None` if the action leaves nothing to find.
    pub fn pending_query(&self, window: &Window, now: DateTime<Utc>) -> Option<String> {
        let uids = window.set();
        match self {
            AfterArchive::None => None,
            AfterArchive::Tag { success, duplicate } => Some(format!(
                "UID {uids} NOT KEYWORD {success} NOT KEYWORD {duplicate}"
            )),
            AfterArchive::Move { .. } => Some(format!("UID {uids}")),
            AfterArchive::Delete { older_than_days } => Some(match older_than_days {
                Some(days) => format!(
                    "UID {uids} BEFORE {}",
                    (now - Days::days(i64::from(*days))).format("%-d-%b-%Y")
                ),
                None => format!("UID {uids}"),
            }),
        }
    }
}

/// The server state actions need: the session of the selected folder, what
/// it supports, and which folders exist (to create targets only once).
pub struct ActionContext<'a> {
    pub session: &'a mut Session,
    pub capabilities: &'a Capabilities,
    pub existing_folders: &'a mut HashSet<String>,
    pub timeout: Duration,
    pub now: DateTime<Utc>,
}

/// Counts for the job log.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    pub tagged: u64,
    pub moved: u64,
    pub deleted: u64,
}

impl AfterArchive {
    /// Applies the action to `settled` messages of `source` (the selected folder).
    pub async fn apply(
        &self,
        context: &mut ActionContext<'_>,
        source: &ListedFolder,
        settled: &[Settled],
    ) -> Result<Applied, ActionError> {
        let uids_with = |outcome: Outcome| -> Vec<u32> {
            settled
                .iter()
                .filter(|message| message.outcome == outcome)
                .map(|message| message.uid)
                .collect()
        };
        let mut applied = Applied::default();
        match self {
            AfterArchive::None => {}
            AfterArchive::Tag { success, duplicate } => {
                for (outcome, tag) in [
                    (Outcome::Archived, success),
                    (Outcome::Duplicate, duplicate),
                ] {
                    let uids = uids_with(outcome);
                    for set in uid_sets(&uids) {
                        imap::uid_store(
                            context.session,
                            &set,
                            &format!("+FLAGS.SILENT ({tag})"),
                            context.timeout,
                        )
                        .await?;
                    }
                    applied.tagged += uids.len() as u64;
                }
            }
            AfterArchive::Move {
                success,
                duplicate,
                error,
            } => {
                for (outcome, base) in [
                    (Outcome::Archived, success),
                    (Outcome::Duplicate, duplicate),
                    (Outcome::Failed, error),
                ] {
                    let uids = uids_with(outcome);
                    if uids.is_empty() {
                        continue;
                    }
                    let target = target_folder(base, source)?;
                    if !context.existing_folders.contains(&target) {
                        imap::create_folder(context.session, &target, context.timeout).await?;
                        context.existing_folders.insert(target.clone());
                    }
                    move_messages(context, &uids, &target).await?;
                    applied.moved += uids.len() as u64;
                }
            }
            AfterArchive::Delete { older_than_days } => {
                let cutoff = older_than_days.map(|days| context.now - Days::days(i64::from(days)));
                let uids: Vec<u32> = settled
                    .iter()
                    .filter(|message| message.outcome != Outcome::Failed)
                    .filter(|message| match (cutoff, message.internal_date) {
                        (None, _) => true,
                        (Some(cutoff), Some(date)) => date < cutoff,
                        // Without a date the age is unknown: keep it.
                        (Some(_), None) => false,
                    })
                    .map(|message| message.uid)
                    .collect();
                delete_messages(context, &uids).await?;
                applied.deleted += uids.len() as u64;
            }
        }
        Ok(applied)
    }
}

/// `<base><separator><source>` in the server's spelling.
fn target_folder(base: &str, source: &ListedFolder) -> Result<String, ActionError> {
    let delimiter = source
        .delimiter
        .as_deref()
        .filter(|delimiter| !delimiter.is_empty())
        .ok_or_else(|| ActionError::NoDelimiter(source.path()))?;
    Ok(format!(
        "{}{delimiter}{}",
        imap::utf7::encode(base),
        source.name
    ))
}

/// MOVE where offered (RFC 6851); otherwise COPY, flag and expunge exactly
/// these UIDs (UIDPLUS). A copy that succeeds before an interrupted expunge
/// leaves the message in both folders, never in neither.
pub async fn move_messages(
    context: &mut ActionContext<'_>,
    uids: &[u32],
    target: &str,
) -> Result<(), ActionError> {
    let has_move = context.capabilities.has("MOVE");
    if !has_move && !context.capabilities.has("UIDPLUS") {
        return Err(ActionError::NoSafeExpunge);
    }
    for set in uid_sets(uids) {
        if has_move {
            with_timeout(
                context.timeout,
                "moving messages",
                context.session.uid_mv(&set, target),
            )
            .await?;
        } else {
            with_timeout(
                context.timeout,
                "copying messages",
                context.session.uid_copy(&set, target),
            )
            .await?;
            remove(context, &set).await?;
        }
    }
    Ok(())
}

async fn delete_messages(context: &mut ActionContext<'_>, uids: &[u32]) -> Result<(), ActionError> {
    if uids.is_empty() {
        return Ok(());
    }
    if !context.capabilities.has("UIDPLUS") {
        return Err(ActionError::NoSafeExpunge);
    }
    for set in uid_sets(uids) {
        remove(context, &set).await?;
    }
    Ok(())
}

/// Flags exactly these UIDs `\Deleted` and expunges only them (UIDPLUS).
async fn remove(context: &mut ActionContext<'_>, uid_set: &str) -> Result<(), ImapError> {
    imap::uid_store(
        context.session,
        uid_set,
        "+FLAGS.SILENT (\\Deleted)",
        context.timeout,
    )
    .await?;
    imap::uid_expunge(context.session, uid_set, context.timeout).await
}

async fn with_timeout(
    after: Duration,
    step: &'static str,
    command: impl Future<Output = Result<(), async_imap::error::Error>>,
) -> Result<(), ImapError> {
    tokio::time::timeout(after, command)
        .await
        .map_err(|_| ImapError::Timeout { step, after })?
        .map_err(ImapError::Protocol)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str, delimiter: &str) -> ListedFolder {
        ListedFolder {
            name: name.into(),
            delimiter: Some(delimiter.into()),
            attributes: Vec::new(),
            subscribed: true,
        }
    }

    #[test]
    fn targets_sit_below_the_base_in_the_servers_spelling() {
        assert_eq!(
            target_folder("Archiviert", &folder("INBOX", "/")).unwrap(),
            "Archiviert/INBOX"
        );
        assert_eq!(
            target_folder("Gelöscht", &folder("INBOX.Entw&APw-rfe", ".")).unwrap(),
            "Gel&APY-scht.INBOX.Entw&APw-rfe"
        );
    }

    #[test]
    fn move_targets_are_not_archived_again() {
        let action = AfterArchive::Move {
            success: "Archived".into(),
            duplicate: "Duplicates".into(),
            error: "Archive errors".into(),
        };
        assert!(action.is_target(&folder("Archived/INBOX", "/")));
        assert!(action.is_target(&folder("Archive errors", "/")));
        assert!(!action.is_target(&folder("Archived-old", "/")));
        assert!(!action.is_target(&folder("INBOX", "/")));
        assert!(!AfterArchive::None.is_target(&folder("Archived", "/")));
    }

    #[test]
    fn pending_queries_find_only_what_still_waits() {
        let now = DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let tag = AfterArchive::Tag {
            success: "$Archived".into(),
            duplicate: "$Dup".into(),
        };
        let window = |first, last| Window {
            first,
            last: Some(last),
        };
        assert_eq!(
            tag.pending_query(&window(1, 40), now).unwrap(),
            "UID 1:40 NOT KEYWORD $Archived NOT KEYWORD $Dup"
        );
        let delete = AfterArchive::Delete {
            older_than_days: Some(30),
        };
        assert_eq!(
            delete.pending_query(&window(5001, 7000), now).unwrap(),
            "UID 5001:7000 BEFORE 23-Oct-2026"
        );
        assert_eq!(AfterArchive::None.pending_query(&window(1, 7), now), None);
    }
}
