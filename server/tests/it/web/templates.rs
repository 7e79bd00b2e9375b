//! Templates (`app::api::templates`): the administrators' prototypes, and
//! the fields mailboxes inherit from them.

use crate::harness::{Site, assert_field_error, databases, mailbox_form};
use axum::http::StatusCode;

#[tokio::test]
async fn a_mailbox_takes_inherited_fields_from_its_template_and_follows_its_changes() {
    use app::model::mailbox::{MailboxEditor, TemplateSummary};
    for db in databases().await {
        let site = Site::new(&db).await;
        let admin = site.sign_in("root@example.com", "root-password").await;
        let user = site.sign_in("user@example.com", "user-password").await;
        // A template is a profile without an identity.
        let identityless = [("name", "Company IMAP"), ("username", ""), ("secret", "")];
        let template_form =
            |changes: &[(&str, &str)]| mailbox_form(&[&identityless[..], changes].concat());

        // Templates are the admins'.
        let (status, _, _) = site
            .call(
                "/api/templates/save",
                &template_form(&[("host", "imap.company.example")]),
                Some(&user),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, body, _) = site
            .call(
                "/api/templates/save",
                &template_form(&[("host", "imap.company.example"), ("schedule", "bad")]),
                Some(&admin),
            )
            .await;
        assert_field_error(status, &body, "schedule");
        let (status, body, _) = site
            .call(
                "/api/templates/save",
                &template_form(&[("host", "imap.company.example"), ("schedule", "1d")]),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.name);
        let template_id: i64 = serde_json::from_str(&body).unwrap();
        let template_field = template_id.to_string();

        // The user's mailbox inherits host and schedule (whatever the form
        // says for them) and overrides the port.
        let (status, body, _) = site
            .call(
                "/api/mailboxes/save",
                &mailbox_form(&[
                    ("name", "ann"),
                    ("template_id", &template_field),
                    ("inherited", "host,schedule"),
                    ("host", "typed.example"),
                    ("port", "9993"),
                ]),
                Some(&user),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let id: i64 = serde_json::from_str(&body).unwrap();
        let row = site.services.mailboxes.by_id(id).await.unwrap();
        assert_eq!(row.host, "imap.company.example");
        assert_eq!(row.schedule.as_deref(), Some("1d"));
        assert_eq!(row.port, 9993);

        let (_, body, _) = site
            .call("/api/mailboxes/editor", &format!("id={id}"), Some(&user))
            .await;
        let editor: MailboxEditor = serde_json::from_str(&body).unwrap();
        assert_eq!(editor.form.template_id, template_field);
        assert_eq!(editor.form.inherited, "host,schedule");
        assert_eq!(editor.templates.len(), 1);
        assert_eq!(editor.templates[0].form.host, "imap.company.example");
        assert!(!editor.can_share);

        // A changed template reaches the inherited fields only; changing the
        // server of a mailbox with a stored password is refused (it would
        // send the password elsewhere), so the schedule changes alone.
        let (status, body, _) = site
            .call(
                "/api/templates/save",
                &template_form(&[
                    ("id", &template_field),
                    ("host", "imap.elsewhere.example"),
                    ("schedule", "6h"),
                ]),
                Some(&admin),
            )
            .await;
        assert_field_error(status, &body, "host");
        assert!(body.contains("ann"), "names the mailbox: {body}");
        let (status, body, _) = site
            .call(
                "/api/templates/save",
                &template_form(&[
                    ("id", &template_field),
                    ("host", "imap.company.example"),
                    ("port", "143"),
                    ("security", "starttls"),
                    ("schedule", "6h"),
                ]),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let row = site.services.mailboxes.by_id(id).await.unwrap();
        assert_eq!(row.schedule.as_deref(), Some("6h"), "inherited: follows");
        assert_eq!(row.port, 9993, "overridden: stays");
        assert_eq!(row.security, "tls", "not inherited: stays");

        let (_, body, _) = site.call("/api/templates/list", "", Some(&admin)).await;
        let templates: Vec<TemplateSummary> = serde_json::from_str(&body).unwrap();
        assert_eq!(templates[0].mailboxes, 1);

        // Deleting the template leaves the mailbox its values, as its own.
        let (status, _, _) = site
            .call(
                "/api/templates/delete",
                &format!("id={template_id}"),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let row = site.services.mailboxes.by_id(id).await.unwrap();
        assert_eq!(
            (row.template_id, row.schedule.as_deref()),
            (None, Some("6h"))
        );
    }
}
