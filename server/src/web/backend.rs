//! The server's side of the port `app::api::Backend`. The port is split by
//! area, and so is its implementation: `web::mailboxes` implements
//! `app::api::backend::MailboxesBackend` for `WebBackend`, and so on for
//! every area of `app::api`.

use super::state::AppState;

/// The port's implementation, given to Leptos as context: every server
/// function reaches the services through it.
pub struct WebBackend {
    pub(super) state: AppState,
}

impl WebBackend {
    pub fn new(state: AppState) -> Self {
        WebBackend { state }
    }
}
