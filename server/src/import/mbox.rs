//! Reading an mbox file one message at a time, so a 5 GB mailbox needs no
//! more memory than its largest message.
//!
//! A message starts at a `From ` envelope line (`From sender date`, with a
//! time and a year, as every writer produces) at the start of the file or
//! after an empty line; a body line that merely starts with "From " after an
//! empty line, left unescaped by a careless writer, does not split a message. The separator line is not part of the message, and neither is
//! the empty line before the next separator (or before the end of the file). Lines escaped as `>From ` (with
//! any number of `>`) lose one `>` (mboxrd), which restores what the writer
//! escaped; the common variants of mbox all read correctly this way.

use std::io::{self, BufRead};

pub struct MboxReader<R> {
    input: R,
    /// The separator line that starts the next message, once seen.
    at_separator: bool,
    finished: bool,
}

impl<R: BufRead> MboxReader<R> {
    pub fn new(input: R) -> MboxReader<R> {
        MboxReader {
            input,
            at_separator: false,
            finished: false,
        }
    }

    /// The next message's bytes, or `None` at the end of the file.
    pub fn next_message(&mut self) -> io::Result<Option<Vec<u8>>> {
        if self.finished {
            return Ok(None);
        }
        let mut line = Vec::new();
        if !self.at_separator {
            // Anything before the first separator is not a message.
            loop {
                line.clear();
                if self.input.read_until(b'\n', &mut line)? == 0 {
                    self.finished = true;
                    return Ok(None);
                }
                if is_envelope(&line) {
                    break;
                }
            }
        }
        self.at_separator = false;
        let mut message = Vec::new();
        let mut previous_blank = false;
        loop {
            line.clear();
            if self.input.read_until(b'\n', &mut line)? == 0 {
                self.finished = true;
                // Writers end every message with an empty line, the last one too.
                if previous_blank {
                    strip_last_line_break(&mut message);
                }
                break;
            }
            if previous_blank && is_envelope(&line) {
                self.at_separator = true;
                // The blank line before a separator belongs to the mbox, not the message.
                strip_last_line_break(&mut message);
                break;
            }
            previous_blank = line == b"\n" || line == b"\r\n";
            message.extend_from_slice(unescape(&line));
        }
        if self.finished && message.is_empty() {
            return Ok(None);
        }
        Ok(Some(message))
    }
}

/// `From sender@example.com Sat Jan  3 01:05:34 1996`: a time and a four-digit year.
pub fn is_envelope(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let text = String::from_utf8_lossy(rest);
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let has_time = tokens.iter().any(|token| {
        let parts: Vec<&str> = token.split(':').collect();
        parts.len() >= 2
            && parts
                .iter()
                .all(|part| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit()))
    });
    let has_year = tokens
        .iter()
        .any(|token| token.len() == 4 && token.bytes().all(|byte| byte.is_ascii_digit()));
    tokens.len() >= 3 && has_time && has_year
}

/// `>From ` → `From `, `>>From ` → `>From `; other lines unchanged.
fn unescape(line: &[u8]) -> &[u8] {
    let quotes = line.iter().take_while(|byte| **byte == b'>').count();
    if quotes > 0 && line[quotes..].starts_with(b"From ") {
        &line[1..]
    } else {
        line
    }
}

fn strip_last_line_break(message: &mut Vec<u8>) {
    if message.ends_with(b"\r\n") {
        message.truncate(message.len() - 2);
    } else if message.ends_with(b"\n") {
        message.truncate(message.len() - 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(mbox: &[u8]) -> Vec<String> {
        let mut reader = MboxReader::new(mbox);
        let mut found = Vec::new();
        while let Some(message) = reader.next_message().unwrap() {
            found.push(String::from_utf8(message).unwrap());
        }
        found
    }

    #[test]
    fn splits_at_separators_and_unescapes() {
        let mbox = b"From alice@example.com Sat Jan  3 01:05:34 1996\n\
Subject: one\n\n>From the start\n>>From twice\nbody\n\n\
From bob@example.com Sat Jan  3 01:06:00 1996\nSubject: two\n\nFrom inside a paragraph is no separator\n\n";
        assert_eq!(
            messages(mbox),
            [
                "Subject: one\n\nFrom the start\n>From twice\nbody\n",
                "Subject: two\n\nFrom inside a paragraph is no separator\n"
            ]
        );
    }

    #[test]
    fn only_real_envelope_lines_separate() {
        assert!(is_envelope(
            b"From MAILER-DAEMON Fri Jul  8 12:08:34 2011\n"
        ));
        assert!(is_envelope(
            b"From alice@example.com Sat Jan  3 01:05:34 1996\r\n"
        ));
        assert!(!is_envelope(b"From inside a paragraph is no separator\n"));
        assert!(!is_envelope(b"From: alice@example.com\n"));
    }

    #[test]
    fn crlf_files_keep_their_line_endings_and_empty_files_hold_nothing() {
        let mbox = b"From a Mon Jan 1 00:00:00 2024\r\nSubject: x\r\n\r\nbody\r\n\r\nFrom b Mon Jan 1 00:00:00 2024\r\nSubject: y\r\n\r\nz\r\n";
        assert_eq!(
            messages(mbox),
            ["Subject: x\r\n\r\nbody\r\n", "Subject: y\r\n\r\nz\r\n"]
        );
        assert!(messages(b"").is_empty());
        assert!(messages(b"no separator at all\n").is_empty());
    }
}
