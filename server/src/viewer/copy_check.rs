//! Whether a folder on a mail server already holds a copy of an archived
//! message, asked before a restore appends it there again: by its
//! Message-ID (`SEARCH HEADER Message-ID`), or, for a message without one,
//! by its bytes among the folder's messages of the same size.

use crate::imap::{self, ImapError, Session};
use std::time::Duration;

/// Messages of the same size read back to compare bytes, at most: a folder
/// with more same-sized messages than this is not read whole for a restore,
/// and the restore goes ahead unless one of these is the copy.
pub const MAX_SAME_SIZE_COMPARED: usize = 50;

/// Whether folder `server_name` holds a message with `message_id` (its
/// Message-ID header) or, without a usable one, exactly the bytes `raw`.
/// Selects the folder read-only.
pub async fn folder_holds_copy(
    session: &mut Session,
    server_name: &str,
    message_id: Option<&str>,
    raw: &[u8],
    timeout: Duration,
) -> Result<bool, ImapError> {
    imap::examine(session, server_name, timeout).await?;
    if let Some(quoted) = message_id.and_then(quoted_search_value) {
        let found =
            imap::uid_search(session, &format!("HEADER Message-ID {quoted}"), timeout).await?;
        return Ok(!found.is_empty());
    }
    // A server may store bare line feeds as CRLF, which makes its copy
    // longer by at most one byte a line.
    let line_feeds = raw.iter().filter(|byte| **byte == b'\n').count();
    let (smallest, largest) = (raw.len(), raw.len() + line_feeds);
    let query = format!(
        "LARGER {} SMALLER {}",
        smallest.saturating_sub(1),
        largest + 1
    );
    let candidates = imap::uid_search(session, &query, timeout).await?;
    if candidates.is_empty() {
        return Ok(false);
    }
    let compared = &candidates[..candidates.len().min(MAX_SAME_SIZE_COMPARED)];
    let crlf = with_crlf(raw);
    for uid_set in imap::uid_sets(compared) {
        let bodies = imap::uid_fetch_bodies(session, &uid_set, timeout).await?;
        if bodies.iter().any(|body| body == raw || *body == crlf) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `value` as an IMAP quoted string, or `None` when it cannot be one
/// (line breaks, control or non-ASCII characters): then the bytes decide.
fn quoted_search_value(value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() || !value.chars().all(|c| c.is_ascii() && !c.is_ascii_control()) {
        return None;
    }
    Some(format!(
        "\"{}\"",
        value.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

/// `raw` with every bare line feed written as CRLF.
fn with_crlf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 32);
    let mut previous = 0u8;
    for &byte in raw {
        if byte == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(byte);
        previous = byte;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_quoted_or_left_to_the_bytes() {
        assert_eq!(
            quoted_search_value(" <a\"b\\c@x> ").as_deref(),
            Some("\"<a\\\"b\\\\c@x>\"")
        );
        assert_eq!(quoted_search_value("<a@x>\r\nFLAGGED"), None);
        assert_eq!(quoted_search_value("<grüße@x>"), None);
        assert_eq!(quoted_search_value("  "), None);
    }

    #[test]
    fn bare_line_feeds_become_crlf_and_crlf_stays() {
        assert_eq!(with_crlf(b"a\nb\r\nc\n"), b"a\r\nb\r\nc\r\n");
    }
}
