//! Restore: archived messages go back into a folder of a mailbox by IMAP
//! APPEND, with the flags and internal date they had where they were found.
//! The archive is only read; a failed message is reported and the rest go on.

use super::{Reader, Viewer, ViewerError};
use crate::db::entity::message_location;
use crate::imap::{self, ImapError};
use crate::mailbox::MailboxError;
use app::model::archive::{RestoreInput, RestoreReport, RestoreTarget};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("choose a folder to restore into")]
    NoFolder,
    #[error("restoring needs a mailbox you manage")]
    NotManaged,
    #[error(transparent)]
    Viewer(#[from] ViewerError),
    #[error(transparent)]
    Mailbox(#[from] MailboxError),
    #[error("{0}")]
    Imap(#[from] ImapError),
}

impl Viewer {
    /// Appends `input.message_ids` (those `reader` may see) to
    /// `input.folder` of mailbox `input.mailbox_id` (one `reader` manages),
    /// creating the folder if needed.
    pub async fn restore(
        &self,
        reader: Reader,
        input: &RestoreInput,
    ) -> Result<RestoreReport, RestoreError> {
        let folder = input.folder.trim().trim_matches('/');
        if folder.is_empty() {
            return Err(RestoreError::NoFolder);
        }
        if !self.managed_ids(reader).await?.contains(&input.mailbox_id) {
            return Err(RestoreError::NotManaged);
        }
        let target = self.mailboxes.by_id(input.mailbox_id).await?;
        let (endpoint, credentials) = self.mailboxes.connection(&target).await?;
        let imap::Connection { mut session, .. } = imap::open(&endpoint, &credentials).await?;
        let server_name = folder_on_server(&mut session, folder, endpoint.timeout).await?;

        let mut report = RestoreReport {
            restored: 0,
            failed: Vec::new(),
        };
        for id in &input.message_ids {
            let outcome = async {
                let (_, raw) = self.raw_of(reader, *id).await?;
                let location = self.source_location(*id, input.mailbox_id).await?;
                let flags: Vec<String> = location
                    .as_ref()
                    .and_then(|location| serde_json::from_str(&location.flags).ok())
                    .unwrap_or_default();
                // A restored message should not vanish at the next expunge.
                let flags: Vec<String> = flags
                    .into_iter()
                    .filter(|flag| !flag.eq_ignore_ascii_case("\\Deleted"))
                    .collect();
                let internal_date = location.and_then(|location| location.internal_date);
                imap::append(
                    &mut session,
                    &server_name,
                    &flags,
                    internal_date,
                    &raw,
                    endpoint.timeout,
                )
                .await
                .map_err(RestoreError::from)
            }
            .await;
            match outcome {
                Ok(()) => report.restored += 1,
                Err(error) => report.failed.push((*id, error.to_string())),
            }
        }
        let _ = imap::logout(session, endpoint.timeout).await;
        Ok(report)
    }

    /// The mailboxes `reader` may restore into: live ones they manage that
    /// have a server (an import-only mailbox has nowhere to append to).
    pub async fn restore_targets(&self, reader: Reader) -> Result<Vec<RestoreTarget>, ViewerError> {
        let managed = self.managed_ids(reader).await?;
        Ok(self
            .mailboxes
            .list()
            .await?
            .into_iter()
            .filter(|row| {
                managed.contains(&row.id) && row.source == crate::mailbox::Source::Imap.as_str()
            })
            .map(|row| RestoreTarget {
                mailbox_id: row.id,
                name: row.name,
            })
            .collect())
    }

    /// The copy whose flags and date a restore keeps: the one in the target
    /// mailbox if there is one, else the first found.
    async fn source_location(
        &self,
        message_id: i64,
        mailbox_id: i64,
    ) -> Result<Option<message_location::Model>, ViewerError> {
        let locations = message_location::Entity::find()
            .filter(message_location::Column::MessageId.eq(message_id))
            .order_by_asc(message_location::Column::Id)
            .all(&self.db)
            .await?;
        Ok(locations
            .iter()
            .find(|location| location.mailbox_id == mailbox_id)
            .or(locations.first())
            .cloned())
    }
}

/// The server's name for the readable folder path `folder`, created if the
/// server does not have it.
async fn folder_on_server(
    session: &mut imap::Session,
    folder: &str,
    timeout: std::time::Duration,
) -> Result<String, ImapError> {
    let listed = imap::list_folders(session, timeout).await?;
    if let Some(found) = listed.iter().find(|listed| {
        listed.path() == folder
            || (folder.eq_ignore_ascii_case("INBOX") && listed.name.eq_ignore_ascii_case("INBOX"))
    }) {
        return Ok(found.name.clone());
    }
    let delimiter = listed
        .iter()
        .find_map(|listed| listed.delimiter.clone())
        .unwrap_or_else(|| "/".into());
    let name = imap::utf7::encode(&folder.replace('/', &delimiter));
    imap::create_folder(session, &name, timeout).await?;
    Ok(name)
}
