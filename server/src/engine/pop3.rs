//! Archiving a POP3 mailbox: a source of the ingest pipeline, like an IMAP
//! folder (`folder`) and a Graph folder (`graph`). POP3 has one maildrop,
//! recorded as the folder `INBOX`; its messages are numbered per session,
//! so what stays is their unique id (`UIDL`), kept as each archived copy's
//! `remote_id`, by which a later run knows it without fetching it again —
//! the set of unique ids archived, remembered per mailbox. Each copy gets a
//! UID of Tresor's own numbering (`CheckpointRule::Numbering`, as Graph's).
//!
//! A run: `UIDL` and `LIST` → the ids `locations` knows get only their
//! pending action → the new ones, filtered (size from `LIST`; age from the
//! header, `TOP n 0`, only when the profile asks for it), fetched with `RETR`
//! one after another into the pipeline → the action for what settled.
//!
//! The action is "leave on server" (none) or delete. `DELE` is only sent
//! for settled messages (committed, or found in `locations`), and POP3
//! removes what is marked only at `QUIT`: a run killed or cut off at any
//! point deletes nothing, and the next run finds those messages archived
//! and deletes them then.

use super::action::{ActionError, AfterArchive, ServerFolder, Settled};
use super::error::EngineError;
use super::locations::SourceFolder;
use super::log::{FolderLog, JobLog};
use super::message::FetchedMessage;
use super::pipeline::{CheckpointRule, FETCH_CHUNK, Pipeline, Sink};
use super::progress;
use super::settings::{Settings, Skip};
use crate::mailbox::Mailboxes;
use crate::pop3::{self, Listed, Pop3Error, Pop3Session};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The folder a POP3 maildrop is recorded as: POP3 reads the inbox.
pub(crate) const MAILDROP: &str = "INBOX";

/// Archives the maildrop of a POP3 mailbox into `log`, then ends the
/// session with `QUIT`, which removes the messages marked deleted.
pub(super) async fn archive_mailbox(
    sink: Sink<'_>,
    mailboxes: &Mailboxes,
    settings: &Settings,
    log: &mut JobLog,
) -> Result<(), EngineError> {
    let mailbox = sink.mailbox;
    let (endpoint, credentials) = mailboxes.pop3_connection(mailbox).await?;
    let pop3::Connection { mut session, .. } = pop3::open(&endpoint, &credentials).await?;
    progress::update(sink.progress, |progress| progress.folders_total = 1);
    let mut folder_log = FolderLog::new(MAILDROP);
    let source = SourceFolder {
        mailbox_id: mailbox.id,
        name: MAILDROP.into(),
        uid_validity: uid_validity_of(&mailbox.host, &mailbox.username),
    };
    let mut run = Run {
        sink,
        settings,
        session: &mut session,
        source,
        numbers: HashMap::new(),
        now: Utc::now(),
    };
    let outcome = run.archive(&mut folder_log).await;
    let archived_total = run.source.archived_count(sink.db).await;
    if let Err(error) = outcome {
        folder_log.error = Some(error.to_string());
    }
    // Only settled messages were marked; QUIT removes them. Without it
    // (the session broke) the server removes none, and a later run does.
    if let Err(error) = session.quit().await {
        if folder_log.deleted > 0 {
            tracing::warn!(mailbox = %mailbox.name, %error, "the POP3 session did not end with QUIT: the server removed no message");
            folder_log.deleted = 0;
        }
        folder_log.error.get_or_insert_with(|| {
            format!("ending the session failed, so the server removed no message: {error}")
        });
    }
    folder_log.archived_total = archived_total?;
    log.add_folder(folder_log);
    progress::update(sink.progress, |progress| progress.folders_done = 1);
    Ok(())
}

/// A stable UIDVALIDITY for a maildrop: from the server and the user, so a
/// mailbox pointed at another maildrop starts afresh (its unique ids are
/// another server's), while the same one keeps its record.
fn uid_validity_of(host: &str, username: &str) -> i64 {
    let digest = Sha256::digest(format!("pop3 {} {username}", host.to_ascii_lowercase()));
    i64::from(u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) >> 1)
}

/// State of one run over the maildrop.
struct Run<'a> {
    sink: Sink<'a>,
    settings: &'a Settings,
    session: &'a mut Pop3Session,
    /// The maildrop as the archive records it.
    source: SourceFolder,
    /// The session's message number of each UID given or known in this run.
    numbers: HashMap<u32, u32>,
    now: DateTime<Utc>,
}

impl Run<'_> {
    async fn archive(&mut self, log: &mut FolderLog) -> Result<(), EngineError> {
        let db = self.sink.db;
        let mut last_uid = match self.source.checkpoint(db).await? {
            Some(saved) if saved.uid_validity == self.source.uid_validity => {
                u32::try_from(saved.last_uid).unwrap_or(0)
            }
            Some(_) => {
                tracing::info!(mailbox = %self.sink.mailbox.name, "the mailbox reads another maildrop now: numbering afresh");
                0
            }
            None => 0,
        };
        let (count, _) = self.session.stat().await?;
        log.server_count = u64::from(count);
        let listed = self.session.listed().await?;
        progress::update(self.sink.progress, |progress| {
            progress.folder = Some(MAILDROP.into());
            progress.folder_done = 0;
            progress.folder_total = listed.len() as u64;
        });

        // 1. Archived already (known by their unique id): the action, where still due.
        let ids: Vec<&str> = listed
            .iter()
            .map(|message| message.unique_id.as_str())
            .collect();
        let known = self.source.known_by_remote_id(db, &ids).await?;
        let mut waiting = Vec::new();
        let mut new = Vec::new();
        for message in &listed {
            match known.get(&message.unique_id) {
                Some(settled) => {
                    self.numbers.insert(settled.uid, message.number);
                    waiting.push(*settled);
                }
                None => new.push(message),
            }
        }
        progress::update(self.sink.progress, |progress| {
            progress.folder_done = waiting.len() as u64;
        });
        self.apply(&waiting, log).await?;

        // 2. The new ones: filtered, numbered, fetched, stored and committed
        // in batches, each chunk's action applied once it is committed.
        let mut pipeline = Pipeline::new(self.sink, self.source.clone(), CheckpointRule::Numbering);
        for chunk in new.chunks(FETCH_CHUNK) {
            let mut settled = Vec::with_capacity(chunk.len());
            for message in chunk {
                let Some(date) = self.sort_out(message, log).await? else {
                    continue;
                };
                last_uid += 1;
                self.numbers.insert(last_uid, message.number);
                settled.extend(
                    self.fetch(&mut pipeline, last_uid, message, date, log)
                        .await?,
                );
            }
            settled.extend(pipeline.settle(log).await?);
            self.source.save_checkpoint(db, last_uid, None).await?;
            self.apply(&settled, log).await?;
        }
        self.source.save_checkpoint(db, last_uid, None).await?;
        Ok(())
    }

    /// Whether to fetch `message` now: `None` when it is skipped (too
    /// large: for good, listed in the log; too young: until a later run),
    /// else its date where the filter needed one.
    async fn sort_out(
        &mut self,
        message: &Listed,
        log: &mut FolderLog,
    ) -> Result<Option<Option<DateTime<Utc>>>, EngineError> {
        let filter = &self.settings.filter;
        // A date only where the filter needs one: it costs a `TOP` per message.
        let date = match filter.older_than_days {
            Some(_) if message.size <= filter.max_message_size => {
                delivery_date(&self.session.header(message.number).await?)
            }
            _ => None,
        };
        match filter.skip(date, Some(message.size), self.now) {
            None => Ok(Some(date)),
            Some(Skip::TooYoung) => {
                log.skipped += 1;
                Ok(None)
            }
            Some(Skip::TooLarge { size, limit }) => {
                log.skipped += 1;
                // Not numbered: it has no UID; the note names it by POP3's words.
                log.record_skip(
                    0,
                    &format!(
                        "message {} (UIDL {}): {size} bytes, larger than the limit of {limit} bytes",
                        message.number, message.unique_id
                    ),
                );
                Ok(None)
            }
        }
    }

    /// `RETR`s `message` as `uid` into the pipeline; returns what that settled.
    async fn fetch(
        &mut self,
        pipeline: &mut Pipeline<'_>,
        uid: u32,
        message: &Listed,
        date: Option<DateTime<Utc>>,
        log: &mut FolderLog,
    ) -> Result<Vec<Settled>, EngineError> {
        let limit = self.settings.filter.max_message_size;
        match self.session.retrieve(message.number, limit).await {
            Ok(body) => {
                let date = date.or_else(|| delivery_date(&body));
                let fetched = FetchedMessage::new(uid, body, Vec::new(), date)
                    .with_remote_id(message.unique_id.clone());
                pipeline.push(fetched, log).await
            }
            // The server refused this one message (gone since it was listed,
            // unreadable on its disk): logged, and the rest goes on; the next
            // run tries it again.
            Err(Pop3Error::Refused { text, .. }) => {
                let reason = format!("the server did not send it: {text}");
                Ok(vec![pipeline.fail(uid, &reason, date, log)])
            }
            Err(error) => Err(error.into()),
        }
    }

    /// The after-archive action for settled messages only.
    async fn apply(&mut self, settled: &[Settled], log: &mut FolderLog) -> Result<(), EngineError> {
        let action = &self.settings.action;
        if settled.is_empty() || *action == AfterArchive::None {
            return Ok(());
        }
        let mut maildrop = Maildrop {
            session: self.session,
            numbers: &self.numbers,
            now: self.now,
        };
        let applied = action.apply(&mut maildrop, settled).await?;
        applied.add_to(log);
        Ok(())
    }
}

/// When a message reached the maildrop: its newest `Received:` date, else
/// its `Date:` (POP3 lists no dates). `None` when it names neither.
fn delivery_date(message: &[u8]) -> Option<DateTime<Utc>> {
    let parsed = mail_parser::MessageParser::default().parse_headers(message)?;
    let date = parsed
        .received_all()
        .find_map(|received| received.date())
        .or_else(|| parsed.date().copied())?;
    DateTime::from_timestamp(date.to_timestamp(), 0)
}

/// The maildrop as the after-archive action changes it: `DELE` by number.
struct Maildrop<'a> {
    session: &'a mut Pop3Session,
    numbers: &'a HashMap<u32, u32>,
    now: DateTime<Utc>,
}

impl ServerFolder for Maildrop<'_> {
    fn now(&self) -> DateTime<Utc> {
        self.now
    }

    async fn tag(&mut self, _: &[u32], _: &str) -> Result<u64, ActionError> {
        Err(ActionError::NoFoldersOnPop3)
    }

    async fn move_to(&mut self, _: &[u32], _: &str) -> Result<u64, ActionError> {
        Err(ActionError::NoFoldersOnPop3)
    }

    /// Marks the messages; `QUIT` removes them.
    async fn delete(&mut self, uids: &[u32]) -> Result<u64, ActionError> {
        let mut marked = 0;
        for uid in uids {
            let number = self.numbers[uid];
            self.session.mark_deleted(number).await?;
            marked += 1;
        }
        Ok(marked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_maildrops_uid_validity_is_stable_per_server_and_user() {
        let first = uid_validity_of("pop.example.com", "anna");
        assert_eq!(first, uid_validity_of("POP.example.com", "anna"));
        assert_ne!(first, uid_validity_of("pop.example.com", "bob"));
        assert!((0..=i64::from(i32::MAX)).contains(&first));
    }

    #[test]
    fn the_delivery_date_is_the_newest_received_else_the_date_header() {
        let received = b"Received: from a by b; Tue, 3 Dec 2024 10:00:00 +0000\r\n\
            Received: from c by a; Mon, 2 Dec 2024 10:00:00 +0000\r\n\
            Date: Sun, 1 Dec 2024 10:00:00 +0000\r\n\r\nbody\r\n";
        assert_eq!(
            delivery_date(received).map(|date| date.to_rfc3339()),
            Some("2024-12-03T10:00:00+00:00".into())
        );
        let dated = b"Date: Sun, 1 Dec 2024 10:00:00 +0100\r\n\r\nbody\r\n";
        assert_eq!(
            delivery_date(dated).map(|date| date.to_rfc3339()),
            Some("2024-12-01T09:00:00+00:00".into())
        );
        assert_eq!(delivery_date(b"Subject: none\r\n\r\n"), None);
    }
}
