//! The HTTP edge: the axum router with Leptos pages and server functions,
//! static files, `/healthz`, security headers, body limits, cross-site
//! refusals, and graceful shutdown. Only this module and `app` know HTTP.

mod archive;
mod backend;
pub mod body_limit;
mod client;
mod cross_site;
mod dashboard;
mod health;
mod notifications;
mod oauth;
mod retention;

use crate::auth::Accounts;
use crate::config::Config;
use crate::mailbox::Mailboxes;
use crate::scheduler::Scheduler;
use crate::viewer::Viewer;
use app::api::Backend;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use sea_orm::DatabaseConnection;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower_http::set_header::SetResponseHeaderLayer;

/// Everything a request may need, shared by all requests.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: DatabaseConnection,
    pub accounts: Arc<Accounts>,
    pub mailboxes: Arc<Mailboxes>,
    /// The one access rule, over `mailboxes`.
    pub access: crate::access::Access,
    /// Runs jobs; the web asks it for manual runs and live progress.
    pub scheduler: Arc<Scheduler>,
    /// Search, read, export and restore archived mail.
    pub viewer: Arc<Viewer>,
    /// Who did what: sign-ins, changes, views, downloads, exports, restores.
    pub audit: crate::audit::AuditLog,
    /// Mails (password resets); `None` until `with_notifier`.
    pub notifier: Option<Arc<crate::notify::Notifier>>,
    /// Sign-ins with a code started in the browser, polled by this process.
    pub device_sign_ins: Arc<oauth::DeviceSignIns>,
}

impl AppState {
    pub fn new(
        config: Config,
        db: DatabaseConnection,
        mailboxes: Arc<Mailboxes>,
        scheduler: Arc<Scheduler>,
        viewer: Arc<Viewer>,
    ) -> Self {
        let session_lifetime = Duration::from_secs(config.session_hours.max(1) * 3600);
        AppState {
            accounts: Arc::new(Accounts::new(db.clone(), session_lifetime)),
            audit: crate::audit::AuditLog::new(db.clone()),
            notifier: None,
            device_sign_ins: Arc::default(),
            config: Arc::new(config),
            db,
            access: crate::access::Access::new(mailboxes.clone()),
            mailboxes,
            scheduler,
            viewer,
        }
    }
}

impl AppState {
    /// The state, able to send mail.
    pub fn with_notifier(mut self, notifier: Arc<crate::notify::Notifier>) -> AppState {
        self.notifier = Some(notifier);
        self
    }
}

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("tresor")
        .site_root(config.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.listen)
        .env(Env::PROD)
        .build()
}

/// The app's routes, listed once per process. Listing them renders the app
/// with resource loading switched off *process-wide* (a global flag in
/// `leptos_server`), so a page rendered on another thread at that moment
/// would wait forever for its data (leptos-rs/leptos#4773). Listing once,
/// before the first router exists, means no page can be rendering then —
/// which matters for the tests, where many routers are built in parallel.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

pub fn router(state: AppState) -> Router {
    let options = leptos_options(&state.config);
    let routes = route_list();
    let backend: Arc<dyn Backend> = Arc::new(backend::WebBackend::new(state.clone()));
    let shell_options = options.clone();
    let trusted_proxies = Arc::new(state.config.trusted_proxies.clone());

    Router::new()
        .route("/healthz", get(health::healthz).with_state(state.clone()))
        .merge(archive::routes(state.clone()))
        .merge(oauth::routes(state.clone()))
        .leptos_routes_with_context(
            &options,
            routes,
            move || provide_context(backend.clone()),
            move || app::shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler(app::shell))
        .with_state(options)
        // `body_limit` has read the body within its route's limit already;
        // axum's own default (2 MB, answered 500) would only get in the way.
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn(body_limit::limit_request_body))
        // Outside the body limit: another site's request is refused before
        // its body is read.
        .layer(axum::middleware::from_fn_with_state(
            state,
            cross_site::refuse_cross_site_changes,
        ))
        .layer(set_header("x-content-type-options", "nosniff"))
        .layer(set_header("x-frame-options", "DENY"))
        .layer(set_header("referrer-policy", "same-origin"))
        .layer(axum::middleware::from_fn_with_state(
            trusted_proxies,
            client::remember_client_address,
        ))
}

/// Where Leptos serves the server functions (`#[server(prefix = "/api")]`).
const SERVER_FUNCTION_PREFIX: &str = "/api/";

fn is_server_function(path: &str) -> bool {
    path.starts_with(SERVER_FUNCTION_PREFIX)
}

/// A refusal from the edge, before any handler ran: a server function's
/// caller gets it as the `ApiError` JSON the app reads (shown as the
/// message), anyone else as plain text.
fn refuse(path: &str, status: StatusCode, message: &str) -> Response {
    if is_server_function(path) {
        let error = app::error::ApiError::Conflict(message.to_string());
        let body = serde_json::to_string(&error).expect("an ApiError serializes");
        (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    } else {
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            message.to_string(),
        )
            .into_response()
    }
}

fn set_header(name: &'static str, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        HeaderName::from_static(name),
        HeaderValue::from_static(value),
    )
}

/// Serves until `shutdown` completes, then lets running requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing running requests");
}
