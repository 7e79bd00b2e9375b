//! A `Site` is the axum router over a fresh database (an admin
//! root@example.com and a user user@example.com), driven in-process the
//! way the browser calls it: server functions, pages and byte routes.

use super::databases::TestDb;
use super::forms::{sign_in_form, struct_form};
use super::services::Services;
use app::model::Role;
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tower::ServiceExt;
use tresor::config::Config;
use tresor::connect::ConnectionPolicy;
use tresor::web::{AppState, router};

pub(crate) struct Site {
    pub(crate) router: Router,
    /// What `router` was built from, to build more routers.
    pub(crate) state: AppState,
    pub(crate) services: Services,
    /// Ids of root@example.com (admin) and user@example.com.
    pub(crate) root_id: i64,
    pub(crate) user_id: i64,
}

/// A server function's answer: status, body, and the `Set-Cookie` header.
pub(crate) type Answer = (StatusCode, String, Option<String>);

impl Site {
    /// Users' mailboxes reach any address here (see `services`).
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
        let services = Services::new(&db.connection, policy, graph_roots).await;
        let config = Config {
            database_url: Some(db.url.clone()),
            graph_roots: graph_roots.to_vec(),
            data_dir: services.data_dir().to_path_buf(),
            ..Config::default()
        };
        // A scheduler that is never started: manual runs queue, nothing runs.
        let scheduler =
            tresor::scheduler::Scheduler::new(db.connection.clone(), services.engine.clone(), 2);
        let state = AppState::new(
            config,
            db.connection.clone(),
            services.mailboxes.clone(),
            scheduler,
            services.viewer.clone(),
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
            services,
            root_id: root.id,
            user_id: user.id,
        }
    }

    /// A site able to send mail, and its notifier (no SMTP server set yet).
    pub(crate) async fn with_mail(db: &TestDb) -> (Site, Arc<tresor::notify::Notifier>) {
        let site = Site::new(db).await;
        let notifier = Arc::new(tresor::notify::Notifier::new(
            db.connection.clone(),
            site.services.secrets.clone(),
            Arc::new(tresor::notify::SystemClock),
            None,
        ));
        let site = site.with_state(|state| state.with_notifier(notifier.clone()));
        (site, notifier)
    }

    /// The same site, its state changed by `change` (e.g. able to send mail).
    /// A site whose instance mails (password-reset links, invitations) go
    /// to a new `MailSink`.
    pub(crate) async fn with_mail_sink(db: &TestDb) -> (Site, super::MailSink) {
        let sink = super::MailSink::start().await;
        let (site, notifier) = Site::with_mail(db).await;
        notifier
            .save_settings(
                None,
                &tresor::notify::SmtpInput {
                    host: "127.0.0.1".into(),
                    port: sink.port,
                    security: tresor::notify::SmtpSecurity::None,
                    username: None,
                    from_address: "archive@tresor.test".into(),
                    from_name: "Tresor".into(),
                    ca_file: None,
                    extra_recipients: Vec::new(),
                    summary_recipients: Vec::new(),
                },
                tresor::notify::PasswordChange::Remove,
            )
            .await
            .unwrap();
        (site, sink)
    }

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
        self.services
            .add_mailbox(Some(owner_id), input, Some("pw"))
            .await
    }

    /// A mailbox `name` of `owner_id` on imap.example.com, logging in as
    /// `username` with a stored password.
    pub(crate) async fn add_imap_mailbox(
        &self,
        owner_id: i64,
        name: &str,
        username: &str,
    ) -> tresor::mailbox::MailboxRow {
        let input = app::model::mailbox::MailboxInput::new(name, "imap.example.com", username);
        self.add_mailbox(owner_id, &input).await
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
        .insert(&self.services.db)
        .await
        .unwrap();
    }

    /// Imports `messages` (name, raw bytes) into a new mailbox `name` of
    /// `owner_id` through the engine, indexes them, and returns the
    /// archive's message ids by file name.
    pub(crate) async fn archive_for(
        &self,
        owner_id: i64,
        name: &str,
        messages: &[(&str, &[u8])],
    ) -> HashMap<String, i64> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let dir = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for (file, raw) in messages {
            let path = dir.path().join(format!("{file}.eml"));
            std::fs::write(&path, raw).unwrap();
            paths.push(path);
        }
        let services = &self.services;
        let importer = tresor::import::Importer::new(
            services.db.clone(),
            services.store.clone(),
            services.mailboxes.clone(),
        );
        let log = importer.import(Some(owner_id), name, &paths).await.unwrap();
        assert_eq!(log.archived as usize, messages.len(), "{log:?}");
        services.indexer.drain(|_| {}).await.unwrap();
        let mut ids = HashMap::new();
        for (file, raw) in messages {
            let sha256 = tresor::store::Digest::of(raw).to_string();
            let row = tresor::db::entity::message::Entity::find()
                .filter(tresor::db::entity::message::Column::Sha256.eq(sha256))
                .one(&services.db)
                .await
                .unwrap()
                .unwrap();
            ids.insert(file.to_string(), row.id);
        }
        ids
    }

    pub(crate) async fn send(&self, request: Request<Body>) -> Response<Body> {
        self.router.clone().oneshot(request).await.unwrap()
    }

    /// Calls a server function the way the browser's WASM does (form-encoded POST).
    pub(crate) async fn call(&self, path: &str, form: &str, cookie: Option<&str>) -> Answer {
        self.call_with_headers(path, form, cookie, &[]).await
    }

    /// The same, with `headers` besides (e.g. `Sec-Fetch-Site`, `Origin`).
    pub(crate) async fn call_with_headers(
        &self,
        path: &str,
        form: &str,
        cookie: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let request = form_request(path, form, cookie, headers);
        answer(self.send(request).await).await
    }

    /// The same, without a cookie, from the socket address `peer` (a
    /// browser, or a reverse proxy saying whom it forwards for in `headers`).
    pub(crate) async fn call_from_peer(
        &self,
        peer: &str,
        path: &str,
        form: &str,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = form_request(path, form, None, headers);
        let peer = SocketAddr::new(peer.parse().unwrap(), 40000);
        request.extensions_mut().insert(ConnectInfo(peer));
        answer(self.send(request).await).await
    }

    /// Signs in and returns the `name=value` part of the session cookie.
    pub(crate) async fn sign_in(&self, email: &str, password: &str) -> String {
        let form = sign_in_form(email, password);
        let (status, body, set_cookie) = self.call("/api/auth/sign_in", &form, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let set_cookie = set_cookie.expect("sign-in sets a cookie");
        set_cookie.split(';').next().unwrap().to_string()
    }

    /// A page as the browser asks for it (`Accept: text/html`).
    pub(crate) async fn get(
        &self,
        path: &str,
        cookie: Option<&str>,
    ) -> (StatusCode, HeaderMap, Vec<u8>) {
        self.get_with_headers(path, cookie, &[("accept", "text/html")])
            .await
    }

    /// A GET with `headers`, and nothing else but the cookie.
    pub(crate) async fn get_with_headers(
        &self,
        path: &str,
        cookie: Option<&str>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, HeaderMap, Vec<u8>) {
        let mut request = Request::get(path);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = self.send(request.body(Body::empty()).unwrap()).await;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, body.to_vec())
    }

    /// The archive's search as `cookie` runs it, oldest first.
    pub(crate) async fn search(
        &self,
        query: &str,
        cookie: &str,
    ) -> app::model::archive::SearchPage {
        let form = struct_form(
            "input",
            &[
                ("query", query),
                ("sort", "oldest"),
                ("offset", "0"),
                ("limit", "50"),
            ],
        );
        let (status, body, _) = self.call("/api/archive/search", &form, Some(cookie)).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    /// Saves a sign-in app from Admin → Sign-in apps as `admin`, its `form`
    /// fields given; the apps as the page then lists them.
    pub(crate) async fn save_sign_in_app(
        &self,
        admin: &str,
        form: &[(&str, &str)],
    ) -> app::model::oauth::SignInAppsView {
        let form = struct_form("form", form);
        let (status, body, _) = self.call("/api/oauth/save_app", &form, Some(admin)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body, _) = self.call("/api/oauth/apps", "", Some(admin)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    /// An XOAUTH2 mailbox of user@example.com signing in through sign-in
    /// app `app_id` (no password: it is signed in, or not yet).
    pub(crate) async fn add_oauth_mailbox(
        &self,
        name: &str,
        host: &str,
        username: &str,
        app_id: i64,
    ) -> tresor::mailbox::MailboxRow {
        let mut input = app::model::mailbox::MailboxInput::new(name, host, username);
        input.auth_method = app::model::mailbox::AuthMethod::XOAuth2;
        input.oauth_app_id = Some(app_id);
        self.services
            .add_mailbox(Some(self.user_id), &input, None)
            .await
    }

    /// Starts the browser sign-in of `mailbox_id` as the mailbox page's button
    /// does: its status, and the provider's address the page sends the browser
    /// on to (`None` when it answers otherwise, e.g. back to the mailbox).
    pub(crate) async fn start_oauth(
        &self,
        mailbox_id: i64,
        cookie: &str,
    ) -> (StatusCode, Option<String>) {
        let (status, body, _) = self
            .call_with_headers(
                &format!("/oauth/start/{mailbox_id}"),
                "",
                Some(cookie),
                &[("sec-fetch-site", "same-origin")],
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
}

/// A form-encoded POST with `cookie` and `headers`.
fn form_request(
    path: &str,
    form: &str,
    cookie: Option<&str>,
    headers: &[(&str, &str)],
) -> Request<Body> {
    let mut request =
        Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::from(form.to_string())).unwrap()
}

async fn answer(response: Response<Body>) -> Answer {
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
