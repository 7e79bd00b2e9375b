//! The index's fields and how their text is cut into terms.
//!
//! Text fields go through `folded`: words split on anything that is not a
//! letter or digit, lower-cased, and folded to ASCII (`Grüße` → `grusse`,
//! `Müller` → `muller`), so German and English are found however they are
//! typed, with or without umlauts. Fields that hold identifiers (folder and
//! label terms, Message-IDs) are matched whole.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};

/// Text: words, lower-cased and folded to ASCII.
pub const FOLDED: &str = "tresor_folded";
/// Identifiers compared whole but without regard to case (folders, labels).
pub const KEYWORD: &str = "tresor_keyword";

/// The fields of a message's document. `Fields::new` builds the schema;
/// `Fields::of` finds the fields again in an opened index.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// `messages.id`: the document's key.
    pub id: Field,
    pub subject: Field,
    pub body: Field,
    /// The start of the body text, stored for snippets (the body itself is
    /// indexed only: the blob store holds the message).
    pub preview: Field,
    pub from: Field,
    pub to: Field,
    pub cc: Field,
    pub attachment: Field,
    /// Seconds since 1970: the Date header, else when it was archived.
    pub date: Field,
    /// The sort keys of "newest first" and "oldest first": the Date header,
    /// and for mail without one a key that puts it last either way (the list
    /// shows such mail as undated, so it must not sit among dated mail by
    /// its arrival time).
    pub newest_first: Field,
    pub oldest_first: Field,
    pub size: Field,
    /// Mailboxes holding a copy: who may find the message.
    pub access: Field,
    /// Mailboxes listing the message (`mailbox:` filters).
    pub mailbox: Field,
    /// `<mailbox id>/<folder>`, lower-cased, per listing location.
    pub folder: Field,
    /// `<mailbox id>/<key>=<value>`, lower-cased, per listing location.
    pub label: Field,
    /// The message's own Message-ID, its In-Reply-To and References.
    pub thread: Field,
    /// `attachment`, `superseded`, `defects`.
    pub flag: Field,
    /// A journal copy's parties (`journal::parties`), lower-cased: users
    /// find journal mail that names their address.
    pub party: Field,
    /// The recipients an Exchange journal report names for the original
    /// (Bcc, expanded lists). Kept apart from `to`: `to:` looks here only for
    /// those who read the journal mailbox, so a recipient who sees the
    /// message as a party cannot find out who was Bcc'd.
    pub bcc: Field,
}

impl Fields {
    pub fn schema() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        let text = |with_positions: bool| {
            let record = if with_positions {
                IndexRecordOption::WithFreqsAndPositions
            } else {
                IndexRecordOption::WithFreqs
            };
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(FOLDED)
                    .set_index_option(record),
            )
        };
        let keyword = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(KEYWORD)
                .set_index_option(IndexRecordOption::Basic),
        );
        let fields = Fields {
            id: builder.add_u64_field("id", INDEXED | FAST | STORED),
            subject: builder.add_text_field("subject", text(true)),
            body: builder.add_text_field("body", text(true)),
            preview: builder.add_text_field("preview", STORED),
            from: builder.add_text_field("from", text(true)),
            to: builder.add_text_field("to", text(true)),
            cc: builder.add_text_field("cc", text(true)),
            attachment: builder.add_text_field("attachment", text(true)),
            date: builder.add_i64_field("date", INDEXED | FAST),
            newest_first: builder.add_i64_field("newest_first", FAST),
            oldest_first: builder.add_i64_field("oldest_first", FAST),
            size: builder.add_u64_field("size", INDEXED | FAST),
            access: builder.add_u64_field("access", INDEXED),
            mailbox: builder.add_u64_field("mailbox", INDEXED),
            folder: builder.add_text_field("folder", keyword.clone()),
            label: builder.add_text_field("label", keyword),
            thread: builder.add_text_field("thread", STRING),
            flag: builder.add_text_field("flag", STRING),
            party: builder.add_text_field("party", STRING),
            bcc: builder.add_text_field("bcc", text(true)),
        };
        (builder.build(), fields)
    }

    /// Registers the analyzers the fields name with `index`.
    pub fn register_tokenizers(index: &tantivy::Index) {
        index.tokenizers().register(
            FOLDED,
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(64))
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build(),
        );
        index.tokenizers().register(
            KEYWORD,
            TextAnalyzer::builder(RawTokenizer::default())
                .filter(LowerCaser)
                .build(),
        );
    }
}

/// Flag terms.
pub const FLAG_ATTACHMENT: &str = "attachment";
pub const FLAG_SUPERSEDED: &str = "superseded";
pub const FLAG_DEFECTS: &str = "defects";

/// The `folder` term of `folder` in mailbox `mailbox_id`.
pub fn folder_term(mailbox_id: i64, folder: &str) -> String {
    format!("{mailbox_id}/{}", folder.to_lowercase())
}

/// The `label` term of `key=value` in mailbox `mailbox_id`.
pub fn label_term(mailbox_id: i64, key: &str, value: &str) -> String {
    format!(
        "{mailbox_id}/{}={}",
        key.trim().to_lowercase(),
        value.trim().to_lowercase()
    )
}

impl Fields {
    /// The fields of an opened index, by name.
    pub fn of(schema: &Schema) -> tantivy::Result<Fields> {
        let field = |name: &str| schema.get_field(name);
        Ok(Fields {
            id: field("id")?,
            subject: field("subject")?,
            body: field("body")?,
            preview: field("preview")?,
            from: field("from")?,
            to: field("to")?,
            cc: field("cc")?,
            attachment: field("attachment")?,
            date: field("date")?,
            newest_first: field("newest_first")?,
            oldest_first: field("oldest_first")?,
            size: field("size")?,
            access: field("access")?,
            mailbox: field("mailbox")?,
            folder: field("folder")?,
            label: field("label")?,
            thread: field("thread")?,
            flag: field("flag")?,
            party: field("party")?,
            bcc: field("bcc")?,
        })
    }
}
