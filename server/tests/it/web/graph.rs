//! A Microsoft Graph mailbox set up, tested and run through the browser's
//! functions, against the test bed's Graph stand-in.

use crate::harness::{
    Site, assert_field_error, databases, files_under, graph_mailbox_form, service_env,
};
use axum::http::StatusCode;

#[tokio::test]
async fn a_graph_mailbox_is_set_up_tested_and_run_from_the_browser_functions() {
    use app::model::mailbox::{MailboxEditor, MailboxSummary};
    use app::model::probe::ProbeReport;
    let (Some(oauth_url), Some(corpus)) = (
        service_env("TRESOR_TEST_OAUTH_URL", "the OAuth2 and Graph test server"),
        crate::harness::corpus_dir("tricky-mime"),
    ) else {
        return;
    };
    let mut files: Vec<String> = files_under(&corpus)
        .into_iter()
        .filter(|path| path.extension().is_some_and(|extension| extension == "eml"))
        .map(|path| path.display().to_string())
        .collect();
    files.sort();
    for db in databases().await {
        // The test bed's Graph is allowed as an administrator would configure it.
        let site = Site::allowing_graph_roots(&db, std::slice::from_ref(&oauth_url)).await;
        let admin = site.sign_in("root@example.com", "root-password").await;
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

        let apps = site
            .save_sign_in_app(
                &admin,
                &[
                    ("name", "Contoso Graph"),
                    ("provider", "microsoft"),
                    ("tenant", "contoso.example"),
                    ("authority", oauth_url.as_str()),
                    ("client_id", "tresor-confidential"),
                    ("client_secret", "tresor-client-secret"),
                    ("scopes", "https://graph.microsoft.com/.default"),
                ],
            )
            .await;
        let app_id = apps.apps[0].id.to_string();

        let graph_root = format!("{oauth_url}/v1.0");
        // Sent as "plain": the server makes it bearer tokens.
        let named = [
            ("name", "M365 Buchhaltung"),
            ("auth_method", "plain"),
            ("username", &user),
            ("page_size", "5"),
        ];
        let with = |changes: &[(&str, &str)]| {
            graph_mailbox_form(&graph_root, &app_id, &[&named[..], changes].concat())
        };
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
            assert_field_error(status, &body, field);
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
        let log = site
            .services
            .engine
            .archive("M365 Buchhaltung")
            .await
            .unwrap();
        assert_eq!(log.status, tresor::engine::JobStatus::Succeeded, "{log:?}");
        let names: Vec<&str> = log.folders.iter().map(|f| f.name.as_str()).collect();
        assert!(!names.contains(&"Deleted Items"), "{names:?}");
        let inbox = log.folders.iter().find(|f| f.name == "Inbox").unwrap();
        assert_eq!(inbox.archived + inbox.duplicates, 12, "{inbox:?}");
        assert_eq!(inbox.archived_total, inbox.server_count);
        // Restoring and subscriptions are IMAP's: a clear answer, not a crash.
        let row = site.services.mailboxes.by_id(id).await.unwrap();
        let refused = site.services.mailboxes.connection(&row).await.unwrap_err();
        assert!(refused.to_string().contains("Microsoft Graph"), "{refused}");
    }
}
