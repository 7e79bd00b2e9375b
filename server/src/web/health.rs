//! `GET /healthz`: whether Tresor can serve, for load balancers and
//! monitoring. Anyone gets `ok` (200) or `down` (503) and nothing else: the
//! version and the database's error text would tell a stranger what to
//! attack. A signed-in administrator gets the details as JSON.

use super::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub async fn healthz(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let database = crate::db::ping(&state.db).await;
    let status = if database.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    if !is_admin(&state, &headers).await {
        let word = if database.is_ok() { "ok" } else { "down" };
        return (
            status,
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            word,
        )
            .into_response();
    }
    let database = match database {
        Ok(()) => {
            json!({ "status": "ok", "backend": format!("{:?}", state.db.get_database_backend()).to_lowercase() })
        }
        Err(error) => json!({ "status": "error", "error": error.to_string() }),
    };
    let body = json!({
        "status": if status == StatusCode::OK { "ok" } else { "degraded" },
        "version": env!("CARGO_PKG_VERSION"),
        "database": database,
    });
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

/// Whether the request's session is an administrator's. Without a cookie
/// the database is not asked; with one it may fail to answer (that is what
/// is being checked), which counts as anonymous.
async fn is_admin(state: &AppState, headers: &HeaderMap) -> bool {
    if !headers.contains_key(header::COOKIE) {
        return false;
    }
    super::caller::session_caller(state, headers)
        .await
        .is_ok_and(|caller| caller.is_admin())
}
