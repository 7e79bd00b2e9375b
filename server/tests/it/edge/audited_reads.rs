//! Every access to message content is recorded: a message's HTML and its
//! inline images leave an audit entry each, as a download does.

use super::{CROSS_SITE, SAME_ORIGIN, entries};
use crate::harness::{Site, databases};
use app::model::Role;
use axum::http::StatusCode;

const WITH_PICTURE: &[u8] = b"From: anna@example.com\r\nTo: user@example.com\r\nSubject: Picture\r\n\
    Message-ID: <picture@example.com>\r\nDate: Mon, 2 Mar 2026 11:00:00 +0000\r\nMIME-Version: 1.0\r\n\
    Content-Type: multipart/related; boundary=B\r\n\r\n\
    --B\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
    <p>Our logo: <img src=\"cid:logo@example.com\"></p>\r\n\
    --B\r\nContent-Type: image/png\r\nContent-ID: <logo@example.com>\r\n\
    Content-Disposition: inline; filename=\"logo.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
    iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\r\n\
    --B--\r\n";

/// An auditor reading a message's HTML and its inline image leaves an
/// entry for each, as a download does.
#[tokio::test]
async fn reading_a_messages_html_and_inline_images_is_audited() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let ids = site
            .archive_for(site.user_id, "user-mail", &[("picture", WITH_PICTURE)])
            .await;
        let id = ids["picture"];
        let auditor = site
            .state
            .accounts
            .create_user(
                "audit@example.com",
                "Audit",
                Role::Auditor,
                "auditor-password",
            )
            .await
            .unwrap();
        let mailbox = site.services.mailboxes.by_name("user-mail").await.unwrap();
        site.services
            .mailboxes
            .set_sharing(
                mailbox.id,
                Some(site.user_id),
                &std::collections::BTreeSet::from([auditor.id]),
            )
            .await
            .unwrap();
        let cookie = site.sign_in("audit@example.com", "auditor-password").await;
        let target = format!("message {id}");

        // The message page's frame, from the page itself.
        let (status, _, html) = site
            .get_with_headers(
                &format!("/m/{id}/html"),
                Some(&cookie),
                &[SAME_ORIGIN, ("sec-fetch-dest", "iframe")],
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let html = String::from_utf8(html).unwrap();
        let image = html
            .split("src=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(|src| src.replace("&amp;", "&"))
            .expect("the inline image's address");
        assert!(
            image.starts_with(&format!("/m/{id}/attachments/")),
            "{image}"
        );
        let viewed = entries(&site, "message_viewed", &target).await;
        assert_eq!(viewed.len(), 1, "{viewed:?}");
        assert_eq!(viewed[0].actor_id, Some(auditor.id));
        assert!(viewed[0].details.contains("html"), "{}", viewed[0].details);

        // The image, as the sandboxed (opaque, hence "cross-site") frame asks.
        let (status, _, bytes) = site
            .get_with_headers(
                &image,
                Some(&cookie),
                &[
                    CROSS_SITE,
                    ("sec-fetch-dest", "image"),
                    ("sec-fetch-mode", "no-cors"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(bytes.starts_with(b"\x89PNG"));
        let viewed = entries(&site, "message_viewed", &target).await;
        assert_eq!(viewed.len(), 2, "{viewed:?}");
        assert!(
            viewed
                .iter()
                .any(|entry| entry.details.contains("inline image")
                    && entry.details.contains("logo.png")
                    && entry.actor_id == Some(auditor.id)),
            "{viewed:?}"
        );

        // Someone who may not read it leaves no entry and gets nothing.
        site.state
            .accounts
            .create_user("other@example.com", "Other", Role::User, "other-password")
            .await
            .unwrap();
        let other = site.sign_in("other@example.com", "other-password").await;
        let (status, _, _) = site
            .get_with_headers(&format!("/m/{id}/html"), Some(&other), &[])
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(entries(&site, "message_viewed", &target).await.len(), 2);
    }
}

/// Opening a message's page is one view, one entry: the page loads the
/// message once while the server renders it (it once loaded it three times,
/// from copies of the page the layout's `Suspend` made — and the browser
/// then hydrated against the wrong copy's data and panicked).
#[tokio::test]
async fn opening_a_message_page_records_one_view() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let ids = site
            .archive_for(site.user_id, "user-mail", &[("picture", WITH_PICTURE)])
            .await;
        let id = ids["picture"];
        let cookie = site.sign_in("user@example.com", "user-password").await;

        let (status, _, html) = site.get(&format!("/m/{id}"), Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(String::from_utf8_lossy(&html).contains("Picture"));
        let viewed = entries(&site, "message_viewed", &format!("message {id}")).await;
        assert_eq!(viewed.len(), 1, "{viewed:?}");
    }
}
