//! Archiving a Microsoft 365 mailbox through Microsoft Graph: a source of
//! the ingest pipeline (blob first, then one transaction for a batch of
//! messages and the folder's checkpoint, then the action on the server),
//! with Graph's own bookkeeping:
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
//!
//! Here the mailbox: its client, its folders with their roles, one folder
//! after another. `folder` runs one folder's round; `action` carries out the
//! after-archive action through Graph.

mod action;
mod folder;

use crate::engine::error::EngineError;
use crate::engine::log::{FolderLog, JobLog};
use crate::engine::pipeline::Sink;
use crate::engine::progress;
use crate::engine::settings::Settings;
use crate::graph::{self, Client, GraphError, TokenSource};
use crate::mailbox::{MailboxError, MailboxRow, Mailboxes, SpecialUse};
use crate::secrets::Secret;
use chrono::Utc;
use folder::Context;
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

/// Archives every selected folder of a Graph mailbox, one round each,
/// into `log`; a folder that fails is recorded and the next one goes on.
pub(super) async fn archive_mailbox(
    sink: Sink<'_>,
    mailboxes: &Arc<Mailboxes>,
    settings: &Settings,
    log: &mut JobLog,
) -> Result<(), EngineError> {
    let (mailbox, progress) = (sink.mailbox, sink.progress);
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
        sink,
        settings,
        client: &client,
        now: Utc::now(),
        folder_ids: folders
            .iter()
            .map(|(folder, _)| (folder.path.clone(), folder.id.clone()))
            .collect(),
    };
    // A failing folder is recorded and the job goes on with the next one.
    for folder in selected {
        let mut folder_log = FolderLog::new(&folder.path);
        if let Err(error) = folder::archive_folder(&mut context, folder, &mut folder_log).await {
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
