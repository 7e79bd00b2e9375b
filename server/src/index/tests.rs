//! The index over hand-made messages: the search syntax, folding, and that
//! visibility is part of every query.

use super::document::Source;
use super::*;
use crate::db::entity::{message, message_location};
use chrono::{TimeZone, Utc};

struct Mail {
    id: i64,
    subject: &'static str,
    from: &'static str,
    to: &'static str,
    /// (0, 0, 0): no Date header.
    date: (i32, u32, u32),
    attachments: &'static [&'static str],
    body: &'static str,
    /// (mailbox, folder, listed)
    locations: &'static [(i64, &'static str, bool)],
    labels: &'static str,
    references: &'static [&'static str],
}

impl Mail {
    fn row(&self) -> message::Model {
        let (y, m, d) = self.date;
        message::Model {
            id: self.id,
            sha256: format!("{:064x}", self.id),
            size: self.body.len() as i64,
            message_id_header: Some(format!("{}@example.com", self.id)),
            date: (y > 0).then(|| Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()),
            subject: Some(self.subject.into()),
            from_text: self.from.into(),
            to_text: self.to.into(),
            cc_text: String::new(),
            attachment_names: serde_json::to_string(self.attachments).unwrap(),
            has_attachments: !self.attachments.is_empty(),
            in_reply_to: self.references.last().map(|id| id.to_string()),
            references: serde_json::to_string(self.references).unwrap(),
            defects: None,
            archived_at: Utc::now(),
            identity: None,
            supersedes_id: None,
        }
    }

    fn locations(&self) -> Vec<message_location::Model> {
        self.locations
            .iter()
            .enumerate()
            .map(|(n, (mailbox, folder, listed))| message_location::Model {
                id: self.id * 10 + n as i64,
                message_id: self.id,
                mailbox_id: *mailbox,
                folder: folder.to_string(),
                uid_validity: 1,
                uid: self.id,
                flags: "[]".into(),
                internal_date: None,
                labels: self.labels.into(),
                archived_at: Utc::now(),
                duplicate: false,
                listed: *listed,
                remote_id: None,
                converted_from: None,
                envelope: None,
            })
            .collect()
    }

    fn raw(&self) -> Vec<u8> {
        format!("Subject: {}\r\n\r\n{}\r\n", self.subject, self.body).into_bytes()
    }
}

const MAILS: &[Mail] = &[
    Mail {
        id: 1,
        subject: "Rechnung für März",
        from: "Jürgen Müller <juergen@beispiel.de>",
        to: "Buchhaltung <buha@example.com>",
        date: (2024, 3, 5),
        attachments: &["Rechnung März.pdf"],
        body: "Sehr geehrte Damen und Herren, anbei die Rechnung. Viele Grüße",
        locations: &[(10, "INBOX", true)],
        labels: r#"{"project":"Apollo"}"#,
        references: &[],
    },
    Mail {
        id: 2,
        subject: "Annual report draft",
        from: "Alice Smith <alice@example.com>",
        to: "Bob <bob@example.com>",
        date: (2024, 7, 1),
        attachments: &[],
        body: "Here is the annual report draft for the board meeting.",
        locations: &[(10, "Reports", true), (20, "INBOX", true)],
        labels: "{}",
        references: &[],
    },
    Mail {
        id: 3,
        subject: "Re: Annual report draft",
        from: "Bob <bob@example.com>",
        to: "Alice Smith <alice@example.com>",
        date: (2024, 7, 2),
        attachments: &[],
        body: "Thanks, the report looks fine. One remark on the figures.",
        locations: &[(20, "INBOX", true)],
        labels: "{}",
        references: &["2@example.com"],
    },
    Mail {
        id: 4,
        subject: "Secret merger plans",
        from: "Carol <carol@example.com>",
        to: "Board <board@example.com>",
        date: (2023, 12, 24),
        attachments: &["plan.docx"],
        body: "Nobody outside the board may read this report.",
        locations: &[(30, "INBOX", true), (10, "Dropped", false)],
        labels: "{}",
        references: &[],
    },
];

fn build() -> (tempfile::TempDir, SearchIndex) {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open_or_create(dir.path()).unwrap();
    add(&index, MAILS);
    (dir, index)
}

/// Indexes `mails` and makes them searchable.
fn add(index: &SearchIndex, mails: &[Mail]) {
    let mut writer = index.index.writer_with_num_threads(1, 20 << 20).unwrap();
    for mail in mails {
        let (row, locations, raw) = (mail.row(), mail.locations(), mail.raw());
        let source = Source {
            message: &row,
            locations: &locations,
            superseded: false,
            raw: &raw,
        };
        writer.add_document(source.document(&index.fields)).unwrap();
    }
    writer.commit().unwrap();
    index.reader.reload().unwrap();
}

fn everyone() -> Scope {
    Scope {
        visibility: Visibility::All,
        mailboxes: vec![
            (10, "Buchhaltung".into()),
            (20, "Bob".into()),
            (30, "Board".into()),
        ],
        journal_mailboxes: Vec::new(),
    }
}

fn only(mailboxes: &[(i64, &str)]) -> Scope {
    Scope {
        visibility: Visibility::Limited {
            mailboxes: mailboxes.iter().map(|(id, _)| *id).collect(),
            journal_addresses: Vec::new(),
        },
        mailboxes: mailboxes
            .iter()
            .map(|(id, name)| (*id, name.to_string()))
            .collect(),
        journal_mailboxes: Vec::new(),
    }
}

fn ids(index: &SearchIndex, query: &str, scope: &Scope) -> Vec<i64> {
    let request = SearchRequest {
        query: Query::parse(query).unwrap(),
        sort: Sort::Oldest,
        offset: 0,
        limit: 100,
        include_superseded: false,
    };
    let results = index.search(&request, scope).unwrap();
    assert_eq!(results.total, results.hits.len(), "{query}");
    results.hits.iter().map(|hit| hit.id).collect()
}

#[test]
fn finds_by_words_phrases_fields_dates_and_attachments() {
    let (_dir, index) = build();
    let all = everyone();
    for (query, expected) in [
        ("", vec![4, 1, 2, 3]),
        ("report", vec![4, 2, 3]),
        ("REPORT draft", vec![2, 3]),
        (r#""annual report""#, vec![2, 3]),
        (r#""report annual""#, vec![]),
        ("subject:report", vec![2, 3]),
        ("from:alice", vec![2]),
        ("from:alice@example.com", vec![2]),
        ("to:alice", vec![3]),
        ("has:attachment", vec![4, 1]),
        ("attachment:rechnung", vec![1]),
        ("plan.docx", vec![4]),
        ("after:2024-07-01", vec![2, 3]),
        ("before:2024-07-01", vec![4, 1]),
        ("after:2024 before:2024-07-02", vec![1, 2]),
        ("report -board", vec![3]),
        ("report NOT board", vec![3]),
        ("from:alice OR from:carol", vec![4, 2]),
        ("folder:inbox", vec![4, 1, 2, 3]),
        ("folder:Reports", vec![2]),
        ("label:project=apollo", vec![1]),
        ("mailbox:board", vec![4]),
        ("thread:2@example.com", vec![2, 3]),
        ("!!!", vec![4, 1, 2, 3]),
    ] {
        assert_eq!(ids(&index, query, &all), expected, "{query}");
    }
}

#[test]
fn german_words_are_found_with_and_without_umlauts() {
    let (_dir, index) = build();
    let all = everyone();
    for query in [
        "Grüße",
        "GRÜSSE",
        "grusse",
        "März",
        "marz",
        "from:Müller",
        "from:muller",
        "Rechnung",
    ] {
        assert_eq!(ids(&index, query, &all), [1], "{query}");
    }
}

#[test]
fn a_search_only_ever_finds_mail_of_visible_mailboxes() {
    let (_dir, index) = build();
    // Mailbox 10 holds 4 only as an unlisted (dropped) duplicate: it may
    // still be read there, but it is not "in" any of 10's folders.
    let accounting = only(&[(10, "Buchhaltung")]);
    assert_eq!(ids(&index, "", &accounting), [4, 1, 2]);
    assert_eq!(
        ids(&index, "folder:Dropped", &accounting),
        Vec::<i64>::new()
    );
    assert_eq!(ids(&index, "folder:inbox", &accounting), [1]);
    let bob = only(&[(20, "Bob")]);
    assert_eq!(ids(&index, "report", &bob), [2, 3]);
    assert_eq!(ids(&index, "merger", &bob), Vec::<i64>::new());
    assert_eq!(ids(&index, "folder:inbox OR has:attachment", &bob), [2, 3]);
    // Naming a mailbox one may not see is an error, not a way around.
    let request = SearchRequest {
        query: Query::parse("mailbox:Board").unwrap(),
        sort: Sort::Newest,
        offset: 0,
        limit: 10,
        include_superseded: false,
    };
    assert!(matches!(
        index.search(&request, &bob),
        Err(IndexError::Query(_))
    ));
    assert_eq!(ids(&index, "", &only(&[])), Vec::<i64>::new());
}

#[test]
fn pages_sorts_and_snippets() {
    let (_dir, index) = build();
    let mut request = SearchRequest {
        query: Query::parse("report").unwrap(),
        sort: Sort::Newest,
        offset: 1,
        limit: 1,
        include_superseded: false,
    };
    let page = index.search(&request, &everyone()).unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(page.hits.iter().map(|hit| hit.id).collect::<Vec<_>>(), [2]);
    let highlighted: Vec<&str> = page.hits[0]
        .snippet
        .iter()
        .filter(|(_, hit)| *hit)
        .map(|(text, _)| text.as_str())
        .collect();
    assert_eq!(highlighted, ["report"]);
    request.sort = Sort::Relevance;
    request.offset = 0;
    request.limit = 10;
    let ranked = index.search(&request, &everyone()).unwrap();
    assert_eq!(ranked.total, 3);
    assert!(ranked.hits[0].score >= ranked.hits[2].score);
}

#[test]
fn undated_mail_comes_last_in_either_date_order() {
    let (_dir, index) = build();
    // Archived just now, but without a Date header: shown as undated, so it
    // must not lead "newest first" by its arrival.
    let undated = Mail {
        id: 9,
        subject: "Ohne Datum report",
        from: "nobody@example.com",
        to: "buha@example.com",
        date: (0, 0, 0),
        attachments: &[],
        body: "report without a date",
        locations: &[(10, "INBOX", true)],
        labels: "{}",
        references: &[],
    };
    add(&index, &[undated]);
    for sort in [Sort::Newest, Sort::Oldest] {
        let request = SearchRequest {
            query: Query::parse("report").unwrap(),
            sort,
            offset: 0,
            limit: 10,
            include_superseded: false,
        };
        let hits = index.search(&request, &everyone()).unwrap().hits;
        assert_eq!(hits.len(), 4, "{sort:?}");
        assert_eq!(hits.last().unwrap().id, 9, "{sort:?}: undated mail last");
    }
}
