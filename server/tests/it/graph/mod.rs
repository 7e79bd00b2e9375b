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

use crate::cli::{stderr, stdout, tresor};
use crate::corpus::bulk_corpus;
use crate::support::{export_digests, files_under, service_env};
use futures::StreamExt;
use sha2::{Digest as _, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use tresor::graph::{self, Client, DeltaItem, GraphError, TokenSource};
use tresor::secrets::Secret;
use tresor::store::Digest;

struct AppToken(String);

#[async_trait::async_trait]
impl TokenSource for AppToken {
    async fn token(&self, _refused: Option<&Secret>) -> Result<Secret, GraphError> {
        Ok(Secret::new(&self.0))
    }
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The bulk corpus's messages, in a stable order.
fn corpus_messages(corpus: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = files_under(corpus)
        .into_iter()
        .filter(|path| path.extension().is_some_and(|extension| extension == "eml"))
        .collect();
    files.sort();
    files
}

/// A fresh stand-in mailbox (`<prefix>-<random>@contoso.example`) with
/// `folders` (`{"Inbox": [paths], …}`); returns its user.
async fn load_mailbox(base: &str, prefix: &str, folders: serde_json::Value) -> String {
    let user = format!("{prefix}-{}@contoso.example", rand::random::<u32>());
    control(
        base,
        "/graph-test/load",
        serde_json::json!({ "user": user, "folders": folders }),
    )
    .await;
    user
}

async fn control(base: &str, path: &str, body: serde_json::Value) -> serde_json::Value {
    let response = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{path}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_nested_mailbox_is_read_byte_exactly_through_throttling_and_then_by_delta() {
    let (Some(base), Some(corpus)) = (
        service_env("TRESOR_TEST_OAUTH_URL", "the OAuth2 and Graph test server"),
        bulk_corpus(),
    ) else {
        return;
    };
    let mut files = corpus_messages(&corpus);
    files.truncate(2000);
    assert_eq!(files.len(), 2000);
    let layout = [
        ("Inbox", 0..800),
        ("Inbox/Projects", 800..1200),
        ("Inbox/Projects/2024", 1200..1500),
        ("Sent Items", 1500..1800),
        ("Archive/2023", 1800..2000),
    ];
    let mut expected: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut folders = serde_json::Map::new();
    for (folder, range) in layout.clone() {
        let paths: Vec<String> = files[range]
            .iter()
            .map(|path| path.display().to_string())
            .collect();
        expected.insert(
            folder,
            paths
                .iter()
                .map(|path| sha256(&std::fs::read(path).unwrap()))
                .collect(),
        );
        folders.insert(folder.into(), serde_json::json!(paths));
    }
    let user = load_mailbox(&base, "graph", serde_json::json!(folders)).await;
    // Every seventh request is throttled, with a fractional Retry-After.
    control(
        &base,
        "/graph-test/throttle",
        serde_json::json!({ "user": user, "every": 7, "retry_after": "0.05" }),
    )
    .await;
    let token: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/contoso/oauth2/v2.0/token"))
        .form(&[
            ("client_id", "tresor-confidential"),
            ("client_secret", "tresor-client-secret"),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tokens = Arc::new(AppToken(token["access_token"].as_str().unwrap().into()));
    let client = Client::new(
        &format!("{base}/v1.0"),
        &user,
        tokens,
        tresor::connect::Destinations::Any,
    );

    let tree = graph::list_folders(&client).await.unwrap();
    let paths: BTreeSet<&str> = tree.iter().map(|folder| folder.path.as_str()).collect();
    for folder in expected.keys() {
        assert!(paths.contains(folder), "{folder} in {paths:?}");
    }
    assert!(paths.contains("Deleted Items") && paths.contains("Drafts"));

    let mut delta_links = BTreeMap::new();
    for folder in tree.iter().filter(|folder| folder.total > 0) {
        let round = graph::delta_round(&client, &folder.id, None, 25)
            .await
            .unwrap();
        assert!(round.pages >= (folder.total as usize).div_ceil(25));
        let ids: Vec<String> = round
            .items
            .iter()
            .map(|item| match item {
                DeltaItem::Present(listed) => listed.id.clone(),
                DeltaItem::Removed { id } => panic!("a first round removes nothing: {id}"),
            })
            .collect();
        assert_eq!(ids.len() as u64, folder.total, "{}", folder.path);
        let fetched: BTreeSet<String> = futures::stream::iter(ids)
            .map(|id| {
                let client = &client;
                async move {
                    let url = client.url(&format!("messages/{id}/$value"));
                    sha256(&client.get_bytes(&url).await.unwrap())
                }
            })
            .buffer_unordered(8)
            .collect()
            .await;
        assert_eq!(
            &fetched,
            &expected[folder.path.as_str()],
            "byte-exact: {}",
            folder.path
        );
        delta_links.insert(folder.path.clone(), (folder.id.clone(), round.delta_link));
    }
    assert!(client.throttled() > 0, "throttling was met and obeyed");

    let state: serde_json::Value = reqwest::get(format!("{base}/graph-test/state?user={user}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let counters = &state["counters"];
    assert_eq!(counters["value_fetches"], 2000);
    assert!(
        counters["max_concurrency"].as_u64().unwrap() <= graph::MAX_CONCURRENT as u64,
        "{counters}"
    );
    assert_eq!(counters["concurrency_refused"], 0, "{counters}");

    // A new message arrives and one is deleted: the next round says exactly that.
    let gone = state["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|message| message["folder"] == "Inbox")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let added = control(
        &base,
        "/graph-test/add",
        serde_json::json!({ "user": user, "folder": "Inbox", "path": files[0].display().to_string() }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    control(
        &base,
        "/graph-test/remove",
        serde_json::json!({ "user": user, "id": gone }),
    )
    .await;
    let (inbox, link) = &delta_links["Inbox"];
    let round = graph::delta_round(&client, inbox, Some(link), 25)
        .await
        .unwrap();
    let changes: Vec<(bool, &str)> = round
        .items
        .iter()
        .map(|item| (matches!(item, DeltaItem::Present(_)), item.id()))
        .collect();
    assert_eq!(
        changes,
        vec![(true, added.as_str()), (false, gone.as_str())]
    );
    let (projects, link) = &delta_links["Inbox/Projects"];
    let quiet = graph::delta_round(&client, projects, Some(link), 25)
        .await
        .unwrap();
    assert!(quiet.items.is_empty(), "nothing changed there");
}

/// `tresor` with the test bed's Graph allowed as an administrator would
/// configure it (`graph_roots`): Microsoft's roots only otherwise.
fn tresor_with_graph(
    data_dir: &Path,
    base: &str,
    args: &[&str],
    stdin: Option<&str>,
) -> std::process::Output {
    let config = data_dir.join("graph-roots.toml");
    std::fs::write(&config, format!("graph_roots = [{base:?}]\n")).unwrap();
    let config = config.display().to_string();
    let mut with_config = vec!["--config", config.as_str()];
    with_config.extend_from_slice(args);
    tresor(data_dir, &with_config, stdin)
}

/// A Graph mailbox set up as an administrator would: an app-only sign-in app
/// for the test server, the mailbox reading `user` through the stand-in,
/// signed in with the app's own credentials. `extra` are more `mailbox add`
/// options. Returns the app's client id (its own, so its tokens can be counted).
fn graph_mailbox(data_dir: &Path, base: &str, name: &str, user: &str, extra: &[&str]) -> String {
    let app = format!("{name}-app");
    let client_id = format!("tresor-confidential-{}", rand::random::<u32>());
    let added = tresor_with_graph(
        data_dir,
        base,
        &[
            "oauth-app",
            "add",
            "--name",
            &app,
            "--provider",
            "microsoft",
            "--tenant",
            "contoso",
            "--authority",
            base,
            "--client-id",
            &client_id,
            "--client-secret-stdin",
            "--scopes",
            "https://graph.microsoft.com/.default",
        ],
        Some("tresor-client-secret\n"),
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let graph_root = format!("{base}/v1.0");
    let mut args = vec![
        "mailbox",
        "add",
        "--name",
        name,
        "--source",
        "graph",
        "--host",
        &graph_root,
        "--username",
        user,
        "--oauth-app",
        &app,
    ];
    args.extend_from_slice(extra);
    let added = tresor_with_graph(data_dir, base, &args, None);
    assert!(added.status.success(), "{}", stderr(&added));
    let signed_in = tresor_with_graph(
        data_dir,
        base,
        &["mailbox", "authorize", name, "--app-only"],
        None,
    );
    assert!(signed_in.status.success(), "{}", stderr(&signed_in));
    client_id
}

/// How many access tokens the test server issued to `client`.
async fn tokens_issued(base: &str, client: &str) -> u64 {
    let stats: serde_json::Value = reqwest::get(format!("{base}/test/stats"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    stats["by_client"][client].as_u64().unwrap_or(0)
}

/// Runs mailbox `name`, set up by `graph_mailbox` (whose configuration it uses).
fn archive(data_dir: &Path, name: &str) -> serde_json::Value {
    let config = data_dir.join("graph-roots.toml").display().to_string();
    let run = tresor(
        data_dir,
        &["--config", &config, "archive", name, "--json"],
        None,
    );
    serde_json::from_str(&stdout(&run))
        .unwrap_or_else(|_| panic!("{}\n{}", stdout(&run), stderr(&run)))
}

async fn standin_state(base: &str, user: &str) -> serde_json::Value {
    reqwest::get(format!("{base}/graph-test/state?user={user}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The messages in each folder of the stand-in's mailbox, by corpus file.
fn files_by_folder(state: &serde_json::Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut folders: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for message in state["messages"].as_array().unwrap() {
        folders
            .entry(message["folder"].as_str().unwrap().to_string())
            .or_default()
            .insert(message["path"].as_str().unwrap().to_string());
    }
    folders
}

#[tokio::test]
async fn a_graph_mailbox_is_archived_through_throttling_then_by_delta_and_tagged_only_when_archived()
 {
    let (Some(base), Some(corpus)) = (
        service_env("TRESOR_TEST_OAUTH_URL", "the OAuth2 and Graph test server"),
        bulk_corpus(),
    ) else {
        return;
    };
    let files = corpus_messages(&corpus);
    // Other files than the client test's, so the two tests share nothing.
    let files: Vec<String> = files[2000..4001]
        .iter()
        .map(|path| path.display().to_string())
        .collect();
    let layout = [
        ("Inbox", 0..700),
        ("Inbox/Projects", 700..1100),
        ("Inbox/Projects/2024", 1100..1400),
        ("Sent Items", 1400..1700),
        ("Archive/2023", 1700..1900),
        // Deleted Items is not archived by default: its mail is neither read nor tagged.
        ("Deleted Items", 1900..2000),
    ];
    let folders: serde_json::Map<String, serde_json::Value> = layout
        .iter()
        .map(|(folder, range)| (folder.to_string(), serde_json::json!(files[range.clone()])))
        .collect();
    let archived_files = &files[..1900];
    let expected: BTreeSet<Digest> = archived_files
        .iter()
        .map(|path| Digest::of(&std::fs::read(path).unwrap()))
        .collect();
    let user = load_mailbox(&base, "engine", serde_json::json!(folders)).await;
    control(
        &base,
        "/graph-test/throttle",
        serde_json::json!({ "user": user, "every": 9, "retry_after": "0.05" }),
    )
    .await;

    let data_dir = tempfile::tempdir().unwrap();
    let client = graph_mailbox(
        data_dir.path(),
        &base,
        "M365 Einkauf",
        &user,
        &[
            "--action",
            "tag",
            "--success-tag",
            "Archiviert",
            "--duplicate-tag",
            "Archiviert-Duplikat",
        ],
    );

    // 1. The first run reads everything selected, through the throttling.
    let log = archive(data_dir.path(), "M365 Einkauf");
    assert_eq!(log["status"], "succeeded", "{log:#}");
    let archived = log["archived"].as_u64().unwrap();
    let duplicates = log["duplicates"].as_u64().unwrap();
    assert_eq!(archived + duplicates, 1900, "{log:#}");
    assert_eq!(archived as usize, expected.len(), "distinct messages");
    assert_eq!(log["tagged"], 1900);
    assert!(log["throttled"].as_u64().unwrap() > 0, "{log:#}");
    let folder_logs = log["folders"].as_array().unwrap();
    let names: BTreeSet<&str> = folder_logs
        .iter()
        .map(|folder| folder["name"].as_str().unwrap())
        .collect();
    assert!(names.contains("Inbox/Projects/2024") && names.contains("Archive/2023"));
    assert!(!names.contains("Deleted Items"), "{names:?}");
    for folder in folder_logs {
        // Reconciliation: what the server counts is what the archive holds.
        assert_eq!(
            folder["server_count"], folder["archived_total"],
            "{folder:#}"
        );
        assert!(folder["error"].is_null(), "{folder:#}");
    }
    // Byte-exact: every archived message exports as the very bytes loaded.
    let exported: BTreeSet<Digest> = export_digests(data_dir.path(), "M365 Einkauf")
        .into_iter()
        .collect();
    assert_eq!(exported, expected);

    let state = standin_state(&base, &user).await;
    let counters = &state["counters"];
    assert_eq!(counters["value_fetches"], 1900, "{counters}");
    assert!(counters["max_concurrency"].as_u64().unwrap() <= graph::MAX_CONCURRENT as u64);
    assert_eq!(counters["concurrency_refused"], 0, "{counters}");
    for message in state["messages"].as_array().unwrap() {
        let categories = message["categories"].as_array().unwrap();
        if message["folder"] == "Deleted Items" {
            assert!(categories.is_empty(), "not archived, not tagged: {message}");
        } else {
            assert_eq!(categories.len(), 1, "{message}");
            assert!(categories[0].as_str().unwrap().starts_with("Archiviert"));
        }
    }

    // 2. A new message arrives, one is deleted by its user: the next run
    // fetches only the new one. (Tagging changed every message, so the
    // round lists them all again: they are known by their Graph ids.)
    let gone = state["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|message| message["folder"] == "Inbox/Projects")
        .unwrap()["id"]
        .clone();
    control(
        &base,
        "/graph-test/remove",
        serde_json::json!({ "user": user, "id": gone }),
    )
    .await;
    control(
        &base,
        "/graph-test/add",
        serde_json::json!({ "user": user, "folder": "Inbox", "path": files[2000] }),
    )
    .await;
    let log = archive(data_dir.path(), "M365 Einkauf");
    assert_eq!(log["status"], "succeeded", "{log:#}");
    assert_eq!(
        log["archived"].as_u64().unwrap() + log["duplicates"].as_u64().unwrap(),
        1
    );
    assert_eq!(log["tagged"], 1, "{log:#}");
    let counters = &standin_state(&base, &user).await["counters"];
    assert_eq!(
        counters["value_fetches"], 1901,
        "only the new message: {counters}"
    );

    // 3. Nothing changed: the third run fetches and tags nothing. Its
    // token was ended early: Graph's 401 gets exactly one new token.
    let issued = tokens_issued(&base, &client).await;
    let form = [("client", client.as_str())];
    let expired = reqwest::Client::new()
        .post(format!("{base}/test/expire-access"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(expired.status().is_success());
    let log = archive(data_dir.path(), "M365 Einkauf");
    assert_eq!(log["status"], "succeeded", "{log:#}");
    assert_eq!(log["archived"], 0);
    assert_eq!(log["tagged"], 0);
    let counters = &standin_state(&base, &user).await["counters"];
    assert_eq!(counters["value_fetches"], 1901, "{counters}");
    assert_eq!(counters["patches"], 1901, "{counters}");
    assert_eq!(tokens_issued(&base, &client).await, issued + 1);
}

#[tokio::test]
async fn graph_moves_and_deletes_only_what_is_archived() {
    let (Some(base), Some(corpus)) = (
        service_env("TRESOR_TEST_OAUTH_URL", "the OAuth2 and Graph test server"),
        bulk_corpus(),
    ) else {
        return;
    };
    let files = corpus_messages(&corpus);
    let files: Vec<(String, u64)> = files[5000..5060]
        .iter()
        .map(|path| (path.display().to_string(), path.metadata().unwrap().len()))
        .collect();
    // A size limit that leaves the largest few on the server.
    let mut sizes: Vec<u64> = files.iter().map(|(_, size)| *size).collect();
    sizes.sort_unstable();
    let limit = sizes[sizes.len() - 4];
    let too_large: BTreeSet<String> = files
        .iter()
        .filter(|(_, size)| *size > limit)
        .map(|(path, _)| path.clone())
        .collect();
    assert!(!too_large.is_empty());
    let paths = |range: std::ops::Range<usize>| -> Vec<String> {
        files[range].iter().map(|(path, _)| path.clone()).collect()
    };

    // Moving: archived messages go to Archiviert/<folder>, made as needed;
    // those too large stay where they are.
    let mover = load_mailbox(
        &base,
        "move",
        serde_json::json!({ "Inbox": paths(0..20), "Inbox/Kunden": paths(20..30) }),
    )
    .await;
    let data_dir = tempfile::tempdir().unwrap();
    let limit_text = limit.to_string();
    graph_mailbox(
        data_dir.path(),
        &base,
        "Verschieben",
        &mover,
        &[
            "--action",
            "move",
            "--success-folder",
            "Archiviert",
            "--duplicate-folder",
            "Archiviert",
            "--max-size",
            &limit_text,
            "--page-size",
            "7",
        ],
    );
    let log = archive(data_dir.path(), "Verschieben");
    assert_eq!(log["status"], "succeeded", "{log:#}");
    let skipped = too_large
        .iter()
        .filter(|path| paths(0..30).contains(path))
        .count() as u64;
    assert_eq!(log["skipped"].as_u64().unwrap(), skipped, "{log:#}");
    assert_eq!(log["moved"].as_u64().unwrap(), 30 - skipped, "{log:#}");
    let after = files_by_folder(&standin_state(&base, &mover).await);
    let left: BTreeSet<String> = after
        .get("Inbox")
        .into_iter()
        .chain(after.get("Inbox/Kunden"))
        .flatten()
        .cloned()
        .collect();
    assert_eq!(
        left,
        paths(0..30)
            .into_iter()
            .filter(|path| too_large.contains(path))
            .collect(),
        "only what was not archived stays"
    );
    let moved: BTreeSet<String> = after
        .get("Archiviert/Inbox")
        .into_iter()
        .chain(after.get("Archiviert/Inbox/Kunden"))
        .flatten()
        .cloned()
        .collect();
    assert_eq!(moved.len() as u64, 30 - skipped);
    assert!(moved.is_disjoint(&too_large));
    // The targets are not archived in turn, and a second run fetches nothing.
    let fetched = standin_state(&base, &mover).await["counters"]["value_fetches"].clone();
    let log = archive(data_dir.path(), "Verschieben");
    assert_eq!(log["status"], "succeeded", "{log:#}");
    assert_eq!(log["archived"], 0, "{log:#}");
    assert_eq!(log["moved"], 0, "{log:#}");
    let names: Vec<&str> = log["folders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|folder| folder["name"].as_str().unwrap())
        .collect();
    assert!(
        !names.iter().any(|name| name.starts_with("Archiviert")),
        "{names:?}"
    );
    assert_eq!(
        standin_state(&base, &mover).await["counters"]["value_fetches"],
        fetched
    );

    // Deleting: archived messages are deleted; too large ones stay.
    let deleter = load_mailbox(
        &base,
        "delete",
        serde_json::json!({ "Inbox": paths(30..60) }),
    )
    .await;
    graph_mailbox(
        data_dir.path(),
        &base,
        "Löschen",
        &deleter,
        &["--action", "delete", "--max-size", &limit_text],
    );
    let log = archive(data_dir.path(), "Löschen");
    assert_eq!(log["status"], "succeeded", "{log:#}");
    let kept: BTreeSet<String> = paths(30..60)
        .into_iter()
        .filter(|path| too_large.contains(path))
        .collect();
    assert_eq!(
        log["deleted"].as_u64().unwrap(),
        30 - kept.len() as u64,
        "{log:#}"
    );
    let after = files_by_folder(&standin_state(&base, &deleter).await);
    assert_eq!(after.get("Inbox").cloned().unwrap_or_default(), kept);
    // Every deleted message is in the archive, byte for byte.
    let exported: BTreeSet<Digest> = export_digests(data_dir.path(), "Löschen")
        .into_iter()
        .collect();
    let archived: BTreeSet<Digest> = paths(30..60)
        .iter()
        .filter(|path| !too_large.contains(*path))
        .map(|path| Digest::of(&std::fs::read(path).unwrap()))
        .collect();
    assert_eq!(exported, archived);
}
