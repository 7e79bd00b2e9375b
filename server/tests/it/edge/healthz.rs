//! What `/healthz` tells a stranger (up or down) and an administrator.

use crate::harness::{Site, databases, sqlite};
use axum::http::StatusCode;

/// Strangers and users learn up or down, nothing else; an administrator
/// gets the version and the database's state.
#[tokio::test]
async fn healthz_tells_strangers_only_up_or_down() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let user = site.sign_in("user@example.com", "user-password").await;
        let admin = site.sign_in("root@example.com", "root-password").await;
        for cookie in [None, Some(user.as_str()), Some("tresor_session=forged")] {
            let (status, _, body) = site.get_with_headers("/healthz", cookie, &[]).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(&body[..], b"ok", "{cookie:?}");
        }
        let (status, _, body) = site.get_with_headers("/healthz", Some(&admin), &[]).await;
        assert_eq!(status, StatusCode::OK);
        let health: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(health["status"], "ok");
        assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(health["database"]["backend"], db.name);
    }

    // The database gone: 503 and the one word, no error text.
    let db = sqlite().await;
    let site = Site::new(&db).await;
    let admin = site.sign_in("root@example.com", "root-password").await;
    site.services.db.clone().close().await.unwrap();
    for cookie in [None, Some(admin.as_str())] {
        let (status, _, body) = site.get_with_headers("/healthz", cookie, &[]).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(&body[..], b"down", "{cookie:?}");
    }
}
