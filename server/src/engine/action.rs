//! After-archive actions (Dr.DOC `Archive_Action`): tag, move or delete the
//! messages of a folder on the server once they are durably archived.
//!
//! Which message gets what is decided once (`AfterArchive::apply`); a
//! `ServerFolder` (IMAP's here, Graph's in `graph`) carries it out.
//! The engine only ever hands this module messages whose blob and database
//! rows are committed. If a run dies between that commit and the action, the
//! next run finds the messages still waiting (`pending_query`) and applies the
//! action then; it never acts on a message it cannot find in the archive.

use super::log::FolderLog;
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
    #[error(transparent)]
    Pop3(#[from] crate::pop3::Pop3Error),
    #[error("POP3 has no folders or keywords: only deleting is possible after archiving")]
    NoFoldersOnPop3,
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

/// A folder on a source's server as the after-archive action changes it,
/// its messages named by UID: IMAP's (`ImapFolder`) and Graph's. It is only
/// ever handed settled messages — committed by the pipeline, or found in
/// the folder's locations — so nothing changes on a server before it is
/// durably archived.
pub(crate) trait ServerFolder {
    /// When the run started: `Delete`'s age counts back from it.
    fn now(&self) -> DateTime<Utc>;
    /// Marks the messages with `tag`; returns how many were marked.
    async fn tag(&mut self, uids: &[u32], tag: &str) -> Result<u64, ActionError>;
    /// Moves the messages to `<base>/<this folder>`, made if need be;
    /// returns how many were moved.
    async fn move_to(&mut self, uids: &[u32], base: &str) -> Result<u64, ActionError>;
    /// Deletes the messages; returns how many were deleted.
    async fn delete(&mut self, uids: &[u32]) -> Result<u64, ActionError>;
}

/// Counts for the job log.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    pub tagged: u64,
    pub moved: u64,
    pub deleted: u64,
    /// Archived, but too young to delete yet: a later run deletes them.
    pub too_young: u64,
}

impl Applied {
    /// Counts what was done into the folder's job log.
    pub fn add_to(&self, log: &mut FolderLog) {
        log.tagged += self.tagged;
        log.moved += self.moved;
        log.deleted += self.deleted;
    }
}

impl AfterArchive {
    /// Applies the action to `settled` messages of `folder`: which message
    /// gets what is decided here, for every kind of server.
    pub(crate) async fn apply(
        &self,
        folder: &mut impl ServerFolder,
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
                    applied.tagged += folder.tag(&uids_with(outcome), tag).await?;
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
                    if !uids.is_empty() {
                        applied.moved += folder.move_to(&uids, base).await?;
                    }
                }
            }
            AfterArchive::Delete { older_than_days } => {
                let cutoff = older_than_days.map(|days| folder.now() - Days::days(i64::from(days)));
                let (due, too_young): (Vec<&Settled>, Vec<&Settled>) = settled
                    .iter()
                    .filter(|message| message.outcome != Outcome::Failed)
                    .partition(|message| match (cutoff, message.internal_date) {
                        (None, _) => true,
                        (Some(cutoff), Some(date)) => date < cutoff,
                        // Without a date the age is unknown: keep it.
                        (Some(_), None) => false,
                    });
                let due: Vec<u32> = due.iter().map(|message| message.uid).collect();
                applied.deleted += folder.delete(&due).await?;
                applied.too_young += too_young.len() as u64;
            }
        }
        Ok(applied)
    }
}

/// An IMAP folder, selected in its session.
pub struct ImapFolder<'a> {
    pub context: ActionContext<'a>,
    pub source: &'a ListedFolder,
}

impl ServerFolder for ImapFolder<'_> {
    fn now(&self) -> DateTime<Utc> {
        self.context.now
    }

    async fn tag(&mut self, uids: &[u32], tag: &str) -> Result<u64, ActionError> {
        for set in uid_sets(uids) {
            imap::uid_store(
                self.context.session,
                &set,
                &format!("+FLAGS.SILENT ({tag})"),
                self.context.timeout,
            )
            .await?;
        }
        Ok(uids.len() as u64)
    }

    async fn move_to(&mut self, uids: &[u32], base: &str) -> Result<u64, ActionError> {
        let context = &mut self.context;
        let target = target_folder(base, self.source)?;
        if !context.existing_folders.contains(&target) {
            imap::create_folder(context.session, &target, context.timeout).await?;
            context.existing_folders.insert(target.clone());
        }
        move_messages(context, uids, &target).await?;
        Ok(uids.len() as u64)
    }

    async fn delete(&mut self, uids: &[u32]) -> Result<u64, ActionError> {
        delete_messages(&mut self.context, uids).await?;
        Ok(uids.len() as u64)
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

    /// A server that notes what it is asked to do.
    #[derive(Default)]
    struct Notes(Vec<(&'static str, String, Vec<u32>)>);

    impl ServerFolder for Notes {
        fn now(&self) -> DateTime<Utc> {
            DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z")
                .unwrap()
                .with_timezone(&Utc)
        }

        async fn tag(&mut self, uids: &[u32], tag: &str) -> Result<u64, ActionError> {
            self.0.push(("tag", tag.into(), uids.to_vec()));
            Ok(uids.len() as u64)
        }

        async fn move_to(&mut self, uids: &[u32], base: &str) -> Result<u64, ActionError> {
            self.0.push(("move", base.into(), uids.to_vec()));
            Ok(uids.len() as u64)
        }

        async fn delete(&mut self, uids: &[u32]) -> Result<u64, ActionError> {
            self.0.push(("delete", String::new(), uids.to_vec()));
            Ok(uids.len() as u64)
        }
    }

    #[tokio::test]
    async fn the_action_decides_which_message_gets_what_for_every_server() {
        let now = Notes::default().now();
        let settled = |uid, outcome, days_old: Option<i64>| Settled {
            uid,
            outcome,
            internal_date: days_old.map(|days| now - Days::days(days)),
        };
        let messages = [
            settled(1, Outcome::Archived, Some(40)),
            settled(2, Outcome::Duplicate, Some(40)),
            settled(3, Outcome::Failed, Some(40)),
            settled(4, Outcome::Archived, Some(2)),
            settled(5, Outcome::Archived, None),
        ];
        let run = |action: AfterArchive| async move {
            let mut notes = Notes::default();
            let applied = action.apply(&mut notes, &messages).await.unwrap();
            (notes.0, applied)
        };
        let text = |kind, name: &str, uids: &[u32]| (kind, name.to_string(), uids.to_vec());

        let (calls, applied) = run(AfterArchive::Tag {
            success: "$A".into(),
            duplicate: "$D".into(),
        })
        .await;
        assert_eq!(
            calls,
            [text("tag", "$A", &[1, 4, 5]), text("tag", "$D", &[2])]
        );
        assert_eq!(applied.tagged, 4);

        let (calls, applied) = run(AfterArchive::Move {
            success: "Archived".into(),
            duplicate: "Duplicates".into(),
            error: "Errors".into(),
        })
        .await;
        assert_eq!(
            calls,
            [
                text("move", "Archived", &[1, 4, 5]),
                text("move", "Duplicates", &[2]),
                text("move", "Errors", &[3]),
            ]
        );
        assert_eq!(applied.moved, 5);

        // Failed messages are never deleted; young and undated ones wait.
        let (calls, applied) = run(AfterArchive::Delete {
            older_than_days: Some(30),
        })
        .await;
        assert_eq!(calls, [text("delete", "", &[1, 2])]);
        assert_eq!((applied.deleted, applied.too_young), (2, 2));
        let (calls, _) = run(AfterArchive::Delete {
            older_than_days: None,
        })
        .await;
        assert_eq!(calls, [text("delete", "", &[1, 2, 4, 5])]);
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
