//! Reading what a POP3 server sends (RFC 1939, 2449, 5034): status lines,
//! the lines of a `UIDL`, `LIST` or `CAPA` listing, and a multi-line body
//! with its dot-stuffing undone. Pure functions over bytes, no I/O, so that
//! they can be fuzzed on their own (fuzz/fuzz_targets/pop3_response.rs): a
//! POP3 server is untrusted input like a MIME message.

use std::fmt;

/// The longest status or listing line accepted. RFC 1939 allows 512 octets
/// for a response line and 70 characters for a unique id; 8 KiB is far
/// above any honest line and small enough that a server cannot make Tresor
/// buffer much before it is refused.
pub const MAX_LINE_BYTES: usize = 8 * 1024;

/// The longest unique id RFC 1939 allows (section 7, UIDL).
pub const MAX_UNIQUE_ID: usize = 70;

/// A response the client cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    #[error("a status line that starts with neither +OK nor -ERR: {0:?}")]
    NoStatus(String),
    #[error("a line longer than {MAX_LINE_BYTES} bytes")]
    LineTooLong,
    #[error("a listing line that is not `number value`: {0:?}")]
    BadListing(String),
    #[error("a unique id that RFC 1939 does not allow (1 to 70 printable characters): {0:?}")]
    BadUniqueId(String),
    #[error("a STAT answer that is not `count size`: {0:?}")]
    BadStat(String),
    #[error("message number {0} is listed twice")]
    Repeated(u32),
}

/// A status line: `+OK text` or `-ERR text`, the text without its line end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Ok(String),
    Err(String),
}

/// Reads one status line (with or without its CRLF). A SASL continuation
/// (`+ challenge`, RFC 5034) is not a status: `continuation` reads it.
pub fn status(line: &[u8]) -> Result<Status, ResponseError> {
    let line = text_of(line)?;
    let (ok, rest) = if let Some(rest) = strip_keyword(&line, "+OK") {
        (true, rest)
    } else if let Some(rest) = strip_keyword(&line, "-ERR") {
        (false, rest)
    } else {
        return Err(ResponseError::NoStatus(shorten(&line)));
    };
    let text = rest.trim().to_string();
    Ok(if ok {
        Status::Ok(text)
    } else {
        Status::Err(text)
    })
}

/// A SASL challenge (`+ base64` or `+` alone), if `line` is one.
pub fn continuation(line: &[u8]) -> Option<String> {
    let line = text_of(line).ok()?;
    if line == "+" {
        return Some(String::new());
    }
    line.strip_prefix("+ ").map(|rest| rest.trim().to_string())
}

/// The keyword at the start of `line`, case-insensitive, followed by the
/// end or a space (`+OKAY` is not `+OK`).
fn strip_keyword<'a>(line: &'a str, keyword: &str) -> Option<&'a str> {
    let head = line.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = &line[keyword.len()..];
    (rest.is_empty() || rest.starts_with(' ')).then_some(rest)
}

/// The APOP timestamp of a greeting (`<1896.697170952@dbc.mtview.ca.us>`),
/// if the server offers APOP: the first `<…>` with an `@` inside.
pub fn apop_timestamp(greeting: &str) -> Option<&str> {
    let start = greeting.find('<')?;
    let end = start + greeting[start..].find('>')?;
    let stamp = &greeting[start..=end];
    (stamp.contains('@') && stamp.chars().all(|c| c.is_ascii_graphic())).then_some(stamp)
}

/// `STAT`'s answer: the number of messages and their size in octets.
pub fn stat(text: &str) -> Result<(u32, u64), ResponseError> {
    let mut parts = text.split_ascii_whitespace();
    let bad = || ResponseError::BadStat(shorten(text));
    let count = parts.next().and_then(|n| n.parse().ok()).ok_or_else(bad)?;
    let size = parts.next().and_then(|n| n.parse().ok()).ok_or_else(bad)?;
    Ok((count, size))
}

/// One line of a `UIDL` listing: a message number and its unique id.
pub fn unique_id_line(line: &[u8]) -> Result<(u32, String), ResponseError> {
    let (number, value) = listing_line(line)?;
    let valid = !value.is_empty()
        && value.len() <= MAX_UNIQUE_ID
        && value.bytes().all(|byte| (0x21..=0x7e).contains(&byte));
    if !valid {
        return Err(ResponseError::BadUniqueId(shorten(&value)));
    }
    Ok((number, value))
}

/// One line of a `LIST` listing: a message number and its size in octets.
pub fn size_line(line: &[u8]) -> Result<(u32, u64), ResponseError> {
    let (number, value) = listing_line(line)?;
    let size = value
        .parse()
        .map_err(|_| ResponseError::BadListing(shorten(&value)))?;
    Ok((number, size))
}

/// `number value`, where value is the line's second word; later words (an
/// extension may add some) are ignored.
fn listing_line(line: &[u8]) -> Result<(u32, String), ResponseError> {
    let text = text_of(line)?;
    let mut parts = text.split_ascii_whitespace();
    let bad = || ResponseError::BadListing(shorten(&text));
    let number: u32 = parts.next().and_then(|n| n.parse().ok()).ok_or_else(bad)?;
    if number == 0 {
        return Err(bad());
    }
    let value = parts.next().ok_or_else(bad)?.to_string();
    Ok((number, value))
}

/// Checks that a listing names each message once, and returns it sorted by number.
pub fn sorted_listing<T>(mut entries: Vec<(u32, T)>) -> Result<Vec<(u32, T)>, ResponseError> {
    entries.sort_by_key(|(number, _)| *number);
    if let Some(pair) = entries.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        return Err(ResponseError::Repeated(pair[0].0));
    }
    Ok(entries)
}

/// One `CAPA` line: the capability's name, upper-cased, and its arguments
/// (`SASL PLAIN LOGIN` → `("SASL", ["PLAIN", "LOGIN"])`).
pub fn capability_line(line: &[u8]) -> Result<(String, Vec<String>), ResponseError> {
    let text = text_of(line)?;
    let mut words = text.split_ascii_whitespace();
    let name = words.next().unwrap_or_default().to_ascii_uppercase();
    Ok((name, words.map(str::to_string).collect()))
}

/// A line of a multi-line response as read from the wire, with its line end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyLine<'a> {
    /// The terminating `.` line: the response is complete.
    End,
    /// A line of the body, its byte-stuffing undone (RFC 1939 section 3: a
    /// line starting with `.` has had one more `.` put before it).
    Data(&'a [u8]),
}

/// Reads one line of a multi-line response (with its line end, CRLF or LF).
pub fn body_line(line: &[u8]) -> BodyLine<'_> {
    if line == b".\r\n" || line == b".\n" || line == b"." {
        return BodyLine::End;
    }
    match line.strip_prefix(b".") {
        Some(unstuffed) => BodyLine::Data(unstuffed),
        None => BodyLine::Data(line),
    }
}

/// Reads a whole multi-line response body (everything after the status
/// line): the body with its dot-stuffing undone, or `None` if the
/// terminating line is missing. What follows the terminator is ignored.
pub fn multi_line_body(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::with_capacity(bytes.len());
    for line in bytes.split_inclusive(|byte| *byte == b'\n') {
        match body_line(line) {
            BodyLine::End => return Some(body),
            BodyLine::Data(data) => body.extend_from_slice(data),
        }
    }
    None
}

/// A message as a server sends it in a multi-line response: every line
/// starting with `.` gets one more, and the terminating line follows. A
/// message without a final line end gets one first, as servers do.
pub fn dot_stuffed(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 16);
    for line in message.split_inclusive(|byte| *byte == b'\n') {
        if line.starts_with(b".") {
            out.push(b'.');
        }
        out.extend_from_slice(line);
    }
    if !message.is_empty() && !message.ends_with(b"\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

/// A line as text without its line end; refused when too long. Bytes that
/// are not UTF-8 are replaced: status texts are only shown.
fn text_of(line: &[u8]) -> Result<String, ResponseError> {
    if line.len() > MAX_LINE_BYTES {
        return Err(ResponseError::LineTooLong);
    }
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    Ok(String::from_utf8_lossy(line).into_owned())
}

/// At most 100 characters of `text`, for an error message.
fn shorten(text: &str) -> String {
    Shortened(text).to_string()
}

struct Shortened<'a>(&'a str);

impl fmt::Display for Shortened<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.char_indices().nth(100) {
            Some((cut, _)) => write!(f, "{}…", &self.0[..cut]),
            None => f.write_str(self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_are_ok_or_err_whatever_their_case() {
        assert_eq!(status(b"+OK ready\r\n"), Ok(Status::Ok("ready".into())));
        assert_eq!(status(b"+ok"), Ok(Status::Ok(String::new())));
        assert_eq!(
            status(b"-ERR [AUTH] Authentication failed.\r\n"),
            Ok(Status::Err("[AUTH] Authentication failed.".into()))
        );
        for bad in [&b"+OKAY\r\n"[..], b"* OK imap\r\n", b"\r\n", b"+ abc\r\n"] {
            assert!(status(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            status(&vec![b'x'; MAX_LINE_BYTES + 1]),
            Err(ResponseError::LineTooLong)
        );
    }

    #[test]
    fn a_continuation_carries_the_challenge() {
        assert_eq!(continuation(b"+ \r\n"), Some(String::new()));
        assert_eq!(continuation(b"+\r\n"), Some(String::new()));
        assert_eq!(continuation(b"+ PDE4OTYu\r\n"), Some("PDE4OTYu".into()));
        assert_eq!(continuation(b"+OK\r\n"), None);
    }

    #[test]
    fn the_apop_timestamp_is_the_greetings_angle_bracketed_part() {
        assert_eq!(
            apop_timestamp("POP3 server ready <1896.697170952@dbc.mtview.ca.us>"),
            Some("<1896.697170952@dbc.mtview.ca.us>")
        );
        assert_eq!(apop_timestamp("Dovecot ready."), None);
        assert_eq!(apop_timestamp("ready <no-at-sign>"), None);
        assert_eq!(apop_timestamp("ready <a@b"), None);
    }

    #[test]
    fn listings_name_each_message_once() {
        assert_eq!(
            unique_id_line(b"1 whqtswO00WBw418f9t5JxYwZ\r\n"),
            Ok((1, "whqtswO00WBw418f9t5JxYwZ".into()))
        );
        assert_eq!(size_line(b"2 200\r\n"), Ok((2, 200)));
        assert!(unique_id_line(b"0 abc\r\n").is_err());
        assert!(unique_id_line(b"1\r\n").is_err());
        assert!(unique_id_line(format!("1 {}\r\n", "a".repeat(71)).as_bytes()).is_err());
        assert!(size_line(b"1 -3\r\n").is_err());
        assert_eq!(stat("2 320"), Ok((2, 320)));
        assert!(stat("two").is_err());
        assert_eq!(
            sorted_listing(vec![(2, "b"), (1, "a")]),
            Ok(vec![(1, "a"), (2, "b")])
        );
        assert_eq!(
            sorted_listing(vec![(1, "a"), (1, "b")]),
            Err(ResponseError::Repeated(1))
        );
    }

    #[test]
    fn capabilities_are_upper_case_names_with_arguments() {
        assert_eq!(
            capability_line(b"sasl PLAIN LOGIN\r\n"),
            Ok(("SASL".into(), vec!["PLAIN".into(), "LOGIN".into()]))
        );
    }

    #[test]
    fn dot_stuffing_is_undone_exactly() {
        let message = b"Subject: x\r\n\r\n.hidden\r\n..two\r\n.\r\nend\r\n";
        let wire = dot_stuffed(message);
        assert_eq!(
            wire,
            b"Subject: x\r\n\r\n..hidden\r\n...two\r\n..\r\nend\r\n.\r\n".to_vec()
        );
        assert_eq!(multi_line_body(&wire), Some(message.to_vec()));
        // Bare LF lines are kept as they are.
        assert_eq!(
            multi_line_body(b"a\nb\r\n.\r\n"),
            Some(b"a\nb\r\n".to_vec())
        );
        assert_eq!(multi_line_body(b"a\r\nb\r\n"), None);
        assert_eq!(multi_line_body(b".\r\nafter"), Some(Vec::new()));
    }
}
