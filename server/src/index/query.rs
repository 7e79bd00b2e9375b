//! The search syntax, parsed into a `Query` tree; `search` turns the tree
//! into a tantivy query.
//!
//! ```text
//! invoice "annual report" from:alice to:bob@example.com subject:"Q3 figures"
//! label:project=apollo has:attachment before:2024-07-01 after:2024 folder:INBOX
//! mailbox:Sales attachment:rechnung  (a OR b)  NOT spam  -spam
//! ```
//! Terms side by side must all match. `OR` joins the terms beside it and binds
//! tighter than that (`invoice from:a OR from:b` is invoice AND (a OR b)), as
//! in Gmail; parentheses group. `AND` may be written but changes nothing.
//! `-word` and `NOT word` exclude; `-(a OR b)` excludes a group.
//! An unknown `word:` prefix is searched as text (so `12:30` finds 12:30).
//!
//! A search is at most `MAX_QUERY_BYTES` long and nests parentheses and
//! negations at most `MAX_QUERY_DEPTH` deep: the parser, the compiler into a
//! tantivy query and dropping the tree all recurse once per level, so an
//! unbounded nesting (100,000 `(`) would overflow the stack and end the server.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// Matches every message (an empty search).
    All,
    And(Vec<Query>),
    Or(Vec<Query>),
    Not(Box<Query>),
    /// Words or a phrase in one text field, or in all of them (`None`).
    Text {
        field: Option<TextField>,
        text: String,
    },
    /// `before:` — strictly before this instant.
    Before(DateTime<Utc>),
    /// `after:` — on or after this instant.
    After(DateTime<Utc>),
    HasAttachment,
    Label {
        key: String,
        value: String,
    },
    Folder(String),
    Mailbox(String),
    /// `thread:<message-id>`: the messages of a conversation.
    Thread(String),
}

/// The text fields a `field:` prefix may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    Subject,
    Body,
    From,
    /// To and Cc.
    To,
    Cc,
    Attachment,
}

/// The longest search, in bytes. A search is typed or pasted by a person
/// (or kept with a legal hold); 8 KiB holds a hundred Message-IDs joined by
/// OR. Beyond that a search only costs time and memory to parse and run.
pub const MAX_QUERY_BYTES: usize = 8 * 1024;

/// How deep parentheses and negations (`NOT`, `-(`) may nest. Every level is
/// a recursion in the parser, in `search`'s compiler and in dropping the
/// tree, so the depth is what bounds their stack; no person nests 32 deep.
pub const MAX_QUERY_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError(pub String);

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for QueryError {}

impl Query {
    pub fn parse(input: &str) -> Result<Query, QueryError> {
        if input.len() > MAX_QUERY_BYTES {
            return Err(QueryError(format!(
                "the search is {} bytes long; at most {MAX_QUERY_BYTES} are allowed, so shorten it or split it into several searches",
                input.len()
            )));
        }
        let tokens = tokenize(input)?;
        let mut parser = Parser { tokens, at: 0 };
        let query = parser.sequence(0)?;
        if parser.at < parser.tokens.len() {
            return Err(QueryError(
                "a closing parenthesis has no opening one".into(),
            ));
        }
        Ok(query)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Open,
    Close,
    Or,
    And,
    Not,
    /// `prefix:value` or a bare value (words, or a phrase in quotes).
    Term {
        prefix: Option<String>,
        value: String,
        negated: bool,
    },
}

fn tokenize(input: &str) -> Result<Vec<Token>, QueryError> {
    let mut tokens = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c == '(' {
            chars.next();
            tokens.push(Token::Open);
            continue;
        }
        if c == ')' {
            chars.next();
            tokens.push(Token::Close);
            continue;
        }
        let negated = c == '-';
        if negated {
            chars.next();
            // `-(a OR b)` excludes the group, as `NOT (a OR b)` does.
            if chars.peek() == Some(&'(') {
                tokens.push(Token::Not);
                continue;
            }
        }
        // A word, maybe `prefix:` and then a quoted or bare value.
        let mut word = String::new();
        let mut prefix = None;
        let mut quoted = false;
        while let Some(&c) = chars.peek() {
            if c == '"' {
                chars.next();
                let mut phrase = String::new();
                for c in chars.by_ref() {
                    if c == '"' {
                        break;
                    }
                    phrase.push(c);
                }
                if word.ends_with(':') && prefix.is_none() {
                    word.pop();
                    prefix = Some(std::mem::take(&mut word));
                }
                word.push_str(&phrase);
                quoted = true;
                break;
            }
            if c.is_whitespace() || c == '(' || c == ')' {
                break;
            }
            word.push(c);
            chars.next();
        }
        if !quoted {
            if let Some((head, tail)) = word.split_once(':')
                && !head.is_empty()
                && !tail.is_empty()
                && is_prefix(head)
            {
                prefix = Some(head.to_string());
                word = tail.to_string();
            }
            match (negated, word.as_str()) {
                (false, "OR") => {
                    tokens.push(Token::Or);
                    continue;
                }
                (false, "AND") => {
                    tokens.push(Token::And);
                    continue;
                }
                (false, "NOT") => {
                    tokens.push(Token::Not);
                    continue;
                }
                _ => {}
            }
        }
        if word.is_empty() && !quoted {
            continue;
        }
        tokens.push(Token::Term {
            prefix: prefix.map(|prefix| prefix.to_lowercase()),
            value: word,
            negated,
        });
    }
    Ok(tokens)
}

const PREFIXES: &[&str] = &[
    "subject",
    "body",
    "from",
    "to",
    "cc",
    "attachment",
    "has",
    "before",
    "after",
    "label",
    "folder",
    "mailbox",
    "thread",
];

fn is_prefix(word: &str) -> bool {
    PREFIXES.contains(&word.to_lowercase().as_str())
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

/// `depth` is how many parentheses and negations enclose the part being
/// parsed; each of them recurses, so each counts against `MAX_QUERY_DEPTH`.
impl Parser {
    /// Terms side by side until the end or a closing parenthesis: all must match.
    fn sequence(&mut self, depth: usize) -> Result<Query, QueryError> {
        let mut all = Vec::new();
        while let Some(token) = self.tokens.get(self.at) {
            match token {
                Token::Close => break,
                Token::And => {
                    self.at += 1;
                }
                _ => all.push(self.alternatives(depth)?),
            }
        }
        Ok(match all.len() {
            0 => Query::All,
            1 => all.pop().expect("one"),
            _ => Query::And(all),
        })
    }

    /// `a OR b OR c`.
    fn alternatives(&mut self, depth: usize) -> Result<Query, QueryError> {
        let mut any = vec![self.unary(depth)?];
        while self.tokens.get(self.at) == Some(&Token::Or) {
            self.at += 1;
            if matches!(self.tokens.get(self.at), None | Some(Token::Close)) {
                return Err(QueryError("OR needs something after it".into()));
            }
            any.push(self.unary(depth)?);
        }
        Ok(if any.len() == 1 {
            any.pop().expect("one")
        } else {
            Query::Or(any)
        })
    }

    fn unary(&mut self, depth: usize) -> Result<Query, QueryError> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        match token {
            Some(Token::Not) => {
                if matches!(self.tokens.get(self.at), None | Some(Token::Close)) {
                    return Err(QueryError("NOT needs something after it".into()));
                }
                Ok(Query::Not(Box::new(self.unary(deeper(depth)?)?)))
            }
            Some(Token::Open) => {
                let inner = self.sequence(deeper(depth)?)?;
                if self.tokens.get(self.at) != Some(&Token::Close) {
                    return Err(QueryError("a parenthesis is not closed".into()));
                }
                self.at += 1;
                Ok(inner)
            }
            Some(Token::Term {
                prefix,
                value,
                negated,
            }) => {
                let term = term(prefix.as_deref(), value)?;
                Ok(if negated {
                    Query::Not(Box::new(term))
                } else {
                    term
                })
            }
            Some(Token::Or) => Err(QueryError("OR needs something before it".into())),
            Some(Token::And) | Some(Token::Close) | None => {
                Err(QueryError("the search ends too early".into()))
            }
        }
    }
}

/// One level deeper than `depth`, unless that is deeper than allowed.
fn deeper(depth: usize) -> Result<usize, QueryError> {
    if depth >= MAX_QUERY_DEPTH {
        return Err(QueryError(format!(
            "the search nests parentheses and NOT more than {MAX_QUERY_DEPTH} deep; write it with fewer levels"
        )));
    }
    Ok(depth + 1)
}

fn term(prefix: Option<&str>, value: String) -> Result<Query, QueryError> {
    let text = |field| Query::Text {
        field: Some(field),
        text: value.clone(),
    };
    Ok(match prefix {
        None => Query::Text {
            field: None,
            text: value,
        },
        Some("subject") => text(TextField::Subject),
        Some("body") => text(TextField::Body),
        Some("from") => text(TextField::From),
        Some("to") => text(TextField::To),
        Some("cc") => text(TextField::Cc),
        Some("attachment") => text(TextField::Attachment),
        Some("has") => match value.to_lowercase().as_str() {
            "attachment" | "attachments" => Query::HasAttachment,
            _ => {
                return Err(QueryError(format!(
                    "has:{value} is not known; has:attachment is"
                )));
            }
        },
        Some("before") => Query::Before(date(&value, "before")?),
        Some("after") => Query::After(date(&value, "after")?),
        Some("label") => match value.split_once('=') {
            Some((key, label)) if !key.trim().is_empty() => Query::Label {
                key: key.trim().to_string(),
                value: label.trim().to_string(),
            },
            _ => {
                return Err(QueryError(format!(
                    "label:{value} needs a key and a value, like label:project=apollo"
                )));
            }
        },
        Some("folder") => Query::Folder(value),
        Some("mailbox") => Query::Mailbox(value),
        Some("thread") => Query::Thread(value.trim_matches(['<', '>']).to_string()),
        // An unknown prefix before a quoted value (`12:"30"`) is text.
        Some(other) => Query::Text {
            field: None,
            text: format!("{other}:{value}"),
        },
    })
}

/// A date as `YYYY-MM-DD`, `YYYY-MM` or `YYYY` (UTC): its first instant, so
/// `before:2024` means before 2024 began and `after:2024` from its first day.
fn date(value: &str, prefix: &str) -> Result<DateTime<Utc>, QueryError> {
    let bad = || {
        QueryError(format!(
            "{prefix}:{value} is not a date; write {prefix}:2024-03-31, {prefix}:2024-03 or {prefix}:2024"
        ))
    };
    let parts: Vec<&str> = value.split(['-', '.', '/']).collect();
    let number = |text: &str| text.parse::<u32>().map_err(|_| bad());
    let (year, month, day) = match parts.as_slice() {
        [year] => (number(year)? as i32, 1, 1),
        [year, month] => (number(year)? as i32, number(month)?, 1),
        [year, month, day] => (number(year)? as i32, number(month)?, number(day)?),
        _ => return Err(bad()),
    };
    let start = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(bad)?;
    Ok(Utc.from_utc_datetime(&start.and_hms_opt(0, 0, 0).expect("midnight")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(field: Option<TextField>, text: &str) -> Query {
        Query::Text {
            field,
            text: text.into(),
        }
    }

    #[test]
    fn words_phrases_and_fields() {
        assert_eq!(Query::parse("").unwrap(), Query::All);
        assert_eq!(
            Query::parse(r#"invoice "annual report" from:alice subject:"Q3 figures""#).unwrap(),
            Query::And(vec![
                text(None, "invoice"),
                text(None, "annual report"),
                text(Some(TextField::From), "alice"),
                text(Some(TextField::Subject), "Q3 figures"),
            ])
        );
        assert_eq!(
            Query::parse("12:30 From:Bob").unwrap(),
            Query::And(vec![
                text(None, "12:30"),
                text(Some(TextField::From), "Bob")
            ])
        );
    }

    #[test]
    fn or_binds_tighter_than_side_by_side_and_not_negates() {
        assert_eq!(
            Query::parse("invoice from:a OR from:b -spam NOT ham").unwrap(),
            Query::And(vec![
                text(None, "invoice"),
                Query::Or(vec![
                    text(Some(TextField::From), "a"),
                    text(Some(TextField::From), "b")
                ]),
                Query::Not(Box::new(text(None, "spam"))),
                Query::Not(Box::new(text(None, "ham"))),
            ])
        );
        assert_eq!(
            Query::parse("(a AND b) OR c").unwrap(),
            Query::Or(vec![
                Query::And(vec![text(None, "a"), text(None, "b")]),
                text(None, "c")
            ])
        );
    }

    #[test]
    fn filters() {
        let day = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap();
        assert_eq!(
            Query::parse("has:attachment before:2024-07-01 after:2024 label:Project=Apollo folder:INBOX mailbox:Sales").unwrap(),
            Query::And(vec![
                Query::HasAttachment,
                Query::Before(day(2024, 7, 1)),
                Query::After(day(2024, 1, 1)),
                Query::Label { key: "Project".into(), value: "Apollo".into() },
                Query::Folder("INBOX".into()),
                Query::Mailbox("Sales".into()),
            ])
        );
    }

    #[test]
    fn mistakes_are_explained() {
        for (input, says) in [
            ("before:yesterday", "not a date"),
            ("after:2024-13-01", "not a date"),
            ("has:pdf", "has:attachment"),
            ("label:apollo", "key and a value"),
            ("(a b", "not closed"),
            ("a b)", "closing parenthesis"),
            ("a OR", "after it"),
            ("OR a", "before it"),
            ("a NOT", "after it"),
        ] {
            let error = Query::parse(input).unwrap_err();
            assert!(error.0.contains(says), "{input}: {error}");
        }
    }

    #[test]
    fn a_minus_before_a_group_excludes_the_group() {
        assert_eq!(
            Query::parse("invoice -(spam OR ham)").unwrap(),
            Query::And(vec![
                text(None, "invoice"),
                Query::Not(Box::new(Query::Or(vec![
                    text(None, "spam"),
                    text(None, "ham")
                ]))),
            ])
        );
    }

    /// Nesting `levels` deep with each way of nesting, and whether it parses.
    fn nested(levels: usize) -> [(String, &'static str); 4] {
        [
            (
                format!("{}a{}", "(".repeat(levels), ")".repeat(levels)),
                "parentheses",
            ),
            (format!("{}a", "NOT ".repeat(levels)), "NOT"),
            // `-(` is two levels: the negation and the group.
            (
                format!("{}a{}", "-(".repeat(levels / 2), ")".repeat(levels / 2)),
                "-(",
            ),
            (
                format!("{}a{}", "(NOT ".repeat(levels / 2), ")".repeat(levels / 2)),
                "parentheses and NOT mixed",
            ),
        ]
    }

    #[test]
    fn nesting_is_allowed_up_to_the_limit_and_refused_beyond_it() {
        for (input, kind) in nested(MAX_QUERY_DEPTH) {
            assert!(Query::parse(&input).is_ok(), "{kind} at the limit");
        }
        for (input, kind) in nested(MAX_QUERY_DEPTH + 2) {
            let error = Query::parse(&input).unwrap_err();
            assert!(
                error
                    .0
                    .contains(&format!("more than {MAX_QUERY_DEPTH} deep")),
                "{kind}: {error}"
            );
        }
    }

    #[test]
    fn a_hundred_thousand_levels_are_refused_without_overflowing_the_stack() {
        for input in [
            "(".repeat(100_000),
            "NOT ".repeat(100_000) + "a",
            "-(".repeat(100_000),
        ] {
            let error = Query::parse(&input).unwrap_err();
            assert!(error.0.contains("at most"), "{error}");
        }
        // Within the length limit, the depth limit is what refuses it.
        let within_length = "(".repeat(MAX_QUERY_BYTES);
        let error = Query::parse(&within_length).unwrap_err();
        assert!(error.0.contains("deep"), "{error}");
        let not_chain = "NOT ".repeat(MAX_QUERY_BYTES / 4 - 1) + "a";
        let error = Query::parse(&not_chain).unwrap_err();
        assert!(error.0.contains("deep"), "{error}");
    }

    #[test]
    fn length_is_allowed_up_to_the_limit() {
        let longest = "a ".repeat(MAX_QUERY_BYTES / 2);
        assert_eq!(longest.len(), MAX_QUERY_BYTES);
        assert!(Query::parse(&longest).is_ok());
        let error = Query::parse(&format!("{longest}b")).unwrap_err();
        assert!(
            error.0.contains(&format!("at most {MAX_QUERY_BYTES}")),
            "{error}"
        );
    }
}
