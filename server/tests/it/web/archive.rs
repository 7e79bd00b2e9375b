//! The archive (`app::api::archive` and the byte routes): search, message,
//! raw bytes, attachments, HTML and exports, each only of the reader's mail.

use super::{OTHER_MAIL, OWN_MAIL};
use crate::harness::{Site, databases};
use axum::http::{StatusCode, header};

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
        let user = site.sign_in("user@example.com", "user-password").await;
        let root = site.sign_in("root@example.com", "root-password").await;

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
