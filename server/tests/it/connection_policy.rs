//! Where the server connects for a mailbox (issue 15, items 6 and 9): a
//! user's mailbox reaches no internal address — checked on the resolved
//! address before anything is sent —, a user learns nothing about what
//! answered, and only administrators name CA files, which are read bounded.
//!
//! No test here sends anything to a non-loopback address: the refusals are
//! checked on loopback first, and only then for 169.254/10.x.

use crate::harness::{FixedToken, Site, assert_field_error, databases, mailbox_form};
use app::model::Role;
use app::model::mailbox::{MailboxInput, Security};
use app::model::probe::ProbeReport;
use axum::http::StatusCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tresor::connect::{
    CANNOT_CONNECT, CaFileError, ConnectionPolicy, Destinations, MailboxOwner, destinations_for,
};

/// A loopback port that counts the connections it accepts and answers each
/// with an HTTP 404 before closing it (after the request, if one comes
/// within a moment): no IMAP server, so whoever reaches it fails at once,
/// and the count says whether anyone did.
struct Listener {
    port: u16,
    accepted: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Listener {
    async fn start() -> Listener {
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = socket.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = accepted.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = socket.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let mut request = [0; 4096];
                let _ = tokio::time::timeout(Duration::from_millis(200), stream.read(&mut request))
                    .await;
                let _ = stream
                    .write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    )
                    .await;
                let _ = stream.shutdown().await;
            }
        });
        Listener {
            port,
            accepted,
            task,
        }
    }

    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    fn port(&self) -> String {
        self.port.to_string()
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A loopback port nothing listens on.
async fn closed_port() -> String {
    let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    socket.local_addr().unwrap().port().to_string()
}

/// "Test connection" in the editor, signed in with `cookie`.
pub(crate) async fn test_connection(
    site: &Site,
    cookie: &str,
    changes: &[(&str, &str)],
) -> ProbeReport {
    let (status, body, _) = site
        .call(
            "/api/mailboxes/test",
            &mailbox_form(&[&[("name", "probe")], changes].concat()),
            Some(cookie),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changes:?}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn plain(host: &'static str, port: &str) -> Vec<(&'static str, String)> {
    vec![
        ("host", host.to_string()),
        ("port", port.to_string()),
        ("security", "plain".to_string()),
    ]
}

fn borrowed<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect()
}

fn strict_site_policy() -> ConnectionPolicy {
    ConnectionPolicy::default()
}

#[tokio::test]
async fn a_users_test_connection_reaches_no_internal_address_and_says_one_thing() {
    for db in databases().await {
        let site = Site::with_connection_policy(&db, strict_site_policy()).await;
        let user = site.sign_in("user@example.com", "user-password").await;
        let listener = Listener::start().await;
        let open = listener.port();
        let closed = closed_port().await;

        // This host, by address, by name and in IPv6 forms: the listener
        // would see these, so they come first.
        let mut texts = Vec::new();
        for (host, port) in [
            ("127.0.0.1", &open),
            ("127.0.0.1", &closed),
            ("localhost", &open),
            ("::ffff:127.0.0.1", &open),
            ("::ffff:7f00:1", &open),
            ("0.0.0.0", &open),
            ("::1", &open),
        ] {
            let report = test_connection(&site, &user, &borrowed(&plain(host, port))).await;
            assert!(!report.ok, "{host}:{port}: {report:?}");
            assert_eq!(report.error_kind.as_deref(), Some("connect"), "{host}");
            texts.push(report.error.unwrap());
            assert_eq!(listener.accepted(), 0, "{host}:{port} was connected to");
        }
        // Then the networks around the server; refused before any packet.
        for host in ["169.254.169.254", "10.0.0.1", "192.168.1.1", "100.64.0.1"] {
            let report = test_connection(&site, &user, &borrowed(&plain(host, "993"))).await;
            assert!(!report.ok, "{host}: {report:?}");
            texts.push(report.error.unwrap());
        }
        assert!(
            texts.iter().all(|text| text == CANNOT_CONNECT),
            "one text whatever answered: {texts:#?}"
        );
        assert_eq!(listener.accepted(), 0);

        // The same for the folder picker's subscribe.
        let (status, body, _) = site
            .call(
                "/api/mailboxes/subscribe",
                &format!(
                    "{}&folder=INBOX&subscribed=true",
                    mailbox_form(
                        &[
                            &[("name", "probe")],
                            &borrowed(&plain("127.0.0.1", &open))[..]
                        ]
                        .concat()
                    )
                ),
                Some(&user),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(
            body.contains("Tresor cannot connect to this server"),
            "{body}"
        );
        assert_eq!(listener.accepted(), 0);
    }
}

#[tokio::test]
async fn administrators_reach_internal_servers_and_read_what_answered() {
    for db in databases().await {
        let site = Site::with_connection_policy(&db, strict_site_policy()).await;
        let admin = site.sign_in("root@example.com", "root-password").await;
        let listener = Listener::start().await;
        let open = listener.port();
        let closed = closed_port().await;

        let reached = test_connection(&site, &admin, &borrowed(&plain("127.0.0.1", &open))).await;
        assert!(!reached.ok);
        assert_eq!(listener.accepted(), 1, "an admin's mailbox connects");
        let refused = test_connection(&site, &admin, &borrowed(&plain("127.0.0.1", &closed))).await;
        assert_eq!(refused.error_kind.as_deref(), Some("connect"));
        assert!(
            refused
                .error
                .as_deref()
                .unwrap()
                .contains("cannot connect to 127.0.0.1"),
            "{refused:?}"
        );
        assert_ne!(
            reached.error, refused.error,
            "the detail differs for admins"
        );
        assert_ne!(reached.error.as_deref(), Some(CANNOT_CONNECT));

        // A user's mailbox stays a user's when an admin tests it: refused,
        // and the admin reads why.
        let mailbox = site
            .add_mailbox(site.user_id, &MailboxInput::new("users", "127.0.0.1", "u"))
            .await;
        let id = mailbox.id.to_string();
        let mut fields = plain("127.0.0.1", &open);
        fields.push(("id", id));
        let report = test_connection(&site, &admin, &borrowed(&fields)).await;
        let error = report.error.unwrap();
        assert!(
            error.contains("only mailboxes managed by an administrator may reach")
                && error.contains("allowed_destinations"),
            "{error}"
        );
        assert_eq!(listener.accepted(), 1, "the user's mailbox did not connect");
    }
}

#[tokio::test]
async fn what_the_configuration_allows_users_reach_and_they_still_read_one_text() {
    for policy in [
        ConnectionPolicy::allow_private(),
        ConnectionPolicy {
            allow_private: false,
            allowed: vec!["127.0.0.0/8".parse().unwrap()],
        },
        ConnectionPolicy {
            allow_private: false,
            allowed: vec!["localhost".parse().unwrap()],
        },
    ] {
        for db in databases().await {
            let site = Site::with_connection_policy(&db, policy.clone()).await;
            let user = site.sign_in("user@example.com", "user-password").await;
            let listener = Listener::start().await;
            let open = listener.port();
            let closed = closed_port().await;
            let reached =
                test_connection(&site, &user, &borrowed(&plain("localhost", &open))).await;
            assert_eq!(listener.accepted(), 1, "{policy:?}");
            let not_listening =
                test_connection(&site, &user, &borrowed(&plain("localhost", &closed))).await;
            assert_eq!(reached.error.as_deref(), Some(CANNOT_CONNECT), "{policy:?}");
            assert_eq!(not_listening.error, reached.error, "{policy:?}");
        }
    }
}

#[tokio::test]
async fn runs_of_a_users_mailbox_do_not_connect_to_internal_addresses() {
    for db in databases().await {
        let site = Site::with_connection_policy(&db, strict_site_policy()).await;
        let engine = &site.services.engine;
        let listener = Listener::start().await;
        let input = |name: &str| MailboxInput {
            port: listener.port,
            security: Security::Plain,
            ..MailboxInput::new(name, "localhost", "u")
        };
        site.add_mailbox(site.user_id, &input("users")).await;
        let log = engine.archive("users").await.unwrap();
        let error = log.error.unwrap();
        assert!(
            error.contains("only mailboxes managed by an administrator"),
            "{error}"
        );
        assert_eq!(listener.accepted(), 0);

        site.add_mailbox(site.root_id, &input("admins")).await;
        let log = engine.archive("admins").await.unwrap();
        assert!(log.error.is_some(), "the listener is no IMAP server");
        assert_eq!(listener.accepted(), 1, "an admin's mailbox connects");
    }
}

#[tokio::test]
async fn graph_requests_of_a_users_mailbox_do_not_connect_to_internal_addresses() {
    let listener = Listener::start().await;
    let users = destinations_for(MailboxOwner::Role(Role::User), &ConnectionPolicy::default());
    for root in [
        format!("http://127.0.0.1:{}/v1.0", listener.port),
        format!("http://localhost:{}/v1.0", listener.port),
        format!("http://[::ffff:127.0.0.1]:{}/v1.0", listener.port),
    ] {
        let client = tresor::graph::Client::new(
            &root,
            "someone",
            Arc::new(FixedToken::any()),
            users.clone(),
        );
        let started = Instant::now();
        let error = client
            .get_json::<serde_json::Value>(&client.url("mailFolders"), None)
            .await
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("only mailboxes managed by an administrator"),
            "{root}: {error}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "refused at once, not retried"
        );
        assert_eq!(listener.accepted(), 0, "{root}");
    }
    let root = format!("http://localhost:{}/v1.0", listener.port);
    let client = tresor::graph::Client::new(
        &root,
        "someone",
        Arc::new(FixedToken::any()),
        Destinations::Any,
    );
    let error = client
        .get_json::<serde_json::Value>(&client.url("mailFolders"), None)
        .await
        .unwrap_err();
    assert!(error.is_not_found(), "{error:?}");
    assert_eq!(listener.accepted(), 1, "an admin's Graph mailbox connects");
}

#[tokio::test]
async fn only_administrators_name_ca_files() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let admin = site.sign_in("root@example.com", "root-password").await;
        let user = site.sign_in("user@example.com", "user-password").await;
        let ca = ("ca_file", "/etc/hostname");
        for path in ["/api/mailboxes/test", "/api/mailboxes/save"] {
            let (status, body, _) = site
                .call(path, &mailbox_form(&[("name", "mine"), ca]), Some(&user))
                .await;
            assert_field_error(status, &body, "ca_file");
            assert!(body.contains("Only an administrator"), "{body}");
        }

        // An administrator sets one on the user's mailbox; the user keeps
        // it when saving, and cannot change it.
        let mailbox = site.add_imap_mailbox(site.user_id, "mine", "someone").await;
        let id = mailbox.id.to_string();
        let with = |ca_file: &'static str| {
            mailbox_form(&[
                ("name", "mine"),
                ("id", &id),
                ("secret", ""),
                ("ca_file", ca_file),
            ])
        };
        // Changing the CA file needs the stored password typed again.
        let admin_form = mailbox_form(&[
            ("name", "mine"),
            ("id", &id),
            ("secret", "pw"),
            ("ca_file", "/etc/ssl/company-ca.pem"),
        ]);
        let (status, body, _) = site
            .call("/api/mailboxes/save", &admin_form, Some(&admin))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body, _) = site
            .call(
                "/api/mailboxes/save",
                &with("/etc/ssl/company-ca.pem"),
                Some(&user),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body, _) = site
            .call("/api/mailboxes/save", &with("/etc/shadow"), Some(&user))
            .await;
        assert_field_error(status, &body, "ca_file");
        // Dropping it is a change of the connection, too: with the password.
        let without = mailbox_form(&[
            ("name", "mine"),
            ("id", &id),
            ("secret", "pw"),
            ("ca_file", ""),
        ]);
        let (status, body, _) = site
            .call("/api/mailboxes/save", &without, Some(&user))
            .await;
        assert_eq!(status, StatusCode::OK, "dropping it is fine: {body}");
        let row = site.services.mailboxes.by_id(mailbox.id).await.unwrap();
        assert_eq!(row.ca_file, None);
    }
}

#[tokio::test]
async fn an_unusable_ca_file_fails_fast_with_one_text() {
    let dir = tempfile::tempdir().unwrap();
    let too_big = dir.path().join("big.pem");
    std::fs::write(&too_big, vec![b'A'; 2 * 1024 * 1024]).unwrap();
    let not_pem = dir.path().join("notes.txt");
    std::fs::write(&not_pem, "not a certificate\n").unwrap();
    let directory = dir.path().display().to_string();
    let too_big = too_big.display().to_string();
    let not_pem = not_pem.display().to_string();
    for db in databases().await {
        let site = Site::new(&db).await;
        let admin = site.sign_in("root@example.com", "root-password").await;
        let listener = Listener::start().await;
        let port = listener.port();
        for ca_file in [
            "/dev/zero",
            "/dev/urandom",
            "/nonexistent/ca.pem",
            &directory,
            &too_big,
            &not_pem,
        ] {
            let started = Instant::now();
            let report = test_connection(
                &site,
                &admin,
                &[
                    ("host", "localhost"),
                    ("port", &port),
                    ("security", "tls"),
                    ("ca_file", ca_file),
                ],
            )
            .await;
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "{ca_file}: {:?}",
                started.elapsed()
            );
            assert_eq!(
                report.error.as_deref(),
                Some(CaFileError.to_string().as_str()),
                "{ca_file}"
            );
        }
    }

    // SMTP (administrators' settings only) reads its CA file the same way.
    let started = Instant::now();
    let error = tresor::notify::send(
        &tresor::notify::SmtpSettings {
            host: "localhost".into(),
            port: 1,
            security: tresor::notify::SmtpSecurity::StartTls,
            username: None,
            password: None,
            from_address: "archive@tresor.test".into(),
            from_name: "Tresor".into(),
            ca_file: Some("/dev/zero".into()),
            extra_recipients: Vec::new(),
        },
        &tresor::notify::Mail {
            to: vec!["it@example.com".into()],
            subject: "test".into(),
            body: "test".into(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(error.to_string(), CaFileError.to_string());
    assert!(started.elapsed() < Duration::from_secs(5));
}
