//! Archiving one folder: settle what a previous run left, decide what is new,
//! fetch and store it in chunks, and apply the after-archive action to each
//! chunk once it is committed.
//!
//! The checkpoint (`last_uid`) means "every UID up to here is settled":
//! archived, a duplicate, or skipped for good. A message that is only too young
//! for now, or that failed, holds the checkpoint below it, so a later run
//! looks at it again; messages above it that are archived already are
//! recognised by their location rows and not fetched twice.

use super::action::{ActionContext, AfterArchive, ImapFolder, Settled};
use super::error::EngineError;
use super::locations::SourceFolder;
use super::log::FolderLog;
use super::message::FetchedMessage;
use super::pipeline::{CheckpointRule, FETCH_CHUNK, Pipeline, Sink};
use super::progress;
use super::settings::{Settings, Skip};
use super::window::{UidWindows, Window};
use crate::imap::{self, Capabilities, ImapError, ListedFolder, Session, uid_sets};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use std::collections::HashSet;
use std::time::Duration;

/// How long fetching may go without a single message before the run is declared stalled.
const STALL_TIMEOUT: Duration = Duration::from_secs(120);

/// What the run needs besides the folder itself.
pub struct FolderContext<'a> {
    /// Where the mailbox's messages go.
    pub sink: Sink<'a>,
    pub settings: &'a Settings,
    pub session: &'a mut Session,
    pub capabilities: &'a Capabilities,
    pub existing_folders: &'a mut HashSet<String>,
    pub timeout: Duration,
    pub now: DateTime<Utc>,
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
    let source = SourceFolder {
        mailbox_id: context.sink.mailbox.id,
        name: folder.name.clone(),
        uid_validity,
    };
    let (last_uid, unchanged) = match source.checkpoint(context.sink.db).await? {
        Some(saved) if saved.uid_validity == uid_validity => (
            u32::try_from(saved.last_uid).unwrap_or(0),
            modseq.is_some() && saved.highest_modseq == modseq,
        ),
        Some(_) => {
            tracing::info!(mailbox = %context.sink.mailbox.name, folder = %folder.path(), "UIDVALIDITY changed: rescanning the folder");
            (0, false)
        }
        None => (0, false),
    };
    let pipeline = Pipeline::new(context.sink, source.clone(), CheckpointRule::Settled);
    let mut run = Run {
        folder,
        source,
        pipeline,
    };

    // The last run settled everything and nothing changed since: no new
    // message, no action left over. Skip the searches.
    if unchanged {
        log.unchanged = true;
    } else if status.exists > 0 {
        progress::update(context.sink.progress, |progress| {
            progress.folder = Some(folder.path());
            progress.folder_done = 0;
            progress.folder_total = u64::from(status.exists);
        });
        let already = run.source.archived_count(context.sink.db).await?;
        progress::update(context.sink.progress, |progress| {
            progress.folder_done = already
        });

        // 1. Actions a previous run committed but did not get to apply.
        if last_uid > 0 {
            for window in UidWindows::new(1, last_uid, false) {
                let Some(query) = action.pending_query(&window, context.now) else {
                    break;
                };
                let waiting = imap::uid_search(context.session, &query, timeout).await?;
                let settled = run.source.known_by_uid(context.sink.db, &waiting).await?;
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
            run.pipeline.expect(&to_fetch);
            for chunk in to_fetch.chunks(FETCH_CHUNK) {
                let settled = run.fetch_and_store(context, chunk, log).await?;
                apply(context, &run, &settled, log).await?;
            }
            // Skipped or known messages after the last fetched one settle
            // the window's tail too (an open window ends at its highest).
            let end = window
                .last
                .or(candidates.last().map(|candidate| candidate.uid));
            if let Some(end) = end {
                through = through.max(run.pipeline.settled_through(end));
                run.source
                    .save_checkpoint(context.sink.db, through, None)
                    .await?;
            }
        }

        // When nothing is held back, the folder is settled as of `modseq`,
        // which lets the next run skip it if nothing changes.
        // Time-based work (delete when old enough) can be due without any change.
        let settled_modseq = if !run.pipeline.holds_back() && !action.needs_dates() {
            modseq
        } else {
            None
        };
        run.source
            .save_checkpoint(context.sink.db, through, settled_modseq)
            .await?;
    } else {
        run.source
            .save_checkpoint(context.sink.db, last_uid, modseq)
            .await?;
    }

    log.archived_total = run.source.archived_count(context.sink.db).await?;
    Ok(())
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
    let mut server = ImapFolder {
        context: ActionContext {
            session: context.session,
            capabilities: context.capabilities,
            existing_folders: context.existing_folders,
            timeout: context.timeout,
            now: context.now,
        },
        source: run.folder,
    };
    let applied = context.settings.action.apply(&mut server, settled).await?;
    applied.add_to(log);
    Ok(())
}

/// State of one folder's run.
struct Run<'a> {
    folder: &'a ListedFolder,
    /// The folder as the archive records it (as of its UIDVALIDITY).
    source: SourceFolder,
    pipeline: Pipeline<'a>,
}

impl Run<'_> {
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
        let known = self.source.known_by_uid(context.sink.db, &uids).await?;
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
                    self.pipeline.hold(candidate.uid);
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
        progress::update(context.sink.progress, |progress| {
            progress.folder_done += skipped
        });
        Ok(to_fetch)
    }

    /// Fetches `chunk` and hands every body to the pipeline, which stores
    /// it while the next ones arrive and commits in batches. Returns the
    /// settled messages, failures included.
    async fn fetch_and_store(
        &mut self,
        context: &mut FolderContext<'_>,
        chunk: &[u32],
        log: &mut FolderLog,
    ) -> Result<Vec<Settled>, EngineError> {
        let highest_in_chunk = *chunk.last().expect("chunks are not empty");
        let wanted: HashSet<u32> = chunk.iter().copied().collect();
        let mut settled = Vec::with_capacity(chunk.len());
        let mut received: HashSet<u32> = HashSet::with_capacity(chunk.len());
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
                        let message = fetched(uid, body.to_vec(), &fetch);
                        settled.extend(self.pipeline.push(message, log).await?);
                    }
                    None => {
                        let reason = "the server sent no message body";
                        settled.push(self.pipeline.fail(uid, reason, None, log));
                    }
                }
            }
        }
        settled.extend(self.pipeline.settle(log).await?);
        // A message that vanished between listing and fetching (expunged by
        // someone else) is gone from the server; nothing to archive or hold.
        let vanished = chunk.iter().filter(|uid| !received.contains(uid)).count();
        if vanished > 0 {
            tracing::info!(folder = %self.folder.path(), vanished, highest_in_chunk, "messages were expunged while the run read the folder");
        }
        Ok(settled)
    }
}

/// A fetched IMAP message with its flags and internal date.
fn fetched(uid: u32, body: Vec<u8>, fetch: &async_imap::types::Fetch) -> FetchedMessage {
    FetchedMessage::new(
        uid,
        body,
        fetch.flags().map(|flag| flag_name(&flag)).collect(),
        fetch.internal_date().map(|date| date.with_timezone(&Utc)),
    )
}

fn flag_name(flag: &async_imap::types::Flag<'_>) -> String {
    use async_imap::types::Flag;
    match flag {
        Flag::Seen => "\\Seen".into(),
        Flag::Answered => "\\Answered".into(),
        Flag::Flagged => "\\Flagged".into(),
        Flag::Deleted => "\\Deleted".into(),
        Flag::Draft => "\\Draft".into(),
        Flag::Recent => "\\Recent".into(),
        Flag::MayCreate => "\\*".into(),
        Flag::Custom(name) => name.to_string(),
    }
}
