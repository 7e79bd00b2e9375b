//! The browser app's files under `/pkg`: the precompressed copy a browser
//! accepts, with the original's type and `Vary: Accept-Encoding`.

use crate::harness::{Site, TestDb, sqlite};
use axum::http::{HeaderMap, StatusCode, header};
use std::sync::Arc;
use tresor::config::Config;

const WASM: &[u8] = b"\0asm fake module";
const WASM_BR: &[u8] = b"brotli bytes";
const WASM_GZ: &[u8] = b"gzip bytes";

/// A site whose root holds pkg/tresor.wasm with a brotli and a gzip copy.
async fn site_with_pkg(db: &TestDb, site_root: &std::path::Path) -> Site {
    let pkg = site_root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("tresor.wasm"), WASM).unwrap();
    std::fs::write(pkg.join("tresor.wasm.br"), WASM_BR).unwrap();
    std::fs::write(pkg.join("tresor.wasm.gz"), WASM_GZ).unwrap();
    Site::new(db).await.with_state(|mut state| {
        state.config = Arc::new(Config {
            site_root: site_root.to_path_buf(),
            ..(*state.config).clone()
        });
        state
    })
}

async fn get_wasm(site: &Site, accept_encoding: Option<&str>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let headers: Vec<(&str, &str)> = accept_encoding
        .map(|value| ("accept-encoding", value))
        .into_iter()
        .collect();
    site.get_with_headers("/pkg/tresor.wasm", None, &headers)
        .await
}

#[tokio::test]
async fn the_wasm_goes_out_in_the_encoding_the_browser_accepts() {
    let db = sqlite().await;
    let site_root = tempfile::tempdir().unwrap();
    let site = site_with_pkg(&db, site_root.path()).await;
    for (accept_encoding, encoding, body) in [
        (None, None, WASM),
        (Some("identity"), None, WASM),
        (Some("gzip, deflate, br, zstd"), Some("br"), WASM_BR),
        (Some("gzip"), Some("gzip"), WASM_GZ),
        (Some("br;q=0, gzip"), Some("gzip"), WASM_GZ),
    ] {
        let (status, headers, bytes) = get_wasm(&site, accept_encoding).await;
        assert_eq!(status, StatusCode::OK, "{accept_encoding:?}");
        assert_eq!(bytes, body, "{accept_encoding:?}");
        assert_eq!(
            headers
                .get(header::CONTENT_ENCODING)
                .map(|value| value.to_str().unwrap()),
            encoding,
            "{accept_encoding:?}"
        );
        assert_eq!(headers[header::CONTENT_TYPE], "application/wasm");
        assert_eq!(headers[header::VARY], "accept-encoding");
        assert_eq!(headers[header::CONTENT_LENGTH], body.len().to_string());
        assert_eq!(headers["x-content-type-options"], "nosniff");
    }
}

#[tokio::test]
async fn without_a_copy_the_file_goes_out_as_it_is() {
    let db = sqlite().await;
    let site_root = tempfile::tempdir().unwrap();
    let site = site_with_pkg(&db, site_root.path()).await;
    let pkg = site_root.path().join("pkg");
    std::fs::remove_file(pkg.join("tresor.wasm.br")).unwrap();
    std::fs::remove_file(pkg.join("tresor.wasm.gz")).unwrap();
    let (status, headers, bytes) = get_wasm(&site, Some("gzip, br")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, WASM);
    assert!(headers.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(headers[header::VARY], "accept-encoding");

    let (status, _, _) = site.get_with_headers("/pkg/missing.wasm", None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
