//! Many mailboxes at once (`app::api::batch`): a CSV list, and a master
//! user over Tresor's users.

use crate::harness::{Site, assert_field_error, csv_batch_form, databases, master_batch_form};
use axum::http::StatusCode;

#[tokio::test]
async fn a_csv_list_is_previewed_row_by_row_and_imports_only_good_rows() {
    use app::model::batch::{BatchOutcome, BatchReport, CsvPreview};
    for db in databases().await {
        let site = Site::new(&db).await;
        let admin = site.sign_in("root@example.com", "root-password").await;
        let list = "E-Mail;Passwort;Server;Port\n\
                    user@example.com;pw1;imap.example.com;993\n\
                    \"new.person@example.com\";\"p;w\"\"2\";imap.example.com;143\n\
                    broken-address;pw3;imap.example.com;993\n\
                    third@example.com;;imap.example.com;99999\n";
        let user = site.sign_in("user@example.com", "user-password").await;
        let (status, _, _) = site
            .call("/api/batch/preview_csv", &csv_batch_form(list), Some(&user))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "admins only");

        let (status, text, _) = site
            .call(
                "/api/batch/preview_csv",
                &csv_batch_form(list),
                Some(&admin),
            )
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
            site.services.mailboxes.list().await.unwrap().is_empty(),
            "a preview saves nothing"
        );

        let (status, text, _) = site
            .call("/api/batch/import_csv", &csv_batch_form(list), Some(&admin))
            .await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let report: BatchReport = serde_json::from_str(&text).unwrap();
        assert_eq!((report.created, report.failed, report.queued), (2, 2, 0));
        assert!(report.rows[1].new_user.is_some());
        assert_eq!(report.rows[2].outcome, BatchOutcome::Failed);
        let created = site
            .services
            .mailboxes
            .by_name("new.person@example.com")
            .await
            .unwrap();
        assert_eq!(created.port, 143);
        match site
            .services
            .mailboxes
            .connection(&created)
            .await
            .unwrap()
            .1
        {
            tresor::imap::Credentials::Plain { password, .. } => assert_eq!(password, "p;w\"2"),
            other => panic!("{other:?}"),
        }
        let own = site
            .services
            .mailboxes
            .by_name("user@example.com")
            .await
            .unwrap();
        assert_eq!(
            own.owner_id,
            Some(site.user_id),
            "owned by the user it belongs to"
        );
        assert!(!text.contains("pw1"), "no secret in the report");

        // Importing the same list again creates nothing twice.
        let (_, text, _) = site
            .call(
                "/api/batch/preview_csv",
                &csv_batch_form(list),
                Some(&admin),
            )
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
        let admin = site.sign_in("root@example.com", "root-password").await;
        let form = |selection: &str, users: &str| {
            master_batch_form(&[
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
        assert_field_error(status, &text, "users");

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
        let row = site
            .services
            .mailboxes
            .by_name("user@example.com")
            .await
            .unwrap();
        assert_eq!(row.owner_id, Some(site.user_id));
        assert_eq!(row.master_user.as_deref(), Some("archiver"));
        match site.services.mailboxes.connection(&row).await.unwrap().1 {
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

/// A CSV list that names new people can invite them by mail (issue 17,
/// item 4): each chooses their own password by the link. Without mail
/// settings the import is refused before anything is created.
#[tokio::test]
async fn a_csv_list_invites_the_users_it_creates() {
    use app::model::batch::BatchReport;
    let list = "email;password;server\n\
                user@example.com;pw1;imap.example.com\n\
                invited.by.list@example.com;pw2;imap.example.com\n";
    let invite_form = format!("{}&form[invite]=on", csv_batch_form(list));

    let db = crate::harness::sqlite().await;
    let site = Site::new(&db).await;
    let admin = site.sign_in("root@example.com", "root-password").await;
    let (status, body, _) = site
        .call("/api/batch/import_csv", &invite_form, Some(&admin))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body.contains("Notifications"),
        "says where to fix it: {body}"
    );
    assert!(
        site.services.mailboxes.list().await.unwrap().is_empty(),
        "nothing created"
    );

    let db = crate::harness::sqlite().await;
    let (site, mut sink) = Site::with_mail_sink(&db).await;
    let admin = site.sign_in("root@example.com", "root-password").await;
    let (status, body, _) = site
        .call("/api/batch/import_csv", &invite_form, Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let report: BatchReport = serde_json::from_str(&body).unwrap();
    assert_eq!(report.created, 2, "{report:?}");
    assert!(!report.rows[0].invited, "a known user is not invited");
    assert!(report.rows[1].invited, "{report:?}");
    let (to, token) = sink.next_reset().await;
    assert_eq!(to, "invited.by.list@example.com");
    let form = crate::harness::reset_password_form(&token, "chosen-by-them", "chosen-by-them");
    let (status, body, _) = site.call("/api/auth/reset_password", &form, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    site.sign_in("invited.by.list@example.com", "chosen-by-them")
        .await;
}
