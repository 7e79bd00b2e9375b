//! Data protection (issue 15, item 13): a private data directory, checked at
//! start; restores that never carry another person's flags; exports and the
//! audit CSV read a page at a time; a maximum message size that always holds,
//! also against a server that lies; mailbox names unique per owner only.

use crate::cli::{stderr, tresor};
use crate::crash::synthetic_message;
use crate::site::{Site, error_field, urlencode, valid_mailbox_form};
use crate::support::databases;
use app::model::Role;
use futures::TryStreamExt;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tresor::imap::{self, Credentials, Endpoint, Security, TlsOptions};
use tresor::mailbox::{MailboxError, MailboxInput, Mailboxes};
use tresor::secrets::{Secret, SecretBox};
use tresor::store::BlobStore;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The usual umask (022) while it lives, so what is private is so by its
/// explicit mode, not by a strict umask of the test run.
struct UsualUmask(libc::mode_t);

impl UsualUmask {
    fn set() -> UsualUmask {
        // SAFETY: umask(2) only swaps the process's mask.
        UsualUmask(unsafe { libc::umask(0o022) })
    }
}

impl Drop for UsualUmask {
    fn drop(&mut self) {
        // SAFETY: as above.
        unsafe { libc::umask(self.0) };
    }
}

// ---------------------------------------------------------------- item 1

#[tokio::test]
async fn what_tresor_creates_in_the_data_dir_is_private_whatever_the_umask() {
    let _umask = UsualUmask::set();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    tresor::data_dir::create_private_dir(&data).unwrap();
    assert_eq!(mode(&data), 0o700);

    SecretBox::load(&data, None).unwrap();
    assert_eq!(mode(&data.join("master.key")), 0o600);

    let store = BlobStore::open(data.join("blobs")).unwrap();
    let stored = store.put(&synthetic_message(1)).unwrap();
    let blob = store.path_of(&stored.digest);
    assert_eq!(mode(&blob), 0o600, "a blob");
    assert_eq!(mode(blob.parent().unwrap()), 0o700, "a fan-out directory");
    assert_eq!(mode(&data.join("blobs")), 0o700);

    let url = format!("sqlite://{}?mode=rwc", data.join("tresor.db").display());
    let db = tresor::db::connect_and_migrate(&url).await.unwrap();
    // While it is open, SQLite keeps its journal beside it.
    for name in ["tresor.db", "tresor.db-wal", "tresor.db-shm"] {
        assert_eq!(mode(&data.join(name)), 0o600, "{name}");
    }
    drop(db);
}

/// `tresor serve` on a free port over `data_dir`.
struct Serve {
    child: Child,
    stdout: std::sync::mpsc::Receiver<String>,
    stderr: std::thread::JoinHandle<String>,
}

impl Serve {
    fn start(data_dir: &Path) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tresor"))
            .arg("--data-dir")
            .arg(data_dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env_remove("DATABASE_URL")
            .env_remove("TRESOR_DATABASE_URL")
            .env_remove("TRESOR_MASTER_KEY")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tresor runs");
        let (lines, stdout) = std::sync::mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let err = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                text.push_str(&line);
                text.push('\n');
            }
            text
        });
        Serve {
            child,
            stdout,
            stderr,
        }
    }

    /// Whether it came up (said it is running) before it exited or a
    /// generous deadline (two cores, many tests) passed.
    fn came_up(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(180);
        while Instant::now() < deadline {
            match self.stdout.recv_timeout(Duration::from_millis(200)) {
                Ok(line) if line.contains("Tresor is running") => return true,
                Ok(_) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    if self.child.try_wait().unwrap().is_some() {
                        return false;
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return false,
            }
        }
        false
    }

    /// Stops it (if it still runs) and returns what it wrote to stderr.
    fn stop(mut self) -> (bool, String) {
        let exited_by_itself = self.child.try_wait().unwrap();
        if exited_by_itself.is_none() {
            let _ = self.child.kill();
        }
        let status = self.child.wait().unwrap();
        (
            exited_by_itself.is_some() && status.success(),
            self.stderr.join().unwrap(),
        )
    }
}

#[test]
fn serve_refuses_a_master_key_file_others_can_read_and_says_how_to_fix_it() {
    use base64::Engine;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("master.key");
    let encoded = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    std::fs::write(&key, format!("{encoded}\n")).unwrap();
    set_mode(&key, 0o644);

    let mut serve = Serve::start(dir.path());
    let came_up = serve.came_up();
    let (succeeded, stderr) = serve.stop();
    assert!(
        !came_up,
        "serve started with a world-readable key: {stderr}"
    );
    assert!(!succeeded);
    assert!(
        stderr.contains(&format!("chmod 600 {}", key.display())),
        "{stderr}"
    );
    assert!(
        !dir.path().join("tresor.db").exists(),
        "refused before anything was opened"
    );
}

#[test]
fn serve_makes_a_fresh_data_dir_private_and_warns_about_an_open_one() {
    let dir = tempfile::tempdir().unwrap();
    // The test runner's umask does not matter: `tresor` sets its own.
    let fresh = dir.path().join("fresh");
    let mut serve = Serve::start(&fresh);
    assert!(serve.came_up(), "{}", serve.stop().1);
    assert_eq!(mode(&fresh), 0o700);
    assert_eq!(mode(&fresh.join("master.key")), 0o600);
    for name in ["tresor.db", "tresor.db-wal", "tresor.db-shm"] {
        assert_eq!(mode(&fresh.join(name)), 0o600, "{name}");
    }
    let mut pending = vec![fresh.clone()];
    while let Some(directory) = pending.pop() {
        for entry in std::fs::read_dir(&directory).unwrap() {
            let path = entry.unwrap().path();
            assert_eq!(
                mode(&path) & 0o077,
                0,
                "{} is open to others",
                path.display()
            );
            if path.is_dir() {
                pending.push(path);
            }
        }
    }
    let (_, stderr) = serve.stop();
    assert!(!stderr.contains("chmod"), "nothing to warn about: {stderr}");

    let open = dir.path().join("open");
    std::fs::create_dir(&open).unwrap();
    set_mode(&open, 0o755);
    let mut serve = Serve::start(&open);
    assert!(
        serve.came_up(),
        "an open directory is a warning, not a refusal"
    );
    let (_, stderr) = serve.stop();
    assert!(
        stderr.contains(&format!("chmod 700 {}", open.display())),
        "{stderr}"
    );
}

// ---------------------------------------------------------------- item 2

#[tokio::test]
async fn restore_never_takes_flags_or_date_from_another_persons_copy() {
    use crate::dovecot::{endpoint, session};
    use tresor::viewer::{Reader, Viewer};
    let Some(endpoint) = endpoint(Security::ImplicitTls, None) else {
        return;
    };
    let ca = std::env::var("TRESOR_TEST_DOVECOT_CA").unwrap();
    let run = rand::random::<u32>();
    let (source, empty) = (format!("it-bob-{run}"), format!("it-ann-{run}"));
    let (ann_target, bob_target) = (
        format!("it-ann-restored-{run}"),
        format!("it-bob-restored-{run}"),
    );
    // Its own date (the Date header) is 2 Nov 2026 10:07 +0100.
    let message = synthetic_message(7);
    let mut imap_session = session(&endpoint, "alice", "alicepw").await;
    imap_session.create(&source).await.unwrap();
    imap_session.create(&empty).await.unwrap();
    imap_session
        .append(
            &source,
            Some("(\\Flagged $BobsSecret)"),
            Some("\"05-Mar-2024 10:11:12 +0000\""),
            &message,
        )
        .await
        .unwrap();

    let db = crate::support::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(BlobStore::open(dir.path().join("blobs")).unwrap());
    let secrets = Arc::new(SecretBox::load(dir.path(), None).unwrap());
    // The test's Dovecot listens on loopback, which users' mailboxes may
    // reach only where the configuration allows it, as here.
    let mailboxes = Arc::new(
        Mailboxes::new(db.connection.clone(), secrets)
            .with_connection_policy(tresor::connect::ConnectionPolicy::allow_private()),
    );
    let accounts = tresor::auth::Accounts::new(db.connection.clone(), Duration::from_secs(3600));
    let ann = accounts
        .create_user("ann@example.com", "Ann", Role::User, "ann-password-1")
        .await
        .unwrap();
    let bob = accounts
        .create_user("bob@example.com", "Bob", Role::User, "bob-password-1")
        .await
        .unwrap();
    let profile = |name: &str, folders: &str| MailboxInput {
        port: endpoint.port,
        ca_file: Some(ca.clone()),
        folder_rules: folders.to_string(),
        ..MailboxInput::new(name, "localhost", "alice")
    };
    let password = Secret::new("alicepw");
    let bobs = mailboxes
        .create(
            tresor::mailbox::Editor::Admin,
            Some(bob.id),
            &profile("bob-mail", &source),
            Some(&password),
        )
        .await
        .unwrap();
    let anns = mailboxes
        .create(
            tresor::mailbox::Editor::Admin,
            Some(ann.id),
            &profile("ann-mail", &empty),
            Some(&password),
        )
        .await
        .unwrap();
    // Bob lets Ann read his mailbox; her own has no copy of the message.
    mailboxes
        .set_sharing(bobs.id, Some(bob.id), &[ann.id].into())
        .await
        .unwrap();
    let engine =
        tresor::engine::Engine::new(db.connection.clone(), store.clone(), mailboxes.clone());
    let log = engine.archive("bob-mail").await.unwrap();
    assert_eq!(log.archived, 1, "{log:?}");
    let indexer = tresor::index::Indexer::open(dir.path(), db.connection.clone(), store.clone())
        .await
        .unwrap();
    indexer.drain(|_| {}).await.unwrap();
    let viewer = Viewer::new(db.connection.clone(), store, mailboxes, indexer.index());
    let page = viewer
        .search(Reader::User(ann.id), &Default::default())
        .await
        .unwrap();
    let id = page.hits[0].id;

    let report = restore_one(&viewer, Reader::User(ann.id), id, anns.id, &ann_target).await;
    assert_eq!(report.restored, 1, "{report:?}");
    // Bob restoring into his own mailbox keeps his flags and date.
    let report = restore_one(&viewer, Reader::User(bob.id), id, bobs.id, &bob_target).await;
    assert_eq!(report.restored, 1, "{report:?}");

    let (flags, date) = flags_and_date(&mut imap_session, &ann_target).await;
    assert!(
        !flags
            .iter()
            .any(|flag| flag.contains("BobsSecret") || flag.contains("Flagged")),
        "Bob's flags leaked into Ann's mailbox: {flags:?}"
    );
    assert_eq!(date, "2026-11-02T09:07:00+00:00", "the message's own date");
    let (flags, date) = flags_and_date(&mut imap_session, &bob_target).await;
    assert!(
        flags.iter().any(|flag| flag.contains("BobsSecret")),
        "{flags:?}"
    );
    assert_eq!(date, "2024-03-05T10:11:12+00:00");
    imap::logout(imap_session, Duration::from_secs(30))
        .await
        .unwrap();
}

async fn restore_one(
    viewer: &tresor::viewer::Viewer,
    reader: tresor::viewer::Reader,
    id: i64,
    mailbox_id: i64,
    folder: &str,
) -> app::model::archive::RestoreReport {
    let input = app::model::archive::RestoreInput {
        message_ids: vec![id],
        mailbox_id,
        folder: folder.to_string(),
    };
    viewer.restore(reader, &input).await.unwrap()
}

/// The flags and internal date (UTC) of the one message in `folder`.
async fn flags_and_date(session: &mut imap::Session, folder: &str) -> (Vec<String>, String) {
    session.select(folder).await.unwrap();
    let fetched: Vec<_> = session
        .fetch("1:*", "(FLAGS INTERNALDATE)")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let flags = fetched[0].flags().map(|flag| format!("{flag:?}")).collect();
    let date = fetched[0]
        .internal_date()
        .unwrap()
        .with_timezone(&chrono::Utc);
    (flags, date.to_rfc3339())
}

// ---------------------------------------------------------------- item 3

#[tokio::test]
async fn exports_read_a_page_at_a_time_and_write_the_same_bytes() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let messages: Vec<(String, Vec<u8>)> = (0..7)
            .map(|index| (format!("m{index}"), synthetic_message(index)))
            .collect();
        let files: Vec<(&str, &[u8])> = messages
            .iter()
            .map(|(name, raw)| (name.as_str(), raw.as_slice()))
            .collect();
        let ids = site.archive_for(site.user_id, "Exports", &files).await;
        let mailbox = site.mailboxes.by_name("Exports").await.unwrap();
        let folder = tresor::db::entity::message_location::Entity::find()
            .filter(tresor::db::entity::message_location::Column::MailboxId.eq(mailbox.id))
            .one(&site.db)
            .await
            .unwrap()
            .unwrap()
            .folder;
        let mut listed: Vec<i64> = ids.values().copied().collect();
        listed.sort_unstable();
        // An id given twice and one the user may not see change nothing.
        let given = format!(
            "{},{},999999",
            listed
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(","),
            listed[0]
        );
        let exports = [
            format!("/export?format=mbox&mailbox={}", mailbox.id),
            format!("/export?format=eml&mailbox={}", mailbox.id),
            format!(
                "/export?format=mbox&mailbox={}&folder={}",
                mailbox.id,
                urlencode(&folder)
            ),
            format!("/export?format=mbox&query={}", urlencode("fox")),
            format!("/export?format=eml&ids={given}"),
        ];
        let cookie = site.sign_in("user%40example.com", "user-password").await;
        let mut whole = Vec::new();
        for path in &exports {
            let (status, _, body) = site.get(path, Some(&cookie)).await;
            assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
            whole.push(body);
        }
        let mbox = String::from_utf8_lossy(&whole[0]);
        assert_eq!(
            mbox.lines()
                .filter(|line| line.starts_with("From "))
                .count(),
            7,
            "every message, once"
        );

        // Pages of two messages: many page boundaries, the same bytes.
        let paged = tresor::viewer::Viewer::new(
            site.db.clone(),
            site.store.clone(),
            site.mailboxes.clone(),
            site.indexer.index(),
        )
        .with_export_page_size(2);
        let site = site.with_state(|mut state| {
            state.viewer = Arc::new(paged);
            state
        });
        let cookie = site.sign_in("user%40example.com", "user-password").await;
        for (path, expected) in exports.iter().zip(&whole) {
            let (status, _, body) = site.get(path, Some(&cookie)).await;
            assert_eq!(status, 200, "{}: {path}", db.name);
            assert!(&body == expected, "{}: {path} differs when paged", db.name);
        }
    }
}

#[tokio::test]
async fn the_audit_csv_is_complete_and_in_order_across_pages() {
    use tresor::audit::{Action, Actor, AuditLog, Outcome};
    use tresor::db::entity::audit_entry;
    for db in databases().await {
        let site = Site::new(&db).await;
        for n in 0..11 {
            site.state
                .audit
                .record(
                    &Actor::Operator,
                    None,
                    Action::Search,
                    &format!("search, number {n}"),
                    serde_json::json!({ "query": format!("\"quoted\", {n}") }),
                    Outcome::Ok,
                )
                .await
                .unwrap();
        }
        let admin = site.sign_in("root%40example.com", "root-password").await;
        let recorded: Vec<i64> = audit_entry::Entity::find()
            .order_by_asc(audit_entry::Column::Id)
            .all(&site.db)
            .await
            .unwrap()
            .into_iter()
            .map(|entry| entry.id)
            .collect();
        assert!(recorded.len() > 3 * 3, "more than three pages");

        let site = site.with_state(|mut state| {
            state.audit = AuditLog::new(state.db.clone()).with_csv_page_size(3);
            state
        });
        let (status, _, csv) = site.get("/admin/audit.csv", Some(&admin)).await;
        assert_eq!(status, 200);
        let csv = String::from_utf8(csv).unwrap();
        let mut lines = csv.split("\r\n");
        assert!(lines.next().unwrap().starts_with("id,time (UTC),actor"));
        let ids: Vec<i64> = lines
            .filter(|line| !line.is_empty())
            .map(|line| line.split(',').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(
            ids, recorded,
            "{}: every entry, oldest first, once",
            db.name
        );
        assert!(csv.contains("search, number 10"), "fields quoted as before");

        // The export's own record counts what it wrote (and is not in it).
        let own = audit_entry::Entity::find()
            .filter(audit_entry::Column::Action.eq("audit_exported"))
            .one(&site.db)
            .await
            .unwrap()
            .unwrap();
        assert!(!ids.contains(&own.id));
        let details: serde_json::Value = serde_json::from_str(&own.details).unwrap();
        assert_eq!(details["entries"], recorded.len() as u64);
    }
}

// ---------------------------------------------------------------- item 4

/// A scripted IMAP server on localhost, for one connection: any LOGIN works;
/// INBOX holds one message, UID 1, whose size the server states as
/// `stated_size`; its body is `body_response` (a FETCH response up to the
/// tagged OK), which may announce more than it sends.
async fn fake_imap_server(stated_size: u64, body_response: Vec<u8>) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let (read, mut write) = socket.into_split();
        let mut lines = tokio::io::BufReader::new(read).lines();
        write
            .write_all(b"* OK [CAPABILITY IMAP4rev1] fake server ready\r\n")
            .await
            .unwrap();
        while let Ok(Some(line)) = lines.next_line().await {
            let (tag, rest) = line.split_once(' ').unwrap_or((&line, ""));
            let upper = rest.to_ascii_uppercase();
            let command = upper.split(' ').next().unwrap_or("");
            let mut reply: Vec<u8> = Vec::new();
            match command {
                "LOGIN" | "NOOP" => {}
                "CAPABILITY" => reply.extend_from_slice(b"* CAPABILITY IMAP4rev1\r\n"),
                "LSUB" => reply.extend_from_slice(b"* LSUB () \"/\" INBOX\r\n"),
                "LIST" => reply.extend_from_slice(b"* LIST () \"/\" INBOX\r\n"),
                "SELECT" | "EXAMINE" => reply.extend_from_slice(
                    b"* 1 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 2] ok\r\n",
                ),
                "UID" if upper.contains("BODY") => reply.extend_from_slice(&body_response),
                "UID" if upper.contains("SEARCH") => reply.extend_from_slice(b"* SEARCH 1\r\n"),
                "UID" => reply.extend_from_slice(
                    format!(
                        "* 1 FETCH (UID 1 INTERNALDATE \"01-Jan-2024 00:00:00 +0000\" RFC822.SIZE {stated_size})\r\n"
                    )
                    .as_bytes(),
                ),
                "LOGOUT" => reply.extend_from_slice(b"* BYE bye\r\n"),
                _ => {
                    reply.extend_from_slice(format!("{tag} BAD not here\r\n").as_bytes());
                    let _ = write.write_all(&reply).await;
                    continue;
                }
            }
            reply.extend_from_slice(format!("{tag} OK done\r\n").as_bytes());
            if write.write_all(&reply).await.is_err() || command == "LOGOUT" {
                break;
            }
        }
    });
    port
}

fn fake_endpoint(port: u16) -> Endpoint {
    Endpoint {
        destinations: tresor::connect::Destinations::Any,
        host: "127.0.0.1".into(),
        port,
        security: Security::Plain,
        tls: TlsOptions::default(),
        timeout: Duration::from_secs(20),
    }
}

/// A FETCH response announcing a body of `announced` bytes, of which it
/// sends only a few (a server that would make Tresor wait and allocate).
fn announcing(announced: u64) -> Vec<u8> {
    let mut response = format!("* 1 FETCH (UID 1 BODY[] {{{announced}}}\r\n").into_bytes();
    response.extend_from_slice(b"Subject: big\r\n");
    response
}

async fn fetch_body(session: &mut imap::Session) -> Result<Vec<u8>, String> {
    let fetched = tokio::time::timeout(Duration::from_secs(30), async {
        session
            .uid_fetch("1", "(UID BODY.PEEK[])")
            .await?
            .try_collect::<Vec<_>>()
            .await
    })
    .await
    .map_err(|_| "still waiting for the announced bytes".to_string())?
    .map_err(|error| error.to_string())?;
    Ok(fetched[0].body().unwrap_or_default().to_vec())
}

#[tokio::test]
async fn a_body_over_the_maximum_message_size_is_refused_before_it_is_buffered() {
    // More than the default limit, which holds before a mailbox sets any.
    let announced = tresor::mailbox::DEFAULT_MAX_MESSAGE_BYTES + 1;
    let port = fake_imap_server(100, announcing(announced)).await;
    let credentials = Credentials::Login {
        user: "u".into(),
        password: "p".into(),
    };
    let mut connection = imap::open(&fake_endpoint(port), &credentials)
        .await
        .unwrap();
    connection.session.select("INBOX").await.unwrap();
    let error = fetch_body(&mut connection.session)
        .await
        .expect_err("the announcement is refused");
    assert!(error.contains("maximum message size"), "{error}");
    assert!(error.contains(&announced.to_string()), "{error}");
}

#[tokio::test]
async fn message_text_shaped_like_a_literal_passes_and_the_limit_follows_the_mailbox() {
    let body = b"Subject: braces\r\n\r\nThis line ends like a literal {999999999999}\r\nand \"this\" {5}\r\n";
    let mut response = format!(
        "* 1 FETCH (UID 1 FLAGS (\\Seen) BODY[] {{{}}}\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(body);
    response.extend_from_slice(b")\r\n");
    let port = fake_imap_server(body.len() as u64, response).await;
    let credentials = Credentials::Login {
        user: "u".into(),
        password: "p".into(),
    };
    let mut connection = imap::open(&fake_endpoint(port), &credentials)
        .await
        .unwrap();
    connection.session.select("INBOX").await.unwrap();
    imap::limit_literals(&connection.session, body.len() as u64);
    assert_eq!(fetch_body(&mut connection.session).await.unwrap(), body);
    imap::limit_literals(&connection.session, body.len() as u64 - 1);
    let error = fetch_body(&mut connection.session).await.unwrap_err();
    assert!(error.contains("maximum message size"), "{error}");
}

#[tokio::test]
async fn without_a_limit_of_its_own_a_mailbox_skips_and_lists_what_is_over_the_default() {
    let over = tresor::mailbox::DEFAULT_MAX_MESSAGE_BYTES + 1;
    // Were the body asked for, the server would announce it and stall.
    let port = fake_imap_server(over, announcing(over)).await;
    let db = crate::support::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(BlobStore::open(dir.path().join("blobs")).unwrap());
    let secrets = Arc::new(SecretBox::load(dir.path(), None).unwrap());
    let mailboxes = Arc::new(Mailboxes::new(db.connection.clone(), secrets));
    let profile = MailboxInput {
        port,
        security: app::model::mailbox::Security::Plain,
        auth_method: app::model::mailbox::AuthMethod::Login,
        ..MailboxInput::new("hostile", "127.0.0.1", "u")
    };
    assert_eq!(profile.max_message_size, None, "no limit of its own");
    mailboxes
        .create(
            tresor::mailbox::Editor::Admin,
            None,
            &profile,
            Some(&Secret::new("p")),
        )
        .await
        .unwrap();
    let engine = tresor::engine::Engine::new(db.connection.clone(), store, mailboxes);
    let log = tokio::time::timeout(Duration::from_secs(60), engine.archive("hostile"))
        .await
        .expect("the run does not wait for the body")
        .unwrap();
    assert_eq!(log.archived, 0, "{log:?}");
    assert_eq!(log.skipped, 1, "{log:?}");
    let skip = &log.folders[0].skips[0];
    assert_eq!(skip.uid, 1);
    assert!(
        skip.reason
            .contains(&tresor::mailbox::DEFAULT_MAX_MESSAGE_BYTES.to_string()),
        "{skip:?}"
    );
}

// ---------------------------------------------------------------- item 5

#[tokio::test]
async fn mailbox_names_are_unique_per_owner_not_per_installation() {
    for db in databases().await {
        let site = Site::new(&db).await;
        site.state
            .accounts
            .create_user("other@example.com", "Other", Role::User, "other-password")
            .await
            .unwrap();
        let user = site.sign_in("user%40example.com", "user-password").await;
        let other = site.sign_in("other%40example.com", "other-password").await;
        let admin = site.sign_in("root%40example.com", "root-password").await;
        let save = |form: String, cookie: String| {
            let site = &site;
            async move { site.call("/api/mailboxes/save", &form, Some(&cookie)).await }
        };
        let mine = valid_mailbox_form("Inbox archive", &[]);
        let shared = valid_mailbox_form("Inbox archive", &[("shared", "on")]);
        for (form, cookie) in [(&mine, &user), (&mine, &other), (&shared, &admin)] {
            let (status, body, _) = save(form.clone(), cookie.clone()).await;
            assert_eq!(status, 200, "{}: {body}", db.name);
        }
        // Within one owner (and among shared mailboxes) a name stays unique.
        for (form, cookie) in [(&mine, &other), (&shared, &admin)] {
            let (status, body, _) = save(form.clone(), cookie.clone()).await;
            assert_eq!(status, 422, "{}: {body}", db.name);
            assert_eq!(error_field(&body), "name");
            assert!(body.contains("exists already"), "{body}");
        }

        // The command line names one by its owner when the name is shared.
        match site.mailboxes.by_name("Inbox archive").await {
            Err(MailboxError::Ambiguous { candidates, .. }) => assert_eq!(
                candidates,
                [
                    "user@example.com/Inbox archive",
                    "other@example.com/Inbox archive",
                    "shared/Inbox archive"
                ]
            ),
            other => panic!("{}: expected ambiguity, got {other:?}", db.name),
        }
        let others = site
            .mailboxes
            .by_name("Other@Example.com/Inbox archive")
            .await
            .unwrap();
        assert_ne!(others.owner_id, Some(site.user_id));
        assert!(others.owner_id.is_some());
        let shared_row = site
            .mailboxes
            .by_name("shared/Inbox archive")
            .await
            .unwrap();
        assert_eq!(shared_row.owner_id, None);
        assert!(matches!(
            site.mailboxes
                .by_name("nobody@example.com/Inbox archive")
                .await,
            Err(MailboxError::NotFound(_))
        ));
        // Moving a mailbox to an owner who has the name already is refused.
        assert!(matches!(
            site.mailboxes
                .set_sharing(shared_row.id, Some(site.user_id), &Default::default())
                .await,
            Err(MailboxError::NameTaken(_))
        ));
    }
}

#[test]
fn the_command_line_asks_which_owner_when_a_name_is_ambiguous() {
    let dir = tempfile::tempdir().unwrap();
    for owner in ["ann@example.com", "bob@example.com"] {
        let added = tresor(
            dir.path(),
            &["user", "add", "--email", owner, "--password-stdin"],
            Some("a-long-enough-password\n"),
        );
        assert!(added.status.success(), "{}", stderr(&added));
        let added = tresor(
            dir.path(),
            &[
                "mailbox",
                "add",
                "--owner",
                owner,
                "--name",
                "Inbox archive",
                "--host",
                "imap.example.com",
                "--username",
                owner,
                "--password-stdin",
            ],
            Some("imap-password\n"),
        );
        assert!(added.status.success(), "{owner}: {}", stderr(&added));
    }
    // An export opens the search index (here: an empty one).
    let reindexed = tresor(dir.path(), &["reindex"], None);
    assert!(reindexed.status.success(), "{}", stderr(&reindexed));
    let out = dir.path().join("export.mbox");
    let out = out.to_str().unwrap();
    let ambiguous = tresor(
        dir.path(),
        &[
            "export",
            "--mailbox",
            "Inbox archive",
            "--format",
            "mbox",
            "--out",
            out,
        ],
        None,
    );
    assert!(!ambiguous.status.success());
    let message = stderr(&ambiguous);
    assert!(message.contains("OWNER-EMAIL/NAME"), "{message}");
    assert!(
        message.contains("bob@example.com/Inbox archive"),
        "{message}"
    );
    let named = tresor(
        dir.path(),
        &[
            "export",
            "--mailbox",
            "bob@example.com/Inbox archive",
            "--format",
            "mbox",
            "--out",
            out,
        ],
        None,
    );
    assert!(named.status.success(), "{}", stderr(&named));
}

/// The migration keeps every mailbox, its id, what refers to it and the
/// id sequence, on a database that has mailboxes already.
#[tokio::test]
async fn the_migration_keeps_existing_mailboxes() {
    use migrations::{Migrator, MigratorTrait};
    use tresor::db::entity::{mailbox, mailbox_grant};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
    let mut urls = vec![url];
    if let Some(postgres) = unmigrated_postgres().await {
        urls.push(postgres);
    }
    for url in urls {
        let connection = tresor::db::connect(&url).await.unwrap();
        // The schema before mailbox names were per owner.
        let before = Migrator::migrations()
            .iter()
            .position(|migration| migration.name() == "m20261124_000015_mailbox_names_per_owner")
            .unwrap();
        Migrator::up(&connection, Some(before as u32))
            .await
            .unwrap();
        let accounts = tresor::auth::Accounts::new(connection.clone(), Duration::from_secs(60));
        let ann = accounts
            .create_user("ann@example.com", "Ann", Role::User, "ann-password-1")
            .await
            .unwrap();
        let secrets = Arc::new(SecretBox::load(dir.path(), None).unwrap());
        let mailboxes = Mailboxes::new(connection.clone(), secrets);
        let mut ids = Vec::new();
        for name in ["one", "two", "three"] {
            let row = mailboxes
                .create(
                    tresor::mailbox::Editor::Admin,
                    Some(ann.id),
                    &MailboxInput::new(name, "imap.example.com", "ann"),
                    Some(&Secret::new("pw")),
                )
                .await
                .unwrap();
            ids.push(row.id);
        }
        mailboxes
            .set_sharing(ids[1], Some(ann.id), &[ann.id].into())
            .await
            .unwrap();

        tresor::db::migrate(&connection).await.unwrap();
        let rows = mailbox::Entity::find()
            .order_by_asc(mailbox::Column::Id)
            .all(&connection)
            .await
            .unwrap();
        let kept: Vec<(i64, String)> = rows.iter().map(|row| (row.id, row.name.clone())).collect();
        assert_eq!(
            kept,
            [
                (ids[0], "one".to_string()),
                (ids[1], "two".to_string()),
                (ids[2], "three".to_string())
            ],
            "{url}"
        );
        let grants = mailbox_grant::Entity::find()
            .all(&connection)
            .await
            .unwrap();
        assert_eq!(grants.len(), 1);
        assert_eq!(grants[0].mailbox_id, ids[1]);
        // New ids continue after the old ones; names repeat across owners only.
        let next = mailboxes
            .create(
                tresor::mailbox::Editor::Admin,
                None,
                &MailboxInput::new("one", "imap.example.com", "x"),
                Some(&Secret::new("pw")),
            )
            .await
            .unwrap();
        assert!(next.id > ids[2], "{url}");
        assert!(matches!(
            mailboxes
                .create(
                    tresor::mailbox::Editor::Admin,
                    Some(ann.id),
                    &MailboxInput::new("one", "imap.example.com", "x"),
                    Some(&Secret::new("pw"))
                )
                .await,
            Err(MailboxError::NameTaken(_))
        ));
    }
}

/// A new, empty database on the test PostgreSQL server, not migrated.
async fn unmigrated_postgres() -> Option<String> {
    use sea_orm::ConnectionTrait;
    let base_url = std::env::var("TRESOR_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())?;
    let name = format!("tresor_it_unmigrated_{}", rand::random::<u32>());
    let admin = tresor::db::connect(&base_url).await.unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .unwrap();
    let (server, _) = base_url.rsplit_once('/').unwrap();
    Some(format!("{server}/{name}"))
}
