//! `GET /healthz`: 200 with `{"status":"ok",…}` when the database answers, 503 otherwise.

use super::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let database = match crate::db::ping(&state.db).await {
        Ok(()) => {
            json!({ "status": "ok", "backend": format!("{:?}", state.db.get_database_backend()).to_lowercase() })
        }
        Err(error) => json!({ "status": "error", "error": error.to_string() }),
    };
    let healthy = database["status"] == "ok";
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if healthy { "ok" } else { "degraded" },
        "version": env!("CARGO_PKG_VERSION"),
        "database": database,
    });
    (status, Json(body))
}
