//! The HTTP edge, driven in-process through the axum router: server functions,
//! session cookies, role checks, pages and `/healthz`.

use crate::site::{
    Site, changed_form, editor_form, error_field, sink_mails, urlencode, valid_mailbox_form,
};
use crate::support::databases;
use app::model::Role;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tresor::web::router;

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
async fn admin_functions_check_the_role_on_the_server() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let (anonymous, _, _) = site.call("/api/users/list", "", None).await;
        assert_eq!(anonymous, StatusCode::UNAUTHORIZED, "{}", db.name);

        let user_cookie = site.sign_in("user%40example.com", "user-password").await;
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

        let admin_cookie = site.sign_in("root%40example.com", "root-password").await;
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
        let admin_cookie = site.sign_in("root%40example.com", "root-password").await;
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

#[tokio::test]
async fn sign_out_invalidates_the_cookie_on_the_server() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let cookie = site.sign_in("user%40example.com", "user-password").await;
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

#[tokio::test]
async fn pages_redirect_strangers_to_sign_in() {
    let db = crate::support::sqlite().await;
    let site = Site::new(&db).await;
    let page = |path: &str, cookie: Option<&str>| {
        let mut request = Request::get(path).header(header::ACCEPT, "text/html");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        request.body(Body::empty()).unwrap()
    };
    let response = site.send(page("/", None)).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()[header::LOCATION], "/sign-in");

    let cookie = site.sign_in("user%40example.com", "user-password").await;
    let response = site.send(page("/", Some(&cookie))).await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = String::from_utf8(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    assert!(html.contains("Dashboard") && html.contains("Mailboxes") && html.contains("Archive"));
    assert!(
        !html.contains(">Admin<"),
        "a plain user's navigation has no Admin entry"
    );

    let response = site.send(page("/no/such/page", Some(&cookie))).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

/// Regression: server functions that read Leptos context after an `.await` failed
/// now and then while a page rendered ("backend missing from context"), and the
/// browser then hit a hydration mismatch. Rendering repeatedly makes a race show.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rendered_pages_carry_no_server_errors() {
    let db = crate::support::sqlite().await;
    let site = Site::new(&db).await;
    let cookie = site.sign_in("root%40example.com", "root-password").await;
    for _ in 0..25 {
        let request = Request::get("/admin/users")
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap();
        let response = site.send(request).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body = response.into_body().collect().await.unwrap().to_bytes();
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

#[tokio::test]
async fn healthz_reports_the_database() {
    for db in databases().await {
        let site = Site::new(&db).await;
        // The details are for administrators (strangers: crate::edge).
        let admin = site.sign_in("root%40example.com", "root-password").await;
        let response = site
            .send(
                Request::get("/healthz")
                    .header(header::COOKIE, &admin)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let health: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(health["status"], "ok");
        assert_eq!(health["database"]["backend"], db.name);
    }
}

#[tokio::test]
async fn users_see_their_own_mailboxes_and_admins_every_one() {
    use app::model::mailbox::{MailboxInput, MailboxSummary};
    for db in databases().await {
        let site = Site::new(&db).await;
        let own = site
            .add_mailbox(
                site.user_id,
                &MailboxInput::new("user-mail", "imap.example.com", "user"),
            )
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

        let user_cookie = site.sign_in("user%40example.com", "user-password").await;
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

        let admin_cookie = site.sign_in("root%40example.com", "root-password").await;
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
async fn the_editor_saves_a_mailbox_and_names_the_field_of_each_problem() {
    use app::model::mailbox::MailboxEditor;
    for db in databases().await {
        let site = Site::new(&db).await;
        let user_cookie = site.sign_in("user%40example.com", "user-password").await;
        let valid: Vec<(&str, &str)> = vec![
            ("id", ""),
            ("name", "Accounting"),
            ("host", "imap.example.com"),
            ("port", "993"),
            ("security", "tls"),
            ("auth_method", "plain"),
            ("username", "acc"),
            ("secret", "imap-pw"),
            ("folder_rules", "INBOX\r\n!Spam"),
            ("subscribed_only", "on"),
            ("action", "none"),
            ("success_folder", "Archived"),
            ("duplicate_folder", "Duplicates"),
            ("error_folder", "Archive errors"),
            ("success_tag", "$Archived"),
            ("duplicate_tag", "$ArchivedDuplicate"),
            ("duplicate_policy", "drop"),
            ("duplicate_match", "content"),
            ("labels", "category=Invoices"),
            ("schedule", "6h"),
            ("max_connections", "2"),
        ];
        let with = |changes: &[(&str, &str)]| changed_form(&valid, changes);

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
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{changes:?}: {body}"
            );
            assert_eq!(error_field(&body), field, "{changes:?}");
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
        let row = site.mailboxes.by_id(id).await.unwrap();
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
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_field(&body), "secret");
        match site.mailboxes.connection(&row).await.unwrap().1 {
            tresor::imap::Credentials::Plain { password, .. } => assert_eq!(password, "imap-pw"),
            other => panic!("{other:?}"),
        }

        // Someone else's mailbox does not exist for a user; an admin may edit it.
        let other = site
            .add_mailbox(
                site.root_id,
                &app::model::mailbox::MailboxInput::new("roots", "imap.example.com", "root"),
            )
            .await;
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
        assert_eq!(site.mailboxes.by_id(other.id).await.unwrap().name, "roots");
        let admin_cookie = site.sign_in("root%40example.com", "root-password").await;
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
    use app::model::mailbox::MailboxInput;
    for db in databases().await {
        let site = Site::new(&db).await;
        let own = site
            .add_mailbox(
                site.user_id,
                &MailboxInput::new("user-mail", "imap.example.com", "user"),
            )
            .await;
        let user_cookie = site.sign_in("user%40example.com", "user-password").await;
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
        assert!(!site.mailboxes.by_id(own.id).await.unwrap().enabled);
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
            .add_mailbox(
                site.root_id,
                &MailboxInput::new("root-mail", "imap.example.com", "root"),
            )
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
        assert!(site.mailboxes.by_id(stranger.id).await.unwrap().enabled);
    }
}

#[tokio::test]
async fn shared_mailboxes_are_read_only_for_the_users_granted_them() {
    use app::model::job::MailboxRuns;
    use app::model::mailbox::{MailboxEditor, MailboxSummary};
    for db in databases().await {
        let site = Site::new(&db).await;
        let admin = site.sign_in("root%40example.com", "root-password").await;
        let user = site.sign_in("user%40example.com", "user-password").await;

        // Only an admin shares; only known users can be granted.
        let (status, body, _) = site
            .call(
                "/api/mailboxes/save",
                &valid_mailbox_form("info", &[("shared", "on")]),
                Some(&user),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_field(&body), "grants");
        let (status, body, _) = site
            .call(
                "/api/mailboxes/save",
                &valid_mailbox_form(
                    "info",
                    &[("shared", "on"), ("grants", "nobody@example.com")],
                ),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_field(&body), "grants");
        assert!(
            site.mailboxes.list().await.unwrap().is_empty(),
            "nothing saved"
        );

        let (status, body, _) = site
            .call(
                "/api/mailboxes/save",
                &valid_mailbox_form("info", &[("shared", "on"), ("grants", "User@example.com")]),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.name);
        let id: i64 = serde_json::from_str(&body).unwrap();
        let row = site.mailboxes.by_id(id).await.unwrap();
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
                valid_mailbox_form("mine now", &[("id", &id.to_string())]),
            ),
            (
                "/api/mailboxes/test",
                valid_mailbox_form("info", &[("id", &id.to_string()), ("secret", "")]),
            ),
        ] {
            let (status, body, _) = site.call(endpoint, &form, Some(&user)).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{endpoint}: {body}");
        }
        assert_eq!(site.mailboxes.by_id(id).await.unwrap().name, "info");

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
                &valid_mailbox_form(
                    "info",
                    &[("id", &id_field), ("secret", ""), ("shared", "on")],
                ),
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
async fn a_mailbox_takes_inherited_fields_from_its_template_and_follows_its_changes() {
    use app::model::mailbox::{MailboxEditor, TemplateSummary};
    for db in databases().await {
        let site = Site::new(&db).await;
        let admin = site.sign_in("root%40example.com", "root-password").await;
        let user = site.sign_in("user%40example.com", "user-password").await;
        let template_form = |changes: &[(&str, &str)]| {
            let mut all = vec![("username", ""), ("secret", "")];
            all.extend_from_slice(changes);
            valid_mailbox_form("Company IMAP", &all)
        };

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
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_field(&body), "schedule");
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
                &valid_mailbox_form(
                    "ann",
                    &[
                        ("template_id", &template_field),
                        ("inherited", "host,schedule"),
                        ("host", "typed.example"),
                        ("port", "9993"),
                    ],
                ),
                Some(&user),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let id: i64 = serde_json::from_str(&body).unwrap();
        let row = site.mailboxes.by_id(id).await.unwrap();
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
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_field(&body), "host");
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
        let row = site.mailboxes.by_id(id).await.unwrap();
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
        let row = site.mailboxes.by_id(id).await.unwrap();
        assert_eq!(
            (row.template_id, row.schedule.as_deref()),
            (None, Some("6h"))
        );
    }
}

#[tokio::test]
async fn a_deleted_mailbox_leaves_every_list_and_frees_its_name() {
    use app::model::mailbox::MailboxInput;
    for db in databases().await {
        let site = Site::new(&db).await;
        let own = site
            .add_mailbox(
                site.user_id,
                &MailboxInput::new("work", "imap.example.com", "u"),
            )
            .await;
        let user = site.sign_in("user%40example.com", "user-password").await;
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
        assert!(site.mailboxes.by_id(own.id).await.is_err());
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
            .one(&site.db)
            .await
            .unwrap()
            .expect("the row is kept");
        assert!(kept.deleted_at.is_some() && !kept.enabled);
        site.add_mailbox(
            site.user_id,
            &MailboxInput::new("work", "imap.example.com", "u"),
        )
        .await;
    }
}

#[tokio::test]
async fn the_dashboard_counts_what_the_caller_sees_and_names_failing_mailboxes() {
    use app::model::DashboardView;
    use app::model::mailbox::MailboxInput;
    use chrono::{Duration, Utc};
    use sea_orm::{ActiveModelTrait, Set};
    use tresor::db::entity::{message, message_location};
    for db in databases().await {
        let site = Site::new(&db).await;
        let own = site
            .add_mailbox(
                site.user_id,
                &MailboxInput::new("user-mail", "imap.example.com", "user"),
            )
            .await;
        let mut insecure = MailboxInput::new("root-mail", "imap.example.com", "root");
        insecure.accept_invalid_certs = true;
        site.add_mailbox(site.root_id, &insecure).await;
        let archived = message::ActiveModel {
            sha256: Set("ab".repeat(32)),
            size: Set(1500),
            from_text: Set("a@example.com".into()),
            to_text: Set(String::new()),
            cc_text: Set(String::new()),
            attachment_names: Set("[]".into()),
            has_attachments: Set(false),
            references: Set("[]".into()),
            archived_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&site.db)
        .await
        .unwrap();
        message_location::ActiveModel {
            message_id: Set(archived.id),
            mailbox_id: Set(own.id),
            folder: Set("INBOX".into()),
            uid_validity: Set(1),
            uid: Set(1),
            flags: Set("[]".into()),
            labels: Set("{}".into()),
            archived_at: Set(Utc::now()),
            duplicate: Set(false),
            listed: Set(true),
            ..Default::default()
        }
        .insert(&site.db)
        .await
        .unwrap();
        // Succeeded three hours ago, then failed twice: failing since two hours.
        let first_failure = Utc::now() - Duration::hours(2);
        for (started_at, error) in [
            (Utc::now() - Duration::hours(3), None),
            (first_failure, Some("authentication failed")),
            (
                Utc::now() - Duration::hours(1),
                Some("authentication failed: invalid credentials"),
            ),
        ] {
            let mut log = tresor::engine::JobLog::new("user-mail", started_at);
            if let Some(error) = error {
                log.fail(error.to_string());
            }
            log.finish(Utc::now());
            site.add_job(own.id, &log).await;
        }

        let user_cookie = site.sign_in("user%40example.com", "user-password").await;
        let (status, body, _) = site
            .call("/api/dashboard/summary", "", Some(&user_cookie))
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.name);
        let seen: DashboardView = serde_json::from_str(&body).unwrap();
        assert_eq!(seen.user_count, None);
        assert_eq!(
            (seen.mailbox_count, seen.message_count, seen.message_bytes),
            (1, 1, 1500)
        );
        assert_eq!(seen.archived_last_day, 1);
        assert_eq!(seen.attention.len(), 1, "{body}");
        assert_eq!(
            seen.attention[0].problem,
            "authentication failed: invalid credentials"
        );
        let since = seen.attention[0].failing_since.expect("since when");
        assert!(
            (since - first_failure).num_seconds().abs() <= 1,
            "{since} vs {first_failure}"
        );

        let admin_cookie = site.sign_in("root%40example.com", "root-password").await;
        let (_, body, _) = site
            .call("/api/dashboard/summary", "", Some(&admin_cookie))
            .await;
        let seen: DashboardView = serde_json::from_str(&body).unwrap();
        assert_eq!((seen.user_count, seen.mailbox_count), (Some(2), 2));
        let problems: Vec<&str> = seen
            .attention
            .iter()
            .map(|item| item.mailbox.as_str())
            .collect();
        assert_eq!(
            problems,
            ["user-mail", "root-mail"],
            "failing first, then TLS warnings"
        );
    }
}

#[tokio::test]
async fn a_csv_list_is_previewed_row_by_row_and_imports_only_good_rows() {
    use app::model::batch::{BatchOutcome, BatchReport, CsvPreview};
    for db in databases().await {
        let site = Site::new(&db).await;
        let admin = site.sign_in("root%40example.com", "root-password").await;
        let list = "E-Mail;Passwort;Server;Port\n\
                    user@example.com;pw1;imap.example.com;993\n\
                    \"new.person@example.com\";\"p;w\"\"2\";imap.example.com;143\n\
                    broken-address;pw3;imap.example.com;993\n\
                    third@example.com;;imap.example.com;99999\n";
        let body = |list: &str| {
            let encoded: String = list
                .bytes()
                .map(|byte| match byte {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (byte as char).to_string(),
                    _ => format!("%{byte:02X}"),
                })
                .collect();
            format!("form%5Btext%5D={encoded}&form%5Btemplate_id%5D=")
        };
        let user = site.sign_in("user%40example.com", "user-password").await;
        let (status, _, _) = site
            .call("/api/batch/preview_csv", &body(list), Some(&user))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "admins only");

        let (status, text, _) = site
            .call("/api/batch/preview_csv", &body(list), Some(&admin))
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {text}", db.name);
        let preview: CsvPreview = serde_json::from_str(&text).unwrap();
        assert_eq!(preview.separator, "semicolon");
        assert_eq!(preview.valid, 2);
        assert_eq!(preview.rows.len(), 4);
        assert!(preview.rows[0].errors.is_empty() && !preview.rows[0].new_user);
        assert!(preview.rows[1].new_user);
        assert_eq!(
            preview.rows[1].server,
            "new.person@example.com@imap.example.com:143"
        );
        assert_eq!(preview.rows[2].line, 4);
        assert!(
            preview.rows[2].errors[0].contains("not an e-mail address"),
            "{:?}",
            preview.rows[2]
        );
        // Every problem of a row, each naming its column.
        let third = preview.rows[3].errors.join(" ");
        assert!(third.contains("port:"), "{third}");
        assert!(
            site.mailboxes.list().await.unwrap().is_empty(),
            "a preview saves nothing"
        );

        let (status, text, _) = site
            .call("/api/batch/import_csv", &body(list), Some(&admin))
            .await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let report: BatchReport = serde_json::from_str(&text).unwrap();
        assert_eq!((report.created, report.failed, report.queued), (2, 2, 0));
        assert!(report.rows[1].user_created);
        assert_eq!(report.rows[2].outcome, BatchOutcome::Failed);
        let created = site
            .mailboxes
            .by_name("new.person@example.com")
            .await
            .unwrap();
        assert_eq!(created.port, 143);
        match site.mailboxes.connection(&created).await.unwrap().1 {
            tresor::imap::Credentials::Plain { password, .. } => assert_eq!(password, "p;w\"2"),
            other => panic!("{other:?}"),
        }
        let own = site.mailboxes.by_name("user@example.com").await.unwrap();
        assert_eq!(
            own.owner_id,
            Some(site.user_id),
            "owned by the user it belongs to"
        );
        assert!(!text.contains("pw1"), "no secret in the report");

        // Importing the same list again creates nothing twice.
        let (_, text, _) = site
            .call("/api/batch/preview_csv", &body(list), Some(&admin))
            .await;
        let again: CsvPreview = serde_json::from_str(&text).unwrap();
        assert_eq!(again.valid, 0);
        assert!(again.rows[0].errors[0].contains("exists already"));
    }
}

#[tokio::test]
async fn a_master_user_batch_creates_one_mailbox_per_selected_user() {
    use app::model::batch::BatchReport;
    for db in databases().await {
        let site = Site::new(&db).await;
        let admin = site.sign_in("root%40example.com", "root-password").await;
        let form = |selection: &str, users: &str| {
            editor_form(&[
                ("host", "imap.example.com"),
                ("port", "993"),
                ("security", "tls"),
                ("master_user", "archiver"),
                ("secret", "masterpw"),
                ("identity_kind", "localpart"),
                ("selection", selection),
                ("users", users),
                ("run_now", "on"),
            ])
        };
        let (status, text, _) = site
            .call(
                "/api/batch/master",
                &form("only", "nobody@example.com"),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
        assert_eq!(error_field(&text), "users");

        let (status, text, _) = site
            .call(
                "/api/batch/master",
                &form("except", "root@example.com"),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {text}", db.name);
        let report: BatchReport = serde_json::from_str(&text).unwrap();
        assert_eq!((report.created, report.queued), (1, 1), "{text}");
        let row = site.mailboxes.by_name("user@example.com").await.unwrap();
        assert_eq!(row.owner_id, Some(site.user_id));
        assert_eq!(row.master_user.as_deref(), Some("archiver"));
        match site.mailboxes.connection(&row).await.unwrap().1 {
            tresor::imap::Credentials::Plain {
                authzid,
                user,
                password,
            } => {
                assert_eq!(authzid.as_deref(), Some("user"));
                assert_eq!((user.as_str(), password.as_str()), ("archiver", "masterpw"));
            }
            other => panic!("{other:?}"),
        }

        // Run again over everyone: the existing mailbox is skipped.
        let (_, text, _) = site
            .call("/api/batch/master", &form("all", ""), Some(&admin))
            .await;
        let report: BatchReport = serde_json::from_str(&text).unwrap();
        assert_eq!((report.created, report.skipped), (1, 1), "{text}");
    }
}

const OWN_MAIL: &[u8] = b"From: Alice <alice@example.com>\r\nTo: user@example.com\r\nSubject: Quarterly figures\r\nDate: Tue, 5 Mar 2024 10:00:00 +0100\r\nMessage-ID: <own@example.com>\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/html\r\n\r\n<p>Figures attached.</p><script>alert(1)</script><img src=\"https://tracker.example/x.gif\">\r\n--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename*=utf-8''Zahlen%20M%C3%A4rz.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--B--\r\n";
const OTHER_MAIL: &[u8] = b"From: Carol <carol@example.com>\r\nTo: root@example.com\r\nSubject: Quarterly figures, confidential\r\nDate: Wed, 6 Mar 2024 10:00:00 +0100\r\nMessage-ID: <other@example.com>\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/html\r\n\r\n<p>Only for the board.</p>\r\n--B\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=board.txt\r\n\r\nsecret plans\r\n--B--\r\n";

#[tokio::test]
async fn a_user_never_gets_another_users_mail_from_any_route() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let own = site
            .archive_for(site.user_id, "user-mail", &[("own", OWN_MAIL)])
            .await["own"];
        let other = site
            .archive_for(site.root_id, "root-mail", &[("other", OTHER_MAIL)])
            .await["other"];
        let user = site.sign_in("user%40example.com", "user-password").await;
        let root = site.sign_in("root%40example.com", "root-password").await;

        // Search: the user finds only their own; the admin both.
        let page = site.search("quarterly figures", &user).await;
        assert_eq!(
            page.hits.iter().map(|hit| hit.id).collect::<Vec<_>>(),
            [own],
            "{}",
            db.name
        );
        assert_eq!(page.total, 1);
        assert_eq!(page.mailboxes, ["user-mail"]);
        assert!(
            site.search("confidential OR board OR secret", &user)
                .await
                .hits
                .is_empty()
        );
        assert_eq!(site.search("quarterly", &root).await.total, 2);
        assert_eq!(site.search("attachment:märz", &user).await.hits.len(), 1);

        // Message view, raw EML, attachments, HTML, export: 404 for the other's.
        let (status, body, _) = site
            .call("/api/archive/message", &format!("id={other}"), Some(&user))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, body, _) = site
            .call("/api/archive/message", &format!("id={own}"), Some(&user))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let view: app::model::archive::MessageView = serde_json::from_str(&body).unwrap();
        assert_eq!(view.attachments[0].name, "Zahlen März.pdf");
        assert!(view.has_remote_images);
        for path in [
            format!("/m/{other}/raw"),
            format!("/m/{other}/html"),
            format!("/m/{other}/attachments/0"),
            format!("/export?ids={other}"),
            format!("/export?ids={other}&format=mbox"),
            format!("/export?mailbox={}", 999_999),
        ] {
            let (status, _, body) = site.get(&path, Some(&user)).await;
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "{path}: {}",
                String::from_utf8_lossy(&body)
            );
            assert!(!String::from_utf8_lossy(&body).contains("secret plans"));
            let (status, _, _) = site.get(&path, None).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} signed out");
        }
        // The permalink page of another's message says "not found" and shows nothing of it.
        let (status, _, body) = site.get(&format!("/m/{other}"), Some(&user)).await;
        let page = String::from_utf8_lossy(&body);
        assert!(
            [StatusCode::OK, StatusCode::NOT_FOUND].contains(&status),
            "the page renders and says so: {status}"
        );
        assert!(page.contains("Not found."), "{page}");
        assert!(!page.contains("confidential") && !page.contains("carol@example.com"));
        let (_, _, body) = site.get(&format!("/m/{own}"), Some(&user)).await;
        assert!(String::from_utf8_lossy(&body).contains("Quarterly figures"));
        let (status, headers, _) = site.get(&format!("/m/{own}"), None).await;
        assert_eq!(status, StatusCode::FOUND, "signed out: to the sign-in page");
        assert_eq!(
            headers[header::LOCATION],
            format!("/sign-in?next=%2Fm%2F{own}")
        );
        let (status, _, body) = site
            .get("/export?query=figures&format=mbox", Some(&user))
            .await;
        assert_eq!(status, StatusCode::OK);
        let mbox = String::from_utf8_lossy(&body);
        assert!(mbox.contains("Subject: Quarterly figures\r\n"));
        assert!(
            !mbox.contains("confidential"),
            "the export holds only the user's mail"
        );

        // The user's own: exact bytes, a safe name, a sandboxed HTML body.
        let (status, headers, body) = site.get(&format!("/m/{own}/raw"), Some(&user)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, OWN_MAIL, "raw download is byte-identical");
        assert_eq!(headers[header::CONTENT_TYPE], "message/rfc822");
        let (status, headers, body) = site
            .get(&format!("/m/{own}/attachments/0"), Some(&user))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
        assert!(
            headers[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .contains("filename*=UTF-8''Zahlen%20M%C3%A4rz.pdf")
        );
        assert_eq!(&body[..5], b"%PDF-");
        let (status, headers, body) = site.get(&format!("/m/{own}/html"), Some(&user)).await;
        assert_eq!(status, StatusCode::OK);
        let html = String::from_utf8_lossy(&body);
        assert!(html.contains("Figures attached."));
        assert!(
            !html.contains("<script") && !html.contains("tracker.example"),
            "{html}"
        );
        let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            policy.contains("default-src 'none'") && policy.contains("sandbox"),
            "{policy}"
        );
        assert!(!policy.contains("script-src"));

        // A zip export of the user's mail holds the archived bytes.
        let (status, headers, body) = site
            .get(&format!("/export?ids={own},{other}"), Some(&user))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "application/zip");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(body)).unwrap();
        assert_eq!(zip.len(), 1, "only the user's message");
        let mut entry = zip.by_index(0).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        assert_eq!(bytes, OWN_MAIL);

        // The administrator reads everything.
        let admin_view = site.search("board", &root).await;
        assert_eq!(admin_view.hits.len(), 1);
    }
}

#[tokio::test]
async fn pages_allow_only_scripts_with_this_responses_nonce() {
    let db = crate::support::sqlite().await;
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
    let user = site.sign_in("user%40example.com", "user-password").await;
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

/// The scheduled routine writes the day's ledger head and verifies; admins
/// see the result (and the last clean check) on the dashboard, users do not.
#[tokio::test]
async fn the_dashboard_shows_admins_the_last_check_and_the_ledger_head() {
    use app::model::DashboardView;
    use tresor::store::ledger::HeadFile;
    use tresor::store::verify::{Verifier, history, run_schedule};
    for db in databases().await {
        let site = Site::new(&db).await;
        let own = site
            .archive_for(site.user_id, "user-mail", &[("own", OWN_MAIL)])
            .await["own"];
        let admin = site.sign_in("root%40example.com", "root-password").await;
        let summary = |cookie: String| {
            let site = &site;
            async move {
                let (status, body, _) =
                    site.call("/api/dashboard/summary", "", Some(&cookie)).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                serde_json::from_str::<DashboardView>(&body).unwrap()
            }
        };
        let before = summary(admin.clone()).await.integrity.expect("for admins");
        assert_eq!(before.last_check, None);
        assert_eq!(before.head_seq, Some(1), "one message, one entry");

        // The routine, as `tresor serve` runs it, with a check due at once.
        let heads_dir = tempfile::tempdir().unwrap();
        let heads = HeadFile::in_data_dir(heads_dir.path());
        let verifier = std::sync::Arc::new(Verifier::new(
            site.db.clone(),
            site.store.clone(),
            Some(heads.clone()),
        ));
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let routine = tokio::spawn(run_schedule(
            verifier.clone(),
            Some(std::time::Duration::ZERO),
            stopped,
        ));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while history(&site.db).await.unwrap().1.is_none() {
            assert!(std::time::Instant::now() < deadline, "the routine verified");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        stop.send(true).unwrap();
        routine.await.unwrap();
        let written: Vec<_> = heads.read().unwrap().into_iter().flatten().collect();
        assert_eq!(written.len(), 1);
        assert_eq!(Some(written[0].hash.clone()), before.head_hash);

        let after = summary(admin.clone()).await.integrity.unwrap();
        let check = after.last_check.expect("a check");
        assert_eq!(
            (check.status.as_str(), check.blobs),
            ("clean", 1),
            "{check:?}"
        );
        assert!(after.last_clean_at.is_some());

        // A damaged blob: the next check reports it, the last clean one stays.
        let sha256: String = {
            use sea_orm::EntityTrait;
            tresor::db::entity::message::Entity::find_by_id(own)
                .one(&site.db)
                .await
                .unwrap()
                .unwrap()
                .sha256
        };
        let path = site.store.path_of(&sha256.parse().unwrap());
        std::fs::write(&path, b"not zstd").unwrap();
        assert!(!verifier.verify_and_record().await.unwrap().is_clean());
        let damaged = summary(admin).await.integrity.unwrap();
        let check = damaged.last_check.unwrap();
        assert_eq!(
            (check.status.as_str(), check.finding_count),
            ("findings", 1)
        );
        assert!(
            check.first_findings[0].starts_with(&format!("altered blob {sha256}")),
            "{check:?}"
        );
        assert_eq!(damaged.last_clean_at, after.last_clean_at);

        let user = site.sign_in("user%40example.com", "user-password").await;
        assert_eq!(summary(user).await.integrity, None, "admins only");
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
        let admin = site.sign_in("root%40example.com", "root-password").await;
        let (status, body, _) = site
            .call(
                "/api/users/create",
                "email=audit%40example.com&display_name=Auditor&role=auditor&password=auditor-password-1",
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let user = site.sign_in("user%40example.com", "user-password").await;
        let form = valid_mailbox_form(
            "Audited",
            &[
                ("folder_rules", "INBOX"),
                ("secret", "imap-secret-never-logged"),
            ],
        );
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
            .sign_in("audit%40example.com", "auditor-password-1")
            .await;
        site.search("quarterly auditquery", &auditor).await;
        site.search("private userquery", &user).await;
        let (status, _, _) = site.call("/api/auth/sign_out", "", Some(&user)).await;
        assert_eq!(status, StatusCode::OK);

        // Users may not read the log.
        let user = site.sign_in("user%40example.com", "user-password").await;
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

/// "Forgot your password?": a link by mail (through the test bed's SMTP
/// sink), once, within the hour; the same answer for unknown addresses; every
/// session ends; all of it in the audit log.
#[tokio::test]
async fn a_password_reset_link_arrives_by_mail_and_works_once() {
    let (Some(port), Some(dir)) = (
        crate::support::service_env("TRESOR_TEST_SMTP_PORT", "the SMTP sink"),
        crate::support::service_env("TRESOR_TEST_SMTP_DIR", "the SMTP sink"),
    ) else {
        return;
    };
    for db in databases().await {
        let (site, notifier) = Site::with_mail(&db).await;
        let ask = |email: &str| format!("email={}", urlencode(email));

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
        let old_session = site.sign_in("user%40example.com", "user-password").await;
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
        let to = |raw: &[u8]| {
            mail_parser::MessageParser::default()
                .parse(raw)
                .and_then(|mail| mail.to()?.first()?.address().map(str::to_string))
                .unwrap_or_default()
        };
        // The link is mailed after the answer (so known and unknown
        // addresses are answered alike): wait for it.
        let mut raws: Vec<Vec<u8>> = Vec::new();
        for _ in 0..200 {
            raws = mails().difference(&before).cloned().collect();
            if raws.iter().any(|raw| to(raw) == "user@example.com") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(!raws.iter().any(|raw| to(raw) == "nobody@example.com"));
        let resets: Vec<&Vec<u8>> = raws
            .iter()
            .filter(|raw| to(raw) == "user@example.com")
            .collect();
        assert_eq!(resets.len(), 1, "{}", db.name);
        let mail = mail_parser::MessageParser::default()
            .parse(resets[0])
            .unwrap();
        assert_eq!(mail.subject(), Some("Tresor: choose a new password"));
        let body = mail.body_text(0).unwrap().to_string();
        let token = body
            .split("reset-password?token=")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("a link with the token")
            .to_string();

        let reset = |password: &str, confirm: &str| {
            format!(
                "token={token}&new_password={}&confirm_password={}",
                urlencode(password),
                urlencode(confirm)
            )
        };
        let (status, body, _) = site
            .call(
                "/api/auth/reset_password",
                &reset("brand-new-password", "other"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&body), "confirm_password");
        let (status, body, _) = site
            .call("/api/auth/reset_password", &reset("short", "short"), None)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&body), "new_password");
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
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&body), "token");
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
        site.sign_in("user%40example.com", "brand-new-password")
            .await;

        let admin = site.sign_in("root%40example.com", "root-password").await;
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

/// Admin → Notifications: SMTP settings for the instance and for one
/// mailbox, admins only, the password never sent back, every field problem
/// named, changes audit-logged without the password; test mails from the
/// page and from the mailbox test reach the test bed's SMTP sink.
#[tokio::test]
async fn smtp_settings_are_for_admins_and_their_test_mails_arrive() {
    use app::model::mailbox::MailboxInput;
    use app::model::notifications::{SmtpSettingsView, TestMailSent};
    let (Some(port), Some(dir), Ok(ca)) = (
        crate::support::service_env("TRESOR_TEST_SMTP_PORT", "the SMTP sink"),
        crate::support::service_env("TRESOR_TEST_SMTP_DIR", "the SMTP sink"),
        std::env::var("TRESOR_TEST_DOVECOT_CA"),
    ) else {
        return;
    };
    for db in databases().await {
        let (site, _) = Site::with_mail(&db).await;
        let admin = site.sign_in("root%40example.com", "root-password").await;
        let user = site.sign_in("user%40example.com", "user-password").await;
        let mailbox = site
            .add_mailbox(
                site.user_id,
                &MailboxInput::new("Vertrieb", "imap.example.com", "sales"),
            )
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
            let mut fields = String::new();
            for (name, value) in &valid {
                let value = changes
                    .iter()
                    .find(|(changed, _)| changed == name)
                    .map_or(*value, |(_, value)| *value);
                fields.push_str(&format!("form[{name}]={}&", urlencode(value)));
            }
            fields
        };

        // Not for users: settings, saving, test mails.
        for (path, body) in [
            ("/api/notifications/smtp", String::new()),
            ("/api/notifications/save_smtp", form("", &port, &[])),
            (
                "/api/notifications/test",
                format!("to={}", urlencode("user@example.com")),
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
                &format!("to={}", urlencode(&ops)),
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
        let subject = "Tresor: Testnachricht — test message ✓ (mailbox „Vertrieb“)";
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
            .add_mailbox(
                site.root_id,
                &MailboxInput::new("Chefsache", "imap.example.com", "boss"),
            )
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

/// OAuth from the browser's side, against the test bed's authorization
/// server: sign-in apps are for admins and never give their secret back; a
/// mailbox's manager signs it in with a code (polled by the server) or
/// app-only, and out again; the dashboard says who must sign in; the
/// authorization-code routes send the browser to the provider with PKCE and
/// take a refusal back as a message; every step is audit-logged.
#[tokio::test]
async fn mailboxes_sign_in_with_oauth_through_the_browser_functions() {
    use app::model::DashboardView;
    use app::model::mailbox::{AuthMethod, MailboxInput};
    use app::model::oauth::{
        DeviceProgress, DeviceSignIn, MailboxSignIn, SignInAppsView, SignInState,
    };
    let Some(oauth_url) =
        crate::support::service_env("TRESOR_TEST_OAUTH_URL", "the OAuth2 test server")
    else {
        return;
    };
    for db in databases().await {
        let site = Site::new(&db).await;
        let admin = site.sign_in("root%40example.com", "root-password").await;
        let user = site.sign_in("user%40example.com", "user-password").await;
        // `client`: the test server's clients; "short" ones get 30-second tokens,
        // which Tresor renews at every use (its margin is two minutes).
        let app_form = |name: &str, client: &str, secret: &str| {
            [
                ("name", name),
                ("provider", "microsoft"),
                ("tenant", "contoso.example"),
                ("authority", oauth_url.as_str()),
                ("client_id", client),
                ("client_secret", secret),
                (
                    "scopes",
                    "https://outlook.office.com/IMAP.AccessAsUser.All\noffline_access",
                ),
            ]
            .iter()
            .map(|(field, value)| format!("form[{field}]={}", urlencode(value)))
            .collect::<Vec<_>>()
            .join("&")
        };

        for (path, body) in [
            ("/api/oauth/apps", String::new()),
            ("/api/oauth/save_app", app_form("Nope", "tresor-public", "")),
            ("/api/oauth/remove_app", "id=1".to_string()),
        ] {
            let (status, _, _) = site.call(path, &body, Some(&user)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        }
        let (status, body, _) = site
            .call(
                "/api/oauth/save_app",
                &app_form("Contoso", "tresor-short-public", ""),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body, _) = site.call("/api/oauth/apps", "", Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(!body.contains("tresor-client-secret"), "write-only: {body}");
        let apps: SignInAppsView = serde_json::from_str(&body).unwrap();
        assert!(!apps.apps[0].has_secret, "a public client");
        assert!(apps.default_redirect_url.ends_with("/oauth/callback"));
        let app_id = apps.apps[0].id;

        let mut input = MailboxInput::new("M365 Vertrieb", "localhost", "user3");
        input.auth_method = AuthMethod::XOAuth2;
        input.oauth_app_id = Some(app_id);
        let mailbox = site
            .mailboxes
            .create(
                tresor::mailbox::Editor::Admin,
                Some(site.user_id),
                &input,
                None,
            )
            .await
            .unwrap();
        let id = format!("id={}", mailbox.id);
        let sign_in_state = || async {
            let (status, body, _) = site.call("/api/mailboxes/sign_in", &id, Some(&user)).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            serde_json::from_str::<Option<MailboxSignIn>>(&body)
                .unwrap()
                .unwrap()
        };
        let state = sign_in_state().await;
        assert_eq!(state.state, SignInState::NotSignedIn);
        assert!(state.interactive && state.device_flow && !state.app_only);
        let (_, body, _) = site.call("/api/dashboard/summary", "", Some(&user)).await;
        let dashboard: DashboardView = serde_json::from_str(&body).unwrap();
        assert!(
            dashboard
                .attention
                .iter()
                .any(|item| item.mailbox_id == mailbox.id && item.problem.contains("Not signed in")),
            "{body}"
        );
        // With a code: shown, entered at the provider, polled by the server.
        let (status, body, _) = site
            .call("/api/mailboxes/device_sign_in", &id, Some(&user))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let code: DeviceSignIn = serde_json::from_str(&body).unwrap();
        assert!(code.message.unwrap().contains(&code.user_code));
        let entered = reqwest::get(format!(
            "{oauth_url}/device?user_code={}&user=user3",
            code.user_code
        ))
        .await
        .unwrap();
        assert!(entered.status().is_success());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let (_, body, _) = site
                .call("/api/mailboxes/device_sign_in_progress", &id, Some(&user))
                .await;
            match serde_json::from_str::<DeviceProgress>(&body).unwrap() {
                DeviceProgress::SignedIn => break,
                DeviceProgress::Failed { message } => panic!("{message}"),
                _ if std::time::Instant::now() > deadline => panic!("still waiting: {body}"),
                _ => tokio::time::sleep(std::time::Duration::from_millis(300)).await,
            }
        }
        let state = sign_in_state().await;
        assert_eq!(state.state, SignInState::SignedIn);
        assert_eq!(state.flow.as_deref(), Some("device_code"));
        let token = site
            .mailboxes
            .oauth()
            .access_token(mailbox.id, "M365 Vertrieb", app_id)
            .await;
        assert!(token.is_ok(), "{token:?}");

        // The user's sessions are revoked at the provider: at the next renewal
        // the mailbox needs a sign-in, and the dashboard says so.
        let revoked = reqwest::Client::new()
            .post(format!("{oauth_url}/test/revoke"))
            .form(&[("user", "user3")])
            .send()
            .await
            .unwrap();
        assert!(revoked.status().is_success());
        let refused = site
            .mailboxes
            .oauth()
            .access_token(mailbox.id, "M365 Vertrieb", app_id)
            .await;
        assert!(refused.is_err(), "{refused:?}");
        let state = sign_in_state().await;
        assert_eq!(state.state, SignInState::NeedsSignIn);
        assert!(state.error.unwrap().contains("invalid_grant"));
        let (_, body, _) = site.call("/api/dashboard/summary", "", Some(&user)).await;
        let dashboard: DashboardView = serde_json::from_str(&body).unwrap();
        assert!(
            dashboard
                .attention
                .iter()
                .any(|item| item.mailbox_id == mailbox.id
                    && item.problem.starts_with("Needs a new sign-in")
                    && item.problem.contains("invalid_grant")),
            "{body}"
        );

        // App-only is the administrators' (its token reads the whole
        // organisation) and needs an app for it (a resource's /.default
        // scope), then signed out.
        let (status, body, _) = site
            .call("/api/mailboxes/app_only_sign_in", &id, Some(&user))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, body, _) = site
            .call("/api/mailboxes/app_only_sign_in", &id, Some(&admin))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "delegated scopes: {body}");
        let app_only = app_form(
            "Contoso app-only",
            "tresor-confidential",
            "tresor-client-secret",
        )
        .replace(
            &urlencode("https://outlook.office.com/IMAP.AccessAsUser.All\noffline_access"),
            &urlencode("https://outlook.office365.com/.default"),
        );
        let (status, body, _) = site
            .call("/api/oauth/save_app", &app_only, Some(&admin))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, body, _) = site.call("/api/oauth/apps", "", Some(&admin)).await;
        let apps: SignInAppsView = serde_json::from_str(&body).unwrap();
        assert!(!body.contains("tresor-client-secret"), "write-only: {body}");
        let app_only_app = apps
            .apps
            .iter()
            .find(|app| app.form.name == "Contoso app-only")
            .unwrap();
        assert!(app_only_app.has_secret);
        let app_only_id = app_only_app.id;
        site.mailboxes
            .set_oauth_app(mailbox.id, Some(app_only_id))
            .await
            .unwrap();
        let state = sign_in_state().await;
        assert!(state.app_only && !state.interactive && !state.device_flow);
        let (status, body, _) = site
            .call("/api/mailboxes/app_only_sign_in", &id, Some(&admin))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            sign_in_state().await.flow.as_deref(),
            Some("client_credentials")
        );
        // Signed out, the grant is gone.
        let (status, _, _) = site.call("/api/mailboxes/sign_out", &id, Some(&user)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(sign_in_state().await.state, SignInState::NotSignedIn);
        // A grant from the app the mailbox used before goes with the app.
        let (status, body, _) = site
            .call("/api/mailboxes/app_only_sign_in", &id, Some(&admin))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        site.mailboxes
            .set_oauth_app(mailbox.id, Some(app_id))
            .await
            .unwrap();
        assert_eq!(sign_in_state().await.state, SignInState::NotSignedIn);
        let other_app = site
            .mailboxes
            .oauth()
            .access_token(mailbox.id, "M365 Vertrieb", app_only_id)
            .await
            .unwrap_err()
            .to_string();
        assert!(other_app.contains("needs a new sign-in"), "{other_app}");

        site.mailboxes
            .set_oauth_app(mailbox.id, Some(app_id))
            .await
            .unwrap();
        // An app in use cannot go.
        let (status, body, _) = site
            .call(
                "/api/oauth/remove_app",
                &format!("id={app_id}"),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body.contains("M365 Vertrieb"), "{body}");

        // The authorization code: to the provider with PKCE …
        let (status, location) = crate::edge::start_oauth(&site, mailbox.id, &user).await;
        assert_eq!(status, StatusCode::OK);
        let location = location.expect("on to the provider");
        assert!(
            location.starts_with(&format!(
                "{oauth_url}/contoso.example/oauth2/v2.0/authorize?"
            )),
            "{location}"
        );
        assert!(
            location.contains("code_challenge_method=S256"),
            "{location}"
        );
        assert!(location.contains("login_hint=user3"), "{location}");
        let state = location
            .split(['?', '&'])
            .find_map(|pair| pair.strip_prefix("state="))
            .unwrap()
            .to_string();
        // … another user cannot start it or finish it …
        let (status, location) = crate::edge::start_oauth(&site, mailbox.id, &admin).await;
        assert!(
            status == StatusCode::OK && location.is_some(),
            "admins manage it"
        );
        let (status, _, _) = site
            .get("/oauth/callback?state=bogus&code=x", Some(&user))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // … and a refusal at the provider comes back as a message.
        let (status, headers, _) = site
            .get(
                &format!("/oauth/callback?state={state}&error=access_denied&error_description=AADSTS65004%3A+User+declined"),
                Some(&user),
            )
            .await;
        assert!(status.is_redirection());
        let back = headers[header::LOCATION].to_str().unwrap();
        assert!(
            back.starts_with(&format!("/mailboxes/{}?sign_in_error=", mailbox.id)),
            "{back}"
        );
        // Used once.
        let (status, _, _) = site
            .get(
                &format!("/oauth/callback?state={state}&code=x"),
                Some(&user),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _, _) = site
            .call(&format!("/oauth/start/{}", mailbox.id), "", None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        use tresor::db::entity::audit_entry;
        let entries = audit_entry::Entity::find()
            .filter(audit_entry::Column::Action.is_in([
                "sign_in_app_saved",
                "mailbox_signed_in",
                "mailbox_signed_out",
            ]))
            .all(&db.connection)
            .await
            .unwrap();
        assert!(entries.len() >= 4, "{}: {entries:?}", db.name);
        assert!(
            entries
                .iter()
                .all(|entry| !entry.details.contains("tresor-client-secret"))
        );
    }
}

/// Gmail's way: a Google sign-in app (authorization code + PKCE with offline
/// access; Google has no device flow for mail) against the Google-shaped
/// endpoints of the test bed's authorization server, the provider's page
/// answered as a person would, back through `/oauth/callback`.
#[tokio::test]
async fn a_gmail_mailbox_signs_in_through_googles_authorization_code_flow() {
    use app::model::mailbox::{AuthMethod, MailboxInput};
    use app::model::oauth::{MailboxSignIn, SignInAppsView, SignInState};
    let Some(oauth_url) =
        crate::support::service_env("TRESOR_TEST_OAUTH_URL", "the OAuth2 test server")
    else {
        return;
    };
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for db in databases().await {
        let site = Site::new(&db).await;
        let admin = site.sign_in("root%40example.com", "root-password").await;
        let user = site.sign_in("user%40example.com", "user-password").await;
        let form = [
            ("name", "Google Workspace"),
            ("provider", "google"),
            ("authority", oauth_url.as_str()),
            ("client_id", "tresor-public"),
            ("scopes", "https://mail.google.com/"),
        ]
        .iter()
        .map(|(field, value)| format!("form[{field}]={}", urlencode(value)))
        .collect::<Vec<_>>()
        .join("&");
        let (status, body, _) = site.call("/api/oauth/save_app", &form, Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, body, _) = site.call("/api/oauth/apps", "", Some(&admin)).await;
        let apps: SignInAppsView = serde_json::from_str(&body).unwrap();
        let mut input = MailboxInput::new("Gmail", "localhost", "user1");
        input.auth_method = AuthMethod::XOAuth2;
        input.oauth_app_id = Some(apps.apps[0].id);
        let mailbox = site
            .mailboxes
            .create(
                tresor::mailbox::Editor::Admin,
                Some(site.user_id),
                &input,
                None,
            )
            .await
            .unwrap();
        let id = format!("id={}", mailbox.id);
        let state = || async {
            let (_, body, _) = site.call("/api/mailboxes/sign_in", &id, Some(&user)).await;
            serde_json::from_str::<Option<MailboxSignIn>>(&body)
                .unwrap()
                .unwrap()
        };
        let before = state().await;
        assert!(before.interactive && !before.device_flow, "{before:?}");
        let (status, body, _) = site
            .call("/api/mailboxes/device_sign_in", &id, Some(&user))
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body.contains("Google refuses the Gmail scope"), "{body}");

        let (status, authorize) = crate::edge::start_oauth(&site, mailbox.id, &user).await;
        assert_eq!(status, StatusCode::OK);
        let authorize = authorize.expect("on to the provider");
        assert!(
            authorize.starts_with(&format!("{oauth_url}/o/oauth2/v2/auth?")),
            "{authorize}"
        );
        for part in [
            "access_type=offline",
            "prompt=consent",
            "code_challenge_method=S256",
        ] {
            assert!(authorize.contains(part), "{part} in {authorize}");
        }
        // The person at Google's page: the page's hidden request, accepted.
        let page = browser
            .get(&authorize)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let request = page
            .split("name=\"request\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the sign-in page's form")
            .to_string();
        let answered = browser
            .post(format!("{oauth_url}/o/oauth2/v2/auth"))
            .form(&[
                ("request", request.as_str()),
                ("user", "user1"),
                ("answer", "accept"),
            ])
            .send()
            .await
            .unwrap();
        let back = answered.headers()[reqwest::header::LOCATION]
            .to_str()
            .unwrap()
            .to_string();
        let callback = &back[back.find("/oauth/callback").expect("back to Tresor")..];
        let (status, headers, _) = site.get(callback, Some(&user)).await;
        assert!(status.is_redirection(), "{status}");
        assert_eq!(
            headers[header::LOCATION].to_str().unwrap(),
            format!("/mailboxes/{}?signed_in=1", mailbox.id)
        );
        let after = state().await;
        assert_eq!(after.state, SignInState::SignedIn);
        assert_eq!(after.flow.as_deref(), Some("authorization_code"));
        let token = site
            .mailboxes
            .oauth()
            .access_token(mailbox.id, "Gmail", apps.apps[0].id)
            .await;
        assert!(token.is_ok(), "{token:?}");
    }
}

#[tokio::test]
async fn a_graph_mailbox_is_set_up_tested_and_run_from_the_browser_functions() {
    use app::model::mailbox::{MailboxEditor, MailboxSummary};
    use app::model::oauth::SignInAppsView;
    use app::model::probe::ProbeReport;
    let (Some(oauth_url), Some(corpus)) = (
        crate::support::service_env("TRESOR_TEST_OAUTH_URL", "the OAuth2 and Graph test server"),
        crate::corpus::corpus_dir("tricky-mime"),
    ) else {
        return;
    };
    let mut files: Vec<String> = crate::support::files_under(&corpus)
        .into_iter()
        .filter(|path| path.extension().is_some_and(|extension| extension == "eml"))
        .map(|path| path.display().to_string())
        .collect();
    files.sort();
    for db in databases().await {
        // The test bed's Graph is allowed as an administrator would configure it.
        let site = Site::allowing_graph_roots(&db, std::slice::from_ref(&oauth_url)).await;
        let admin = site.sign_in("root%40example.com", "root-password").await;
        let user = format!("web-{}@contoso.example", rand::random::<u32>());
        let loaded = reqwest::Client::new()
            .post(format!("{oauth_url}/graph-test/load"))
            .json(&serde_json::json!({ "user": user, "folders": {
                "Inbox": files[0..12], "Deleted Items": files[12..15],
            }}))
            .send()
            .await
            .unwrap();
        assert!(loaded.status().is_success());

        let app = [
            ("name", "Contoso Graph"),
            ("provider", "microsoft"),
            ("tenant", "contoso.example"),
            ("authority", oauth_url.as_str()),
            ("client_id", "tresor-confidential"),
            ("client_secret", "tresor-client-secret"),
            ("scopes", "https://graph.microsoft.com/.default"),
        ]
        .iter()
        .map(|(field, value)| format!("form[{field}]={}", urlencode(value)))
        .collect::<Vec<_>>()
        .join("&");
        let (status, body, _) = site.call("/api/oauth/save_app", &app, Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, body, _) = site.call("/api/oauth/apps", "", Some(&admin)).await;
        let app_id = serde_json::from_str::<SignInAppsView>(&body).unwrap().apps[0]
            .id
            .to_string();

        let graph_root = format!("{oauth_url}/v1.0");
        let valid: Vec<(&str, &str)> = vec![
            ("id", ""),
            ("name", "M365 Buchhaltung"),
            ("source", "graph"),
            ("host", &graph_root),
            ("port", "993"),
            ("security", "tls"),
            ("auth_method", "plain"),
            ("oauth_app", &app_id),
            ("username", &user),
            ("action", "none"),
            ("success_folder", "Archived"),
            ("duplicate_folder", "Duplicates"),
            ("error_folder", "Archive errors"),
            ("success_tag", "$Archived"),
            ("duplicate_tag", "$ArchivedDuplicate"),
            ("duplicate_policy", "drop"),
            ("duplicate_match", "content"),
            ("max_connections", "2"),
            ("page_size", "5"),
        ];
        let with = |changes: &[(&str, &str)]| changed_form(&valid, changes);
        // No password is asked for; what Graph needs is.
        for (changes, field) in [
            (vec![("host", "http://graph.example.com/v1.0")], "host"),
            (vec![("host", "graph.microsoft.com")], "host"),
            (vec![("oauth_app", "")], "oauth_app"),
            (vec![("page_size", "0")], "page_size"),
            (vec![("username", "")], "username"),
            (vec![("source", "import")], "source"),
        ] {
            let (status, body, _) = site
                .call("/api/mailboxes/save", &with(&changes), Some(&admin))
                .await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{changes:?}: {body}"
            );
            assert_eq!(error_field(&body), field, "{changes:?}");
        }
        let (status, body, _) = site
            .call("/api/mailboxes/save", &with(&[]), Some(&admin))
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.name);
        let id: i64 = serde_json::from_str(&body).unwrap();
        let (_, body, _) = site
            .call("/api/mailboxes/editor", &format!("id={id}"), Some(&admin))
            .await;
        let editor: MailboxEditor = serde_json::from_str(&body).unwrap();
        assert_eq!(editor.form.source, "graph");
        assert_eq!(editor.form.page_size, "5");
        assert_eq!(
            editor.form.auth_method, "xoauth2",
            "Graph takes bearer tokens only"
        );

        // Not signed in yet: the test says so; signed in (app-only), it lists the folders.
        let saved = with(&[("id", &id.to_string())]);
        let (status, body, _) = site.call("/api/mailboxes/test", &saved, Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let report: ProbeReport = serde_json::from_str(&body).unwrap();
        assert!(!report.ok);
        assert_eq!(report.error_kind.as_deref(), Some("authentication"));
        assert!(report.error.unwrap().contains("sign-in"));
        let (status, body, _) = site
            .call(
                "/api/mailboxes/app_only_sign_in",
                &format!("id={id}"),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, body, _) = site.call("/api/mailboxes/test", &saved, Some(&admin)).await;
        let report: ProbeReport = serde_json::from_str(&body).unwrap();
        assert!(report.ok, "{report:?}");
        let inbox = report.folders.iter().find(|f| f.path == "Inbox").unwrap();
        assert_eq!((inbox.messages, inbox.selected), (Some(12), true));
        let trash = report
            .folders
            .iter()
            .find(|f| f.path == "Deleted Items")
            .unwrap();
        assert_eq!(trash.special_use.as_deref(), Some("trash"));
        assert!(!trash.selected, "the default rules leave the trash out");

        let (_, body, _) = site.call("/api/mailboxes/list", "", Some(&admin)).await;
        let list: Vec<MailboxSummary> = serde_json::from_str(&body).unwrap();
        let summary = list.iter().find(|summary| summary.id == id).unwrap();
        assert_eq!(summary.server, format!("{user} via Microsoft Graph"));

        // A run archives the inbox (odd MIME is only bytes to Graph).
        let engine = tresor::engine::Engine::new(
            site.db.clone(),
            site.store.clone(),
            site.mailboxes.clone(),
        );
        let log = engine.archive("M365 Buchhaltung").await.unwrap();
        assert_eq!(log.status, tresor::engine::JobStatus::Succeeded, "{log:?}");
        let names: Vec<&str> = log.folders.iter().map(|f| f.name.as_str()).collect();
        assert!(!names.contains(&"Deleted Items"), "{names:?}");
        let inbox = log.folders.iter().find(|f| f.name == "Inbox").unwrap();
        assert_eq!(inbox.archived + inbox.duplicates, 12, "{inbox:?}");
        assert_eq!(inbox.archived_total, inbox.server_count);
        // Restoring and subscriptions are IMAP's: a clear answer, not a crash.
        let row = site.mailboxes.by_id(id).await.unwrap();
        let refused = site.mailboxes.connection(&row).await.unwrap_err();
        assert!(refused.to_string().contains("Microsoft Graph"), "{refused}");
    }
}
