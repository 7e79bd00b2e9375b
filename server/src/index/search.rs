//! Turning a parsed `Query` into a tantivy query within what the asker may
//! see, and running it: total, one page of hits, snippets.

use super::query::{Query, QueryError, TextField};
use super::schema::{self, FOLDED};
use super::{IndexError, SearchIndex};
use app::model::archive::MAX_SEARCH_WINDOW;
use std::ops::Bound;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, EmptyQuery, Occur, PhraseQuery, Query as TantivyQuery, RangeQuery,
    TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, TantivyDocument, Term};

/// Whose mail a search runs over. Part of every query, so a hit the asker
/// may not see is never even counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// Administrators: every message.
    All,
    /// Messages with a copy in one of these mailboxes (`Mailboxes::visible_to`),
    /// and journal copies naming one of these addresses (`journal::parties`).
    Limited {
        mailboxes: Vec<i64>,
        journal_addresses: Vec<String>,
    },
}

/// The mailboxes a search may name (`mailbox:`, `folder:`, `label:`), with
/// the visibility that bounds it.
#[derive(Debug, Clone)]
pub struct Scope {
    pub visibility: Visibility,
    /// Id and name of each mailbox the asker may search.
    pub mailboxes: Vec<(i64, String)>,
    /// The journal mailboxes among them: their readers also find messages
    /// by the recipients a journal report names (`bcc`), nobody else.
    pub journal_mailboxes: Vec<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
    Relevance,
}

#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: Query,
    pub sort: Sort,
    /// Hits to skip; `offset + limit` beyond `MAX_SEARCH_WINDOW` is refused
    /// (`IndexError::TooDeep`).
    pub offset: usize,
    pub limit: usize,
    /// Also find messages a newer revision replaced (normally hidden).
    pub include_superseded: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// `messages.id`.
    pub id: i64,
    pub score: f32,
    /// Pieces of the body around the words found; `true` marks a match.
    pub snippet: Vec<(String, bool)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
}

/// The longest snippet, in characters.
const SNIPPET_CHARS: usize = 200;

impl SearchIndex {
    /// Runs `request` over what `scope` allows.
    pub fn search(
        &self,
        request: &SearchRequest,
        scope: &Scope,
    ) -> Result<SearchResults, IndexError> {
        let limit = request.limit.max(1);
        // Checked before anything else: tantivy allocates for `offset + limit` hits.
        let end = request.offset.saturating_add(limit);
        if end > MAX_SEARCH_WINDOW {
            return Err(IndexError::TooDeep { end });
        }
        let Some(query) = self.compile_scoped(request, scope)? else {
            return Ok(SearchResults {
                total: 0,
                hits: Vec::new(),
            });
        };
        let searcher = self.reader.searcher();
        let top = TopDocs::with_limit(limit).and_offset(request.offset);
        let (total, found): (usize, Vec<(f32, DocAddress)>) = match request.sort {
            Sort::Relevance => searcher.search(&query, &(Count, top.order_by_score()))?,
            Sort::Newest | Sort::Oldest => {
                let (key, order) = if request.sort == Sort::Newest {
                    ("newest_first", Order::Desc)
                } else {
                    ("oldest_first", Order::Asc)
                };
                let (total, found) = searcher
                    .search(&query, &(Count, top.order_by_fast_field::<i64>(key, order)))?;
                (
                    total,
                    found
                        .into_iter()
                        .map(|(_, address)| (0.0, address))
                        .collect(),
                )
            }
        };
        let mut snippets = SnippetGenerator::create(&searcher, &query, self.fields.body)?;
        snippets.set_max_num_chars(SNIPPET_CHARS);
        let mut hits = Vec::with_capacity(found.len());
        for (score, address) in found {
            let doc: TantivyDocument = searcher.doc(address)?;
            let id = doc
                .get_first(self.fields.id)
                .and_then(|value| value.as_u64())
                .ok_or_else(|| IndexError::Corrupt("a document without an id".into()))?;
            let preview = doc
                .get_first(self.fields.preview)
                .and_then(|value| value.as_str())
                .unwrap_or("");
            hits.push(Hit {
                id: id as i64,
                score,
                snippet: snippet(&snippets, preview),
            });
        }
        Ok(SearchResults { total, hits })
    }

    /// Every id `request` finds within `scope`, in index order (for exports
    /// of a whole result; `limit` and `offset` do not apply).
    pub fn all_ids(&self, request: &SearchRequest, scope: &Scope) -> Result<Vec<i64>, IndexError> {
        let Some(query) = self.compile_scoped(request, scope)? else {
            return Ok(Vec::new());
        };
        let searcher = self.reader.searcher();
        let addresses = searcher.search(&query, &tantivy::collector::DocSetCollector)?;
        let mut ids = Vec::with_capacity(addresses.len());
        for address in addresses {
            let reader = searcher.segment_reader(address.segment_ord);
            let column = reader.fast_fields().u64("id")?;
            if let Some(id) = column.first(address.doc_id) {
                ids.push(id as i64);
            }
        }
        ids.sort_unstable();
        Ok(ids)
    }

    /// One page of an export: up to `limit` ids of what `request` finds
    /// within `scope` in `after < id <= through`, ascending. Keyset paging:
    /// each page is one search from where the last one ended, nothing is
    /// held between pages, and mail indexed meanwhile (above `through`)
    /// stays out.
    pub fn ids_page(
        &self,
        request: &SearchRequest,
        scope: &Scope,
        after: i64,
        through: i64,
        limit: usize,
    ) -> Result<Vec<i64>, IndexError> {
        let Some(query) = self.id_bounded(request, scope, after, through)? else {
            return Ok(Vec::new());
        };
        let searcher = self.reader.searcher();
        let found = searcher.search(
            &query,
            &TopDocs::with_limit(limit.max(1)).order_by_fast_field::<u64>("id", Order::Asc),
        )?;
        Ok(found
            .into_iter()
            .filter_map(|(id, _)| id.and_then(|id| i64::try_from(id).ok()))
            .collect())
    }

    /// How many messages `request` finds within `scope` with `id <= through`:
    /// what `ids_page` will go through.
    pub fn count_through(
        &self,
        request: &SearchRequest,
        scope: &Scope,
        through: i64,
    ) -> Result<u64, IndexError> {
        let Some(query) = self.id_bounded(request, scope, 0, through)? else {
            return Ok(0);
        };
        Ok(self.reader.searcher().search(&query, &Count)? as u64)
    }

    /// `request` within `scope`, limited to `after < id <= through`.
    fn id_bounded(
        &self,
        request: &SearchRequest,
        scope: &Scope,
        after: i64,
        through: i64,
    ) -> Result<Option<Box<dyn TantivyQuery>>, IndexError> {
        let Some(query) = self.compile_scoped(request, scope)? else {
            return Ok(None);
        };
        let id = |value: i64| Term::from_field_u64(self.fields.id, value.max(0) as u64);
        let range = RangeQuery::new(Bound::Excluded(id(after)), Bound::Included(id(through)));
        Ok(Some(Box::new(BooleanQuery::new(vec![
            (Occur::Must, query),
            (Occur::Must, Box::new(range)),
        ]))))
    }

    /// The user's query, within the visibility, without superseded
    /// revisions unless asked. `None` when the asker may see nothing.
    fn compile_scoped(
        &self,
        request: &SearchRequest,
        scope: &Scope,
    ) -> Result<Option<Box<dyn TantivyQuery>>, IndexError> {
        let fields = &self.fields;
        let mut all: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
        match &scope.visibility {
            Visibility::All => {}
            Visibility::Limited {
                mailboxes,
                journal_addresses,
            } if mailboxes.is_empty() && journal_addresses.is_empty() => return Ok(None),
            Visibility::Limited {
                mailboxes,
                journal_addresses,
            } => {
                let in_mailboxes = mailboxes
                    .iter()
                    .map(|id| Term::from_field_u64(fields.access, *id as u64));
                let as_party = journal_addresses
                    .iter()
                    .map(|address| Term::from_field_text(fields.party, address));
                all.push((
                    Occur::Must,
                    Box::new(TermSetQuery::new(in_mailboxes.chain(as_party))),
                ));
            }
        }
        let compiler = Compiler { index: self, scope };
        all.push((
            Occur::Must,
            compiler
                .compile(&request.query)?
                .unwrap_or(Box::new(AllQuery)),
        ));
        if !request.include_superseded {
            all.push((
                Occur::MustNot,
                Box::new(term_query(fields.flag, schema::FLAG_SUPERSEDED)),
            ));
        }
        Ok(Some(Box::new(BooleanQuery::new(all))))
    }
}

/// A snippet as pieces, the matches marked; the start of the body when the
/// words found are not in it (they were in the subject, say).
fn snippet(generator: &SnippetGenerator, preview: &str) -> Vec<(String, bool)> {
    let snippet = generator.snippet(preview);
    let fragment = snippet.fragment();
    if fragment.is_empty() {
        let start: String = preview.chars().take(SNIPPET_CHARS).collect();
        return vec![(collapse_space(&start), false)];
    }
    let mut pieces = Vec::new();
    let mut at = 0;
    for range in snippet.highlighted() {
        if range.start > at {
            pieces.push((collapse_space(&fragment[at..range.start]), false));
        }
        pieces.push((fragment[range.clone()].to_string(), true));
        at = range.end;
    }
    if at < fragment.len() {
        pieces.push((collapse_space(&fragment[at..]), false));
    }
    pieces
}

/// Line breaks and runs of blanks as one space: a snippet is one line.
fn collapse_space(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !blank {
                out.push(' ');
            }
            blank = true;
        } else {
            out.push(c);
            blank = false;
        }
    }
    out
}

fn term_query(field: Field, text: &str) -> TermQuery {
    TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic)
}

struct Compiler<'a> {
    index: &'a SearchIndex,
    scope: &'a Scope,
}

impl Compiler<'_> {
    /// `None` for a part that constrains nothing (an empty search, words
    /// that are only punctuation).
    fn compile(&self, query: &Query) -> Result<Option<Box<dyn TantivyQuery>>, QueryError> {
        let fields = &self.index.fields;
        Ok(match query {
            Query::All => None,
            Query::And(parts) => {
                let mut must = Vec::new();
                for part in parts {
                    if let Some(query) = self.compile(part)? {
                        must.push((Occur::Must, query));
                    }
                }
                (!must.is_empty()).then(|| Box::new(BooleanQuery::new(must)) as _)
            }
            Query::Or(parts) => {
                let mut any = Vec::new();
                for part in parts {
                    match self.compile(part)? {
                        Some(query) => any.push((Occur::Should, query)),
                        // One alternative matches everything: so does the whole.
                        None => return Ok(None),
                    }
                }
                Some(Box::new(BooleanQuery::new(any)))
            }
            Query::Not(inner) => self.compile(inner)?.map(|inner| {
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, Box::new(AllQuery) as Box<dyn TantivyQuery>),
                    (Occur::MustNot, inner),
                ])) as _
            }),
            Query::Text { field, text } => {
                let targets: &[Field] = match field {
                    None => &[
                        fields.subject,
                        fields.from,
                        fields.to,
                        fields.cc,
                        fields.attachment,
                        fields.body,
                    ],
                    Some(TextField::Subject) => &[fields.subject],
                    Some(TextField::Body) => &[fields.body],
                    Some(TextField::From) => &[fields.from],
                    Some(TextField::To) => {
                        return Ok(self.with_bcc(self.text(&[fields.to, fields.cc], text), text));
                    }
                    Some(TextField::Cc) => &[fields.cc],
                    Some(TextField::Attachment) => &[fields.attachment],
                };
                self.text(targets, text)
            }
            Query::Before(instant) => Some(Box::new(RangeQuery::new(
                Bound::Unbounded,
                Bound::Excluded(Term::from_field_i64(fields.date, instant.timestamp())),
            ))),
            Query::After(instant) => Some(Box::new(RangeQuery::new(
                Bound::Included(Term::from_field_i64(fields.date, instant.timestamp())),
                Bound::Unbounded,
            ))),
            Query::HasAttachment => {
                Some(Box::new(term_query(fields.flag, schema::FLAG_ATTACHMENT)))
            }
            Query::Thread(id) => Some(Box::new(term_query(fields.thread, id))),
            Query::Label { key, value } => Some(self.per_mailbox(fields.label, |mailbox| {
                schema::label_term(mailbox, key, value)
            })),
            Query::Folder(folder) => Some(self.per_mailbox(fields.folder, |mailbox| {
                schema::folder_term(mailbox, folder)
            })),
            Query::Mailbox(name) => {
                let ids: Vec<Term> = self
                    .scope
                    .mailboxes
                    .iter()
                    .filter(|(_, candidate)| candidate.eq_ignore_ascii_case(name.trim()))
                    .map(|(id, _)| Term::from_field_u64(fields.mailbox, *id as u64))
                    .collect();
                if ids.is_empty() {
                    return Err(QueryError(format!(
                        "mailbox:{name} — there is no mailbox of that name among those you may search"
                    )));
                }
                Some(Box::new(TermSetQuery::new(ids)))
            }
        })
    }

    /// Folder and label terms carry their mailbox, so a folder of the same
    /// name in a mailbox the asker may not see never matches.
    fn per_mailbox(&self, field: Field, term: impl Fn(i64) -> String) -> Box<dyn TantivyQuery> {
        let terms: Vec<Term> = self
            .scope
            .mailboxes
            .iter()
            .map(|(id, _)| Term::from_field_text(field, &term(*id)))
            .collect();
        if terms.is_empty() {
            return Box::new(EmptyQuery);
        }
        Box::new(TermSetQuery::new(terms))
    }

    /// Words in any of `targets`: one word is a term, several (a phrase, or
    /// `alice@example.com`) must stand in that order.
    /// `query` (a `to:` search), or else the message's journal report names
    /// `text` among its recipients — for a reader of that journal mailbox.
    /// Others never match by `bcc`, so a party to a message cannot learn
    /// whom it was Bcc'd to by searching.
    fn with_bcc(
        &self,
        query: Option<Box<dyn TantivyQuery>>,
        text: &str,
    ) -> Option<Box<dyn TantivyQuery>> {
        let query = query?;
        let fields = &self.index.fields;
        let Some(in_bcc) = self.text(&[fields.bcc], text) else {
            return Some(query);
        };
        let in_bcc: Box<dyn TantivyQuery> = match &self.scope.visibility {
            Visibility::All => in_bcc,
            // One's own address: a Bcc recipient finds what was Bcc'd to them.
            Visibility::Limited {
                journal_addresses, ..
            } if journal_addresses.contains(&text.trim().to_lowercase()) => in_bcc,
            Visibility::Limited { .. } if self.scope.journal_mailboxes.is_empty() => {
                return Some(query);
            }
            Visibility::Limited { .. } => {
                let journals = self
                    .scope
                    .journal_mailboxes
                    .iter()
                    .map(|id| Term::from_field_u64(fields.access, *id as u64));
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, in_bcc),
                    (Occur::Must, Box::new(TermSetQuery::new(journals))),
                ]))
            }
        };
        Some(Box::new(BooleanQuery::new(vec![
            (Occur::Should, query),
            (Occur::Should, in_bcc),
        ])))
    }

    fn text(&self, targets: &[Field], text: &str) -> Option<Box<dyn TantivyQuery>> {
        let mut analyzer = self
            .index
            .index
            .tokenizers()
            .get(FOLDED)
            .expect("registered when the index was opened");
        let mut words = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while let Some(token) = stream.next() {
            words.push(token.text.clone());
        }
        if words.is_empty() {
            return None;
        }
        let per_field: Vec<(Occur, Box<dyn TantivyQuery>)> = targets
            .iter()
            .map(|field| {
                let query: Box<dyn TantivyQuery> = if words.len() == 1 {
                    Box::new(TermQuery::new(
                        Term::from_field_text(*field, &words[0]),
                        IndexRecordOption::WithFreqs,
                    ))
                } else {
                    Box::new(PhraseQuery::new(
                        words
                            .iter()
                            .map(|word| Term::from_field_text(*field, word))
                            .collect(),
                    ))
                };
                (Occur::Should, query)
            })
            .collect();
        Some(Box::new(BooleanQuery::new(per_field)))
    }
}
