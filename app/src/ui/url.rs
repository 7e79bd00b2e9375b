//! The links the pages build with a query string: searches, exports, the audit
//! log's pages and the way back after signing in. The parameter names are the
//! ones the server's routes and the pages' own query readers expect, so they
//! are written here once; values are percent-encoded by `encode`.

use crate::model::archive::SearchSort;
use crate::model::audit::AuditFilter;

/// `text` as one query-string value: letters, digits and `-_.~` as they are,
/// every other byte as `%XX` (so `&`, `=`, `#` and spaces cannot break the URL).
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

/// A link to the archive search for `query` with this sort and offset.
pub fn search_href(query: &str, sort: SearchSort, offset: usize) -> String {
    let mut href = format!("/archive?q={}", encode(query));
    if sort != SearchSort::Newest {
        href.push_str(&format!("&sort={}", sort.as_str()));
    }
    if offset > 0 {
        href.push_str(&format!("&from={offset}"));
    }
    href
}

/// The download of everything `query` finds, as `format` (`eml` zip or `mbox`).
pub fn search_export_href(format: &str, query: &str) -> String {
    format!("/export?format={format}&query={}", encode(query))
}

/// The download of the messages `ids`, as `format` (`eml` zip or `mbox`).
pub fn messages_export_href(format: &str, ids: impl IntoIterator<Item = i64>) -> String {
    let ids: Vec<String> = ids.into_iter().map(|id| id.to_string()).collect();
    format!("/export?format={format}&ids={}", ids.join(","))
}

/// The download of one folder of one mailbox (a zip of `.eml` files).
pub fn folder_export_href(mailbox_id: i64, folder: &str) -> String {
    format!("/export?mailbox={mailbox_id}&folder={}", encode(folder))
}

/// The sign-in page, coming back to `wanted` (path and query) afterwards.
pub fn sign_in_href(wanted: &str) -> String {
    if wanted == "/" {
        "/sign-in".to_string()
    } else {
        format!("/sign-in?next={}", encode(wanted))
    }
}

/// The audit log with `filter`, from entry `offset` on.
pub fn audit_href(filter: &AuditFilter, offset: usize) -> String {
    format!("/admin/audit?{}", audit_query(filter, Some(offset)))
}

/// Where a mail file is uploaded for import into the import mailbox
/// `mailbox` of the user `owner` (`server::web::upload`).
pub fn import_upload_href(file: &str, mailbox: &str, owner: &str) -> String {
    format!(
        "/admin/import/upload?file={}&mailbox={}&owner={}",
        encode(file),
        encode(mailbox),
        encode(owner)
    )
}

/// The CSV of every entry `filter` selects.
pub fn audit_csv_href(filter: &AuditFilter) -> String {
    format!("/admin/audit.csv?{}", audit_query(filter, None))
}

/// The query string of `filter` at `offset`: only the parts that are set.
fn audit_query(filter: &AuditFilter, offset: Option<usize>) -> String {
    let mut parts = Vec::new();
    for (key, value) in [
        ("action", &filter.action),
        ("actor", &filter.actor),
        ("from", &filter.from),
        ("to", &filter.to),
    ] {
        if !value.is_empty() {
            parts.push(format!("{key}={}", encode(value)));
        }
    }
    if let Some(offset) = offset.filter(|offset| *offset > 0) {
        parts.push(format!("offset={offset}"));
    }
    parts.join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_cannot_break_out_of_their_parameter() {
        assert_eq!(encode("a b&c=d#é"), "a%20b%26c%3Dd%23%C3%A9");
        assert_eq!(encode("Sent-2024_v1.~"), "Sent-2024_v1.~");
    }

    #[test]
    fn a_search_link_says_only_what_differs_from_the_default() {
        assert_eq!(
            search_href("from:ann", SearchSort::Newest, 0),
            "/archive?q=from%3Aann"
        );
        assert_eq!(
            search_href("x", SearchSort::Oldest, 50),
            "/archive?q=x&sort=oldest&from=50"
        );
        assert_eq!(
            messages_export_href("mbox", [3, 5]),
            "/export?format=mbox&ids=3,5"
        );
        assert_eq!(
            folder_export_href(7, "INBOX/Rechnungen 2024"),
            "/export?mailbox=7&folder=INBOX%2FRechnungen%202024"
        );
    }

    #[test]
    fn signing_in_comes_back_to_the_page_asked_for() {
        assert_eq!(sign_in_href("/"), "/sign-in");
        assert_eq!(
            sign_in_href("/m/7?images=1"),
            "/sign-in?next=%2Fm%2F7%3Fimages%3D1"
        );
    }

    #[test]
    fn the_audit_query_holds_only_the_filters_set() {
        let filter = AuditFilter {
            action: "message.read".into(),
            actor: "ann@example.com".into(),
            ..Default::default()
        };
        assert_eq!(
            audit_href(&filter, 0),
            "/admin/audit?action=message.read&actor=ann%40example.com"
        );
        assert_eq!(
            audit_csv_href(&filter),
            "/admin/audit.csv?action=message.read&actor=ann%40example.com"
        );
        assert_eq!(
            audit_href(&AuditFilter::default(), 100),
            "/admin/audit?offset=100"
        );
    }
}
