//! The Graph client follows no redirect, sends its token to no link off its
//! service root, and reads no answer without end.

use crate::harness::FixedToken;
use axum::http::StatusCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tresor::graph::{Client, GraphError};

/// Serves `router` on a free local port; its base URL.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{address}")
}

/// A server that counts what reaches it.
async fn bystander() -> (String, Arc<AtomicUsize>) {
    let reached = Arc::new(AtomicUsize::new(0));
    let counter = reached.clone();
    let router = axum::Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            axum::Json(serde_json::json!({ "value": [] }))
        }
    });
    (serve(router).await, reached)
}

#[tokio::test]
async fn the_graph_client_follows_no_redirect_and_no_link_off_its_root() {
    let (elsewhere, reached) = bystander().await;
    let target = format!("{elsewhere}/collect");
    let redirecting = axum::Router::new().fallback(move || {
        let target = target.clone();
        async move { (StatusCode::FOUND, [(axum::http::header::LOCATION, target)]) }
    });
    let graph = serve(redirecting).await;
    let client = Client::new(
        &format!("{graph}/v1.0"),
        "anna@contoso.example",
        Arc::new(FixedToken::any()),
        tresor::connect::Destinations::Any,
    );
    let answer = client
        .get_json::<serde_json::Value>(&client.url("mailFolders"), None)
        .await;
    assert!(answer.is_err(), "{answer:?}");
    assert_eq!(
        reached.load(Ordering::SeqCst),
        0,
        "the redirect was followed"
    );

    // A next link to another origin is not followed either.
    let next = format!("{elsewhere}/v1.0/users/anna/mailFolders/inbox/messages/delta?$skiptoken=1");
    let paging = axum::Router::new().fallback(move || {
        let next = next.clone();
        async move { axum::Json(serde_json::json!({ "value": [], "@odata.nextLink": next })) }
    });
    let graph = serve(paging).await;
    let client = Client::new(
        &format!("{graph}/v1.0"),
        "anna@contoso.example",
        Arc::new(FixedToken::any()),
        tresor::connect::Destinations::Any,
    );
    let round = tresor::graph::delta_round(&client, "inbox", None, 10).await;
    assert!(round.is_err(), "{round:?}");
    assert_eq!(
        reached.load(Ordering::SeqCst),
        0,
        "the token went elsewhere"
    );
}

#[tokio::test]
async fn the_graph_client_refuses_an_oversized_answer() {
    use axum::body::Body;
    use axum::routing::get;
    // A JSON page larger than any Graph sends, streamed without a length.
    let padding = tresor::graph::MAX_JSON_BYTES + 1;
    let chunks = move || {
        let head = futures::stream::once(async {
            Ok::<_, std::io::Error>(b"{\"value\":[],\"pad\":\"".to_vec())
        });
        let body =
            futures::stream::iter((0..padding.div_ceil(65536)).map(|_| Ok(vec![b'a'; 65536])));
        let tail = futures::stream::once(async { Ok(b"\"}".to_vec()) });
        Body::from_stream(futures::StreamExt::chain(
            futures::StreamExt::chain(head, body),
            tail,
        ))
    };
    // A message longer than Exchange can hold, with its length said.
    let mime = tresor::graph::MAX_MIME_BYTES + 1;
    let message = move || {
        let body = futures::stream::iter(
            (0..mime.div_ceil(1 << 20)).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 1 << 20])),
        );
        axum::response::Response::builder()
            .header("content-length", (mime.div_ceil(1 << 20) << 20).to_string())
            .body(Body::from_stream(body))
            .unwrap()
    };
    let router = axum::Router::new()
        .route(
            "/v1.0/users/{user}/mailFolders",
            get(move || async move { chunks() }),
        )
        .route(
            "/v1.0/users/{user}/messages/{id}/$value",
            get(move || async move { message() }),
        );
    let graph = serve(router).await;
    let client = Client::new(
        &format!("{graph}/v1.0"),
        "anna@contoso.example",
        Arc::new(FixedToken::any()),
        tresor::connect::Destinations::Any,
    );
    let page = client
        .get_json::<serde_json::Value>(&client.url("mailFolders"), None)
        .await;
    assert!(
        matches!(&page, Err(GraphError::BadAnswer { reason, .. }) if reason.contains("larger than")),
        "{page:?}"
    );
    let bytes = client.get_bytes(&client.url("messages/m1/$value")).await;
    assert!(
        matches!(&bytes, Err(GraphError::BadAnswer { reason, .. }) if reason.contains("larger than")),
        "{:?}",
        bytes.as_ref().map(Vec::len)
    );
}
