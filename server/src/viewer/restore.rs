//! Restore: archived messages go back into a folder of a mailbox by IMAP
//! APPEND, with the flags and internal date they had where they were found —
//! in the target mailbox, or another mailbox of its owner the restoring
//! person manages; never another person's copy, whose flags (read, answered,
//! labels) and date tell how that person handled the message.
//! The archive is only read; a failed message is reported and the rest go on.

use super::service::{Reader, Viewer, ViewerError};
use crate::db::entity::message_location;
use crate::imap::{self, ImapError};
use crate::mailbox::MailboxError;
use app::model::archive::{RestoreInput, RestoreReport, RestoreTarget};
use std::collections::HashSet;

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
        let managed = self.managed_ids(reader).await?;
        if !managed.contains(&input.mailbox_id) {
            return Err(RestoreError::NotManaged);
        }
        let target = self.mailboxes.by_id(input.mailbox_id).await?;
        let sources = self.restore_sources(&target, &managed).await?;
        let (endpoint, credentials) = self.mailboxes.connection(&target).await?;
        let imap::Connection { mut session, .. } = imap::open(&endpoint, &credentials).await?;
        let server_name = folder_on_server(&mut session, folder, endpoint.timeout).await?;

        let mut report = RestoreReport {
            restored: 0,
            failed: Vec::new(),
        };
        for id in &input.message_ids {
            let outcome = async {
                let (row, raw) = self.raw_of(reader, *id).await?;
                let locations = self.locations_of(*id).await.map_err(ViewerError::from)?;
                let source = restore_source(&locations, input.mailbox_id, &sources);
                let flags: Vec<String> = source
                    .and_then(|location| serde_json::from_str(&location.flags).ok())
                    .unwrap_or_default();
                // A restored message should not vanish at the next expunge.
                let flags: Vec<String> = flags
                    .into_iter()
                    .filter(|flag| !flag.eq_ignore_ascii_case("\\Deleted"))
                    .collect();
                // Without a copy of the owner's: the date the message gives itself.
                let internal_date = match source {
                    Some(location) => location.internal_date,
                    None => row.date,
                };
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

    /// The mailboxes whose copies may lend a restore into `target` their
    /// flags and date: those the restorer manages (`managed`) that belong to
    /// `target`'s owner (the shared ones for a shared target). So neither a
    /// user nor an administrator carries one person's flags into another
    /// person's mailbox.
    async fn restore_sources(
        &self,
        target: &crate::mailbox::MailboxRow,
        managed: &HashSet<i64>,
    ) -> Result<HashSet<i64>, ViewerError> {
        Ok(self
            .mailboxes
            .list()
            .await?
            .into_iter()
            .filter(|row| managed.contains(&row.id) && row.owner_id == target.owner_id)
            .map(|row| row.id)
            .collect())
    }
}

/// The copy whose flags and internal date a restore into mailbox `target`
/// keeps: the one in `target`, else the first in one of `sources`; `None`
/// when the message has no copy there (then it gets no flags).
fn restore_source<'a>(
    locations: &'a [message_location::Model],
    target: i64,
    sources: &HashSet<i64>,
) -> Option<&'a message_location::Model> {
    locations
        .iter()
        .find(|location| location.mailbox_id == target)
        .or_else(|| {
            locations
                .iter()
                .find(|location| sources.contains(&location.mailbox_id))
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn location(id: i64, mailbox_id: i64) -> message_location::Model {
        message_location::Model {
            id,
            message_id: 1,
            mailbox_id,
            folder: "INBOX".into(),
            uid_validity: 1,
            uid: id,
            flags: format!("[\"from-{mailbox_id}\"]"),
            internal_date: None,
            labels: "{}".into(),
            archived_at: chrono::Utc::now(),
            duplicate: false,
            listed: true,
            remote_id: None,
        }
    }

    #[test]
    fn only_the_target_or_the_owners_mailboxes_lend_their_flags() {
        // Someone else's copy (mailbox 7) comes first.
        let locations = [location(1, 7), location(2, 3), location(3, 5)];
        let sources: HashSet<i64> = [3, 5].into();
        assert_eq!(
            restore_source(&locations, 5, &sources).unwrap().id,
            3,
            "the target's own copy"
        );
        assert_eq!(
            restore_source(&locations, 9, &sources).unwrap().id,
            2,
            "another of the owner's"
        );
        assert!(
            restore_source(&locations, 9, &HashSet::new()).is_none(),
            "never another person's copy"
        );
    }
}
