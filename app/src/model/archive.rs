//! The archive viewer's types: a search and its page of hits, one message
//! with its parts, integrity and thread, export and restore requests.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SearchSort {
    #[default]
    Newest,
    Oldest,
    Relevance,
}

impl SearchSort {
    pub const ALL: [SearchSort; 3] = [
        SearchSort::Newest,
        SearchSort::Oldest,
        SearchSort::Relevance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SearchSort::Newest => "newest",
            SearchSort::Oldest => "oldest",
            SearchSort::Relevance => "relevance",
        }
    }

    /// The order's name in the sort menu, in `lang`.
    pub fn label(self, lang: crate::i18n::Lang) -> String {
        match self {
            SearchSort::Newest => crate::t!(lang, "archive-sort-newest"),
            SearchSort::Oldest => crate::t!(lang, "archive-sort-oldest"),
            SearchSort::Relevance => crate::t!(lang, "archive-sort-relevance"),
        }
    }

    pub fn parse(text: &str) -> SearchSort {
        SearchSort::ALL
            .into_iter()
            .find(|sort| sort.as_str() == text)
            .unwrap_or_default()
    }
}

/// Hits per page, unless the browser asks for another size (at most 200).
pub const PAGE_SIZE: usize = 50;
pub const MAX_PAGE_SIZE: usize = 200;

/// How deep into a result a search may page: `offset + limit` at most.
/// To find one page the index keeps the best `offset + limit` hits in
/// memory, so the depth is what a page costs; an unbounded offset would let
/// one request ask for terabytes. 10,000 is 200 pages of 50: a message that
/// far down is found sooner by narrowing the search than by paging.
pub const MAX_SEARCH_WINDOW: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SearchInput {
    /// In the search syntax (`from:alice has:attachment "annual report"`).
    pub query: String,
    pub sort: SearchSort,
    /// Hits to skip; `offset + limit` is at most `MAX_SEARCH_WINDOW`.
    pub offset: usize,
    /// Hits on the page: 0 for `PAGE_SIZE`, at most `MAX_PAGE_SIZE`.
    pub limit: usize,
}

/// A piece of a snippet; `hit` marks the words found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnippetPiece {
    pub text: String,
    pub hit: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HitView {
    pub id: i64,
    pub sha256: String,
    pub message_id: Option<String>,
    pub subject: String,
    pub from: String,
    pub to: String,
    pub date: Option<DateTime<Utc>>,
    pub size: i64,
    pub has_attachments: bool,
    pub snippet: Vec<SnippetPiece>,
    /// Where the message shows for the asker: "mailbox / folder", first of them.
    pub location: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchPage {
    pub total: usize,
    pub offset: usize,
    pub hits: Vec<HitView>,
    /// Messages archived but not yet searchable (the indexer is behind).
    pub indexing: u64,
    /// The mailboxes the asker may search, for the filter chips.
    pub mailboxes: Vec<String>,
    /// The server's clock, for date chips (the browser's WASM has none).
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentView {
    /// Position among the message's attachments; the download URL uses it.
    pub index: usize,
    pub name: String,
    pub content_type: String,
    pub size: usize,
}

/// Where a copy of a message was found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationView {
    pub mailbox_id: i64,
    pub mailbox: String,
    pub folder: String,
    pub uid: i64,
    pub flags: Vec<String>,
    pub archived_at: DateTime<Utc>,
    /// Whether the asker may restore from this copy (manages the mailbox).
    pub can_restore: bool,
    /// Set when the stored bytes are Tresor's conversion of an item that was
    /// not RFC 5322 (an Outlook PST/MSG item), not its source's own bytes.
    #[serde(default)]
    pub converted_from: Option<ConvertedFrom>,
}

/// Where a converted message came from (the server's `engine::message::Provenance`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConvertedFrom {
    /// The file's name as imported.
    pub file: String,
    /// SHA-256 of the whole file, hex.
    pub file_sha256: String,
    /// The item's folder inside the file (empty for a `.msg`).
    pub folder: String,
    /// The item's EntryID in hex, where the file has one.
    pub entry_id: Option<String>,
}

/// A message of the same conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadEntry {
    pub id: i64,
    pub subject: String,
    pub from: String,
    pub date: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: i64,
    pub sha256: String,
    pub size: i64,
    pub message_id: Option<String>,
    pub subject: String,
    pub from: String,
    pub to: String,
    pub cc: String,
    pub date: Option<DateTime<Utc>>,
    pub archived_at: DateTime<Utc>,
    pub text_body: Option<String>,
    pub has_html: bool,
    /// The HTML refers to images elsewhere (shown only on request).
    pub has_remote_images: bool,
    pub attachments: Vec<AttachmentView>,
    pub locations: Vec<LocationView>,
    pub thread: Vec<ThreadEntry>,
    /// Parser defects; the bytes are archived as received all the same.
    pub defects: Vec<String>,
    /// A newer revision of this message, and the one this one replaced.
    pub superseded_by: Option<i64>,
    pub supersedes: Option<i64>,
}

/// What an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// A zip of `.eml` files.
    #[default]
    Eml,
    /// One mbox file (mboxrd).
    Mbox,
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Eml => "eml",
            ExportFormat::Mbox => "mbox",
        }
    }

    pub fn parse(text: &str) -> Option<ExportFormat> {
        match text {
            "eml" | "zip" => Some(ExportFormat::Eml),
            "mbox" => Some(ExportFormat::Mbox),
            _ => None,
        }
    }
}

/// A restore: where each message goes and whether copies already there
/// stop it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreInput {
    pub message_ids: Vec<i64>,
    /// One mailbox (the asker must manage it) for every message; `None`:
    /// each message back into the folder it was archived from.
    #[serde(default)]
    pub mailbox_id: Option<i64>,
    /// The folder of `mailbox_id`; unused without it.
    #[serde(default)]
    pub folder: String,
    /// Append even where the folder already holds a copy ("restore anyway").
    #[serde(default)]
    pub force: bool,
}

/// The messages a restore is planned for.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RestorePlanInput {
    #[serde(default)]
    pub message_ids: Vec<i64>,
}

/// A folder of a mailbox a message can go back into.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RestorePlace {
    pub mailbox_id: i64,
    pub mailbox: String,
    pub folder: String,
}

impl RestorePlace {
    /// "alice / INBOX", as the page and the report name it.
    pub fn label(&self) -> String {
        format!("{} / {}", self.mailbox, self.folder)
    }
}

/// What a restore would do, shown before it is done: each message's own
/// folder (where it has one the asker may restore into) and the mailboxes
/// to choose from instead.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RestorePlan {
    /// Message id and the folder it came from (its first location in a
    /// mailbox the asker may restore into), `None` when it has none.
    pub origins: Vec<(i64, Option<RestorePlace>)>,
    pub targets: Vec<RestoreTarget>,
}

/// How the restore of one message ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome", content = "reason")]
pub enum RestoreOutcome {
    Restored,
    /// The folder already held a copy (same Message-ID, or the same bytes
    /// without one) and the restore was not forced.
    AlreadyThere,
    Failed(String),
}

/// One message of a restore's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoredMessage {
    pub id: i64,
    pub subject: String,
    /// Where it was to go; `None` when that could not be decided.
    pub place: Option<RestorePlace>,
    pub outcome: RestoreOutcome,
}

/// Every message of a restore, in the order asked.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RestoreReport {
    pub messages: Vec<RestoredMessage>,
}

impl RestoreReport {
    /// How many messages ended with `outcome`'s kind.
    pub fn count(&self, kind: fn(&RestoreOutcome) -> bool) -> usize {
        self.messages
            .iter()
            .filter(|message| kind(&message.outcome))
            .count()
    }

    pub fn restored(&self) -> usize {
        self.count(|outcome| matches!(outcome, RestoreOutcome::Restored))
    }

    pub fn skipped(&self) -> usize {
        self.count(|outcome| matches!(outcome, RestoreOutcome::AlreadyThere))
    }

    pub fn failed(&self) -> usize {
        self.count(|outcome| matches!(outcome, RestoreOutcome::Failed(_)))
    }
}

/// A mailbox the asker may restore into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreTarget {
    pub mailbox_id: i64,
    pub name: String,
}
