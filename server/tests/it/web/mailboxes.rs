//! Mailboxes (`app::api::mailboxes`): who sees and manages which, the
//! editor and its field errors, runs, sharing and deletion.

use crate::harness::{Site, assert_field_error, databases, mailbox_form};
use axum::http::StatusCode;

#[tokio::test]
async fn users_see_their_own_mailboxes_and_admins_every_one() {
    use app::model::mailbox::{MailboxInput, MailboxSummary};
    for db in databases().await {
        let site = Site::new(&db).await;
        let own = site
            .add_imap_mailbox(site.user_id, "user-mail", "user")
            .await;
        let mut insecure = MailboxInput::new("root-mail", "imap.example.com", "root");
        insecure.accept_invalid_certs = true;
        site.add_mailbox(site.root_id, &insecure).await;
        let mut log = tresor::engine::JobLog::new("user-mail", chrono::Utc::now());
        log.archived = 12;
        log.duplicates = 3;
        log.finish(chrono::Utc::now());
        site.add_job(own.id, &log).await;

        let (anonymous, _, _) = site.call("/api/mailboxes/list", "", None).await;
        assert_eq!(anonymous, StatusCode::UNAUTHORIZED, "{}", db.name);

        let user_cookie = site.sign_in("user@example.com", "user-password").await;
        let (status, body, _) = site
            .call("/api/mailboxes/list", "", Some(&user_cookie))
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.name);
        let seen: Vec<MailboxSummary> = serde_json::from_str(&body).unwrap();
        assert_eq!(seen.len(), 1, "{body}");
        assert_eq!(seen[0].name, "user-mail");
        assert_eq!(seen[0].owner.as_deref(), Some("user@example.com"));
        assert_eq!(seen[0].server, "user@imap.example.com:993");
        assert!(seen[0].warnings.is_empty());
        let job = seen[0].last_job.as_ref().expect("the last run is shown");
        assert_eq!(
            (job.status.as_str(), job.archived, job.duplicates),
            ("succeeded", 12, 3)
        );
        assert!(
            !body.contains("secret"),
            "no secret crosses to the browser: {body}"
        );

        let admin_cookie = site.sign_in("root@example.com", "root-password").await;
        let (_, body, _) = site
            .call("/api/mailboxes/list", "", Some(&admin_cookie))
            .await;
        let seen: Vec<MailboxSummary> = serde_json::from_str(&body).unwrap();
        let names: Vec<&str> = seen.iter().map(|mailbox| mailbox.name.as_str()).collect();
        assert_eq!(names, ["root-mail", "user-mail"]);
        assert_eq!(seen[0].warnings.len(), 1, "{body}");
        assert!(seen[0].last_job.is_none());
    }
}

#[tokio::test]
async fn a_field_the_form_cannot_read_is_named_in_the_language_of_the_request() {
    use crate::harness::field_errors;
    use app::error::ApiError;
    for db in databases().await {
        let site = Site::new(&db).await;
        let cookie = site.sign_in("user@example.com", "user-password").await;
        let form = mailbox_form(&[("port", "99999")]);
        let message = |headers: &'static [(&'static str, &'static str)]| {
            let site = &site;
            let form = &form;
            let cookie = &cookie;
            async move {
                let (status, body, _) = site
                    .call_with_headers("/api/mailboxes/test", form, Some(cookie), headers)
                    .await;
                match field_errors(status, &body) {
                    ApiError::Invalid { field, message, .. } => {
                        assert_eq!(field, "port", "{body}");
                        message
                    }
                    _ => unreachable!(),
                }
            }
        };
        assert_eq!(
            message(&[("accept-language", "de-DE,de;q=0.9")]).await,
            "Der Port muss eine Zahl zwischen 1 und 65535 sein.",
            "{}",
            db.name
        );
        assert_eq!(
            message(&[]).await,
            "The port must be a number between 1 and 65535."
        );
    }
}

#[tokio::test]
async fn the_editor_saves_a_mailbox_and_names_the_field_of_each_problem() {
    use app::model::mailbox::MailboxEditor;
    for db in databases().await {
        let site = Site::new(&db).await;
        let user_cookie = site.sign_in("user@example.com", "user-password").await;
        // Beyond the valid form: rules, a checkbox, labels and a schedule.
        let filled = [
            ("username", "acc"),
            ("folder_rules", "INBOX\r\n!Spam"),
            ("subscribed_only", "on"),
            ("labels", "category=Invoices"),
            ("schedule", "6h"),
        ];
        let with = |changes: &[(&str, &str)]| mailbox_form(&[&filled[..], changes].concat());

        // What the form cannot read, and what the server's rules refuse.
        for (changes, field) in [
            (vec![("port", "99999")], "port"),
            (vec![("folder_rules", "/INBOX")], "folder_rules"),
            (vec![("success_folder", "Dr. Doc")], "success_folder"),
            (vec![("schedule", "every tuesday")], "schedule"),
            (vec![("secret", "")], "secret"),
        ] {
            let (status, body, _) = site
                .call("/api/mailboxes/save", &with(&changes), Some(&user_cookie))
                .await;
            assert_field_error(status, &body, field);
        }

        let (status, body, _) = site
            .call("/api/mailboxes/save", &with(&[]), Some(&user_cookie))
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.name);
        let id: i64 = serde_json::from_str(&body).unwrap();

        // Loaded back for editing: the values, never the secret.
        let (status, body, _) = site
            .call(
                "/api/mailboxes/editor",
                &format!("id={id}"),
                Some(&user_cookie),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            !body.contains("imap-pw"),
            "the secret went back to the browser: {body}"
        );
        let editor: MailboxEditor = serde_json::from_str(&body).unwrap();
        assert!(editor.has_secret);
        assert_eq!(editor.form.folder_rules, "INBOX\n!Spam");
        assert_eq!(editor.form.labels, "category=Invoices");
        assert_eq!(editor.form.subscribed_only.as_deref(), Some("on"));

        // Saved again without a password: the stored one stays.
        let id_field = id.to_string();
        let (status, body, _) = site
            .call(
                "/api/mailboxes/save",
                &with(&[("id", &id_field), ("secret", ""), ("schedule", "12h")]),
                Some(&user_cookie),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let row = site.services.mailboxes.by_id(id).await.unwrap();
        assert_eq!(row.schedule.as_deref(), Some("12h"));
        // Another server needs the password typed again.
        let (status, body, _) = site
            .call(
                "/api/mailboxes/save",
                &with(&[
                    ("id", &id_field),
                    ("secret", ""),
                    ("host", "mail.attacker.example"),
                ]),
                Some(&user_cookie),
            )
            .await;
        assert_field_error(status, &body, "secret");
        match site.services.mailboxes.connection(&row).await.unwrap().1 {
            tresor::imap::Credentials::Plain { password, .. } => assert_eq!(password, "imap-pw"),
            other => panic!("{other:?}"),
        }

        // Someone else's mailbox does not exist for a user; an admin may edit it.
        let other = site.add_imap_mailbox(site.root_id, "roots", "root").await;
        let other_id = other.id.to_string();
        let (status, _, _) = site
            .call(
                "/api/mailboxes/editor",
                &format!("id={other_id}"),
                Some(&user_cookie),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, _) = site
            .call(
                "/api/mailboxes/save",
                &with(&[("id", &other_id), ("name", "stolen")]),
                Some(&user_cookie),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(
            site.services.mailboxes.by_id(other.id).await.unwrap().name,
            "roots"
        );
        let admin_cookie = site.sign_in("root@example.com", "root-password").await;
        let (status, _, _) = site
            .call(
                "/api/mailboxes/editor",
                &format!("id={id}"),
                Some(&admin_cookie),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (anonymous, _, _) = site.call("/api/mailboxes/save", &with(&[]), None).await;
        assert_eq!(anonymous, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn runs_are_started_and_listed_only_for_the_mailbox_owner() {
    use app::model::job::{MailboxRuns, RunRequest};
    for db in databases().await {
        let site = Site::new(&db).await;
        let own = site
            .add_imap_mailbox(site.user_id, "user-mail", "user")
            .await;
        let user_cookie = site.sign_in("user@example.com", "user-password").await;
        let id = format!("id={}", own.id);

        let (status, body, _) = site
            .call("/api/mailboxes/runs", &id, Some(&user_cookie))
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.name);
        let runs: MailboxRuns = serde_json::from_str(&body).unwrap();
        assert_eq!(runs.mailbox, "user-mail");
        assert!(runs.jobs.is_empty() && runs.running.is_none());

        let (status, body, _) = site
            .call("/api/mailboxes/run", &id, Some(&user_cookie))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            serde_json::from_str::<RunRequest>(&body).unwrap(),
            RunRequest::Queued
        );

        // Pausing the schedule is the owner's to do, and shows on the page.
        let (status, body, _) = site
            .call(
                "/api/mailboxes/set_enabled",
                &format!("{id}&enabled=false"),
                Some(&user_cookie),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(!site.services.mailboxes.by_id(own.id).await.unwrap().enabled);
        let (_, body, _) = site
            .call("/api/mailboxes/runs", &id, Some(&user_cookie))
            .await;
        assert!(!serde_json::from_str::<MailboxRuns>(&body).unwrap().enabled);

        // A finished run shows with its log, newest first.
        let mut folder = tresor::engine::FolderLog::new("INBOX");
        folder.server_count = 5;
        folder.archived_total = 4;
        folder.archived = 4;
        folder.record_failure(9, "the server sent no message body");
        let mut log = tresor::engine::JobLog::new("user-mail", chrono::Utc::now());
        log.add_folder(folder);
        log.finish(chrono::Utc::now());
        site.add_job(own.id, &log).await;
        let (_, body, _) = site
            .call("/api/mailboxes/runs", &id, Some(&user_cookie))
            .await;
        let runs: MailboxRuns = serde_json::from_str(&body).unwrap();
        assert_eq!(runs.jobs.len(), 1);
        let folders = &runs.jobs[0]
            .log
            .as_ref()
            .expect("the log is readable")
            .folders;
        assert_eq!(folders[0].failures[0].uid, 9);
        assert!(folders[0].is_reconciled());

        // Another user's mailbox: no history, no run.
        let stranger = site
            .add_imap_mailbox(site.root_id, "root-mail", "root")
            .await;
        let stranger_id = format!("id={}&enabled=false", stranger.id);
        for endpoint in [
            "/api/mailboxes/runs",
            "/api/mailboxes/run",
            "/api/mailboxes/set_enabled",
            "/api/mailboxes/delete",
        ] {
            let (status, _, _) = site.call(endpoint, &stranger_id, Some(&user_cookie)).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{endpoint}");
            let (status, _, _) = site.call(endpoint, &stranger_id, None).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{endpoint}");
        }
        assert!(
            site.services
                .mailboxes
                .by_id(stranger.id)
                .await
                .unwrap()
                .enabled
        );
    }
}

#[tokio::test]
async fn shared_mailboxes_are_read_only_for_the_users_granted_them() {
    use app::model::job::MailboxRuns;
    use app::model::mailbox::{MailboxEditor, MailboxSummary};
    for db in databases().await {
        let site = Site::new(&db).await;
        let admin = site.sign_in("root@example.com", "root-password").await;
        let user = site.sign_in("user@example.com", "user-password").await;

        // Only an admin shares; only known users can be granted.
        let (status, body, _) = site
            .call(
                "/api/mailboxes/save",
                &mailbox_form(&[("name", "info"), ("shared", "on")]),
                Some(&user),
            )
            .await;
        assert_field_error(status, &body, "grants");
        let (status, body, _) = site
            .call(
                "/api/mailboxes/save",
                &mailbox_form(&[
                    ("name", "info"),
                    ("shared", "on"),
                    ("grants", "nobody@example.com"),
                ]),
                Some(&admin),
            )
            .await;
        assert_field_error(status, &body, "grants");
        assert!(
            site.services.mailboxes.list().await.unwrap().is_empty(),
            "nothing saved"
        );

        let (status, body, _) = site
            .call(
                "/api/mailboxes/save",
                &mailbox_form(&[
                    ("name", "info"),
                    ("shared", "on"),
                    ("grants", "User@example.com"),
                ]),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.name);
        let id: i64 = serde_json::from_str(&body).unwrap();
        let row = site.services.mailboxes.by_id(id).await.unwrap();
        assert_eq!(row.owner_id, None, "owned by the organisation");

        // The granted user sees it, read-only, and its runs.
        let (_, body, _) = site.call("/api/mailboxes/list", "", Some(&user)).await;
        let seen: Vec<MailboxSummary> = serde_json::from_str(&body).unwrap();
        assert_eq!(seen.len(), 1, "{body}");
        assert!(seen[0].shared && !seen[0].can_manage);
        let (status, body, _) = site
            .call("/api/mailboxes/runs", &format!("id={id}"), Some(&user))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            !serde_json::from_str::<MailboxRuns>(&body)
                .unwrap()
                .can_manage
        );
        assert!(!body.contains("imap-pw"));
        // ...but cannot change, run, test or delete it.
        for (endpoint, form) in [
            ("/api/mailboxes/editor", format!("id={id}")),
            ("/api/mailboxes/run", format!("id={id}")),
            (
                "/api/mailboxes/set_enabled",
                format!("id={id}&enabled=false"),
            ),
            ("/api/mailboxes/delete", format!("id={id}")),
            (
                "/api/mailboxes/save",
                mailbox_form(&[("name", "mine now"), ("id", &id.to_string())]),
            ),
            (
                "/api/mailboxes/test",
                mailbox_form(&[("name", "info"), ("id", &id.to_string()), ("secret", "")]),
            ),
        ] {
            let (status, body, _) = site.call(endpoint, &form, Some(&user)).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{endpoint}: {body}");
        }
        assert_eq!(
            site.services.mailboxes.by_id(id).await.unwrap().name,
            "info"
        );

        // The admin's editor shows the sharing; withdrawing the grant hides it.
        let (_, body, _) = site
            .call("/api/mailboxes/editor", &format!("id={id}"), Some(&admin))
            .await;
        let editor: MailboxEditor = serde_json::from_str(&body).unwrap();
        assert_eq!(editor.form.shared.as_deref(), Some("on"));
        assert_eq!(editor.form.grants, "user@example.com");
        assert!(editor.can_share);
        let id_field = id.to_string();
        let (status, body, _) = site
            .call(
                "/api/mailboxes/save",
                &mailbox_form(&[
                    ("name", "info"),
                    ("id", &id_field),
                    ("secret", ""),
                    ("shared", "on"),
                ]),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, body, _) = site.call("/api/mailboxes/list", "", Some(&user)).await;
        assert_eq!(body, "[]");
        let (status, _, _) = site
            .call("/api/mailboxes/runs", &format!("id={id}"), Some(&user))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_deleted_mailbox_leaves_every_list_and_frees_its_name() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let own = site.add_imap_mailbox(site.user_id, "work", "u").await;
        let user = site.sign_in("user@example.com", "user-password").await;
        let (status, body, _) = site
            .call(
                "/api/mailboxes/delete",
                &format!("id={}", own.id),
                Some(&user),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.name);
        let (_, body, _) = site.call("/api/mailboxes/list", "", Some(&user)).await;
        assert_eq!(body, "[]");
        assert!(site.services.mailboxes.by_id(own.id).await.is_err());
        let (status, _, _) = site
            .call(
                "/api/mailboxes/runs",
                &format!("id={}", own.id),
                Some(&user),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // The row stays (its archived mail points at it), under another name.
        use sea_orm::EntityTrait;
        let kept = tresor::db::entity::mailbox::Entity::find_by_id(own.id)
            .one(&site.services.db)
            .await
            .unwrap()
            .expect("the row is kept");
        assert!(kept.deleted_at.is_some() && !kept.enabled);
        site.add_imap_mailbox(site.user_id, "work", "u").await;
    }
}
