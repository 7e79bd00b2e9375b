//! Archiving a Microsoft 365 mailbox through Microsoft Graph: the pipeline
//! of an IMAP run (blob first, then one transaction for a batch of messages
//! and the folder's checkpoint, then the action on the server), with
//! Graph's own bookkeeping:
//!
//! - A folder's checkpoint keeps its **delta link**: the next round lists
//!   only what changed since. The link moves on only when the whole round is
//!   settled — every listed message archived (or skipped for good) and its
//!   action applied — so a message held back (too young) or failed comes
//!   again in the next round, as a held-back UID keeps an IMAP checkpoint below it.
//! - Graph ids are not numbers. Each archived copy gets a UID of Tresor's
//!   own numbering in its folder (`last_uid` counts them) and keeps its
//!   Graph id as `remote_id`, by which a later round knows it without
//!   fetching it again.
//! - A folder's UIDVALIDITY is derived from its Graph id: a folder deleted
//!   and made again under the same name starts afresh, as on IMAP.

use crate::engine::action::{ActionError, AfterArchive, Outcome, ServerFolder, Settled};
use crate::engine::batch::FetchedMessage;
use crate::engine::locations::SourceFolder;
use crate::engine::pipeline::{CheckpointRule, FETCH_CHUNK, Pipeline, Sink};
use crate::engine::progress::{self, ProgressSender};
use crate::engine::settings::Settings;
use crate::engine::{EngineError, FolderLog, JobLog};
use crate::graph::{self, Client, DeltaItem, GraphError, Listed, TokenSource};
use crate::mailbox::{MailboxError, MailboxRow, Mailboxes, SpecialUse};
use crate::secrets::Secret;
use crate::store::BlobStore;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use reqwest::Method;
use sea_orm::DatabaseConnection;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;

/// The well-known folders whose role the folder rules know (`!\Trash`, …).
const ROLES: [(&str, SpecialUse); 5] = [
    ("sentitems", SpecialUse::Sent),
    ("drafts", SpecialUse::Drafts),
    ("deleteditems", SpecialUse::Trash),
    ("junkemail", SpecialUse::Junk),
    ("archive", SpecialUse::Archive),
];

/// What a folder's run needs besides the folder.
struct Context<'a> {
    db: &'a DatabaseConnection,
    store: &'a Arc<BlobStore>,
    mailbox: &'a MailboxRow,
    settings: &'a Settings,
    client: &'a Client,
    now: DateTime<Utc>,
    progress: &'a ProgressSender,
    /// Folder ids by path: those listed, and move targets made in this run.
    folder_ids: HashMap<String, String>,
}

/// The grant of the mailbox's sign-in app hands Graph its tokens.
struct GrantTokens {
    mailboxes: Arc<Mailboxes>,
    mailbox: MailboxRow,
}

#[async_trait::async_trait]
impl TokenSource for GrantTokens {
    async fn token(&self, refused: Option<&Secret>) -> Result<Secret, GraphError> {
        self.mailboxes
            .oauth_access_token(&self.mailbox, refused)
            .await
            .map_err(|error| GraphError::NoToken(error.to_string()))
    }
}

pub(super) async fn archive_mailbox(
    db: &DatabaseConnection,
    store: &Arc<BlobStore>,
    mailboxes: &Arc<Mailboxes>,
    mailbox: &MailboxRow,
    settings: &Settings,
    log: &mut JobLog,
    progress: &ProgressSender,
) -> Result<(), EngineError> {
    // A mailbox that needs a sign-in fails here, before any request, in
    // the words an IMAP mailbox's run uses.
    mailboxes.oauth_access_token(mailbox, None).await?;
    let client = client(mailboxes, mailbox).await?;
    let folders = folders_with_roles(&client).await?;
    let selected: Vec<&graph::Folder> = folders
        .iter()
        .filter(|(folder, role)| settings.selects_graph(folder, *role))
        .map(|(folder, _)| folder)
        .collect();
    progress::update(progress, |progress| {
        progress.folders_total = selected.len();
    });
    let mut context = Context {
        db,
        store,
        mailbox,
        settings,
        client: &client,
        now: Utc::now(),
        progress,
        folder_ids: folders
            .iter()
            .map(|(folder, _)| (folder.path.clone(), folder.id.clone()))
            .collect(),
    };
    // A failing folder is recorded and the job goes on with the next one.
    for folder in selected {
        let mut folder_log = FolderLog::new(&folder.path);
        if let Err(error) = archive_folder(&mut context, folder, &mut folder_log).await {
            folder_log.error = Some(error.to_string());
        }
        log.add_folder(folder_log);
        progress::update(progress, |progress| progress.folders_done += 1);
    }
    log.throttled = client.throttled();
    Ok(())
}

/// The Graph client of `mailbox`, its tokens from the mailbox's grant, its
/// connections where the mailbox's may go.
pub(super) async fn client(
    mailboxes: &Arc<Mailboxes>,
    mailbox: &MailboxRow,
) -> Result<Client, MailboxError> {
    let tokens = Arc::new(GrantTokens {
        mailboxes: mailboxes.clone(),
        mailbox: mailbox.clone(),
    });
    let destinations = mailboxes.destinations(mailbox).await?;
    Ok(Client::new(
        &mailbox.host,
        &mailbox.username,
        tokens,
        destinations,
    ))
}

/// Every folder with its well-known role, if it has one the rules know.
pub(super) async fn folders_with_roles(
    client: &Client,
) -> Result<Vec<(graph::Folder, Option<SpecialUse>)>, GraphError> {
    let folders = graph::list_folders(client).await?;
    let mut roles = HashMap::new();
    for (name, role) in ROLES {
        if let Some(id) = graph::well_known_folder(client, name).await? {
            roles.insert(id, role);
        }
    }
    Ok(folders
        .into_iter()
        .map(|folder| {
            let role = roles.get(&folder.id).copied();
            (folder, role)
        })
        .collect())
}

async fn archive_folder(
    context: &mut Context<'_>,
    folder: &graph::Folder,
    log: &mut FolderLog,
) -> Result<(), EngineError> {
    log.server_count = folder.total;
    let source = SourceFolder {
        mailbox_id: context.mailbox.id,
        name: folder.path.clone(),
        uid_validity: uid_validity_of(&folder.id),
    };
    let (last_uid, delta_link) = match source.checkpoint(context.db).await? {
        Some(saved) if saved.uid_validity == source.uid_validity => {
            (u32::try_from(saved.last_uid).unwrap_or(0), saved.delta_link)
        }
        Some(_) => {
            tracing::info!(mailbox = %context.mailbox.name, folder = %folder.path, "the folder was made anew: reading it afresh");
            // Its delta link belongs to the folder that is gone.
            source.save_delta_link(context.db, None).await?;
            (0, None)
        }
        None => (0, None),
    };
    progress::update(context.progress, |progress| {
        progress.folder = Some(folder.path.clone());
        progress.folder_done = 0;
        progress.folder_total = folder.total;
    });

    let page_size = usize::try_from(context.mailbox.page_size)
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
            tracing::info!(mailbox = %context.mailbox.name, folder = %folder.path, "Graph lost the folder's sync state: a full round");
            graph::delta_round(context.client, &folder.id, None, page_size).await?
        }
        round => round?,
    };
    let listed = present(round.items);
    let sink = Sink {
        db: context.db,
        store: context.store.clone(),
        progress: context.progress,
    };
    let pipeline = Pipeline::new(
        sink,
        context.mailbox,
        source.clone(),
        context.settings.duplicates,
        CheckpointRule::Numbering,
    );
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
    progress::update(context.progress, |progress| {
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
        .save_checkpoint(context.db, run.last_uid, None)
        .await?;
    if run.settled {
        run.source
            .save_delta_link(context.db, Some(round.delta_link))
            .await?;
    }
    log.archived_total = run.source.archived_count(context.db).await?;
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
        Ok(self.source.known_by_remote_id(context.db, &ids).await?)
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

/// A Graph folder as the after-archive action changes it.
struct GraphFolder<'c> {
    client: &'c Client,
    /// The round's messages by UID: their Graph ids and categories.
    listed: &'c HashMap<u32, Listed>,
    /// Folder ids by path: those listed, and move targets made in this run.
    folder_ids: &'c mut HashMap<String, String>,
    path: &'c str,
    now: DateTime<Utc>,
}

impl ServerFolder for GraphFolder<'_> {
    fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Adds the tag as an Outlook category.
    async fn tag(&mut self, uids: &[u32], tag: &str) -> Result<u64, ActionError> {
        let client = self.client;
        let mut patches = Vec::with_capacity(uids.len());
        for uid in uids {
            let listed = &self.listed[uid];
            let mut categories = listed.categories.clone();
            categories.push(tag.to_string());
            let url = client.url(&format!("messages/{}", listed.id));
            let body = serde_json::json!({ "categories": categories });
            patches.push(async move { client.call(Method::PATCH, &url, Some(body)).await });
        }
        Ok(each_at_most_four(patches).await?)
    }

    async fn move_to(&mut self, uids: &[u32], base: &str) -> Result<u64, ActionError> {
        let target = self.target_folder(&format!("{base}/{}", self.path)).await?;
        let client = self.client;
        let mut moves = Vec::with_capacity(uids.len());
        for uid in uids {
            let url = client.url(&format!("messages/{}/move", self.listed[uid].id));
            let body = serde_json::json!({ "destinationId": target });
            moves.push(async move { client.call(Method::POST, &url, Some(body)).await });
        }
        Ok(each_at_most_four(moves).await?)
    }

    async fn delete(&mut self, uids: &[u32]) -> Result<u64, ActionError> {
        let client = self.client;
        let mut deletions = Vec::with_capacity(uids.len());
        for uid in uids {
            let url = client.url(&format!("messages/{}", self.listed[uid].id));
            deletions.push(async move { client.call(Method::DELETE, &url, None).await });
        }
        Ok(each_at_most_four(deletions).await?)
    }
}

impl GraphFolder<'_> {
    /// The id of the folder at `path`, made level by level below the root
    /// where missing.
    async fn target_folder(&mut self, path: &str) -> Result<String, GraphError> {
        if let Some(id) = self.folder_ids.get(path) {
            return Ok(id.clone());
        }
        let mut parent = "msgfolderroot".to_string();
        let mut so_far = String::new();
        for name in path.split('/') {
            if !so_far.is_empty() {
                so_far.push('/');
            }
            so_far.push_str(name);
            let id = match self.folder_ids.get(&so_far) {
                Some(id) => id.clone(),
                None => {
                    let id = graph::create_folder(self.client, &parent, name).await?;
                    self.folder_ids.insert(so_far.clone(), id.clone());
                    id
                }
            };
            parent = id;
        }
        Ok(parent)
    }
}

/// Runs the requests, four at a time (the client's limit), and counts those
/// done; one that finds its message gone counts as nothing, any other
/// refusal is the action's failure.
async fn each_at_most_four<F>(requests: Vec<F>) -> Result<u64, GraphError>
where
    F: std::future::Future<Output = Result<Vec<u8>, GraphError>>,
{
    let results: Vec<_> = futures::stream::iter(requests)
        .buffer_unordered(graph::MAX_CONCURRENT)
        .collect()
        .await;
    let mut done = 0;
    for result in results {
        match result {
            Ok(_) => done += 1,
            Err(error) if error.is_not_found() => {}
            Err(error) => return Err(error),
        }
    }
    Ok(done)
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
