//! The HTTP edge: the axum router with Leptos pages and server functions,
//! static files, `/healthz`, security headers, body limits, cross-site
//! refusals, and graceful shutdown. Only this module and `app` know HTTP.
//!
//! In three layers, each using only those below it (no module uses one of
//! its own layer, so there is no import cycle):
//! - the router (this file), the middleware (`body_limit`, `client`,
//!   `cross_site`, `health`) and the browser app's files (`assets`);
//! - one module per area, as `app::api` has them (`auth`, `users`,
//!   `mailboxes`, `templates`, `batch`, `archive`, `oauth`, `retention`,
//!   `notifications`, `dashboard`): each implements its part of the port
//!   (`WebBackend`, in `backend`) over the services, and `archive` and
//!   `oauth` also their plain routes; `upload` takes mail files for import;
//! - what they share: `state` (`AppState`), `error` (every service error as
//!   an `ApiError`), `caller` (who asks, what `crate::access` lets them
//!   touch, their audit entries), `refusal` (answers outside a handler).

mod archive;
mod assets;
mod auth;
mod backend;
mod batch;
pub mod body_limit;
mod caller;
mod client;
mod cross_site;
mod dashboard;
mod error;
mod health;
mod language;
mod mailboxes;
mod notifications;
mod oauth;
mod password_mail;
mod refusal;
mod retention;
mod state;
mod templates;
mod upload;
mod users;

pub use state::{AppState, DeviceSignIns};

use crate::config::Config;
use app::api::Backend;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue};
use axum::routing::{get, post};
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("tresor")
        .site_root(config.site_root.display().to_string())
        .site_pkg_dir(assets::PKG_DIR)
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
        .nest_service(
            &format!("/{}", assets::PKG_DIR),
            assets::pkg_files(&state.config.site_root),
        )
        .merge(archive::routes(state.clone()))
        .merge(oauth::routes(state.clone()))
        .merge(upload::routes(state.clone()))
        .route(
            "/language",
            post(language::switch).with_state(state.clone()),
        )
        .leptos_routes_with_context(
            &options,
            routes,
            move || {
                provide_context(backend.clone());
                // Who the page is for, resolved by `rendered_for` below.
                // And the language it is in, decided by `language::negotiate`.
                if let Some(parts) = use_context::<axum::http::request::Parts>() {
                    if let Some(user) = parts.extensions.get::<app::RenderedFor>() {
                        provide_context(user.clone());
                    }
                    if let Some(lang) = parts.extensions.get::<app::i18n::Lang>() {
                        provide_context(*lang);
                    }
                }
            },
            move || app::shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler(app::shell))
        .with_state(options)
        // Inside `rendered_for`: needs to know who the page is for.
        .layer(axum::middleware::from_fn(language::follow_person))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            caller::rendered_for,
        ))
        .layer(axum::middleware::from_fn(language::negotiate))
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
