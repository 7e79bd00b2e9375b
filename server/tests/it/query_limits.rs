//! What one search may cost (issue 15, items 4 and 5): a page deep in the
//! results and a search nested or long beyond the limits are refused with an
//! explanation, quickly, through every way a search arrives (the search
//! server function, `GET /export?query=`, `tresor search`), and the server
//! keeps answering.

use crate::harness::{
    Site, TestDb, assert_field_error, databases, stderr, stdout, struct_form, tresor, urlencode,
};
use app::error::ApiError;
use app::model::archive::{MAX_PAGE_SIZE, MAX_SEARCH_WINDOW, PAGE_SIZE, SearchPage};
use axum::http::StatusCode;
use std::time::{Duration, Instant};
use tresor::index::query::{MAX_QUERY_BYTES, MAX_QUERY_DEPTH};

const FIRST: &[u8] = b"From: Alice <alice@example.com>\r\nTo: user@example.com\r\nSubject: Limits one\r\nDate: Tue, 5 Mar 2024 10:00:00 +0100\r\nMessage-ID: <limits-1@example.com>\r\n\r\nThe first message.\r\n";
const SECOND: &[u8] = b"From: Bob <bob@example.com>\r\nTo: user@example.com\r\nSubject: Limits two\r\nDate: Wed, 6 Mar 2024 10:00:00 +0100\r\nMessage-ID: <limits-2@example.com>\r\n\r\nThe second message.\r\n";

/// Refusals come at once: nothing is allocated, parsed or searched for them.
const QUICKLY: Duration = Duration::from_secs(5);

fn search_form(query: &str, offset: u128, limit: usize) -> String {
    let (offset, limit) = (offset.to_string(), limit.to_string());
    struct_form(
        "input",
        &[
            ("query", query),
            ("sort", "newest"),
            ("offset", &offset),
            ("limit", &limit),
        ],
    )
}

/// A site where user@example.com has two archived messages, and their cookie.
async fn site_with_mail(db: &TestDb) -> (Site, String) {
    let site = Site::new(db).await;
    site.archive_for(
        site.user_id,
        "Limits",
        &[("first", FIRST), ("second", SECOND)],
    )
    .await;
    let cookie = site.sign_in("user@example.com", "user-password").await;
    (site, cookie)
}

/// The server still searches: both messages are found.
async fn still_answers(site: &Site, cookie: &str) {
    let page = site.search("limits", cookie).await;
    assert_eq!(page.total, 2, "the server answers after the refusal");
}

#[tokio::test]
async fn a_page_beyond_the_search_window_is_refused_and_the_last_page_is_served() {
    for db in databases().await {
        let (site, cookie) = site_with_mail(&db).await;
        for (offset, limit) in [
            (1u128 << 40, PAGE_SIZE),
            // Just past the window, and an offset that would overflow `offset + limit`.
            ((MAX_SEARCH_WINDOW - PAGE_SIZE + 1) as u128, PAGE_SIZE),
            (u64::MAX as u128, MAX_PAGE_SIZE),
        ] {
            let started = Instant::now();
            let (status, body, _) = site
                .call(
                    "/api/archive/search",
                    &search_form("limits", offset, limit),
                    Some(&cookie),
                )
                .await;
            assert!(started.elapsed() < QUICKLY, "{}", db.name);
            assert_field_error(status, &body, "offset");
            assert!(
                body.contains(&format!("first {MAX_SEARCH_WINDOW} hits"))
                    && body.contains("narrow the search"),
                "says what the limit is and what to do: {body}"
            );
            still_answers(&site, &cookie).await;
        }

        // The last page within the window is served (past the two hits: empty).
        let (status, body, _) = site
            .call(
                "/api/archive/search",
                &search_form("limits", (MAX_SEARCH_WINDOW - PAGE_SIZE) as u128, PAGE_SIZE),
                Some(&cookie),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.name);
        let page: SearchPage = serde_json::from_str(&body).unwrap();
        assert_eq!((page.total, page.hits.len()), (2, 0));
        let (status, body, _) = site
            .call(
                "/api/archive/search",
                &search_form("limits", 1, 1),
                Some(&cookie),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let page: SearchPage = serde_json::from_str(&body).unwrap();
        assert_eq!(
            page.hits[0].subject, "Limits one",
            "newest first, one skipped"
        );
    }
}

/// 100,000 levels of each kind of nesting (what overflowed the stack), for
/// the search server function.
fn hundred_thousand_deep() -> Vec<String> {
    vec![
        "(".repeat(100_000),
        "NOT ".repeat(100_000) + "limits",
        "-(".repeat(100_000) + "limits",
    ]
}

/// Within the length limit, one level deeper than allowed; and one byte
/// longer than allowed.
fn just_over_the_limits() -> Vec<String> {
    let just_over = MAX_QUERY_DEPTH + 1;
    vec![
        format!("{}limits{}", "(".repeat(just_over), ")".repeat(just_over)),
        "NOT ".repeat(just_over) + "limits",
        format!("{}limits{}", "-(".repeat(just_over), ")".repeat(just_over)),
        "x".repeat(MAX_QUERY_BYTES + 1),
    ]
}

#[tokio::test]
async fn a_search_nested_or_long_beyond_the_limits_is_refused_by_the_search() {
    for db in databases().await {
        let (site, cookie) = site_with_mail(&db).await;
        for query in hundred_thousand_deep() {
            let started = Instant::now();
            let (status, body, _) = site
                .call(
                    "/api/archive/search",
                    &search_form(&query, 0, PAGE_SIZE),
                    Some(&cookie),
                )
                .await;
            assert!(started.elapsed() < QUICKLY, "{}", db.name);
            // Refused as a search (its length), or before that by a limit on
            // the size of a server function's request body.
            assert!(
                matches!(
                    serde_json::from_str(&body),
                    Ok(ApiError::Invalid { field, .. }) if field == "query"
                ) && status == StatusCode::UNPROCESSABLE_ENTITY
                    || status == StatusCode::PAYLOAD_TOO_LARGE,
                "{}: {status} {body}",
                db.name
            );
            still_answers(&site, &cookie).await;
        }
        for query in just_over_the_limits() {
            let (status, body, _) = site
                .call(
                    "/api/archive/search",
                    &search_form(&query, 0, PAGE_SIZE),
                    Some(&cookie),
                )
                .await;
            assert_field_error(status, &body, "query");
            assert!(
                body.contains(&format!("more than {MAX_QUERY_DEPTH} deep"))
                    || body.contains(&format!("at most {MAX_QUERY_BYTES}")),
                "names the limit: {body}"
            );
            still_answers(&site, &cookie).await;
        }
        // Nesting up to the limit is a search like any other.
        let deepest = format!(
            "{}limits{}",
            "(".repeat(MAX_QUERY_DEPTH),
            ")".repeat(MAX_QUERY_DEPTH)
        );
        assert_eq!(site.search(&deepest, &cookie).await.total, 2);
        let negated = format!("limits {}", "NOT ".repeat(MAX_QUERY_DEPTH) + "first");
        assert_eq!(
            site.search(&negated, &cookie).await.total,
            1,
            "an even number of NOTs"
        );
    }
}

#[tokio::test]
async fn a_search_nested_or_long_beyond_the_limits_is_refused_by_the_export() {
    for db in databases().await {
        let (site, cookie) = site_with_mail(&db).await;
        // A URI is at most 64 KiB (the `http` crate, and so hyper, refuse
        // longer ones), so the deepest a link can nest is about 65,000 `(`,
        // written unencoded as a query string allows.
        let deepest_links = [
            format!("/export?query={}", "(".repeat(65_000)),
            format!("/export?query={}limits", "NOT+".repeat(16_000)),
            format!("/export?query={}limits", "-(".repeat(32_000)),
        ];
        let just_over = just_over_the_limits()
            .into_iter()
            .map(|query| format!("/export?query={}", urlencode(&query)));
        for link in deepest_links.into_iter().chain(just_over) {
            let started = Instant::now();
            let (status, _, body) = site.get(&link, Some(&cookie)).await;
            assert!(started.elapsed() < QUICKLY, "{}", db.name);
            assert_eq!(
                status,
                StatusCode::BAD_REQUEST,
                "{}: {}",
                db.name,
                String::from_utf8_lossy(&body)
            );
            let (status, _, _) = site.get("/export?query=limits", Some(&cookie)).await;
            assert_eq!(status, StatusCode::OK, "the server still exports");
        }
    }
}

#[test]
fn tresor_search_takes_no_limit_beyond_the_search_window() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let mail = dir.path().join("mail");
    std::fs::create_dir_all(&mail).unwrap();
    std::fs::write(mail.join("first.eml"), FIRST).unwrap();
    std::fs::write(mail.join("second.eml"), SECOND).unwrap();
    let imported = tresor(
        &data_dir,
        &["import", "--name", "Limits", mail.to_str().unwrap()],
        None,
    );
    assert!(imported.status.success(), "{}", stderr(&imported));

    let widest = MAX_SEARCH_WINDOW.to_string();
    let found = tresor(
        &data_dir,
        &["search", "limits", "--json", "--limit", &widest],
        None,
    );
    assert!(found.status.success(), "{}", stderr(&found));
    assert_eq!(stdout(&found).lines().count(), 2);

    let too_wide = (MAX_SEARCH_WINDOW + 1).to_string();
    let refused = tresor(&data_dir, &["search", "limits", "--limit", &too_wide], None);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains(&format!(
            "--limit must be between 1 and {MAX_SEARCH_WINDOW}"
        )),
        "{}",
        stderr(&refused)
    );
}
