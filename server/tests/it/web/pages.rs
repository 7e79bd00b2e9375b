//! Server-rendered pages: who is sent to sign in, what renders, the
//! scripts' nonce, and `/healthz` for administrators.

use super::OWN_MAIL;
use crate::harness::{Site, databases, sqlite};
use axum::http::{StatusCode, header};
use tresor::web::router;

#[tokio::test]
async fn pages_redirect_strangers_to_sign_in() {
    let db = sqlite().await;
    let site = Site::new(&db).await;
    let (status, headers, _) = site.get("/", None).await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(headers[header::LOCATION], "/sign-in");

    let cookie = site.sign_in("user@example.com", "user-password").await;
    let (status, _, body) = site.get("/", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(body).unwrap();
    assert!(html.contains("Dashboard") && html.contains("Mailboxes") && html.contains("Archive"));
    assert!(
        !html.contains(">Admin<"),
        "a plain user's navigation has no Admin entry"
    );

    let (status, _, _) = site.get("/no/such/page", Some(&cookie)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Regression: server functions that read Leptos context after an `.await` failed
/// now and then while a page rendered ("backend missing from context"), and the
/// browser then hit a hydration mismatch. Rendering repeatedly makes a race show.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rendered_pages_carry_no_server_errors() {
    let db = sqlite().await;
    let site = Site::new(&db).await;
    let cookie = site.sign_in("root@example.com", "root-password").await;
    for _ in 0..25 {
        let (status, _, body) = site.get("/admin/users", Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK);
        let html = String::from_utf8_lossy(&body);
        assert!(
            html.contains("user@example.com"),
            "the user table is rendered"
        );
        assert!(
            !html.contains("Internal"),
            "a resource failed on the server: {html}"
        );
    }
}

/// One guard for every admin page: someone signed in without the admin
/// role gets "not allowed" (403), never the forms; an admin gets the page.
#[tokio::test]
async fn admin_pages_show_others_a_clean_not_allowed_page() {
    let db = sqlite().await;
    let site = Site::new(&db).await;
    let user = site.sign_in("user@example.com", "user-password").await;
    let admin = site.sign_in("root@example.com", "root-password").await;
    for path in [
        "/admin/users",
        "/admin/templates",
        "/admin/batch",
        "/admin/import",
        "/admin/retention",
        "/admin/sign-in-apps",
        "/admin/notifications",
        "/admin/audit",
    ] {
        let (status, _, body) = site.get(path, Some(&user)).await;
        let html = String::from_utf8_lossy(&body);
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(html.contains("This page is for administrators."), "{path}");
        assert!(
            !html.contains(r#"aria-label="Administration""#),
            "{path}: {html}"
        );
        // The top bar's language switch and sign-out are the only forms.
        assert_eq!(html.matches("<form").count(), 2, "{path}: no admin form");
        let (status, _, body) = site.get(path, Some(&admin)).await;
        let html = String::from_utf8_lossy(&body);
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(html.contains(r#"aria-label="Administration""#), "{path}");
        assert!(!html.contains("This page is for administrators."), "{path}");
    }
}

#[tokio::test]
async fn healthz_reports_the_database() {
    for db in databases().await {
        let site = Site::new(&db).await;
        // The details are for administrators (strangers: crate::edge).
        let admin = site.sign_in("root@example.com", "root-password").await;
        let (status, _, body) = site.get_with_headers("/healthz", Some(&admin), &[]).await;
        assert_eq!(status, StatusCode::OK);
        let health: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(health["status"], "ok");
        assert_eq!(health["database"]["backend"], db.name);
    }
}

#[tokio::test]
async fn pages_allow_only_scripts_with_this_responses_nonce() {
    let db = sqlite().await;
    let site = Site::new(&db).await;
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let (status, headers, body) = site.get("/sign-in", None).await;
        assert_eq!(status, StatusCode::OK);
        let policy = headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_string();
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a nonce in the policy")
            .to_string();
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(!policy.contains("'unsafe-eval'"), "{policy}");
        let page = String::from_utf8_lossy(&body);
        assert!(
            page.contains(&format!("nonce=\"{nonce}\"")),
            "the hydration script carries the nonce"
        );
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a fresh nonce per response");
}

/// Listing the app's routes switches resource loading off process-wide for a
/// moment (leptos-rs/leptos#4773); a page rendered then waited forever. Once
/// that hung CI: tests build routers in parallel. Routers built while pages
/// render must leave them alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_while_other_routers_are_built() {
    let db = databases().await.remove(0);
    let site = Site::new(&db).await;
    let own = site
        .archive_for(site.user_id, "user-mail", &[("own", OWN_MAIL)])
        .await["own"];
    let user = site.sign_in("user@example.com", "user-password").await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let builder = std::thread::spawn({
        let (state, stop) = (site.state.clone(), stop.clone());
        move || {
            let mut built = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                drop(router(state.clone()));
                built += 1;
            }
            built
        }
    });
    for round in 0..40 {
        let page = tokio::time::timeout(
            std::time::Duration::from_secs(20),
            site.get(&format!("/m/{own}"), Some(&user)),
        )
        .await;
        let Ok((_, _, body)) = page else {
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            panic!("round {round}: the message page never finished rendering");
        };
        assert!(String::from_utf8_lossy(&body).contains("Quarterly figures"));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(builder.join().unwrap() > 0, "routers were built meanwhile");
}
