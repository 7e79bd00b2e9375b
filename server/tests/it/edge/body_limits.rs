//! Request bodies over their route's limit: refused with 413 by a real
//! `tresor serve` whose memory must not grow, and in-process; a big CSV
//! list still fits its own limit.

use crate::harness::{Site, csv_batch_form, databases};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tresor::web::body_limit::{CSV_UPLOAD_BODY_LIMIT, SERVER_FUNCTION_BODY_LIMIT};

/// What an attacker streams without a cookie.
const HUGE_BODY: u64 = 300 << 20;
/// How much the server's resident memory may grow while refusing it.
const RSS_GROWTH_ALLOWED_KB: u64 = 50 << 10;

/// A `tresor serve` of its own on a free port, killed when dropped.
struct Server {
    child: std::process::Child,
    address: std::net::SocketAddr,
    _data_dir: tempfile::TempDir,
}

impl Server {
    async fn start() -> Server {
        let data_dir = tempfile::tempdir().unwrap();
        // A port nobody uses now; `serve` binds it a moment later.
        let address = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_tresor"))
            .arg("--data-dir")
            .arg(data_dir.path())
            .args(["serve", "--listen", &address.to_string()])
            .env_remove("DATABASE_URL")
            .env_remove("TRESOR_DATABASE_URL")
            .env("TRESOR_INITIAL_ADMIN_EMAIL", "admin@example.com")
            .env("TRESOR_INITIAL_ADMIN_PASSWORD", "admin-password-1")
            .env("TRESOR_VERIFY_INTERVAL_HOURS", "0")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("tresor serve runs");
        let server = Server {
            child,
            address,
            _data_dir: data_dir,
        };
        let started = Instant::now();
        loop {
            if let Ok(response) = reqwest::get(server.url("/healthz")).await
                && response.status().is_success()
            {
                return server;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "tresor serve did not answer /healthz within a minute"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// The server process's resident memory in KiB.
    fn rss_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc/<pid>/status")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How the server answered a body streamed at it: the status line's code,
/// the response's head, and how much of the body it took before it closed
/// the connection.
struct Streamed {
    status: u16,
    head: String,
    sent: u64,
    took: Duration,
}

/// POSTs `HUGE_BODY` bytes chunked (no length said), without a cookie.
async fn stream_huge_body(address: std::net::SocketAddr, path: &str) -> Streamed {
    let started = Instant::now();
    let stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let writing = tokio::spawn(async move {
        if writer.write_all(head.as_bytes()).await.is_err() {
            return 0;
        }
        let chunk = vec![b'a'; 64 << 10];
        let frame = [
            format!("{:x}\r\n", chunk.len()).into_bytes(),
            chunk.clone(),
            b"\r\n".to_vec(),
        ]
        .concat();
        let mut sent = 0u64;
        while sent < HUGE_BODY {
            if writer.write_all(&frame).await.is_err() {
                return sent;
            }
            sent += chunk.len() as u64;
        }
        let _ = writer.write_all(b"0\r\n\r\n").await;
        sent
    });
    let mut response = Vec::new();
    let mut buffer = [0u8; 8192];
    let read = tokio::time::timeout(Duration::from_secs(60), async {
        while !response.windows(4).any(|window| window == b"\r\n\r\n") {
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(read) => response.extend_from_slice(&buffer[..read]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "no answer to a streamed POST to {path}");
    let sent = tokio::time::timeout(Duration::from_secs(60), writing)
        .await
        .expect("the server stops taking the body")
        .unwrap();
    let head = String::from_utf8_lossy(&response).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line from {path}: {head:?}"));
    Streamed {
        status,
        head,
        sent,
        took: started.elapsed(),
    }
}

/// A 300 MB body streamed without a cookie, to a server function and to a
/// byte route, is answered 413 after the limit, the rest never read, and
/// the server's memory stays where it was; a declared length over the limit
/// is refused before any of it is sent.
#[tokio::test]
async fn a_huge_streamed_body_is_refused_with_413_and_memory_stays_flat() {
    let server = Server::start().await;
    let before = server.rss_kb();
    for path in ["/api/auth/sign_in", "/m/1/raw", "/oauth/start/1"] {
        let streamed = stream_huge_body(server.address, path).await;
        assert_eq!(streamed.status, 413, "{path}: {}", streamed.head);
        assert!(
            streamed.sent < HUGE_BODY,
            "{path}: the server read all {} bytes",
            streamed.sent
        );
        assert!(
            streamed.took < Duration::from_secs(20),
            "{path}: took {:?}",
            streamed.took
        );
        let grown = server.rss_kb().saturating_sub(before);
        assert!(
            grown < RSS_GROWTH_ALLOWED_KB,
            "{path}: the server grew by {grown} KiB"
        );
    }

    // Said up front: refused without waiting for the body.
    let stream = tokio::net::TcpStream::connect(server.address)
        .await
        .unwrap();
    let (mut reader, mut writer) = stream.into_split();
    writer
        .write_all(
            format!(
                "POST /api/auth/sign_in HTTP/1.1\r\nHost: {}\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {HUGE_BODY}\r\n\r\n",
                server.address
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(10), reader.read(&mut answer))
        .await
        .expect("answered before the body came")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]).into_owned();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("at most 1 MiB"), "{answer}");

    // Still serving.
    let health = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), reqwest::StatusCode::OK);
}

/// Over the limit is a 413 the app can show (not 500 "length limit
/// exceeded"); a legitimate CSV list bigger than the server functions'
/// limit reaches its function.
#[tokio::test]
async fn bodies_over_their_routes_limit_are_413_and_a_big_csv_list_fits() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let admin = site.sign_in("root@example.com", "root-password").await;

        let oversized = format!(
            "email=root%40example.com&password={}",
            "a".repeat(SERVER_FUNCTION_BODY_LIMIT)
        );
        let (status, body, cookie) = site.call("/api/auth/sign_in", &oversized, None).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
        assert!(cookie.is_none());
        let error: app::error::ApiError = serde_json::from_str(&body).unwrap();
        assert!(error.to_string().contains("at most 1 MiB"), "{error}");

        // ~2.5 MiB of mailboxes: over the server functions' limit (and the
        // framework's old 2 MB default), within the CSV upload's.
        let mut csv = String::from("email;password;server\n");
        let mut row = 0;
        while csv.len() < (5 << 20) / 2 {
            csv.push_str(&format!("user{row}@example.com;secret;imap.example.com\n"));
            row += 1;
        }
        let form = csv_batch_form(&csv);
        assert!(form.len() > SERVER_FUNCTION_BODY_LIMIT && form.len() < CSV_UPLOAD_BODY_LIMIT);
        let (status, body, _) = site
            .call("/api/batch/preview_csv", &form, Some(&admin))
            .await;
        assert_ne!(
            status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{}",
            &body[..200.min(body.len())]
        );
        assert!(
            !body.contains("length limit") && status != StatusCode::INTERNAL_SERVER_ERROR,
            "{status}: {}",
            &body[..200.min(body.len())]
        );

        // A byte route takes no body worth the name.
        let request = Request::get("/m/1/raw")
            .body(Body::from(vec![b'a'; 1 << 20]))
            .unwrap();
        let response = site.send(request).await;
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
}
