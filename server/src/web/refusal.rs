//! How the edge says no outside a server function's typed result: a refusal
//! before any handler ran (`refuse`: body limits, cross-site requests), and
//! a plain route's short answer (`Refusal`: downloads, the OAuth routes).

use super::error::internal;
use crate::viewer::ViewerError;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Where Leptos serves the server functions (`#[server(prefix = "/api")]`).
const SERVER_FUNCTION_PREFIX: &str = "/api/";

pub fn is_server_function(path: &str) -> bool {
    path.starts_with(SERVER_FUNCTION_PREFIX)
}

/// A refusal from the edge, before any handler ran: a server function's
/// caller gets it as the `ApiError` JSON the app reads (shown as the
/// message), anyone else as plain text.
pub fn refuse(path: &str, status: StatusCode, message: &str) -> Response {
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

/// Why a plain route answers with an error, as a status and a short text.
pub struct Refusal(pub StatusCode, pub &'static str);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (
            self.0,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            self.1,
        )
            .into_response()
    }
}

impl From<ViewerError> for Refusal {
    fn from(error: ViewerError) -> Self {
        match error {
            ViewerError::NotFound => Refusal(StatusCode::NOT_FOUND, "Not found."),
            ViewerError::Query(_) => Refusal(StatusCode::BAD_REQUEST, "The search is not valid."),
            other => {
                internal(&other);
                Refusal(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong on the server; the administrator can find details in the log.",
                )
            }
        }
    }
}
