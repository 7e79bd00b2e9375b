//! Signing in and out, and a forgotten password's reset link by mail
//! (`app::api::auth`).

use crate::harness::{
    Site, assert_field_error, databases, plain_form, recipient, reset_password_form, reset_token,
    service_env,
};
use app::model::Role;
use axum::http::StatusCode;

#[tokio::test]
async fn sign_in_sets_a_hardened_session_cookie() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let (status, body, set_cookie) = site
            .call(
                "/api/auth/sign_in",
                "email=root%40example.com&password=root-password",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.name);
        let user: app::model::SessionUser = serde_json::from_str(&body).unwrap();
        assert_eq!(
            (user.email.as_str(), user.role),
            ("root@example.com", Role::Admin)
        );
        let cookie = set_cookie.unwrap();
        assert!(cookie.starts_with("tresor_session="), "{cookie}");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        assert!(
            !body.contains("argon2"),
            "no password hash crosses the wire"
        );
    }
}

#[tokio::test]
async fn a_wrong_password_is_401_with_a_typed_error() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let (status, body, set_cookie) = site
            .call(
                "/api/auth/sign_in",
                "email=root%40example.com&password=nope",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{}", db.name);
        assert_eq!(
            serde_json::from_str::<app::error::ApiError>(&body).unwrap(),
            app::error::ApiError::BadCredentials
        );
        assert!(set_cookie.is_none());
    }
}

#[tokio::test]
async fn sign_out_invalidates_the_cookie_on_the_server() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let cookie = site.sign_in("user@example.com", "user-password").await;
        let (status, _, set_cookie) = site.call("/api/auth/sign_out", "", Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(set_cookie.unwrap().contains("Max-Age=0"));
        // Replaying the old cookie does not work: the session is gone server-side.
        let (status, body, _) = site.call("/api/auth/current_user", "", Some(&cookie)).await;
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::OK, "null"),
            "{}",
            db.name
        );
    }
}

/// "Forgot your password?": a link by mail (through the test bed's SMTP
/// sink), once, within the hour; the same answer for unknown addresses; every
/// session ends; all of it in the audit log.
#[tokio::test]
async fn a_password_reset_link_arrives_by_mail_and_works_once() {
    let (Some(port), Some(dir)) = (
        service_env("TRESOR_TEST_SMTP_PORT", "the SMTP sink"),
        service_env("TRESOR_TEST_SMTP_DIR", "the SMTP sink"),
    ) else {
        return;
    };
    for db in databases().await {
        let (site, notifier) = Site::with_mail(&db).await;
        let ask = |email: &str| plain_form(&[("email", email)]);

        // Without an SMTP server the page says whom to ask instead.
        let (status, body, _) = site
            .call(
                "/api/auth/request_password_reset",
                &ask("user@example.com"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body.contains("administrator"), "{body}");

        notifier
            .save_settings(
                None,
                &tresor::notify::SmtpInput {
                    host: "localhost".into(),
                    port: port.parse().unwrap(),
                    security: tresor::notify::SmtpSecurity::StartTls,
                    username: Some("notify".into()),
                    from_address: "archive@tresor.test".into(),
                    from_name: "Tresor".into(),
                    ca_file: std::env::var("TRESOR_TEST_DOVECOT_CA").ok(),
                    extra_recipients: Vec::new(),
                    summary_recipients: Vec::new(),
                },
                tresor::notify::PasswordChange::Set(tresor::secrets::Secret::new("notifypw")),
            )
            .await
            .unwrap();
        let old_session = site.sign_in("user@example.com", "user-password").await;
        // By content: a restarted sink numbers its files from 1 again.
        let mails = || -> std::collections::BTreeSet<Vec<u8>> {
            std::fs::read_dir(&dir)
                .unwrap()
                .map(|entry| entry.unwrap().path())
                .filter(|path| path.extension().is_some_and(|extension| extension == "eml"))
                .filter_map(|path| std::fs::read(path).ok())
                .collect()
        };
        let before = mails();
        for email in ["nobody@example.com", "user@example.com"] {
            let (status, body, _) = site
                .call("/api/auth/request_password_reset", &ask(email), None)
                .await;
            assert_eq!(status, StatusCode::OK, "{email}: {body}");
        }
        // Exactly one mail: to the account, none for the unknown address
        // (other tests send mail to the same sink meanwhile, to others).
        // The link is mailed after the answer (so known and unknown
        // addresses are answered alike): wait for it.
        let mut raws: Vec<Vec<u8>> = Vec::new();
        for _ in 0..200 {
            raws = mails().difference(&before).cloned().collect();
            if raws.iter().any(|raw| recipient(raw) == "user@example.com") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(
            !raws
                .iter()
                .any(|raw| recipient(raw) == "nobody@example.com")
        );
        let resets: Vec<&Vec<u8>> = raws
            .iter()
            .filter(|raw| recipient(raw) == "user@example.com")
            .collect();
        assert_eq!(resets.len(), 1, "{}", db.name);
        let mail = mail_parser::MessageParser::default()
            .parse(resets[0])
            .unwrap();
        assert_eq!(mail.subject(), Some("Tresor: choose a new password"));
        let token = reset_token(resets[0]);

        let reset = |password: &str, confirm: &str| reset_password_form(&token, password, confirm);
        let (status, body, _) = site
            .call(
                "/api/auth/reset_password",
                &reset("brand-new-password", "other"),
                None,
            )
            .await;
        assert_field_error(status, &body, "confirm_password");
        let (status, body, _) = site
            .call("/api/auth/reset_password", &reset("short", "short"), None)
            .await;
        assert_field_error(status, &body, "new_password");
        let (status, body, _) = site
            .call(
                "/api/auth/reset_password",
                &reset("brand-new-password", "brand-new-password"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // Once only; the old session and the old password are gone.
        let (status, body, _) = site
            .call(
                "/api/auth/reset_password",
                &reset("another-new-password", "another-new-password"),
                None,
            )
            .await;
        assert_field_error(status, &body, "token");
        let (_, body, _) = site
            .call("/api/auth/current_user", "", Some(&old_session))
            .await;
        assert_eq!(body, "null", "the old session ended");
        let (status, _, _) = site
            .call(
                "/api/auth/sign_in",
                "email=user%40example.com&password=user-password",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        site.sign_in("user@example.com", "brand-new-password").await;

        let admin = site.sign_in("root@example.com", "root-password").await;
        let (_, body, _) = site
            .call(
                "/api/admin/audit_log",
                "filter[action]=password_reset_requested",
                Some(&admin),
            )
            .await;
        let page: app::model::audit::AuditPage = serde_json::from_str(&body).unwrap();
        assert_eq!(page.total, 2, "{body}");
        let (_, body, _) = site
            .call(
                "/api/admin/audit_log",
                "filter[action]=password_changed",
                Some(&admin),
            )
            .await;
        assert!(body.contains("reset link"), "{body}");
        assert!(!body.contains(&token), "the token never reaches the log");
    }
}
