//! Sign-in throttling and password resets over HTTP, as a client behind a
//! reverse proxy (or pretending to be one) would meet them: whose attempts
//! count together, what a success forgives, what the audit log records as the
//! client, and how often a reset link can be asked for and how long it lives.

use crate::harness::{
    Site, TestDb, assert_field_error, databases, plain_form, reset_password_form, sign_in_form,
};
use axum::http::{StatusCode, header};
use std::sync::Arc;
use std::time::Duration;

/// The reverse proxy of these tests; `trusted_proxies` names its network.
const PROXY: &str = "10.0.0.1";
const PROXY_NETWORK: &str = "10.0.0.0/8";

/// Free failed sign-ins per client (`Policy::SIGN_IN_PER_CLIENT`) and per
/// account (`Policy::SIGN_IN_PER_ACCOUNT`).
const FREE_PER_CLIENT: usize = 25;
const FREE_PER_ACCOUNT: usize = 5;
/// Reset requests allowed at once per address and per client (`Policy::RESET_PER_*`).
const RESETS_PER_ADDRESS: usize = 3;
const RESETS_PER_CLIENT: usize = 10;

/// A site whose configuration trusts the proxy's network.
async fn site_behind_proxy(db: &TestDb) -> Site {
    Site::new(db).await.with_state(|mut state| {
        let mut config = (*state.config).clone();
        config.trusted_proxies = PROXY_NETWORK.parse().unwrap();
        state.config = Arc::new(config);
        state
    })
}

/// A server function called from the socket address `peer`, with an
/// `X-Forwarded-For` header when `forwarded_for` is given.
async fn call_from(
    site: &Site,
    peer: &str,
    forwarded_for: Option<&str>,
    path: &str,
    form: &str,
) -> (StatusCode, String) {
    // Sent as the browser's own page sends it, so only the addresses differ.
    let mut headers = vec![("sec-fetch-site", "same-origin")];
    if let Some(forwarded_for) = forwarded_for {
        headers.push(("x-forwarded-for", forwarded_for));
    }
    let (status, body, _) = site.call_from_peer(peer, path, form, &headers).await;
    (status, body)
}

/// A sign-in by the client at `client`, through the proxy.
async fn sign_in_via_proxy(site: &Site, client: &str, email: &str, password: &str) -> StatusCode {
    call_from(
        site,
        PROXY,
        Some(client),
        "/api/auth/sign_in",
        &sign_in_form(email, password),
    )
    .await
    .0
}

/// Each client behind a trusted proxy has its own count: one client's
/// failures throttle that client only, not everyone who comes through the
/// proxy (which, counted by socket address, would lock out the company).
#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_count() {
    for db in databases().await {
        let site = site_behind_proxy(&db).await;
        let guesser = "198.51.100.1";
        // A different unknown account each time: only the client's count grows.
        for attempt in 0..FREE_PER_CLIENT {
            let email = format!("nobody{attempt}@example.com");
            let status = sign_in_via_proxy(&site, guesser, &email, "guess-guess").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{}: {attempt}", db.name);
        }
        assert_eq!(
            sign_in_via_proxy(&site, guesser, "user@example.com", "user-password").await,
            StatusCode::TOO_MANY_REQUESTS,
            "{}: the guessing client waits, even with a right password",
            db.name
        );
        assert_eq!(
            sign_in_via_proxy(&site, "198.51.100.2", "user@example.com", "user-password").await,
            StatusCode::OK,
            "{}: another client behind the same proxy signs in",
            db.name
        );
        // The proxy's own address is not what was counted either.
        let (status, _) = call_from(
            &site,
            PROXY,
            None,
            "/api/auth/sign_in",
            &sign_in_form("root@example.com", "root-password"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}", db.name);
    }
}

/// The same against a real `tresor serve` behind a proxy on the loopback
/// address, trusted through `TRESOR_TRUSTED_PROXIES`: the addresses the
/// proxy forwards for are counted apart, not its own socket address.
#[tokio::test]
async fn a_real_server_behind_a_trusted_proxy_counts_each_client() {
    let data = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_tresor"))
        .arg("--data-dir")
        .arg(data.path())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env_remove("DATABASE_URL")
        .env_remove("TRESOR_DATABASE_URL")
        .env("TRESOR_TRUSTED_PROXIES", "127.0.0.1, ::1")
        .env("TRESOR_INITIAL_ADMIN_EMAIL", "root@example.com")
        .env("TRESOR_INITIAL_ADMIN_PASSWORD", "root-password")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("tresor serve starts");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut up = false;
    for _ in 0..300 {
        if let Ok(response) = http.get(format!("{base}/healthz")).send().await {
            up = response.status().is_success();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "tresor serve answers /healthz");
    let sign_in = |client: &'static str, email: String, password: &'static str| {
        let request = http
            .post(format!("{base}/api/auth/sign_in"))
            .header("x-forwarded-for", client)
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(sign_in_form(&email, password));
        async move { request.send().await.unwrap().status().as_u16() }
    };
    for attempt in 0..FREE_PER_CLIENT {
        let email = format!("nobody{attempt}@example.com");
        assert_eq!(sign_in("198.51.100.1", email, "guess-guess").await, 401);
    }
    let root = || "root@example.com".to_string();
    assert_eq!(sign_in("198.51.100.1", root(), "root-password").await, 429);
    assert_eq!(sign_in("198.51.100.2", root(), "root-password").await, 200);
    server.kill().await.unwrap();
}

/// From a peer that is not a trusted proxy, `X-Forwarded-For` proves
/// nothing: a new made-up address per attempt does not escape the count, and
/// the audit log records the peer.
#[tokio::test]
async fn an_untrusted_peers_forwarded_for_is_ignored() {
    for db in databases().await {
        let site = site_behind_proxy(&db).await;
        let peer = "203.0.113.9";
        for attempt in 0..FREE_PER_CLIENT {
            let (status, body) = call_from(
                &site,
                peer,
                Some(&format!("192.0.2.{attempt}")),
                "/api/auth/sign_in",
                &sign_in_form(&format!("nobody{attempt}@example.com"), "guess-guess"),
            )
            .await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{}: {body}", db.name);
        }
        let (status, body) = call_from(
            &site,
            peer,
            Some("192.0.2.200"),
            "/api/auth/sign_in",
            &sign_in_form("user@example.com", "user-password"),
        )
        .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{}: {body}", db.name);

        let clients = audit_clients(&site, "sign_in_failed").await;
        assert_eq!(clients.len(), FREE_PER_CLIENT + 1, "{}", db.name);
        assert!(
            clients.iter().all(|client| client.as_deref() == Some(peer)),
            "{}: {clients:?}",
            db.name
        );
    }
}

/// Guessing one account's password from many addresses throttles that
/// account (for everyone), but no other account and no other client.
#[tokio::test]
async fn guessing_one_account_from_many_addresses_throttles_that_account_only() {
    for db in databases().await {
        let site = site_behind_proxy(&db).await;
        for attempt in 0..FREE_PER_ACCOUNT {
            let client = format!("198.51.100.{}", 10 + attempt);
            let status = sign_in_via_proxy(&site, &client, "user@example.com", "guess-guess").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{}: {attempt}", db.name);
        }
        assert_eq!(
            sign_in_via_proxy(&site, "198.51.100.99", "user@example.com", "user-password").await,
            StatusCode::TOO_MANY_REQUESTS,
            "{}: the account waits, from a fresh address too",
            db.name
        );
        assert_eq!(
            sign_in_via_proxy(&site, "192.0.2.50", "root@example.com", "root-password").await,
            StatusCode::OK,
            "{}: another account signs in from another client",
            db.name
        );
        assert_eq!(
            sign_in_via_proxy(&site, "198.51.100.10", "root@example.com", "root-password").await,
            StatusCode::OK,
            "{}: and from an attacking address too: a few failures do not block a client",
            db.name
        );
    }
}

/// A successful sign-in forgives the account's earlier failures.
#[tokio::test]
async fn a_successful_sign_in_clears_the_account_count() {
    for db in databases().await {
        let site = site_behind_proxy(&db).await;
        let client = "198.51.100.20";
        for _round in 0..2 {
            for _ in 0..FREE_PER_ACCOUNT - 1 {
                let status =
                    sign_in_via_proxy(&site, client, "user@example.com", "typo-typo").await;
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{}", db.name);
            }
            let status =
                sign_in_via_proxy(&site, client, "user@example.com", "user-password").await;
            assert_eq!(status, StatusCode::OK, "{}", db.name);
        }
        // Without the clearing, these would be failures 9 and 10.
        for _ in 0..FREE_PER_ACCOUNT {
            let status = sign_in_via_proxy(&site, client, "user@example.com", "typo-typo").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{}", db.name);
        }
        let status = sign_in_via_proxy(&site, client, "user@example.com", "user-password").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{}", db.name);
    }
}

/// Behind a trusted proxy the audit log names the client the proxy forwarded
/// for, not the proxy.
#[tokio::test]
async fn the_audit_log_names_the_forwarded_client() {
    for db in databases().await {
        let site = site_behind_proxy(&db).await;
        let client = "198.51.100.77";
        assert_eq!(
            sign_in_via_proxy(&site, client, "user@example.com", "wrong-password").await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            sign_in_via_proxy(
                &site,
                &format!("192.0.2.1, {client}"),
                "user@example.com",
                "user-password"
            )
            .await,
            StatusCode::OK
        );
        for action in ["sign_in_failed", "sign_in"] {
            let clients = audit_clients(&site, action).await;
            assert!(
                clients.contains(&Some(client.to_string())),
                "{}: {action}: {clients:?}",
                db.name
            );
            assert!(
                !clients.contains(&Some(PROXY.to_string())),
                "{}: {action}: {clients:?}",
                db.name
            );
        }
    }
}

/// The `client` of every audit entry with `action`, as an administrator reads the log.
async fn audit_clients(site: &Site, action: &str) -> Vec<Option<String>> {
    let admin = site.sign_in("root@example.com", "root-password").await;
    let (status, body, _) = site
        .call(
            "/api/admin/audit_log",
            &format!("filter[action]={action}"),
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page: app::model::audit::AuditPage = serde_json::from_str(&body).unwrap();
    page.entries
        .into_iter()
        .filter(|entry| entry.action == action)
        .map(|entry| entry.client)
        .collect()
}

// ---- Password resets -------------------------------------------------------

/// Asks for a reset link for `email` from `client` (a socket peer).
async fn ask_reset(site: &Site, client: &str, email: &str) -> (StatusCode, String) {
    call_from(
        site,
        client,
        None,
        "/api/auth/request_password_reset",
        &plain_form(&[("email", email)]),
    )
    .await
}

async fn use_reset_link(site: &Site, token: &str, password: &str) -> (StatusCode, String) {
    let form = reset_password_form(token, password, password);
    let (status, body, _) = site.call("/api/auth/reset_password", &form, None).await;
    (status, body)
}

/// Asking again sends a new link, and the one mailed before stops working.
#[tokio::test]
async fn a_second_reset_request_invalidates_the_first_link() {
    for db in databases().await {
        let (site, mut sink) = Site::with_mail_sink(&db).await;
        let (status, body) = ask_reset(&site, "192.0.2.1", "user@example.com").await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.name);
        let (to, first) = sink.next_reset().await;
        assert_eq!(to, "user@example.com");
        let (status, body) = ask_reset(&site, "192.0.2.1", "user@example.com").await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.name);
        let (_, second) = sink.next_reset().await;
        assert_ne!(first, second);

        let (status, body) = use_reset_link(&site, &first, "first-new-password").await;
        assert_field_error(status, &body, "token");
        let (status, body) = use_reset_link(&site, &second, "second-new-password").await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.name);
        site.sign_in("user@example.com", "second-new-password")
            .await;
    }
}

/// A password changed another way (here: by its owner, signed in) ends a
/// reset link that is still out.
#[tokio::test]
async fn changing_the_password_invalidates_an_outstanding_link() {
    for db in databases().await {
        let (site, mut sink) = Site::with_mail_sink(&db).await;
        let (status, body) = ask_reset(&site, "192.0.2.1", "user@example.com").await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.name);
        let (_, token) = sink.next_reset().await;

        let user = site.sign_in("user@example.com", "user-password").await;
        let (status, body, _) = site
            .call(
                "/api/auth/change_password",
                "current_password=user-password&new_password=changed-password&confirm_password=changed-password",
                Some(&user),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.name);

        let (status, body) = use_reset_link(&site, &token, "from-the-old-link").await;
        assert_field_error(status, &body, "token");
        site.sign_in("user@example.com", "changed-password").await;
    }
}

/// Reset requests for one address are refused after a few (from any
/// clients, so nobody can flood a person's inbox), and so are a client's
/// requests for many addresses. Known and unknown addresses get the same
/// answers, allowed or refused, so the limit tells nothing about accounts.
#[tokio::test]
async fn reset_requests_are_limited_per_address_and_per_client() {
    for db in databases().await {
        let (site, mut sink) = Site::with_mail_sink(&db).await;
        let mut answers = Vec::new();
        for email in ["user@example.com", "nobody@example.com"] {
            let mut answers_for_email = Vec::new();
            for attempt in 0..=RESETS_PER_ADDRESS {
                let client = format!("192.0.2.{}", 10 + attempt);
                answers_for_email.push(ask_reset(&site, &client, email).await);
            }
            answers.push(answers_for_email);
        }
        assert_eq!(answers[0], answers[1], "{}: known = unknown", db.name);
        let (allowed, refused) = answers[0].split_at(RESETS_PER_ADDRESS);
        assert!(
            allowed.iter().all(|(status, _)| *status == StatusCode::OK),
            "{}: {allowed:?}",
            db.name
        );
        assert_eq!(refused[0].0, StatusCode::TOO_MANY_REQUESTS, "{}", db.name);
        assert!(
            matches!(
                serde_json::from_str(&refused[0].1),
                Ok(app::error::ApiError::TooManyAttempts { retry_after_secs }) if retry_after_secs > 0
            ),
            "says how long to wait: {}",
            refused[0].1
        );
        for _ in 0..RESETS_PER_ADDRESS {
            assert_eq!(sink.next_reset().await.0, "user@example.com");
        }
        assert_eq!(
            sink.count_more().await,
            0,
            "{}: no mail beyond the limit",
            db.name
        );

        // One client asking for many addresses, known and unknown.
        let client = "198.51.100.5";
        for attempt in 0..RESETS_PER_CLIENT {
            let email = format!("someone{attempt}@example.com");
            let (status, body) = ask_reset(&site, client, &email).await;
            assert_eq!(status, StatusCode::OK, "{}: {attempt}: {body}", db.name);
        }
        let (status, _) = ask_reset(&site, client, "root@example.com").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{}", db.name);
        assert_eq!(sink.count_more().await, 0, "{}: root got no mail", db.name);
        // Another client still may.
        let (status, body) = ask_reset(&site, "198.51.100.6", "root@example.com").await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.name);
        assert_eq!(sink.next_reset().await.0, "root@example.com");
    }
}
