//! The HTTP edge as an attacker meets it: bodies over their limit (against
//! a real `tresor serve`, whose memory must not grow), requests another site
//! makes a signed-in browser send, audited reads, and what `/healthz` tells
//! a stranger.

use crate::site::{Site, urlencode};
use crate::support::databases;
use app::model::Role;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tresor::db::entity::audit_entry;
use tresor::web::body_limit::{CSV_UPLOAD_BODY_LIMIT, SERVER_FUNCTION_BODY_LIMIT};

// --- item 3: request bodies ---------------------------------------------

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
        let admin = site.sign_in("root%40example.com", "root-password").await;

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
        let form = format!("form[text]={}&form[template_id]=", urlencode(&csv));
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

// --- item 11: requests from other sites -----------------------------------

/// A server function called the way a browser sends it, with `headers`.
async fn call_from(
    site: &Site,
    path: &str,
    form: &str,
    cookie: Option<&str>,
    headers: &[(&str, &str)],
) -> (StatusCode, String, Option<String>) {
    site.call_with_headers(path, form, cookie, headers).await
}

/// A GET as a browser sends it, with `headers`.
async fn get_from(
    site: &Site,
    path: &str,
    cookie: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, Vec<u8>) {
    let mut request = Request::get(path).header(header::COOKIE, cookie);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = site.send(request.body(Body::empty()).unwrap()).await;
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, body.to_vec())
}

const CROSS_SITE: (&str, &str) = ("sec-fetch-site", "cross-site");
const SAME_SITE: (&str, &str) = ("sec-fetch-site", "same-site");
const SAME_ORIGIN: (&str, &str) = ("sec-fetch-site", "same-origin");

/// Login CSRF: another site's form posting a valid password signs nobody
/// in; neither does any other server function run for another site.
#[tokio::test]
async fn server_functions_refuse_requests_from_other_sites() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let credentials = "email=user%40example.com&password=user-password";
        for headers in [
            vec![CROSS_SITE],
            vec![SAME_SITE],
            // Browsers without fetch metadata still say where a form was.
            vec![
                ("host", "tresor.example"),
                ("origin", "https://evil.example"),
            ],
            vec![("host", "tresor.example"), ("origin", "null")],
        ] {
            let (status, body, cookie) =
                call_from(&site, "/api/auth/sign_in", credentials, None, &headers).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}: {body}");
            assert!(cookie.is_none(), "{headers:?} signed in");
            let error: app::error::ApiError = serde_json::from_str(&body).unwrap();
            assert!(error.to_string().contains("another website"), "{error}");
        }
        // From Tresor's own page (or a client that says nothing): signed in.
        for headers in [
            vec![SAME_ORIGIN],
            vec![
                ("host", "tresor.example"),
                ("origin", "http://tresor.example"),
            ],
            vec![],
        ] {
            let (status, body, cookie) =
                call_from(&site, "/api/auth/sign_in", credentials, None, &headers).await;
            assert_eq!(status, StatusCode::OK, "{headers:?}: {body}");
            assert!(cookie.is_some(), "{headers:?}");
        }

        let admin = site.sign_in("root%40example.com", "root-password").await;
        let new_user = "input[email]=mallory%40example.com&input[display_name]=M&input[role]=admin&input[password]=mallory-password";
        let (status, _, _) = call_from(
            &site,
            "/api/users/create",
            new_user,
            Some(&admin),
            &[CROSS_SITE],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, _) =
            call_from(&site, "/api/auth/sign_out", "", Some(&admin), &[CROSS_SITE]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (_, body, _) =
            call_from(&site, "/api/users/list", "", Some(&admin), &[SAME_ORIGIN]).await;
        assert!(
            !body.contains("mallory"),
            "created from another site: {body}"
        );
        assert!(
            body.contains("user@example.com"),
            "same origin works: {body}"
        );
    }
}

/// Audit entries of `action` about `target`.
async fn entries(site: &Site, action: &str, target: &str) -> Vec<audit_entry::Model> {
    audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq(action))
        .filter(audit_entry::Column::Target.eq(target))
        .all(&site.db)
        .await
        .unwrap()
}

const PLAIN: &[u8] = b"From: anna@example.com\r\nTo: user@example.com\r\nSubject: Plan\r\n\
    Message-ID: <plan@example.com>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nThe plan.\r\n";

/// A link on another site cannot download a message (or export, or open
/// its HTML) in the reader's name: refused, and nothing in the audit log.
/// Tresor's own pages and a typed address still can.
#[tokio::test]
async fn audited_downloads_refuse_other_sites_links_and_leave_no_entry() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let ids = site
            .archive_for(site.user_id, "user-mail", &[("plan", PLAIN)])
            .await;
        let id = ids["plan"];
        let user = site.sign_in("user%40example.com", "user-password").await;
        let target = format!("message {id}");
        for path in [
            format!("/m/{id}/raw"),
            format!("/export?ids={id}"),
            format!("/m/{id}/attachments/0"),
            format!("/m/{id}/html"),
        ] {
            for headers in [
                vec![
                    CROSS_SITE,
                    ("sec-fetch-mode", "navigate"),
                    ("sec-fetch-dest", "document"),
                ],
                vec![
                    SAME_SITE,
                    ("sec-fetch-mode", "navigate"),
                    ("sec-fetch-dest", "document"),
                ],
            ] {
                let (status, body) = get_from(&site, &path, &user, &headers).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{path} {headers:?}");
                assert!(
                    String::from_utf8_lossy(&body).contains("another website"),
                    "{path}"
                );
            }
        }
        assert!(
            entries(&site, "message_downloaded", &target)
                .await
                .is_empty()
        );
        assert!(entries(&site, "export", "export").await.is_empty());
        assert!(entries(&site, "message_viewed", &target).await.is_empty());

        for headers in [vec![SAME_ORIGIN], vec![("sec-fetch-site", "none")], vec![]] {
            let (status, body) = get_from(&site, &format!("/m/{id}/raw"), &user, &headers).await;
            assert_eq!(status, StatusCode::OK, "{headers:?}");
            assert_eq!(body, PLAIN);
        }
        assert_eq!(entries(&site, "message_downloaded", &target).await.len(), 3);

        let admin = site.sign_in("root%40example.com", "root-password").await;
        let (status, _) = get_from(&site, "/admin/audit.csv", &admin, &[CROSS_SITE]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(
            entries(&site, "audit_exported", "audit log")
                .await
                .is_empty()
        );
    }
}

/// The browser sign-in of a mailbox starts with a POST from its page: a
/// link (a GET) cannot start it, nor can another site's form.
#[tokio::test]
async fn another_site_cannot_start_a_mailbox_sign_in() {
    use app::model::mailbox::{AuthMethod, MailboxInput};
    use app::model::oauth::SignInAppsView;
    for db in databases().await {
        let site = Site::new(&db).await;
        let admin = site.sign_in("root%40example.com", "root-password").await;
        let user = site.sign_in("user%40example.com", "user-password").await;
        let form = [
            ("name", "Contoso"),
            ("provider", "microsoft"),
            ("tenant", "contoso.example"),
            ("client_id", "tresor-public"),
            ("scopes", "https://outlook.office.com/IMAP.AccessAsUser.All"),
        ]
        .iter()
        .map(|(field, value)| format!("form[{field}]={}", urlencode(value)))
        .collect::<Vec<_>>()
        .join("&");
        let (status, body, _) = site.call("/api/oauth/save_app", &form, Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, body, _) = site.call("/api/oauth/apps", "", Some(&admin)).await;
        let apps: SignInAppsView = serde_json::from_str(&body).unwrap();
        let mut input = MailboxInput::new("M365", "outlook.office365.com", "user3");
        input.auth_method = AuthMethod::XOAuth2;
        input.oauth_app_id = Some(apps.apps[0].id);
        let mailbox = site
            .mailboxes
            .create(
                tresor::mailbox::Editor::Admin,
                Some(site.user_id),
                &input,
                None,
            )
            .await
            .unwrap();
        let start = format!("/oauth/start/{}", mailbox.id);
        let flows = || async {
            tresor::db::entity::oauth_flow::Entity::find()
                .all(&site.db)
                .await
                .unwrap()
                .len()
        };

        let (status, _) = get_from(&site, &start, &user, &[CROSS_SITE]).await;
        assert_eq!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "a link starts nothing"
        );
        let (status, _) = get_from(&site, &start, &user, &[SAME_ORIGIN]).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        let (status, _, _) = call_from(&site, &start, "", Some(&user), &[CROSS_SITE]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(flows().await, 0, "no flow remembered");

        let (status, provider) = start_oauth(&site, mailbox.id, &user).await;
        assert_eq!(status, StatusCode::OK);
        let provider = provider.expect("on to the provider");
        assert!(
            provider.starts_with(
                "https://login.microsoftonline.com/contoso.example/oauth2/v2.0/authorize?"
            ),
            "{provider}"
        );
        assert!(
            provider.contains("code_challenge_method=S256"),
            "{provider}"
        );
        assert_eq!(flows().await, 1);
    }
}

/// Starts the browser sign-in of `mailbox_id` as the mailbox page's button
/// does: its status, and the provider's address the page sends the browser
/// on to (`None` when it answers otherwise, e.g. back to the mailbox).
pub(crate) async fn start_oauth(
    site: &Site,
    mailbox_id: i64,
    cookie: &str,
) -> (StatusCode, Option<String>) {
    let (status, body, _) = call_from(
        site,
        &format!("/oauth/start/{mailbox_id}"),
        "",
        Some(cookie),
        &[SAME_ORIGIN],
    )
    .await;
    let provider = body
        .split("url=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|url| {
            url.replace("&amp;", "&")
                .replace("&#39;", "'")
                .replace("&quot;", "\"")
        });
    (status, provider)
}

// --- item 8: every access to message content is recorded ------------------

const WITH_PICTURE: &[u8] = b"From: anna@example.com\r\nTo: user@example.com\r\nSubject: Picture\r\n\
    Message-ID: <picture@example.com>\r\nDate: Mon, 2 Mar 2026 11:00:00 +0000\r\nMIME-Version: 1.0\r\n\
    Content-Type: multipart/related; boundary=B\r\n\r\n\
    --B\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
    <p>Our logo: <img src=\"cid:logo@example.com\"></p>\r\n\
    --B\r\nContent-Type: image/png\r\nContent-ID: <logo@example.com>\r\n\
    Content-Disposition: inline; filename=\"logo.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
    iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\r\n\
    --B--\r\n";

/// An auditor reading a message's HTML and its inline image leaves an
/// entry for each, as a download does.
#[tokio::test]
async fn reading_a_messages_html_and_inline_images_is_audited() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let ids = site
            .archive_for(site.user_id, "user-mail", &[("picture", WITH_PICTURE)])
            .await;
        let id = ids["picture"];
        let auditor = site
            .state
            .accounts
            .create_user(
                "audit@example.com",
                "Audit",
                Role::Auditor,
                "auditor-password",
            )
            .await
            .unwrap();
        let mailbox = site.mailboxes.by_name("user-mail").await.unwrap();
        site.mailboxes
            .set_sharing(
                mailbox.id,
                Some(site.user_id),
                &std::collections::BTreeSet::from([auditor.id]),
            )
            .await
            .unwrap();
        let cookie = site
            .sign_in("audit%40example.com", "auditor-password")
            .await;
        let target = format!("message {id}");

        // The message page's frame, from the page itself.
        let (status, html) = get_from(
            &site,
            &format!("/m/{id}/html"),
            &cookie,
            &[SAME_ORIGIN, ("sec-fetch-dest", "iframe")],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let html = String::from_utf8(html).unwrap();
        let image = html
            .split("src=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(|src| src.replace("&amp;", "&"))
            .expect("the inline image's address");
        assert!(
            image.starts_with(&format!("/m/{id}/attachments/")),
            "{image}"
        );
        let viewed = entries(&site, "message_viewed", &target).await;
        assert_eq!(viewed.len(), 1, "{viewed:?}");
        assert_eq!(viewed[0].actor_id, Some(auditor.id));
        assert!(viewed[0].details.contains("html"), "{}", viewed[0].details);

        // The image, as the sandboxed (opaque, hence "cross-site") frame asks.
        let (status, bytes) = get_from(
            &site,
            &image,
            &cookie,
            &[
                CROSS_SITE,
                ("sec-fetch-dest", "image"),
                ("sec-fetch-mode", "no-cors"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(bytes.starts_with(b"\x89PNG"));
        let viewed = entries(&site, "message_viewed", &target).await;
        assert_eq!(viewed.len(), 2, "{viewed:?}");
        assert!(
            viewed
                .iter()
                .any(|entry| entry.details.contains("inline image")
                    && entry.details.contains("logo.png")
                    && entry.actor_id == Some(auditor.id)),
            "{viewed:?}"
        );

        // Someone who may not read it leaves no entry and gets nothing.
        site.state
            .accounts
            .create_user("other@example.com", "Other", Role::User, "other-password")
            .await
            .unwrap();
        let other = site.sign_in("other%40example.com", "other-password").await;
        let (status, _) = get_from(&site, &format!("/m/{id}/html"), &other, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(entries(&site, "message_viewed", &target).await.len(), 2);
    }
}

// --- item 13: /healthz ---------------------------------------------------

/// Strangers and users learn up or down, nothing else; an administrator
/// gets the version and the database's state.
#[tokio::test]
async fn healthz_tells_strangers_only_up_or_down() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let user = site.sign_in("user%40example.com", "user-password").await;
        let admin = site.sign_in("root%40example.com", "root-password").await;
        for cookie in [None, Some(user.as_str()), Some("tresor_session=forged")] {
            let mut request = Request::get("/healthz");
            if let Some(cookie) = cookie {
                request = request.header(header::COOKIE, cookie);
            }
            let response = site.send(request.body(Body::empty()).unwrap()).await;
            assert_eq!(response.status(), StatusCode::OK);
            let body = response.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(&body[..], b"ok", "{cookie:?}");
        }
        let response = site
            .send(
                Request::get("/healthz")
                    .header(header::COOKIE, &admin)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let health: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(health["status"], "ok");
        assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(health["database"]["backend"], db.name);
    }

    // The database gone: 503 and the one word, no error text.
    let db = crate::support::sqlite().await;
    let site = Site::new(&db).await;
    let admin = site.sign_in("root%40example.com", "root-password").await;
    site.db.clone().close().await.unwrap();
    for cookie in [None, Some(admin.as_str())] {
        let mut request = Request::get("/healthz");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let response = site.send(request.body(Body::empty()).unwrap()).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"down", "{cookie:?}");
    }
}
