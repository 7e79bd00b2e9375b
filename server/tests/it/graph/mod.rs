//! The Microsoft Graph client against the test bed's Graph stand-in
//! (`xtask/testbed/graph_standin.py`, behind the authorization server's
//! tokens): a 2,000-message mailbox from the bulk corpus in nested folders,
//! with a 429 every few requests — the folder tree, delta rounds with paging,
//! every message's MIME bytes exactly as loaded, never more than four
//! requests at once, and a second round that reports only what changed.
//! Then Graph mailboxes archived by the engine through the CLI, as an
//! administrator sets them up (app-only sign-in): byte-exact through 429s,
//! a second run that fetches only the new message, a token Graph refuses
//! before its expiry renewed once, and tag / move / delete applied to
//! archived messages only.

mod client;
mod engine;

use crate::harness::files_under;
use std::path::Path;

/// The bulk corpus's messages, in a stable order.
pub(super) fn corpus_messages(corpus: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = files_under(corpus)
        .into_iter()
        .filter(|path| path.extension().is_some_and(|extension| extension == "eml"))
        .collect();
    files.sort();
    files
}

/// A fresh stand-in mailbox (`<prefix>-<random>@contoso.example`) with
/// `folders` (`{"Inbox": [paths], …}`); returns its user.
pub(super) async fn load_mailbox(base: &str, prefix: &str, folders: serde_json::Value) -> String {
    let user = format!("{prefix}-{}@contoso.example", rand::random::<u32>());
    control(
        base,
        "/graph-test/load",
        serde_json::json!({ "user": user, "folders": folders }),
    )
    .await;
    user
}

/// Posts `body` to the stand-in's test-control `path`; its answer.
pub(super) async fn control(base: &str, path: &str, body: serde_json::Value) -> serde_json::Value {
    let response = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{path}");
    response.json().await.unwrap()
}
