//! The browser app's files under `/pkg` (`tresor.js`, `tresor.wasm`,
//! `tresor.css`). `cargo xtask build` writes a brotli (`.br`) and a gzip
//! (`.gz`) copy beside each; a browser that accepts one of them gets it with
//! `Content-Encoding` and the original's `Content-Type` (the WASM goes out at
//! about a quarter of its size). Without the copies, as in a site built by
//! hand, the files go out as they are.
//!
//! Every answer says `Vary: Accept-Encoding`, so a cache in between never
//! hands brotli to a client that did not ask for it. No `Cache-Control`: the
//! names carry no content hash, so a long-lived cache would keep an old app
//! after an upgrade; browsers revalidate with `Last-Modified` instead.

use axum::http::{HeaderValue, header};
use std::path::Path;
use tower::Layer;
use tower_http::services::ServeDir;
use tower_http::set_header::{SetResponseHeader, SetResponseHeaderLayer};

/// Where the files are, below the site root, and the path they are served under.
pub const PKG_DIR: &str = "pkg";

/// Serves `<site_root>/pkg`, preferring the precompressed copies.
pub fn pkg_files(site_root: &Path) -> SetResponseHeader<ServeDir, HeaderValue> {
    let files = ServeDir::new(site_root.join(PKG_DIR))
        .precompressed_br()
        .precompressed_gzip();
    SetResponseHeaderLayer::overriding(header::VARY, HeaderValue::from_static("accept-encoding"))
        .layer(files)
}
