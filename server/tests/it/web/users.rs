//! Users and the audit log, the administrators' (`app::api::users`): roles
//! checked on the server, field errors, and every audited action.

use super::OWN_MAIL;
use crate::harness::{Site, databases, mailbox_form};
use axum::http::{StatusCode, header};

#[tokio::test]
async fn admin_functions_check_the_role_on_the_server() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let (anonymous, _, _) = site.call("/api/users/list", "", None).await;
        assert_eq!(anonymous, StatusCode::UNAUTHORIZED, "{}", db.name);

        let user_cookie = site.sign_in("user@example.com", "user-password").await;
        let (as_user, body, _) = site.call("/api/users/list", "", Some(&user_cookie)).await;
        assert_eq!(as_user, StatusCode::FORBIDDEN, "{}: {body}", db.name);
        let (create_as_user, _, _) = site
            .call(
                "/api/users/create",
                "email=x%40example.com&display_name=X&role=admin&password=xxxxxxxxxxxx",
                Some(&user_cookie),
            )
            .await;
        assert_eq!(create_as_user, StatusCode::FORBIDDEN);
        let (forged, _, _) = site
            .call("/api/users/list", "", Some("tresor_session=forged"))
            .await;
        assert_eq!(forged, StatusCode::UNAUTHORIZED);
        // Retention and holds: admins only, deletion above all.
        for (path, form) in [
            ("/api/retention/overview", ""),
            ("/api/retention/preview", ""),
            ("/api/retention/apply", ""),
            ("/api/retention/remove_policy", "id=1"),
            ("/api/retention/release_hold", "id=1&reason=x"),
            (
                "/api/retention/add_policy",
                "input[name]=x&input[years]=1&input[basis]=message_date",
            ),
            (
                "/api/retention/place_hold",
                "input[reason]=x&input[kind]=query&input[query]=x",
            ),
        ] {
            let (status, _, _) = site.call(path, form, Some(&user_cookie)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        }

        let admin_cookie = site.sign_in("root@example.com", "root-password").await;
        let (as_admin, body, _) = site.call("/api/users/list", "", Some(&admin_cookie)).await;
        assert_eq!(as_admin, StatusCode::OK, "{body}");
        let users: Vec<app::model::UserView> = serde_json::from_str(&body).unwrap();
        assert_eq!(users.len(), 2);
    }
}

#[tokio::test]
async fn create_user_reports_field_errors() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let admin_cookie = site.sign_in("root@example.com", "root-password").await;
        let (status, body, _) = site
            .call(
                "/api/users/create",
                "email=user%40example.com&display_name=Dup&role=user&password=long-enough-pw",
                Some(&admin_cookie),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {body}",
            db.name
        );
        let error: app::error::ApiError = serde_json::from_str(&body).unwrap();
        assert!(
            error
                .field_message("email")
                .unwrap()
                .contains("exists already")
        );

        let (status, _, _) = site
            .call(
                "/api/users/create",
                "email=new%40example.com&display_name=New&role=auditor&password=long-enough-pw",
                Some(&admin_cookie),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
}

/// Every audited action leaves an entry with who and what, and no secret:
/// sign-ins (both outcomes), sign-out, users, mailbox changes, views,
/// downloads, exports, restores' neighbours, auditors' searches; admins list
/// and export the log, nobody else.
#[tokio::test]
async fn audited_actions_are_logged_without_secrets() {
    use app::model::audit::AuditPage;
    for db in databases().await {
        let site = Site::new(&db).await;
        let own = site
            .archive_for(site.user_id, "user-mail", &[("own", OWN_MAIL)])
            .await["own"];
        let (status, _, _) = site
            .call(
                "/api/auth/sign_in",
                "email=root%40example.com&password=wrong-password-guess",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let admin = site.sign_in("root@example.com", "root-password").await;
        let (status, body, _) = site
            .call(
                "/api/users/create",
                "email=audit%40example.com&display_name=Auditor&role=auditor&password=auditor-password-1",
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let user = site.sign_in("user@example.com", "user-password").await;
        let form = mailbox_form(&[
            ("name", "Audited"),
            ("folder_rules", "INBOX"),
            ("secret", "imap-secret-never-logged"),
        ]);
        let (status, body, _) = site.call("/api/mailboxes/save", &form, Some(&user)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, _, _) = site
            .call("/api/archive/message", &format!("id={own}"), Some(&user))
            .await;
        assert_eq!(status, StatusCode::OK);
        for path in [
            format!("/m/{own}/raw"),
            format!("/m/{own}/attachments/0"),
            format!("/export?ids={own}&format=mbox"),
        ] {
            assert_eq!(
                site.get(&path, Some(&user)).await.0,
                StatusCode::OK,
                "{path}"
            );
        }
        // An auditor's search is recorded with its words; a user's is not.
        let auditor = site
            .sign_in("audit@example.com", "auditor-password-1")
            .await;
        site.search("quarterly auditquery", &auditor).await;
        site.search("private userquery", &user).await;
        let (status, _, _) = site.call("/api/auth/sign_out", "", Some(&user)).await;
        assert_eq!(status, StatusCode::OK);

        // Users may not read the log.
        let user = site.sign_in("user@example.com", "user-password").await;
        let (status, _, _) = site
            .call("/api/admin/audit_log", "filter[action]=", Some(&user))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(
            site.get("/admin/audit.csv", Some(&user)).await.0,
            StatusCode::FORBIDDEN
        );

        let (status, body, _) = site
            .call("/api/admin/audit_log", "filter[action]=", Some(&admin))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let page: AuditPage = serde_json::from_str(&body).unwrap();
        let has = |action: &str, actor: &str, needle: &str| {
            page.entries.iter().any(|entry| {
                entry.action == action
                    && entry.actor == actor
                    && (entry.target.contains(needle) || entry.details.contains(needle))
            })
        };
        for (action, actor, needle) in [
            ("sign_in_failed", "root@example.com", "sign-in"),
            ("sign_in", "root@example.com", "sign-in"),
            ("user_created", "root@example.com", "audit@example.com"),
            ("mailbox_created", "user@example.com", "Audited"),
            (
                "message_viewed",
                "user@example.com",
                &format!("message {own}"),
            ),
            (
                "message_downloaded",
                "user@example.com",
                &format!("message {own}"),
            ),
            ("attachment_downloaded", "user@example.com", "Zahlen"),
            ("export", "user@example.com", "mbox"),
            ("search", "audit@example.com", "auditquery"),
            ("sign_out", "user@example.com", "sign-in"),
        ] {
            assert!(
                has(action, actor, needle),
                "{}: no {action} by {actor}: {body}",
                db.name
            );
        }
        let failed = page
            .entries
            .iter()
            .find(|entry| entry.action == "sign_in_failed")
            .unwrap();
        assert_eq!(failed.outcome, "denied");
        assert!(!body.contains("userquery"), "a user's search is private");
        for secret in [
            "imap-secret-never-logged",
            "auditor-password-1",
            "wrong-password-guess",
            "root-password",
        ] {
            assert!(!body.contains(secret), "{secret} leaked into the audit log");
        }
        assert!(body.contains(r#"\"secret_changed\":true"#), "{body}");

        // Filtered, and exported as CSV (which is itself recorded).
        let (_, body, _) = site
            .call(
                "/api/admin/audit_log",
                "filter[action]=sign_in_failed",
                Some(&admin),
            )
            .await;
        let only: AuditPage = serde_json::from_str(&body).unwrap();
        assert_eq!((only.total, only.entries.len()), (1, 1));
        let (status, headers, csv) = site
            .get("/admin/audit.csv?action=export", Some(&admin))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let csv = String::from_utf8(csv).unwrap();
        let lines: Vec<&str> = csv.split("\r\n").filter(|line| !line.is_empty()).collect();
        assert_eq!(lines.len(), 2, "header and the one export: {csv}");
        assert!(lines[0].starts_with("id,time (UTC),actor"));
        let (_, body, _) = site
            .call(
                "/api/admin/audit_log",
                "filter[action]=audit_exported",
                Some(&admin),
            )
            .await;
        assert_eq!(serde_json::from_str::<AuditPage>(&body).unwrap().total, 1);
        let (status, _, _) = site
            .call(
                "/api/admin/audit_log",
                "filter[from]=yesterday",
                Some(&admin),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a date it cannot read"
        );
    }
}
