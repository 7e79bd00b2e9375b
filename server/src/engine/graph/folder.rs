//! One Graph folder's round: the delta from the stored link, the messages
//! known by their Graph id (their pending action only), the new ones
//! numbered, fetched and handed to the pipeline, the action for what
//! settled, and the delta link kept only when the round is settled.

use super::action::GraphFolder;
use crate::engine::action::{AfterArchive, Outcome, Settled};
use crate::engine::error::EngineError;
use crate::engine::locations::SourceFolder;
use crate::engine::log::FolderLog;
use crate::engine::message::FetchedMessage;
use crate::engine::pipeline::{CheckpointRule, FETCH_CHUNK, Pipeline, Sink};
use crate::engine::progress;
use crate::engine::settings::Settings;
use crate::graph::{self, Client, DeltaItem, GraphError, Listed};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// What a folder's run needs besides the folder.
pub(super) struct Context<'a> {
    /// Where the mailbox's messages go.
    pub(super) sink: Sink<'a>,
    pub(super) settings: &'a Settings,
    pub(super) client: &'a Client,
    pub(super) now: DateTime<Utc>,
    /// Folder ids by path: those listed, and move targets made in this run.
    pub(super) folder_ids: HashMap<String, String>,
}

/// One round of `folder`, counted into `log`.
pub(super) async fn archive_folder(
    context: &mut Context<'_>,
    folder: &graph::Folder,
    log: &mut FolderLog,
) -> Result<(), EngineError> {
    log.server_count = folder.total;
    let source = SourceFolder {
        mailbox_id: context.sink.mailbox.id,
        name: folder.path.clone(),
        uid_validity: uid_validity_of(&folder.id),
    };
    let (last_uid, delta_link) = match source.checkpoint(context.sink.db).await? {
        Some(saved) if saved.uid_validity == source.uid_validity => {
            (u32::try_from(saved.last_uid).unwrap_or(0), saved.delta_link)
        }
        Some(_) => {
            tracing::info!(mailbox = %context.sink.mailbox.name, folder = %folder.path, "the folder was made anew: reading it afresh");
            // Its delta link belongs to the folder that is gone.
            source.save_delta_link(context.sink.db, None).await?;
            (0, None)
        }
        None => (0, None),
    };
    progress::update(context.sink.progress, |progress| {
        progress.folder = Some(folder.path.clone());
        progress.folder_done = 0;
        progress.folder_total = folder.total;
    });

    let page_size = usize::try_from(context.sink.mailbox.page_size)
        .unwrap_or(25)
        .max(1);
    let round = match graph::delta_round(
        context.client,
        &folder.id,
        delta_link.as_deref(),
        page_size,
    )
    .await
    {
        Err(error) if error.is_sync_state_lost() && delta_link.is_some() => {
            tracing::info!(mailbox = %context.sink.mailbox.name, folder = %folder.path, "Graph lost the folder's sync state: a full round");
            graph::delta_round(context.client, &folder.id, None, page_size).await?
        }
        round => round?,
    };
    let listed = present(round.items);
    let pipeline = Pipeline::new(context.sink, source.clone(), CheckpointRule::Numbering);
    let mut run = Run {
        folder,
        source,
        pipeline,
        last_uid,
        settled: true,
        listed: HashMap::new(),
    };

    // 1. Archived already (known by their Graph id): the action, where it is still due.
    let known = run.already_archived(context, &listed).await?;
    let mut waiting = Vec::new();
    let mut new = Vec::new();
    for message in listed {
        match known.get(&message.id) {
            Some(settled) => {
                waiting.push(*settled);
                run.listed.insert(settled.uid, message);
            }
            None => new.push(message),
        }
    }
    progress::update(context.sink.progress, |progress| {
        progress.folder_done = waiting.len() as u64;
    });
    run.apply(context, &waiting, log).await?;

    // 2. The new ones: filtered, numbered, fetched, stored and committed in
    // batches, each batch's action applied once it is committed.
    let mut to_fetch = Vec::new();
    for message in new {
        match context
            .settings
            .filter
            .skip(message.received, None, context.now)
        {
            None => {
                run.last_uid += 1;
                to_fetch.push(run.last_uid);
                run.listed.insert(run.last_uid, message);
            }
            // Too young (a round lists no sizes, so nothing else): the next
            // round must list it again.
            Some(_) => {
                log.skipped += 1;
                run.settled = false;
            }
        }
    }
    for chunk in to_fetch.chunks(FETCH_CHUNK) {
        let settled = run.fetch_and_store(context, chunk, log).await?;
        run.apply(context, &settled, log).await?;
    }

    // 3. Numbering and, when the round is settled, the delta link.
    run.source
        .save_checkpoint(context.sink.db, run.last_uid, None)
        .await?;
    if run.settled {
        run.source
            .save_delta_link(context.sink.db, Some(round.delta_link))
            .await?;
    }
    log.archived_total = run.source.archived_count(context.sink.db).await?;
    Ok(())
}

/// A folder's stable UIDVALIDITY: from its Graph id, 31 bits as IMAP's.
fn uid_validity_of(folder_id: &str) -> i64 {
    let digest = Sha256::digest(folder_id.as_bytes());
    i64::from(u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) >> 1)
}

/// The messages a round leaves present; a round may name a message more
/// than once (changed, then deleted), and its last mention counts.
fn present(items: Vec<DeltaItem>) -> Vec<Listed> {
    let last: HashMap<&str, usize> = items
        .iter()
        .enumerate()
        .map(|(index, item)| (item.id(), index))
        .collect();
    let keep: Vec<bool> = items
        .iter()
        .enumerate()
        .map(|(index, item)| matches!(item, DeltaItem::Present(_)) && last[item.id()] == index)
        .collect();
    items
        .into_iter()
        .zip(keep)
        .filter_map(|(item, keep)| match item {
            DeltaItem::Present(listed) if keep => Some(listed),
            _ => None,
        })
        .collect()
}

/// State of one folder's run.
struct Run<'a> {
    folder: &'a graph::Folder,
    /// The folder as the archive records it (as of its UIDVALIDITY).
    source: SourceFolder,
    pipeline: Pipeline<'a>,
    /// The highest UID given to a message of this folder.
    last_uid: u32,
    /// Nothing was held back, failed or left without its action: the
    /// round's delta link may be kept.
    settled: bool,
    /// The round's messages that have a UID, as listed.
    listed: HashMap<u32, Listed>,
}

impl Run<'_> {
    /// Which of `listed` this folder's locations record, by Graph id.
    async fn already_archived(
        &self,
        context: &Context<'_>,
        listed: &[Listed],
    ) -> Result<HashMap<String, Settled>, EngineError> {
        let ids: Vec<&str> = listed.iter().map(|message| message.id.as_str()).collect();
        Ok(self
            .source
            .known_by_remote_id(context.sink.db, &ids)
            .await?)
    }

    /// Downloads `chunk`'s MIME bytes (as many at once as Graph allows, in
    /// order) and hands each to the pipeline, which stores it while the next
    /// arrive and commits in batches. Returns the settled messages, failures
    /// included.
    async fn fetch_and_store(
        &mut self,
        context: &Context<'_>,
        chunk: &[u32],
        log: &mut FolderLog,
    ) -> Result<Vec<Settled>, EngineError> {
        let client = context.client;
        // Built in a loop, not by closures: a stream of closures' futures
        // over borrowed data is not `Send` to the compiler.
        let mut requests = Vec::with_capacity(chunk.len());
        for uid in chunk.iter().copied() {
            let url = client.url(&format!("messages/{}/$value", self.listed[&uid].id));
            requests.push(async move { (uid, client.get_bytes(&url).await) });
        }
        let mut downloads = futures::stream::iter(requests).buffered(graph::MAX_CONCURRENT);
        let limit = context.settings.filter.max_message_size;
        let mut settled = Vec::with_capacity(chunk.len());
        while let Some((uid, download)) = downloads.next().await {
            let listed = &self.listed[&uid];
            match download {
                Ok(body) if body.len() as u64 > limit => {
                    log.skipped += 1;
                    log.record_skip(
                        uid,
                        &format!(
                            "{} bytes, larger than the limit of {} bytes",
                            body.len(),
                            limit
                        ),
                    );
                }
                Ok(body) => {
                    let message =
                        FetchedMessage::new(uid, body, listed.categories.clone(), listed.received)
                            .with_remote_id(listed.id.clone());
                    settled.extend(self.pipeline.push(message, log).await?);
                }
                // Deleted or moved since the round listed it: nothing to archive here.
                Err(error) if error.is_not_found() => {
                    tracing::info!(folder = %self.folder.path, uid, "a message went away while the run read the folder");
                }
                // Graph cannot be reached (after its retries): the folder stops.
                Err(error @ (GraphError::Unreachable { .. } | GraphError::NoToken(_))) => {
                    return Err(error.into());
                }
                Err(error) => {
                    let reason = error.to_string();
                    settled.push(self.pipeline.fail(uid, &reason, listed.received, log));
                }
            }
        }
        settled.extend(self.pipeline.settle(log).await?);
        if settled
            .iter()
            .any(|message| message.outcome == Outcome::Failed)
        {
            self.settled = false;
        }
        Ok(settled)
    }

    /// The after-archive action on Graph, for settled messages only.
    async fn apply(
        &mut self,
        context: &mut Context<'_>,
        settled: &[Settled],
        log: &mut FolderLog,
    ) -> Result<(), EngineError> {
        let action = &context.settings.action;
        // A message with either tag is done, as IMAP's pending search finds
        // only untagged ones: Outlook categories are written as a whole.
        let waiting: Vec<Settled> = match action {
            AfterArchive::Tag { success, duplicate } => settled
                .iter()
                .filter(|message| {
                    let categories = &self.listed[&message.uid].categories;
                    !categories.contains(success) && !categories.contains(duplicate)
                })
                .copied()
                .collect(),
            _ => settled.to_vec(),
        };
        let mut folder = GraphFolder {
            client: context.client,
            listed: &self.listed,
            folder_ids: &mut context.folder_ids,
            path: &self.folder.path,
            now: context.now,
        };
        let applied = action.apply(&mut folder, &waiting).await?;
        applied.add_to(log);
        // A message still too young to delete keeps the round unsettled,
        // so it comes again.
        if applied.too_young > 0 {
            self.settled = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(id: &str) -> DeltaItem {
        DeltaItem::Present(Listed {
            id: id.into(),
            received: None,
            categories: Vec::new(),
        })
    }

    #[test]
    fn a_message_counts_as_its_last_mention_in_a_round() {
        let items = vec![
            listed("a"),
            listed("b"),
            DeltaItem::Removed { id: "a".into() },
            listed("c"),
            listed("b"),
        ];
        let ids: Vec<String> = present(items)
            .into_iter()
            .map(|message| message.id)
            .collect();
        assert_eq!(ids, ["c", "b"]);
    }

    #[test]
    fn a_folders_uid_validity_is_stable_and_fits_imaps() {
        let first = uid_validity_of("AAMkAGFoFolder1");
        assert_eq!(first, uid_validity_of("AAMkAGFoFolder1"));
        assert_ne!(first, uid_validity_of("AAMkAGFoFolder2"));
        assert!((0..=i64::from(i32::MAX)).contains(&first));
    }
}
