//! The web harness the HTTP tests share: a `Site` is the axum router over a
//! fresh database (an admin root@example.com and a user user@example.com),
//! driven in-process the way the browser calls it, plus the editor's form helpers.

use crate::support::TestDb;
use app::model::Role;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;
use tresor::config::Config;
use tresor::connect::ConnectionPolicy;
use tresor::web::{AppState, router};

pub(crate) struct Site {
    pub(crate) router: Router,
    /// What `router` was built from, to build more routers.
    pub(crate) state: AppState,
    pub(crate) mailboxes: std::sync::Arc<tresor::mailbox::Mailboxes>,
    pub(crate) db: sea_orm::DatabaseConnection,
    /// Ids of root@example.com (admin) and user@example.com.
    pub(crate) root_id: i64,
    pub(crate) user_id: i64,
    pub(crate) store: std::sync::Arc<tresor::store::BlobStore>,
    pub(crate) indexer: std::sync::Arc<tresor::index::Indexer>,
    pub(crate) _store_dir: tempfile::TempDir,
}

impl Site {
    /// Users' mailboxes reach any address here: the test bed's servers all
    /// listen on loopback, which the production default refuses them.
    pub(crate) async fn new(db: &TestDb) -> Site {
        Site::build(db, ConnectionPolicy::allow_private(), &[]).await
    }

    /// A site whose users' mailboxes connect where `policy` lets them.
    pub(crate) async fn with_connection_policy(db: &TestDb, policy: ConnectionPolicy) -> Site {
        Site::build(db, policy, &[]).await
    }

    /// A site whose configuration allows `graph_roots` (a test bed's Graph) too.
    pub(crate) async fn allowing_graph_roots(db: &TestDb, graph_roots: &[String]) -> Site {
        Site::build(db, ConnectionPolicy::allow_private(), graph_roots).await
    }

    async fn build(db: &TestDb, policy: ConnectionPolicy, graph_roots: &[String]) -> Site {
        let config = Config {
            database_url: Some(db.url.clone()),
            graph_roots: graph_roots.to_vec(),
            ..Config::default()
        };
        // A key as `TRESOR_MASTER_KEY` would give it: no key file written.
        let key = format!("{}=", "A".repeat(43));
        let secrets = tresor::secrets::SecretBox::load(&std::env::temp_dir(), Some(&key))
            .expect("a master key from the environment");
        let mailboxes = std::sync::Arc::new(
            tresor::mailbox::Mailboxes::new(db.connection.clone(), std::sync::Arc::new(secrets))
                .with_connection_policy(policy)
                .with_graph_roots(tresor::mailbox::GraphRoots::new(&config.graph_roots).unwrap()),
        );
        // A scheduler that is never started: manual runs queue, nothing runs.
        let dir = tempfile::tempdir().unwrap();
        let store =
            std::sync::Arc::new(tresor::store::BlobStore::open(dir.path().join("blobs")).unwrap());
        let engine = std::sync::Arc::new(tresor::engine::Engine::new(
            db.connection.clone(),
            store.clone(),
            mailboxes.clone(),
        ));
        let scheduler = tresor::scheduler::Scheduler::new(db.connection.clone(), engine, 2);
        let indexer = std::sync::Arc::new(
            tresor::index::Indexer::open(dir.path(), db.connection.clone(), store.clone())
                .await
                .unwrap(),
        );
        let viewer = std::sync::Arc::new(tresor::viewer::Viewer::new(
            db.connection.clone(),
            store.clone(),
            mailboxes.clone(),
            indexer.index(),
        ));
        let state = AppState::new(
            config,
            db.connection.clone(),
            mailboxes.clone(),
            scheduler,
            viewer,
        );
        let root = state
            .accounts
            .create_user("root@example.com", "Root", Role::Admin, "root-password")
            .await
            .unwrap();
        let user = state
            .accounts
            .create_user("user@example.com", "User", Role::User, "user-password")
            .await
            .unwrap();
        Site {
            router: router(state.clone()),
            state,
            mailboxes,
            db: db.connection.clone(),
            root_id: root.id,
            user_id: user.id,
            store,
            indexer,
            _store_dir: dir,
        }
    }

    /// A site able to send mail, and its notifier (no SMTP server set yet).
    pub(crate) async fn with_mail(db: &TestDb) -> (Site, std::sync::Arc<tresor::notify::Notifier>) {
        let key = format!("{}=", "A".repeat(43));
        let notifier = std::sync::Arc::new(tresor::notify::Notifier::new(
            db.connection.clone(),
            std::sync::Arc::new(
                tresor::secrets::SecretBox::load(&std::env::temp_dir(), Some(&key)).unwrap(),
            ),
            std::sync::Arc::new(tresor::notify::SystemClock),
            None,
        ));
        let site = Site::new(db)
            .await
            .with_state(|state| state.with_notifier(notifier.clone()));
        (site, notifier)
    }

    /// The same site, its state changed by `change` (e.g. able to send mail).
    pub(crate) fn with_state(mut self, change: impl FnOnce(AppState) -> AppState) -> Site {
        self.state = change(self.state);
        self.router = router(self.state.clone());
        self
    }

    /// A mailbox of `owner_id` with a stored password.
    pub(crate) async fn add_mailbox(
        &self,
        owner_id: i64,
        input: &app::model::mailbox::MailboxInput,
    ) -> tresor::mailbox::MailboxRow {
        self.mailboxes
            .create(
                tresor::mailbox::Editor::Admin,
                Some(owner_id),
                input,
                Some(&tresor::secrets::Secret::new("pw")),
            )
            .await
            .unwrap()
    }

    /// A finished run of `mailbox_id` as the engine records it: status,
    /// times and error from `log`, the log as JSON.
    pub(crate) async fn add_job(&self, mailbox_id: i64, log: &tresor::engine::JobLog) {
        use sea_orm::{ActiveModelTrait, Set};
        tresor::db::entity::job::ActiveModel {
            mailbox_id: Set(mailbox_id),
            status: Set(log.status.as_str().into()),
            started_at: Set(log.started_at),
            finished_at: Set(log.finished_at),
            error: Set(log.error.clone()),
            log: Set(serde_json::to_string(log).unwrap()),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .unwrap();
    }

    pub(crate) async fn send(&self, request: Request<Body>) -> Response<Body> {
        self.router.clone().oneshot(request).await.unwrap()
    }

    /// Calls a server function the way the browser's WASM does (form-encoded POST).
    pub(crate) async fn call(
        &self,
        path: &str,
        form: &str,
        cookie: Option<&str>,
    ) -> (StatusCode, String, Option<String>) {
        self.call_with_headers(path, form, cookie, &[]).await
    }

    /// The same, with `headers` besides (e.g. `Sec-Fetch-Site`, `Origin`).
    pub(crate) async fn call_with_headers(
        &self,
        path: &str,
        form: &str,
        cookie: Option<&str>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, String, Option<String>) {
        let mut request =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = self
            .send(request.body(Body::from(form.to_string())).unwrap())
            .await;
        let status = response.status();
        let set_cookie = response
            .headers()
            .get(header::SET_COOKIE)
            .map(|value| value.to_str().unwrap().to_string());
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            String::from_utf8_lossy(&body).into_owned(),
            set_cookie,
        )
    }

    /// Signs in and returns the `name=value` part of the session cookie.
    pub(crate) async fn sign_in(&self, email: &str, password: &str) -> String {
        let (status, body, set_cookie) = self
            .call(
                "/api/auth/sign_in",
                &format!("email={email}&password={password}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let set_cookie = set_cookie.expect("sign-in sets a cookie");
        set_cookie.split(';').next().unwrap().to_string()
    }
}

/// `valid` with `changes` applied (a field given twice takes the change).
pub(crate) fn changed_form(valid: &[(&str, &str)], changes: &[(&str, &str)]) -> String {
    let mut fields: Vec<(&str, &str)> = valid
        .iter()
        .filter(|(name, _)| !changes.iter().any(|(changed, _)| changed == name))
        .copied()
        .collect();
    fields.extend_from_slice(changes);
    editor_form(&fields)
}

/// The editor's form as the browser posts it: `form[field]=value`, encoded.
pub(crate) fn editor_form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(field, value)| {
            let value: String = value
                .bytes()
                .map(|byte| match byte {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                        (byte as char).to_string()
                    }
                    _ => format!("%{byte:02X}"),
                })
                .collect();
            format!("form%5B{field}%5D={value}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A complete, valid editor form for a mailbox on imap.example.com.
pub(crate) fn valid_mailbox_form<'a>(name: &'a str, changes: &[(&'a str, &'a str)]) -> String {
    let valid: Vec<(&str, &str)> = vec![
        ("id", ""),
        ("name", name),
        ("host", "imap.example.com"),
        ("port", "993"),
        ("security", "tls"),
        ("auth_method", "plain"),
        ("username", "someone"),
        ("secret", "imap-pw"),
        ("folder_rules", ""),
        ("action", "none"),
        ("success_folder", "Archived"),
        ("duplicate_folder", "Duplicates"),
        ("error_folder", "Archive errors"),
        ("success_tag", "$Archived"),
        ("duplicate_tag", "$ArchivedDuplicate"),
        ("duplicate_policy", "drop"),
        ("duplicate_match", "content"),
        ("labels", ""),
        ("schedule", ""),
        ("max_connections", "2"),
    ];
    changed_form(&valid, changes)
}

pub(crate) fn error_field(body: &str) -> String {
    match serde_json::from_str::<app::error::ApiError>(body) {
        Ok(app::error::ApiError::Invalid { field, .. }) => field,
        other => panic!("expected a field error, got {other:?} from {body}"),
    }
}

impl Site {
    /// Imports `messages` (name, raw bytes) into a new mailbox `name` of
    /// `owner_id` through the engine, indexes them, and returns the
    /// archive's message ids by file name.
    pub(crate) async fn archive_for(
        &self,
        owner_id: i64,
        name: &str,
        messages: &[(&str, &[u8])],
    ) -> std::collections::HashMap<String, i64> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let dir = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for (file, raw) in messages {
            let path = dir.path().join(format!("{file}.eml"));
            std::fs::write(&path, raw).unwrap();
            paths.push(path);
        }
        let importer = tresor::import::Importer::new(
            self.db.clone(),
            self.store.clone(),
            self.mailboxes.clone(),
        );
        let log = importer.import(Some(owner_id), name, &paths).await.unwrap();
        assert_eq!(log.archived as usize, messages.len(), "{log:?}");
        self.indexer.drain(|_| {}).await.unwrap();
        let mut ids = std::collections::HashMap::new();
        for (file, raw) in messages {
            let sha256 = tresor::store::Digest::of(raw).to_string();
            let row = tresor::db::entity::message::Entity::find()
                .filter(tresor::db::entity::message::Column::Sha256.eq(sha256))
                .one(&self.db)
                .await
                .unwrap()
                .unwrap();
            ids.insert(file.to_string(), row.id);
        }
        ids
    }

    pub(crate) async fn get(
        &self,
        path: &str,
        cookie: Option<&str>,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let mut request = Request::get(path).header(header::ACCEPT, "text/html");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let response = self.send(request.body(Body::empty()).unwrap()).await;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        (status, headers, body)
    }

    pub(crate) async fn search(
        &self,
        query: &str,
        cookie: &str,
    ) -> app::model::archive::SearchPage {
        let form = format!(
            "input[query]={}&input[sort]=oldest&input[offset]=0&input[limit]=50",
            urlencode(query)
        );
        let (status, body, _) = self.call("/api/archive/search", &form, Some(cookie)).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        serde_json::from_str(&body).unwrap()
    }
}

pub(crate) fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

/// Mails in the SMTP sink addressed to `to`: (subject, envelope).
pub(crate) fn sink_mails(dir: &str, to: &str) -> Vec<(String, serde_json::Value)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|extension| extension != "json") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(envelope) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue; // being written
        };
        if !envelope["rcpt"]
            .as_array()
            .is_some_and(|rcpt| rcpt.iter().any(|address| address == to))
        {
            continue;
        }
        let raw = std::fs::read(path.with_extension("eml")).unwrap();
        let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
        found.push((message.subject().unwrap_or_default().to_string(), envelope));
    }
    found
}
