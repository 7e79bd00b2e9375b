//! The Graph client against the stand-in: a 2,000-message mailbox in
//! nested folders, read byte-exactly through throttling, never more than
//! four requests at once, then a second delta round with only the changes.

use super::{control, corpus_messages, load_mailbox};
use crate::harness::{FixedToken, bulk_corpus, service_env};
use futures::StreamExt;
use sha2::{Digest as _, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use tresor::graph::{self, Client, DeltaItem};

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
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
    let tokens = Arc::new(FixedToken(token["access_token"].as_str().unwrap().into()));
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

/// A Graph that breaks off: the first connection is closed before an
/// answer, the second answers half a body, the third answers. Reading is
/// asked again, as a busy Graph (or a proxy before it) does this at times;
/// it gets the answer, and the breaks cost no folder.
#[tokio::test]
async fn a_read_that_breaks_off_on_the_way_is_asked_again() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/v1.0", listener.local_addr().unwrap());
    let served = tokio::spawn(async move {
        let answer = br#"{"value":[{"id":"AAMk-inbox","displayName":"Inbox","parentFolderId":"root","childFolderCount":0,"totalItemCount":3}]}"#;
        for attempt in 0.. {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            while !request.windows(4).any(|window| window == b"\r\n\r\n") {
                let read = socket.read(&mut buffer).await.unwrap();
                if read == 0 {
                    break;
                }
                request.extend_from_slice(&buffer[..read]);
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                answer.len()
            );
            match attempt {
                // Closed before any answer.
                0 => drop(socket),
                // Half the body, then closed.
                1 => {
                    socket.write_all(head.as_bytes()).await.unwrap();
                    socket.write_all(&answer[..answer.len() / 2]).await.unwrap();
                    drop(socket);
                }
                _ => {
                    socket.write_all(head.as_bytes()).await.unwrap();
                    socket.write_all(answer).await.unwrap();
                    socket.shutdown().await.unwrap();
                    return attempt + 1;
                }
            }
        }
        unreachable!()
    });
    let client = Client::new(
        &base,
        "anna@example.com",
        Arc::new(FixedToken("token".into())),
        tresor::connect::Destinations::Any,
    );
    let folders = graph::list_folders(&client).await.unwrap();
    assert_eq!(folders.len(), 1, "{folders:?}");
    assert_eq!(folders[0].path, "Inbox");
    assert_eq!(served.await.unwrap(), 3, "two breaks, then the answer");
}
