//! A mailbox row read into what the engine applies: which folders, which
//! messages, and what happens on the server afterwards. Read once per run, so
//! a malformed row fails the job up front with a clear reason.

use super::action::AfterArchive;
use super::error::EngineError;
use crate::imap::ListedFolder;
use crate::mailbox::{
    Action, DEFAULT_MAX_MESSAGE_BYTES, DuplicateMatch, DuplicatePolicy, Folder, FolderRules,
    MailboxRow, SpecialUse,
};
use chrono::{DateTime, Duration as Days, Utc};

pub struct Settings {
    rules: FolderRules,
    subscribed_only: bool,
    pub filter: Filter,
    pub action: AfterArchive,
    pub duplicates: Duplicates,
}

/// What a message the archive has already is, and what becomes of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duplicates {
    pub policy: DuplicatePolicy,
    pub matching: DuplicateMatch,
}

impl Duplicates {
    pub fn read(mailbox: &MailboxRow) -> Result<Duplicates, EngineError> {
        let invalid = |reason: String| EngineError::Rules(format!("duplicates: {reason}"));
        Ok(Duplicates {
            policy: mailbox.duplicate_policy.parse().map_err(invalid)?,
            matching: mailbox.duplicate_match.parse().map_err(invalid)?,
        })
    }
}

/// Which messages of a selected folder are archived (MailStore's filters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filter {
    /// Only messages older than this many days; younger ones wait on the server.
    pub older_than_days: Option<u32>,
    /// Larger messages are skipped and reported: the profile's limit, else
    /// `DEFAULT_MAX_MESSAGE_BYTES` (there is always one). The IMAP session
    /// refuses bodies above it too, in case a server understates a size.
    pub max_message_size: u64,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            older_than_days: None,
            max_message_size: DEFAULT_MAX_MESSAGE_BYTES,
        }
    }
}

/// Why a message was not archived in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// Too young now; archived by a later run. The checkpoint stays below it.
    TooYoung,
    /// Larger than the limit; stays skipped.
    TooLarge { size: u64, limit: u64 },
}

impl Filter {
    pub fn skip(
        &self,
        internal_date: Option<DateTime<Utc>>,
        size: Option<u64>,
        now: DateTime<Utc>,
    ) -> Option<Skip> {
        let limit = self.max_message_size;
        if let Some(size) = size
            && size > limit
        {
            return Some(Skip::TooLarge { size, limit });
        }
        if let Some(days) = self.older_than_days {
            let cutoff = now - Days::days(i64::from(days));
            // A message without a date counts as young: waiting is safe, archiving early is not wanted.
            if internal_date.is_none_or(|date| date > cutoff) {
                return Some(Skip::TooYoung);
            }
        }
        None
    }
}

impl Settings {
    pub fn read(mailbox: &MailboxRow) -> Result<Settings, EngineError> {
        let rules = FolderRules::parse(&mailbox.folder_rules).map_err(|errors| {
            EngineError::Rules(
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        let action: Action = mailbox.action.parse().map_err(|reason: String| {
            EngineError::Rules(format!("after-archive action: {reason}"))
        })?;
        Ok(Settings {
            rules,
            subscribed_only: mailbox.subscribed_only,
            filter: Filter {
                older_than_days: mailbox
                    .older_than_days
                    .and_then(|days| u32::try_from(days).ok()),
                max_message_size: mailbox
                    .max_message_size
                    .and_then(|size| u64::try_from(size).ok())
                    .unwrap_or(DEFAULT_MAX_MESSAGE_BYTES),
            },
            action: AfterArchive::from_row(mailbox, action),
            duplicates: Duplicates::read(mailbox)?,
        })
    }

    /// Whether the run archives `folder`.
    pub fn selects(&self, folder: &ListedFolder) -> bool {
        if !folder.is_selectable() || self.action.is_target(folder) {
            return false;
        }
        // INBOX counts as subscribed: servers need not list it in LSUB.
        if self.subscribed_only && !folder.subscribed && !folder.name.eq_ignore_ascii_case("INBOX")
        {
            return false;
        }
        let special_use = folder
            .attributes
            .iter()
            .find_map(|attribute| SpecialUse::from_attribute(attribute));
        self.rules.selects(&Folder {
            path: folder.path(),
            special_use,
        })
    }

    /// Whether the run archives a Graph folder: by the same rules on its
    /// path and well-known role; a hidden folder counts as unsubscribed.
    pub fn selects_graph(
        &self,
        folder: &crate::graph::Folder,
        special_use: Option<SpecialUse>,
    ) -> bool {
        if self.action.is_target_path(&folder.path) || (self.subscribed_only && folder.hidden) {
            return false;
        }
        self.rules.selects(&Folder {
            path: folder.path.clone(),
            special_use,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn filters_skip_young_and_large_messages() {
        let now = at("2026-11-22T12:00:00Z");
        let filter = Filter {
            older_than_days: Some(30),
            max_message_size: 1000,
        };
        assert_eq!(
            filter.skip(Some(at("2026-10-01T00:00:00Z")), Some(10), now),
            None
        );
        assert_eq!(
            filter.skip(Some(at("2026-11-20T00:00:00Z")), Some(10), now),
            Some(Skip::TooYoung)
        );
        assert_eq!(filter.skip(None, Some(10), now), Some(Skip::TooYoung));
        assert_eq!(
            filter.skip(Some(at("2020-01-01T00:00:00Z")), Some(5000), now),
            Some(Skip::TooLarge {
                size: 5000,
                limit: 1000
            })
        );
        assert_eq!(Filter::default().skip(None, None, now), None);
    }

    #[test]
    fn without_a_limit_of_its_own_a_profile_gets_the_default_one() {
        let now = at("2026-11-22T12:00:00Z");
        let unlimited = Filter::default();
        assert_eq!(unlimited.max_message_size, DEFAULT_MAX_MESSAGE_BYTES);
        assert_eq!(
            unlimited.skip(None, Some(DEFAULT_MAX_MESSAGE_BYTES + 1), now),
            Some(Skip::TooLarge {
                size: DEFAULT_MAX_MESSAGE_BYTES + 1,
                limit: DEFAULT_MAX_MESSAGE_BYTES
            })
        );
        assert_eq!(
            unlimited.skip(None, Some(DEFAULT_MAX_MESSAGE_BYTES), now),
            None
        );
    }
}
