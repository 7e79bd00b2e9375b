//! Admin → Notifications (`app::api::notifications`): SMTP settings and
//! the test mails, through the test bed's SMTP sink.

use crate::harness::{Site, changed, databases, plain_form, service_env, sink_mails, struct_form};
use axum::http::StatusCode;

/// Admin → Notifications: SMTP settings for the instance and for one
/// mailbox, admins only, the password never sent back, every field problem
/// named, changes audit-logged without the password; test mails from the
/// page and from the mailbox test reach the test bed's SMTP sink.
#[tokio::test]
async fn smtp_settings_are_for_admins_and_their_test_mails_arrive() {
    use app::model::notifications::{SmtpSettingsView, TestMailSent};
    let (Some(port), Some(dir), Ok(ca)) = (
        service_env("TRESOR_TEST_SMTP_PORT", "the SMTP sink"),
        service_env("TRESOR_TEST_SMTP_DIR", "the SMTP sink"),
        std::env::var("TRESOR_TEST_DOVECOT_CA"),
    ) else {
        return;
    };
    for db in databases().await {
        let (site, _) = Site::with_mail(&db).await;
        let admin = site.sign_in("root@example.com", "root-password").await;
        let user = site.sign_in("user@example.com", "user-password").await;
        let mailbox = site
            .add_imap_mailbox(site.user_id, "Vertrieb", "sales")
            .await;
        let token = format!("{}{}", db.name, rand::random::<u32>());
        let form = |scope: &str, port: &str, changes: &[(&str, &str)]| {
            let valid: Vec<(&str, &str)> = vec![
                ("scope", scope),
                ("host", "localhost"),
                ("port", port),
                ("security", "starttls"),
                ("username", "notify"),
                ("password", "notifypw"),
                ("from_address", "archive@tresor.test"),
                ("from_name", "Tresor Archiv"),
                ("ca_file", &ca),
                ("extra_recipients", "it@example.com"),
                ("summary_recipients", ""),
            ];
            struct_form("form", &changed(&valid, changes))
        };

        // Not for users: settings, saving, test mails.
        for (path, body) in [
            ("/api/notifications/smtp", String::new()),
            ("/api/notifications/save_smtp", form("", &port, &[])),
            (
                "/api/notifications/test",
                plain_form(&[("to", "user@example.com")]),
            ),
            (
                "/api/notifications/remove_smtp",
                format!("mailbox_id={}", mailbox.id),
            ),
        ] {
            let (status, body, _) = site.call(path, &body, Some(&user)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        }

        // Every problem at once.
        let (status, body, _) = site
            .call(
                "/api/notifications/save_smtp",
                &form(
                    "",
                    "0",
                    &[
                        ("host", ""),
                        ("from_address", "archive"),
                        ("ca_file", "/nonexistent.pem"),
                    ],
                ),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let error: app::error::ApiError = serde_json::from_str(&body).unwrap();
        for field in ["host", "port", "from_address", "ca_file"] {
            assert!(error.field_message(field).is_some(), "{field}: {body}");
        }

        let (status, body, _) = site
            .call(
                "/api/notifications/save_smtp",
                &form("", &port, &[]),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body, _) = site.call("/api/notifications/smtp", "", Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            !body.contains("notifypw"),
            "the password stays on the server: {body}"
        );
        let view: SmtpSettingsView = serde_json::from_str(&body).unwrap();
        assert!(view.configured && view.password_stored);
        assert_eq!(view.form.host, "localhost");
        assert_eq!(view.form.extra_recipients, "it@example.com");
        assert!(
            view.scopes
                .iter()
                .any(|scope| scope.mailbox_id == Some(mailbox.id))
        );

        // Saving again without a password keeps it: the test mail authenticates.
        let (status, body, _) = site
            .call(
                "/api/notifications/save_smtp",
                &form("", &port, &[("password", ""), ("from_name", "Tresor")]),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let ops = format!("ops+{token}@example.com");
        let (status, body, _) = site
            .call(
                "/api/notifications/test",
                &plain_form(&[("to", &ops)]),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let sent: TestMailSent = serde_json::from_str(&body).unwrap();
        assert_eq!(sent.via, format!("localhost:{port} (STARTTLS)"));
        let arrived = sink_mails(&dir, &ops);
        assert_eq!(arrived.len(), 1, "{}", db.name);
        assert_eq!(arrived[0].1["auth"], "notify");

        // The mailbox test's mail goes to whoever manages the mailbox, with
        // the mailbox's settings: its own win over the instance's.
        let subject = "Tresor: test message ✓ (mailbox „Vertrieb“)";
        let mailbox_mails = || {
            sink_mails(&dir, "user@example.com")
                .into_iter()
                .filter(|(got, _)| got == subject)
                .count()
        };
        let test_mail_form = format!("id={}", mailbox.id);
        let test_mail = |cookie: &String| {
            let (cookie, form, site) = (cookie.clone(), &test_mail_form, &site);
            async move {
                site.call("/api/mailboxes/test_mail", form, Some(&cookie))
                    .await
            }
        };
        let before = mailbox_mails();
        let (status, body, _) = test_mail(&admin).await;
        assert_eq!(status, StatusCode::OK, "an admin manages it too: {body}");
        let (status, body, _) = test_mail(&user).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(mailbox_mails(), before + 1, "{}", db.name);
        let (status, body, _) = site
            .call(
                "/api/notifications/save_smtp",
                &form(&mailbox.id.to_string(), "1", &[]),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body, _) = test_mail(&user).await;
        assert_eq!(status, StatusCode::CONFLICT, "port 1 takes no mail: {body}");
        assert!(
            body.contains("localhost:1"),
            "the error names the server: {body}"
        );
        let (status, body, _) = site
            .call(
                "/api/notifications/remove_smtp",
                &format!("mailbox_id={}", mailbox.id),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body, _) = test_mail(&user).await;
        assert_eq!(status, StatusCode::OK, "back on the instance's: {body}");
        assert_eq!(mailbox_mails(), before + 2);

        // Another user's mailbox is not theirs to test.
        let other = site
            .add_imap_mailbox(site.root_id, "Chefsache", "boss")
            .await;
        let (status, _, _) = site
            .call(
                "/api/mailboxes/test_mail",
                &format!("id={}", other.id),
                Some(&user),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Audited, before and after, never the password.
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        use tresor::db::entity::audit_entry;
        let entries = audit_entry::Entity::find()
            .filter(audit_entry::Column::Action.is_in(["smtp_changed", "smtp_removed"]))
            .order_by_asc(audit_entry::Column::Id)
            .all(&db.connection)
            .await
            .unwrap();
        assert_eq!(entries.len(), 4, "{}", db.name);
        assert!(
            entries
                .iter()
                .all(|entry| !entry.details.contains("notifypw"))
        );
        assert!(
            entries[1]
                .details
                .contains(r#""from_name":"Tresor Archiv""#),
            "{}",
            entries[1].details
        );
        assert!(
            entries[1].details.contains(r#""password_change":"kept""#),
            "{}",
            entries[1].details
        );
    }
}
