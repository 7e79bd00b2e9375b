//! Restore: archived messages go back into a folder of a mailbox by IMAP
//! APPEND, with the flags and internal date they had where they were found —
//! in the target mailbox, or another mailbox of its owner the restoring
//! person manages; never another person's copy, whose flags (read, answered,
//! labels) and date tell how that person handled the message.
//!
//! By default each message goes back into the folder it came from (its
//! first location in a mailbox the restorer manages); or all into one folder
//! chosen. A folder that already holds a copy (`copy_check`) is skipped
//! unless the restore is forced. The archive is only read; each message is
//! reported as restored, skipped or failed with the reason, and one failure
//! never stops the rest.

use super::copy_check::folder_holds_copy;
use super::service::{Reader, Viewer, ViewerError};
use crate::db::entity::{message as message_row, message_location};
use crate::imap::{self, ImapError};
use crate::mailbox::MailboxError;
use app::model::archive::{
    RestoreInput, RestoreOutcome, RestorePlace, RestorePlan, RestoreReport, RestoreTarget,
    RestoredMessage,
};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Messages one restore (or its plan) may name: each is read, checked on
/// the server and appended while the person waits for the answer.
pub const MAX_RESTORE_MESSAGES: usize = 500;

/// Why a message has no folder to go back to.
const NO_ORIGIN: &str =
    "it was not archived from a mailbox you can restore into; choose a folder for it";

#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("choose a folder to restore into")]
    NoFolder,
    #[error("restoring needs a mailbox you manage")]
    NotManaged,
    #[error("restore at most {MAX_RESTORE_MESSAGES} messages at a time")]
    TooMany,
    #[error(transparent)]
    Viewer(#[from] ViewerError),
    #[error(transparent)]
    Mailbox(#[from] MailboxError),
    #[error("{0}")]
    Imap(#[from] ImapError),
}

/// One message on its way back: its row, its locations and where it goes.
struct Pending {
    /// Its position in the report.
    position: usize,
    row: message_row::Model,
    locations: Vec<message_location::Model>,
    place: RestorePlace,
}

impl Viewer {
    /// What restoring `ids` would do: the folder each came from (`None`
    /// for a message `reader` may not see or has no folder to go back to)
    /// and the mailboxes `reader` may restore into.
    pub async fn restore_plan(
        &self,
        reader: Reader,
        ids: &[i64],
    ) -> Result<RestorePlan, RestoreError> {
        if ids.len() > MAX_RESTORE_MESSAGES {
            return Err(RestoreError::TooMany);
        }
        let targets = self.restore_targets(reader).await?;
        let names = target_names(&targets);
        let mut origins = Vec::with_capacity(ids.len());
        for id in ids {
            let origin = match self.readable(reader, *id).await {
                Ok(_) => origin(
                    &self.locations_of(*id).await.map_err(ViewerError::from)?,
                    &names,
                ),
                Err(ViewerError::NotFound) => None,
                Err(error) => return Err(error.into()),
            };
            origins.push((*id, origin));
        }
        Ok(RestorePlan { origins, targets })
    }

    /// Appends `input.message_ids` (those `reader` may see) each to its own
    /// folder, or all to `input.folder` of mailbox `input.mailbox_id` (one
    /// `reader` manages), creating folders as needed; skips a folder that
    /// already holds a copy unless `input.force`.
    pub async fn restore(
        &self,
        reader: Reader,
        input: &RestoreInput,
    ) -> Result<RestoreReport, RestoreError> {
        if input.message_ids.len() > MAX_RESTORE_MESSAGES {
            return Err(RestoreError::TooMany);
        }
        let targets = self.restore_targets(reader).await?;
        let names = target_names(&targets);
        let chosen = match input.mailbox_id {
            Some(mailbox_id) => {
                let folder = input.folder.trim().trim_matches('/');
                if folder.is_empty() {
                    return Err(RestoreError::NoFolder);
                }
                let mailbox = names.get(&mailbox_id).ok_or(RestoreError::NotManaged)?;
                Some(RestorePlace {
                    mailbox_id,
                    mailbox: mailbox.clone(),
                    folder: folder.to_string(),
                })
            }
            None => None,
        };
        let mut report = RestoreReport::default();
        let mut pending: BTreeMap<i64, Vec<Pending>> = BTreeMap::new();
        for (position, id) in input.message_ids.iter().enumerate() {
            let failed =
                |subject: String, place: Option<RestorePlace>, reason: String| RestoredMessage {
                    id: *id,
                    subject,
                    place,
                    outcome: RestoreOutcome::Failed(reason),
                };
            let row = match self.readable(reader, *id).await {
                Ok(row) => row,
                Err(error) => {
                    report
                        .messages
                        .push(failed(String::new(), chosen.clone(), error.to_string()));
                    continue;
                }
            };
            let locations = self.locations_of(*id).await.map_err(ViewerError::from)?;
            let subject = row.subject.clone().unwrap_or_default();
            let Some(place) = chosen.clone().or_else(|| origin(&locations, &names)) else {
                report
                    .messages
                    .push(failed(subject, None, NO_ORIGIN.into()));
                continue;
            };
            // Filled in when its mailbox is done.
            report
                .messages
                .push(failed(subject, Some(place.clone()), String::new()));
            pending.entry(place.mailbox_id).or_default().push(Pending {
                position,
                row,
                locations,
                place,
            });
        }
        for (mailbox_id, messages) in pending {
            let outcomes = match self
                .restore_into(reader, mailbox_id, &messages, input.force)
                .await
            {
                Ok(outcomes) => outcomes,
                // Not connected: every message of this mailbox failed alike.
                Err(error) => messages
                    .iter()
                    .map(|_| RestoreOutcome::Failed(error.to_string()))
                    .collect(),
            };
            for (message, outcome) in messages.iter().zip(outcomes) {
                report.messages[message.position].outcome = outcome;
            }
        }
        Ok(report)
    }

    /// Restores `messages` (all going into mailbox `mailbox_id`) over one
    /// connection; the outcome of each, in order.
    async fn restore_into(
        &self,
        reader: Reader,
        mailbox_id: i64,
        messages: &[Pending],
        force: bool,
    ) -> Result<Vec<RestoreOutcome>, RestoreError> {
        let managed = self.managed_ids(reader).await?;
        let target = self.mailboxes.by_id(mailbox_id).await?;
        let sources = self.restore_sources(&target, &managed).await?;
        let (endpoint, credentials) = self.mailboxes.connection(&target).await?;
        let imap::Connection { mut session, .. } = imap::open(&endpoint, &credentials).await?;
        let timeout = endpoint.timeout;
        let mut server_names: HashMap<String, String> = HashMap::new();
        let mut outcomes = Vec::with_capacity(messages.len());
        for message in messages {
            let outcome = async {
                let folder = &message.place.folder;
                let server_name = match server_names.get(folder) {
                    Some(name) => name.clone(),
                    None => {
                        let name = folder_on_server(&mut session, folder, timeout).await?;
                        server_names.insert(folder.clone(), name.clone());
                        name
                    }
                };
                let (_, raw) = self.raw_of(reader, message.row.id).await?;
                let message_id = message.row.message_id_header.as_deref();
                if !force
                    && folder_holds_copy(&mut session, &server_name, message_id, &raw, timeout)
                        .await?
                {
                    return Ok(RestoreOutcome::AlreadyThere);
                }
                let source = restore_source(&message.locations, mailbox_id, &sources);
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
                    None => message.row.date,
                };
                imap::append(
                    &mut session,
                    &server_name,
                    &flags,
                    internal_date,
                    &raw,
                    timeout,
                )
                .await?;
                Ok::<_, RestoreError>(RestoreOutcome::Restored)
            }
            .await;
            outcomes
                .push(outcome.unwrap_or_else(|error| RestoreOutcome::Failed(error.to_string())));
        }
        let _ = imap::logout(session, timeout).await;
        Ok(outcomes)
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

/// Mailbox id → name of the mailboxes a restore may go into.
fn target_names(targets: &[RestoreTarget]) -> HashMap<i64, String> {
    targets
        .iter()
        .map(|target| (target.mailbox_id, target.name.clone()))
        .collect()
}

/// The folder a message came from: its first location in one of `targets`
/// (mailbox id → name), `None` when it has none there.
fn origin(
    locations: &[message_location::Model],
    targets: &HashMap<i64, String>,
) -> Option<RestorePlace> {
    locations.iter().find_map(|location| {
        targets
            .get(&location.mailbox_id)
            .map(|mailbox| RestorePlace {
                mailbox_id: location.mailbox_id,
                mailbox: mailbox.clone(),
                folder: location.folder.clone(),
            })
    })
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
            converted_from: None,
            envelope: None,
        }
    }

    #[test]
    fn a_message_goes_back_to_its_first_folder_in_a_mailbox_of_the_restorer() {
        let mut locations = [location(1, 7), location(2, 3), location(3, 5)];
        locations[1].folder = "Sent".into();
        let targets: HashMap<i64, String> = [(3, "alice".into()), (5, "bob".into())].into();
        assert_eq!(
            origin(&locations, &targets),
            Some(RestorePlace {
                mailbox_id: 3,
                mailbox: "alice".into(),
                folder: "Sent".into()
            })
        );
        assert_eq!(origin(&locations, &HashMap::new()), None);
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
