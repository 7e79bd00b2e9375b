//! `POST /admin/import/upload`: a mail file uploaded in the browser is
//! stored under the data directory, imported in the background into an
//! import mailbox of the chosen owner (a PST of the corpus: its folders and
//! messages), audit-logged, and removed afterwards; others are refused, and
//! every bad request is refused before a byte is kept.

use crate::harness::{Site, corpus_dir, sqlite};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::time::Duration;
use tresor::db::entity::{audit_entry, job, message_location};

/// Uploads `bytes` as `file` into `mailbox` of `owner`; the status and the answer's text.
async fn upload(
    site: &Site,
    cookie: Option<&str>,
    query: &str,
    bytes: Vec<u8>,
    declared_length: Option<usize>,
) -> (StatusCode, String) {
    let mut request = Request::post(format!("/admin/import/upload?{query}"))
        .header(header::CONTENT_TYPE, "application/octet-stream");
    if let Some(length) = declared_length {
        request = request.header(header::CONTENT_LENGTH, length);
    }
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = site.send(request.body(Body::from(bytes)).unwrap()).await;
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// The finished import job of `mailbox_id`, waited for.
async fn finished_job(site: &Site, mailbox_id: i64) -> job::Model {
    for _ in 0..600 {
        let done = job::Entity::find()
            .filter(job::Column::MailboxId.eq(mailbox_id))
            .filter(job::Column::FinishedAt.is_not_null())
            .one(&site.services.db)
            .await
            .unwrap();
        if let Some(done) = done {
            return done;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the import of mailbox {mailbox_id} did not finish within a minute");
}

fn uploads_left(site: &Site) -> usize {
    match std::fs::read_dir(site.services.data_dir().join("uploads")) {
        Ok(entries) => entries.count(),
        Err(_) => 0,
    }
}

#[tokio::test]
async fn an_admin_uploads_a_pst_and_it_is_imported_into_the_owners_mailbox() {
    let Some(corpus) = corpus_dir("outlook") else {
        return;
    };
    let db = sqlite().await;
    let site = Site::new(&db).await;
    let admin = site.sign_in("root@example.com", "root-password").await;
    let pst = std::fs::read(corpus.join("pstsdk-sample1.pst")).unwrap();
    let length = pst.len();

    let query = "file=pstsdk-sample1.pst&mailbox=Altes%20Outlook&owner=user%40example.com";
    let (status, body) = upload(&site, Some(&admin), query, pst, Some(length)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let started: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(started["mailbox"], "Altes Outlook");
    assert_eq!(started["bytes"], length);
    let mailbox_id = started["mailbox_id"].as_i64().unwrap();

    let job = finished_job(&site, mailbox_id).await;
    let log: serde_json::Value = serde_json::from_str(&job.log).unwrap();
    assert_eq!(job.status, "succeeded", "{log:#}");
    let archived = log["archived"].as_u64().unwrap();
    assert!(archived > 0, "{log:#}");
    // The file's folders are the mailbox's, under the file's name.
    let locations = message_location::Entity::find()
        .filter(message_location::Column::MailboxId.eq(mailbox_id))
        .all(&site.services.db)
        .await
        .unwrap();
    assert_eq!(locations.len() as u64, archived);
    for location in &locations {
        assert!(
            location.folder.starts_with("pstsdk-sample1"),
            "{}",
            location.folder
        );
        assert!(location.converted_from.is_some(), "marked converted");
    }
    // The mailbox is the owner's, and the file is gone from the server.
    let mailbox = site
        .services
        .mailboxes
        .by_name("Altes Outlook")
        .await
        .unwrap();
    assert_eq!(mailbox.owner_id, Some(site.user_id));
    for _ in 0..50 {
        if uploads_left(&site) == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(uploads_left(&site), 0, "the uploaded file is removed");

    // Who uploaded what into whose mailbox is on record.
    let entry = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq("import_uploaded"))
        .one(&site.services.db)
        .await
        .unwrap()
        .expect("the upload is audit-logged");
    assert!(
        entry.target.contains("user@example.com"),
        "{}",
        entry.target
    );
    assert!(
        entry.details.contains("pstsdk-sample1.pst"),
        "{}",
        entry.details
    );

    // The same file again: nothing is stored twice.
    let pst = std::fs::read(corpus.join("pstsdk-sample1.pst")).unwrap();
    let (status, body) = upload(&site, Some(&admin), query, pst, Some(length)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let jobs = async || {
        job::Entity::find()
            .filter(job::Column::MailboxId.eq(mailbox_id))
            .filter(job::Column::FinishedAt.is_not_null())
            .all(&site.services.db)
            .await
            .unwrap()
    };
    for _ in 0..600 {
        if jobs().await.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let second = jobs().await.into_iter().max_by_key(|job| job.id).unwrap();
    let log: serde_json::Value = serde_json::from_str(&second.log).unwrap();
    assert_eq!(log["archived"], 0, "{log:#}");
}

#[tokio::test]
async fn only_administrators_upload_and_bad_uploads_keep_nothing() {
    let db = sqlite().await;
    let site = Site::new(&db).await;
    let admin = site.sign_in("root@example.com", "root-password").await;
    let user = site.sign_in("user@example.com", "user-password").await;
    let mail = b"From: a@example.com\r\nSubject: upload\r\n\r\nbody\r\n".to_vec();
    let good = "file=mail.eml&mailbox=Imported&owner=user%40example.com";

    // Nobody signed in, and an ordinary user (for their own mailbox, too).
    let (status, _) = upload(&site, None, good, mail.clone(), Some(mail.len())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = upload(&site, Some(&user), good, mail.clone(), Some(mail.len())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let refused = [
        // Not a mail file, or a path instead of a name.
        (
            "file=setup.exe&mailbox=Imported&owner=user%40example.com",
            Some(mail.len()),
            StatusCode::BAD_REQUEST,
        ),
        (
            "file=..%2F..%2Fetc%2Fcron.d%2Fx.eml&mailbox=Imported&owner=user%40example.com",
            Some(mail.len()),
            StatusCode::BAD_REQUEST,
        ),
        // Nobody of that address; no mailbox name.
        (
            "file=mail.eml&mailbox=Imported&owner=nobody%40example.com",
            Some(mail.len()),
            StatusCode::BAD_REQUEST,
        ),
        (
            "file=mail.eml&mailbox=%20&owner=user%40example.com",
            Some(mail.len()),
            StatusCode::BAD_REQUEST,
        ),
        // No length said, or one above the limit.
        (good, None, StatusCode::LENGTH_REQUIRED),
        (good, Some(usize::MAX), StatusCode::PAYLOAD_TOO_LARGE),
        // A body shorter than it said: broken off.
        (good, Some(mail.len() + 10), StatusCode::BAD_REQUEST),
    ];
    for (query, length, expected) in refused {
        let (status, body) = upload(&site, Some(&admin), query, mail.clone(), length).await;
        assert_eq!(status, expected, "{query}: {body}");
    }
    assert_eq!(
        uploads_left(&site),
        0,
        "nothing is kept of a refused upload"
    );

    // A name the owner uses for a mailbox that is not an import.
    let mut input = app::model::mailbox::MailboxInput::new("Work", "127.0.0.1", "someone");
    input.port = 9;
    site.add_mailbox(site.user_id, &input).await;
    let (status, body) = upload(
        &site,
        Some(&admin),
        "file=mail.eml&mailbox=Work&owner=user%40example.com",
        mail.clone(),
        Some(mail.len()),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(uploads_left(&site), 0);

    // Another site's page cannot make an admin's browser upload.
    let request = Request::post(format!("/admin/import/upload?{good}"))
        .header(header::CONTENT_LENGTH, mail.len())
        .header(header::COOKIE, &admin)
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from(mail.clone()))
        .unwrap();
    let status = site.send(request).await.status();
    assert_eq!(status, StatusCode::FORBIDDEN);
}
