//! Archiving one folder: settle what a previous run left, decide what is new,
//! fetch and store it in chunks, and apply the after-archive action to each
//! chunk once it is committed.
//!
//! The checkpoint (`last_uid`) means "every UID up to here is settled":
//! archived, a duplicate, or skipped for good. A message that is only too young
//! for now, or that failed, holds the checkpoint below it, so a later run
//! looks at it again; messages above it that are archived already are
//! recognised by their location rows and not fetched twice.

use super::action::{ActionContext, AfterArchive, Outcome, Settled};
use super::batch::{self, Batch, FetchedMessage, store_blob};
use super::progress::{self, ProgressSender};
use super::settings::{Settings, Skip};
use super::window::{UidWindows, Window};
use super::{EngineError, FolderLog, STALL_TIMEOUT, STORE_TASKS_IN_FLIGHT};
use crate::db::entity::{folder_checkpoint, message_location};
use crate::imap::{self, Capabilities, ImapError, ListedFolder, Session, uid_sets};
use crate::mailbox::MailboxRow;
use crate::store::BlobStore;
use chrono::{DateTime, Utc};
use futures::stream::FuturesOrdered;
use futures::{StreamExt, TryStreamExt};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

/// Messages per database transaction: large enough to amortise the commit,
/// small enough that memory stays bounded (batch bytes are capped too).
pub(super) const BATCH_MESSAGES: usize = 200;
pub(super) const BATCH_BYTES: usize = 64 * 1024 * 1024;
/// Messages fetched per `UID FETCH`; the after-archive action runs between
/// chunks, so a long first run already moves or tags as it goes.
pub(super) const FETCH_CHUNK: usize = 1000;
/// UIDs per database lookup of existing locations.
pub(super) const LOOKUP_CHUNK: usize = 500;

/// What the run needs besides the folder itself.
pub struct FolderContext<'a> {
    pub db: &'a DatabaseConnection,
    pub store: &'a Arc<BlobStore>,
    pub mailbox: &'a MailboxRow,
    pub settings: &'a Settings,
    pub session: &'a mut Session,
    pub capabilities: &'a Capabilities,
    pub existing_folders: &'a mut HashSet<String>,
    pub timeout: Duration,
    pub now: DateTime<Utc>,
    pub progress: &'a ProgressSender,
}

/// A message above the checkpoint, before its body is fetched.
struct Candidate {
    uid: u32,
    internal_date: Option<DateTime<Utc>>,
    size: Option<u64>,
}

pub async fn archive_folder(context: &mut FolderContext<'_>, folder: &ListedFolder) -> FolderLog {
    let mut log = FolderLog::new(&folder.path());
    if let Err(error) = sync(context, folder, &mut log).await {
        log.error = Some(error.to_string());
    }
    log
}

async fn sync(
    context: &mut FolderContext<'_>,
    folder: &ListedFolder,
    log: &mut FolderLog,
) -> Result<(), EngineError> {
    let action = &context.settings.action;
    let timeout = context.timeout;
    // A body above the maximum message size ends the connection before it
    // is read (a server may state a smaller size than it sends).
    imap::limit_literals(context.session, context.settings.filter.max_message_size);
    // Read-only unless the action changes the server: EXAMINE cannot alter a flag.
    let opened = if action.changes_the_server() {
        tokio::time::timeout(timeout, context.session.select(&folder.name)).await
    } else {
        tokio::time::timeout(timeout, context.session.examine(&folder.name)).await
    };
    let status = opened
        .map_err(|_| ImapError::Timeout {
            step: "opening a folder",
            after: timeout,
        })?
        .map_err(ImapError::Protocol)?;
    log.server_count = u64::from(status.exists);
    let uid_validity = i64::from(status.uid_validity.unwrap_or(0));
    // CONDSTORE (RFC 7162): every change to a folder raises HIGHESTMODSEQ.
    let modseq = status
        .highest_modseq
        .and_then(|modseq| i64::try_from(modseq).ok());
    let (last_uid, unchanged) = match checkpoint(context, folder).await? {
        Some(saved) if saved.uid_validity == uid_validity => (
            u32::try_from(saved.last_uid).unwrap_or(0),
            modseq.is_some() && saved.highest_modseq == modseq,
        ),
        Some(_) => {
            tracing::info!(mailbox = %context.mailbox.name, folder = %folder.path(), "UIDVALIDITY changed: rescanning the folder");
            (0, false)
        }
        None => (0, false),
    };
    let mut run = Run {
        folder,
        uid_validity,
        hold: None,
    };

    // The last run settled everything and nothing changed since: no new
    // message, no action left over. Skip the searches.
    if unchanged {
        log.unchanged = true;
    } else if status.exists > 0 {
        progress::update(context.progress, |progress| {
            progress.folder = Some(folder.path());
            progress.folder_done = 0;
            progress.folder_total = u64::from(status.exists);
        });
        let already = run.archived_count(context).await?;
        progress::update(context.progress, |progress| progress.folder_done = already);

        // 1. Actions a previous run committed but did not get to apply.
        if last_uid > 0 {
            for window in UidWindows::new(1, last_uid, false) {
                let Some(query) = action.pending_query(&window, context.now) else {
                    break;
                };
                let waiting = imap::uid_search(context.session, &query, timeout).await?;
                let settled = run.already_archived(context, &waiting).await?;
                apply(context, &run, &settled, log).await?;
            }
        }

        // 2. What is new, window by window: list, sort out, fetch, store,
        // commit and act. The checkpoint moves with every committed batch
        // and at the end of every window.
        let highest_known = status
            .uid_next
            .map_or(last_uid, |next| next.saturating_sub(1));
        let mut windows = UidWindows::new(last_uid.saturating_add(1), highest_known, true);
        let mut through = last_uid;
        while let Some(window) = windows.next() {
            let candidates = candidates(context, &window).await?;
            windows.found(candidates.len());
            let to_fetch = run.sort_out(context, &candidates, log).await?;
            for chunk in to_fetch.chunks(FETCH_CHUNK) {
                let settled = run.fetch_and_store(context, chunk, &to_fetch, log).await?;
                apply(context, &run, &settled, log).await?;
            }
            // Skipped or known messages after the last fetched one settle
            // the window's tail too (an open window ends at its highest).
            let end = window
                .last
                .or(candidates.last().map(|candidate| candidate.uid));
            if let Some(end) = end {
                through = through.max(run.settled_through(end, &to_fetch));
                run.save_checkpoint(context, through, None).await?;
            }
        }

        // When nothing is held back, the folder is settled as of `modseq`,
        // which lets the next run skip it if nothing changes.
        // Time-based work (delete when old enough) can be due without any change.
        let settled_modseq = if run.hold.is_none() && !action.needs_dates() {
            modseq
        } else {
            None
        };
        run.save_checkpoint(context, through, settled_modseq)
            .await?;
    } else {
        run.save_checkpoint(context, last_uid, modseq).await?;
    }

    log.archived_total = run.archived_count(context).await?;
    Ok(())
}

async fn checkpoint(
    context: &FolderContext<'_>,
    folder: &ListedFolder,
) -> Result<Option<folder_checkpoint::Model>, EngineError> {
    Ok(folder_checkpoint::Entity::find()
        .filter(folder_checkpoint::Column::MailboxId.eq(context.mailbox.id))
        .filter(folder_checkpoint::Column::Folder.eq(folder.name.as_str()))
        .one(context.db)
        .await?)
}

/// The UIDs in `window` with their date and size (a cheap FETCH without
/// bodies): the size always, as there is always a maximum message size, so
/// a message above it is skipped and listed before its body is asked for.
async fn candidates(
    context: &mut FolderContext<'_>,
    window: &Window,
) -> Result<Vec<Candidate>, EngineError> {
    let range = window.set();
    let timeout = context.timeout;
    // `n:*` always includes the highest message, even when its UID is below n.
    let mut candidates: Vec<Candidate> = tokio::time::timeout(timeout, async {
        context
            .session
            .uid_fetch(&range, "(UID INTERNALDATE RFC822.SIZE)")
            .await?
            .try_filter_map(|fetch| {
                futures::future::ready(Ok(fetch.uid.map(|uid| Candidate {
                    uid,
                    internal_date: fetch.internal_date().map(|date| date.with_timezone(&Utc)),
                    size: fetch.size.map(u64::from),
                })))
            })
            .try_collect()
            .await
    })
    .await
    .map_err(|_| ImapError::Timeout {
        step: "listing new messages",
        after: timeout,
    })?
    .map_err(ImapError::Protocol)?;
    candidates.retain(|candidate| window.contains(candidate.uid));
    candidates.sort_by_key(|candidate| candidate.uid);
    Ok(candidates)
}

async fn apply(
    context: &mut FolderContext<'_>,
    run: &Run<'_>,
    settled: &[Settled],
    log: &mut FolderLog,
) -> Result<(), EngineError> {
    if settled.is_empty() || context.settings.action == AfterArchive::None {
        return Ok(());
    }
    let mut action_context = ActionContext {
        session: context.session,
        capabilities: context.capabilities,
        existing_folders: context.existing_folders,
        timeout: context.timeout,
        now: context.now,
    };
    let applied = context
        .settings
        .action
        .apply(&mut action_context, run.folder, settled)
        .await?;
    log.tagged += applied.tagged;
    log.moved += applied.moved;
    log.deleted += applied.deleted;
    Ok(())
}

/// Where stored messages go: the blob store, the database, the progress.
struct Sink<'a> {
    db: &'a DatabaseConnection,
    store: Arc<BlobStore>,
    progress: &'a ProgressSender,
}

/// State of one folder's run.
struct Run<'a> {
    folder: &'a ListedFolder,
    uid_validity: i64,
    /// The lowest UID that is not settled yet (too young, failed): the
    /// checkpoint stays below it.
    hold: Option<u32>,
}

impl Run<'_> {
    fn hold(&mut self, uid: u32) {
        self.hold = Some(self.hold.map_or(uid, |held| held.min(uid)));
    }

    /// The checkpoint once every UID to fetch up to `committed` is recorded:
    /// up to the next UID still to fetch, and below any held one. At the end
    /// of a folder, `committed` is its highest candidate.
    fn settled_through(&self, committed: u32, to_fetch: &[u32]) -> u32 {
        let next_unfetched = to_fetch.partition_point(|uid| *uid <= committed);
        let through = match to_fetch.get(next_unfetched) {
            Some(next) => next - 1,
            None => committed,
        };
        match self.hold {
            Some(held) => through.min(held - 1),
            None => through,
        }
    }

    /// Of a window's candidates, the UIDs to fetch: the already archived
    /// ones get their pending action, filtered ones are skipped (too large)
    /// or held (too young, archived by a later run).
    async fn sort_out(
        &mut self,
        context: &mut FolderContext<'_>,
        candidates: &[Candidate],
        log: &mut FolderLog,
    ) -> Result<Vec<u32>, EngineError> {
        let uids: Vec<u32> = candidates.iter().map(|candidate| candidate.uid).collect();
        let known = self.already_archived(context, &uids).await?;
        let known_uids: HashSet<u32> = known.iter().map(|settled| settled.uid).collect();
        apply(context, self, &known, log).await?;
        let mut to_fetch = Vec::new();
        let mut skipped = 0;
        for candidate in candidates {
            if known_uids.contains(&candidate.uid) {
                continue;
            }
            match context
                .settings
                .filter
                .skip(candidate.internal_date, candidate.size, context.now)
            {
                None => to_fetch.push(candidate.uid),
                Some(Skip::TooYoung) => {
                    skipped += 1;
                    self.hold(candidate.uid);
                }
                Some(Skip::TooLarge { size, limit }) => {
                    skipped += 1;
                    log.record_skip(
                        candidate.uid,
                        &format!("{size} bytes, larger than the limit of {limit} bytes"),
                    );
                }
            }
        }
        log.skipped += skipped;
        progress::update(context.progress, |progress| progress.folder_done += skipped);
        Ok(to_fetch)
    }

    /// Every UID up to `last_uid` is settled; `modseq` only when the whole
    /// folder is, as of that CONDSTORE state.
    async fn save_checkpoint(
        &self,
        context: &FolderContext<'_>,
        last_uid: u32,
        modseq: Option<i64>,
    ) -> Result<(), EngineError> {
        Ok(batch::save_checkpoint(
            context.db,
            context.mailbox.id,
            &self.folder.name,
            self.uid_validity,
            last_uid,
            modseq,
        )
        .await?)
    }

    /// Messages of this folder (as of its UIDVALIDITY) the archive records.
    async fn archived_count(&self, context: &FolderContext<'_>) -> Result<u64, EngineError> {
        Ok(message_location::Entity::find()
            .filter(message_location::Column::MailboxId.eq(context.mailbox.id))
            .filter(message_location::Column::Folder.eq(self.folder.name.as_str()))
            .filter(message_location::Column::UidValidity.eq(self.uid_validity))
            .count(context.db)
            .await?)
    }

    /// Which of `uids` this folder's locations already record, and how.
    async fn already_archived(
        &self,
        context: &FolderContext<'_>,
        uids: &[u32],
    ) -> Result<Vec<Settled>, EngineError> {
        let mut settled = Vec::new();
        for chunk in uids.chunks(LOOKUP_CHUNK) {
            let rows: Vec<(i64, bool, Option<DateTime<Utc>>)> = message_location::Entity::find()
                .select_only()
                .column(message_location::Column::Uid)
                .column(message_location::Column::Duplicate)
                .column(message_location::Column::InternalDate)
                .filter(message_location::Column::MailboxId.eq(context.mailbox.id))
                .filter(message_location::Column::Folder.eq(self.folder.name.as_str()))
                .filter(message_location::Column::UidValidity.eq(self.uid_validity))
                .filter(
                    message_location::Column::Uid.is_in(chunk.iter().map(|uid| i64::from(*uid))),
                )
                .into_tuple()
                .all(context.db)
                .await?;
            settled.extend(
                rows.into_iter()
                    .filter_map(|(uid, duplicate, internal_date)| {
                        Some(Settled {
                            uid: u32::try_from(uid).ok()?,
                            outcome: if duplicate {
                                Outcome::Duplicate
                            } else {
                                Outcome::Archived
                            },
                            internal_date,
                        })
                    }),
            );
        }
        Ok(settled)
    }

    /// Fetches `chunk`, stores every body while the next ones arrive, and
    /// commits in batches. Returns the settled messages, failures included.
    async fn fetch_and_store(
        &mut self,
        context: &mut FolderContext<'_>,
        chunk: &[u32],
        to_fetch: &[u32],
        log: &mut FolderLog,
    ) -> Result<Vec<Settled>, EngineError> {
        let highest_in_chunk = *chunk.last().expect("chunks are not empty");
        let wanted: HashSet<u32> = chunk.iter().copied().collect();
        let mut settled = Vec::with_capacity(chunk.len());
        let sink = Sink {
            db: context.db,
            store: context.store.clone(),
            progress: context.progress,
        };
        let mut batch = Batch::new(
            context.mailbox,
            &self.folder.name,
            self.uid_validity,
            context.settings.duplicates,
        );
        let mut received: HashSet<u32> = HashSet::with_capacity(chunk.len());
        // Storing (hash, compress, write, fsync) runs on the blocking pool while
        // the next messages arrive. Results are taken in fetch order, so every
        // committed batch is a prefix of the chunk and the checkpoint never
        // passes a message that is not recorded.
        let mut in_flight = FuturesOrdered::new();
        for set in uid_sets(chunk) {
            let mut stream = context
                .session
                .uid_fetch(&set, "(UID FLAGS INTERNALDATE BODY.PEEK[])")
                .await
                .map_err(ImapError::Protocol)?;
            loop {
                let next = tokio::time::timeout(STALL_TIMEOUT, stream.try_next())
                    .await
                    .map_err(|_| EngineError::Stalled(STALL_TIMEOUT))?
                    .map_err(ImapError::Protocol)?;
                let Some(fetch) = next else { break };
                let Some(uid) = fetch.uid else { continue };
                if !wanted.contains(&uid) || !received.insert(uid) {
                    continue;
                }
                match fetch.body() {
                    Some(body) => {
                        let message = FetchedMessage::new(uid, body.to_vec(), &fetch);
                        in_flight.push_back(store_blob(sink.store.clone(), message));
                    }
                    None => {
                        log.record_failure(uid, "the server sent no message body");
                        self.hold(uid);
                        settled.push(Settled {
                            uid,
                            outcome: Outcome::Failed,
                            internal_date: None,
                        });
                    }
                }
                while in_flight.len() >= STORE_TASKS_IN_FLIGHT {
                    let stored = in_flight.next().await.expect("in_flight is not empty")?;
                    batch.push(stored);
                    if batch.len() >= BATCH_MESSAGES || batch.bytes() >= BATCH_BYTES {
                        self.commit(&sink, &mut batch, to_fetch, log, &mut settled)
                            .await?;
                    }
                }
            }
        }
        while let Some(stored) = in_flight.next().await {
            batch.push(stored?);
        }
        self.commit(&sink, &mut batch, to_fetch, log, &mut settled)
            .await?;
        // A message that vanished between listing and fetching (expunged by
        // someone else) is gone from the server; nothing to archive or hold.
        let vanished = chunk.iter().filter(|uid| !received.contains(uid)).count();
        if vanished > 0 {
            tracing::info!(folder = %self.folder.path(), vanished, highest_in_chunk, "messages were expunged while the run read the folder");
        }
        Ok(settled)
    }

    async fn commit(
        &self,
        sink: &Sink<'_>,
        batch: &mut Batch,
        to_fetch: &[u32],
        log: &mut FolderLog,
        settled: &mut Vec<Settled>,
    ) -> Result<(), EngineError> {
        let Some(highest) = batch.highest_uid() else {
            return Ok(());
        };
        let checkpoint = self.settled_through(highest, to_fetch);
        let bytes = batch.bytes() as u64;
        let committed = batch.commit(sink.db, &sink.store, checkpoint, log).await?;
        progress::count_committed(sink.progress, &committed, bytes);
        settled.extend(committed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(hold: Option<u32>) -> Run<'static> {
        static FOLDER: std::sync::LazyLock<ListedFolder> =
            std::sync::LazyLock::new(|| ListedFolder {
                name: "INBOX".into(),
                delimiter: Some("/".into()),
                attributes: Vec::new(),
                subscribed: true,
            });
        Run {
            folder: &FOLDER,
            uid_validity: 1,
            hold,
        }
    }

    #[test]
    fn the_checkpoint_stops_below_unfetched_and_held_messages() {
        let to_fetch = [3, 4, 8, 9];
        // After committing 3 and 4, everything up to 7 is settled (5–7 skipped or known).
        assert_eq!(run(None).settled_through(4, &to_fetch), 7);
        // At the end of the folder (highest candidate 12), the known and skipped tail counts too.
        assert_eq!(run(None).settled_through(12, &to_fetch), 12);
        // A too-young message at 6 holds it at 5.
        assert_eq!(run(Some(6)).settled_through(12, &to_fetch), 5);
        // Nothing to fetch: up to the highest candidate.
        assert_eq!(run(None).settled_through(12, &[]), 12);
    }
}
