//! A master user's mailbox reads the mail of the person it acts for, and
//! no one else's: not pointed elsewhere without the master password, set up
//! and changed only by administrators, by the web and the command line alike.

use super::{ROOT, USER};
use crate::harness::{
    Site, changed, databases, field_errors, mailbox_form, master_batch_form, struct_form,
};
use app::model::mailbox::{MailboxEditor, MailboxInput};
use app::model::mailbox_form::MailboxForm;
use axum::http::StatusCode;
use tresor::mailbox::{Editor, MailboxError};
use tresor::secrets::Secret;

/// The editor's form of mailbox `id` as `cookie` sees it, field by field.
async fn editor_fields(site: &Site, id: i64, cookie: &str) -> Vec<(String, String)> {
    let (status, body, _) = site
        .call("/api/mailboxes/editor", &format!("id={id}"), Some(cookie))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let editor: MailboxEditor = serde_json::from_str(&body).unwrap();
    form_fields(&editor.form)
}

fn form_fields(form: &MailboxForm) -> Vec<(String, String)> {
    serde_json::to_value(form)
        .unwrap()
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(field, value)| Some((field.clone(), value.as_str()?.to_string())))
        .collect()
}

fn with(fields: &[(String, String)], changes: &[(&str, &str)]) -> String {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(field, value)| (field.as_str(), value.as_str()))
        .collect();
    struct_form("form", &changed(&fields, changes))
}

/// The mailbox a master-user batch creates for user@example.com (owned by
/// them, the master password stored, acting for their address).
async fn master_user_mailbox(site: &Site) -> i64 {
    let admin = site.sign_in(ROOT, "root-password").await;
    let form = master_batch_form(&[("selection", "only"), ("users", "user@example.com")]);
    let (status, body, _) = site.call("/api/batch/master", &form, Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let row = site
        .services
        .mailboxes
        .by_name("user@example.com")
        .await
        .unwrap();
    assert_eq!(row.owner_id, Some(site.user_id));
    assert_eq!(acts_for(site, row.id).await, "user@example.com");
    row.id
}

/// Whom mailbox `id` logs in as (the master user's authzid).
async fn acts_for(site: &Site, id: i64) -> String {
    let row = site.services.mailboxes.by_id(id).await.unwrap();
    match site.services.mailboxes.connection(&row).await.unwrap().1 {
        tresor::imap::Credentials::Plain {
            authzid: Some(authzid),
            ..
        } => authzid,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_master_user_mailbox_cannot_be_pointed_elsewhere_without_its_password() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let id = master_user_mailbox(&site).await;
        let user = site.sign_in(USER, "user-password").await;
        let fields = editor_fields(&site, id, &user).await;
        for (field, value) in [
            ("email_address", "root@example.com"),
            ("identity_kind", "localpart"),
            ("accept_invalid_certs", "on"),
            ("expected_cert_name", "mail.attacker.example"),
            // Trusting another certificate is trusting another server.
            ("pinned_cert", &"ab".repeat(32)),
            ("ca_file", "/etc/ssl/certs/ca-certificates.crt"),
        ] {
            let form = with(&fields, &[("secret", ""), (field, value)]);
            let subscribe = format!("{form}&folder=INBOX&subscribed=true");
            for (path, body) in [
                ("/api/mailboxes/save", &form),
                ("/api/mailboxes/test", &form),
                ("/api/mailboxes/subscribe", &subscribe),
            ] {
                let (status, text, _) = site.call(path, body, Some(&user)).await;
                assert_eq!(
                    status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{}: {path} {field}: {text}",
                    db.name
                );
                let refusal = field_errors(status, &text);
                assert!(
                    refusal.field_message(field).is_some(),
                    "{path}: {field} not named: {text}"
                );
                // A user names no CA file at all (connection_policy's test);
                // every other change is refused for want of the password.
                if field != "ca_file" {
                    assert!(refusal.field_message("secret").is_some(), "{path}: {text}");
                }
            }
        }
        let row = site.services.mailboxes.by_id(id).await.unwrap();
        assert!(!row.accept_invalid_certs && row.expected_cert_name.is_none());
        assert_eq!(row.pinned_cert_sha256, None);
        assert_eq!(acts_for(&site, id).await, "user@example.com");

        // An administrator needs the password typed again as well.
        let admin = site.sign_in(ROOT, "root-password").await;
        let form = with(
            &fields,
            &[("secret", ""), ("email_address", "root@example.com")],
        );
        let (status, text, _) = site.call("/api/mailboxes/save", &form, Some(&admin)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
        assert!(
            field_errors(status, &text)
                .field_message("email_address")
                .is_some()
        );
    }
}

#[tokio::test]
async fn only_an_administrator_sets_up_or_changes_a_master_user() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let id = master_user_mailbox(&site).await;
        let user = site.sign_in(USER, "user-password").await;
        let fields = editor_fields(&site, id, &user).await;
        // Even knowing the master password, the owner cannot change whom it acts for.
        for (field, value) in [
            ("email_address", "root@example.com"),
            ("identity_kind", "username"),
            ("username", "root@example.com"),
            ("master_user", "other-master"),
            ("master_user", ""),
        ] {
            let form = with(&fields, &[("secret", "masterpw"), (field, value)]);
            for path in ["/api/mailboxes/save", "/api/mailboxes/test"] {
                let (status, text, _) = site.call(path, &form, Some(&user)).await;
                assert_eq!(
                    status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{}: {path} {field}={value}: {text}",
                    db.name
                );
                assert!(
                    field_errors(status, &text).field_message(field).is_some(),
                    "{path}: {field} not named: {text}"
                );
            }
        }
        assert_eq!(acts_for(&site, id).await, "user@example.com");
        // Other settings stay the owner's (here with the password typed again).
        let form = with(
            &fields,
            &[
                ("secret", "masterpw"),
                ("expected_cert_name", "imap.example.net"),
            ],
        );
        let (status, text, _) = site.call("/api/mailboxes/save", &form, Some(&user)).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let fields = editor_fields(&site, id, &user).await;
        let form = with(&fields, &[("secret", ""), ("schedule", "12h")]);
        let (status, text, _) = site.call("/api/mailboxes/save", &form, Some(&user)).await;
        assert_eq!(status, StatusCode::OK, "{text}");

        // Nor can a user make a master-user mailbox of their own.
        let new = mailbox_form(&[("name", "mine"), ("master_user", "archiver")]);
        let (status, text, _) = site.call("/api/mailboxes/save", &new, Some(&user)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
        assert!(
            field_errors(status, &text)
                .field_message("master_user")
                .is_some()
        );

        // An administrator can, with the password.
        let admin = site.sign_in(ROOT, "root-password").await;
        let fields = editor_fields(&site, id, &admin).await;
        let form = with(
            &fields,
            &[("secret", "masterpw"), ("identity_kind", "localpart")],
        );
        let (status, text, _) = site.call("/api/mailboxes/save", &form, Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        assert_eq!(acts_for(&site, id).await, "user");
    }
}

#[tokio::test]
async fn the_services_apply_the_same_rules_for_the_command_line_and_the_web() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let id = master_user_mailbox(&site).await;
        let row = site.services.mailboxes.by_id(id).await.unwrap();
        let mailboxes = &site.services.mailboxes;
        let before = mailboxes.input_of(&row).unwrap();
        let password = Secret::new("masterpw");

        let mut elsewhere = before.clone();
        elsewhere.email_address = Some("root@example.com".into());
        for editor in [Editor::Owner, Editor::Admin] {
            let refused = mailboxes
                .update(editor, id, &elsewhere, None)
                .await
                .unwrap_err();
            let MailboxError::Invalid(errors) = refused else {
                panic!("{refused:?}");
            };
            assert!(errors.iter().any(|error| error.field == "email_address"));
            assert!(
                mailboxes
                    .probe_row(editor, row.owner_id, Some(&row), &elsewhere, None)
                    .await
                    .is_err()
            );
        }
        match mailboxes
            .update(Editor::Owner, id, &elsewhere, Some(&password))
            .await
        {
            Err(MailboxError::Invalid(errors)) => {
                assert_eq!(errors[0].field, "email_address", "{errors:?}")
            }
            other => panic!("an owner changed whom a master user acts for: {other:?}"),
        }
        let mut own = MailboxInput::new("own master", "imap.example.com", "someone");
        own.master_user = Some("archiver".into());
        assert!(matches!(
            mailboxes
                .create(Editor::Owner, Some(site.user_id), &own, Some(&password))
                .await,
            Err(MailboxError::Invalid(errors)) if errors[0].field == "master_user"
        ));
        mailboxes
            .update(Editor::Admin, id, &elsewhere, Some(&password))
            .await
            .unwrap();
        assert_eq!(acts_for(&site, id).await, "root@example.com");
    }
}
