//! Graph mailboxes archived by the engine through the CLI, set up as an
//! administrator would (app-only sign-in): byte-exact through 429s, a
//! second run that fetches only the new message, a refused token renewed
//! once, and tag / move / delete applied to archived messages only.

use super::{control, corpus_messages, load_mailbox};
use crate::harness::{bulk_corpus, export_digests, service_env, stderr, stdout, tresor};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use tresor::store::Digest;

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

/// Fails with the folders' errors first (CI shows the start of a long
/// message only), then the whole log.
fn assert_succeeded(log: &serde_json::Value) {
    if log["status"] == "succeeded" {
        return;
    }
    let errors: Vec<String> = log["folders"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|folder| !folder["error"].is_null())
        .map(|folder| format!("{}: {}", folder["name"], folder["error"]))
        .collect();
    panic!(
        "the run did not succeed: {}; folder errors: {errors:#?}\n{log:#}",
        log["error"]
    );
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
    assert_succeeded(&log);
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
    assert!(counters["max_concurrency"].as_u64().unwrap() <= tresor::graph::MAX_CONCURRENT as u64);
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
    assert_succeeded(&log);
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
    assert_succeeded(&log);
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
    assert_succeeded(&log);
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
    assert_succeeded(&log);
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
    assert_succeeded(&log);
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
