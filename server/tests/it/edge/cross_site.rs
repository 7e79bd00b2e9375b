//! Requests another site makes a signed-in browser send: server functions
//! (login CSRF included), links to the audited byte routes, and the start
//! of a mailbox's browser sign-in.

use super::{CROSS_SITE, SAME_ORIGIN, SAME_SITE, entries};
use crate::harness::{Site, databases};
use axum::http::StatusCode;
use sea_orm::EntityTrait;

const PLAIN: &[u8] = b"From: anna@example.com\r\nTo: user@example.com\r\nSubject: Plan\r\n\
    Message-ID: <plan@example.com>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nThe plan.\r\n";

/// Login CSRF: another site's form posting a valid password signs nobody
/// in; neither does any other server function run for another site.
#[tokio::test]
async fn server_functions_refuse_requests_from_other_sites() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let credentials = "email=user%40example.com&password=user-password";
        for headers in [
            vec![CROSS_SITE],
            vec![SAME_SITE],
            // Browsers without fetch metadata still say where a form was.
            vec![
                ("host", "tresor.example"),
                ("origin", "https://evil.example"),
            ],
            vec![("host", "tresor.example"), ("origin", "null")],
        ] {
            let (status, body, cookie) = site
                .call_with_headers("/api/auth/sign_in", credentials, None, &headers)
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}: {body}");
            assert!(cookie.is_none(), "{headers:?} signed in");
            let error: app::error::ApiError = serde_json::from_str(&body).unwrap();
            assert!(error.to_string().contains("another website"), "{error}");
        }
        // From Tresor's own page (or a client that says nothing): signed in.
        for headers in [
            vec![SAME_ORIGIN],
            vec![
                ("host", "tresor.example"),
                ("origin", "http://tresor.example"),
            ],
            vec![],
        ] {
            let (status, body, cookie) = site
                .call_with_headers("/api/auth/sign_in", credentials, None, &headers)
                .await;
            assert_eq!(status, StatusCode::OK, "{headers:?}: {body}");
            assert!(cookie.is_some(), "{headers:?}");
        }

        let admin = site.sign_in("root@example.com", "root-password").await;
        let new_user = "input[email]=mallory%40example.com&input[display_name]=M&input[role]=admin&input[password]=mallory-password";
        let (status, _, _) = site
            .call_with_headers("/api/users/create", new_user, Some(&admin), &[CROSS_SITE])
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, _) = site
            .call_with_headers("/api/auth/sign_out", "", Some(&admin), &[CROSS_SITE])
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (_, body, _) = site
            .call_with_headers("/api/users/list", "", Some(&admin), &[SAME_ORIGIN])
            .await;
        assert!(
            !body.contains("mallory"),
            "created from another site: {body}"
        );
        assert!(
            body.contains("user@example.com"),
            "same origin works: {body}"
        );
    }
}

/// A link on another site cannot download a message (or export, or open
/// its HTML) in the reader's name: refused, and nothing in the audit log.
/// Tresor's own pages and a typed address still can.
#[tokio::test]
async fn audited_downloads_refuse_other_sites_links_and_leave_no_entry() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let ids = site
            .archive_for(site.user_id, "user-mail", &[("plan", PLAIN)])
            .await;
        let id = ids["plan"];
        let user = site.sign_in("user@example.com", "user-password").await;
        let target = format!("message {id}");
        for path in [
            format!("/m/{id}/raw"),
            format!("/export?ids={id}"),
            format!("/m/{id}/attachments/0"),
            format!("/m/{id}/html"),
        ] {
            for headers in [
                vec![
                    CROSS_SITE,
                    ("sec-fetch-mode", "navigate"),
                    ("sec-fetch-dest", "document"),
                ],
                vec![
                    SAME_SITE,
                    ("sec-fetch-mode", "navigate"),
                    ("sec-fetch-dest", "document"),
                ],
            ] {
                let (status, _, body) = site.get_with_headers(&path, Some(&user), &headers).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{path} {headers:?}");
                assert!(
                    String::from_utf8_lossy(&body).contains("another website"),
                    "{path}"
                );
            }
        }
        assert!(
            entries(&site, "message_downloaded", &target)
                .await
                .is_empty()
        );
        assert!(entries(&site, "export", "export").await.is_empty());
        assert!(entries(&site, "message_viewed", &target).await.is_empty());

        for headers in [vec![SAME_ORIGIN], vec![("sec-fetch-site", "none")], vec![]] {
            let (status, _, body) = site
                .get_with_headers(&format!("/m/{id}/raw"), Some(&user), &headers)
                .await;
            assert_eq!(status, StatusCode::OK, "{headers:?}");
            assert_eq!(body, PLAIN);
        }
        assert_eq!(entries(&site, "message_downloaded", &target).await.len(), 3);

        let admin = site.sign_in("root@example.com", "root-password").await;
        let (status, _, _) = site
            .get_with_headers("/admin/audit.csv", Some(&admin), &[CROSS_SITE])
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(
            entries(&site, "audit_exported", "audit log")
                .await
                .is_empty()
        );
    }
}

/// The browser sign-in of a mailbox starts with a POST from its page: a
/// link (a GET) cannot start it, nor can another site's form.
#[tokio::test]
async fn another_site_cannot_start_a_mailbox_sign_in() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let admin = site.sign_in("root@example.com", "root-password").await;
        let user = site.sign_in("user@example.com", "user-password").await;
        let apps = site
            .save_sign_in_app(
                &admin,
                &[
                    ("name", "Contoso"),
                    ("provider", "microsoft"),
                    ("tenant", "contoso.example"),
                    ("client_id", "tresor-public"),
                    ("scopes", "https://outlook.office.com/IMAP.AccessAsUser.All"),
                ],
            )
            .await;
        let mailbox = site
            .add_oauth_mailbox("M365", "outlook.office365.com", "user3", apps.apps[0].id)
            .await;
        let start = format!("/oauth/start/{}", mailbox.id);
        let flows = || async {
            tresor::db::entity::oauth_flow::Entity::find()
                .all(&site.services.db)
                .await
                .unwrap()
                .len()
        };

        let (status, _, _) = site
            .get_with_headers(&start, Some(&user), &[CROSS_SITE])
            .await;
        assert_eq!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "a link starts nothing"
        );
        let (status, _, _) = site
            .get_with_headers(&start, Some(&user), &[SAME_ORIGIN])
            .await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        let (status, _, _) = site
            .call_with_headers(&start, "", Some(&user), &[CROSS_SITE])
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(flows().await, 0, "no flow remembered");

        let (status, provider) = site.start_oauth(mailbox.id, &user).await;
        assert_eq!(status, StatusCode::OK);
        let provider = provider.expect("on to the provider");
        assert!(
            provider.starts_with(
                "https://login.microsoftonline.com/contoso.example/oauth2/v2.0/authorize?"
            ),
            "{provider}"
        );
        assert!(
            provider.contains("code_challenge_method=S256"),
            "{provider}"
        );
        assert_eq!(flows().await, 1);
    }
}
