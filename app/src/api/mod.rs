//! Server functions, one per file, grouped by area. Each is a thin wrapper:
//! capture the request (`context::Request::current`, before any await), check
//! who asks and their role, call the `Backend` (the port: one trait per area,
//! in `backend`), and let the typed `ApiError` carry the
//! outcome to the browser.

pub mod archive;
pub mod auth;
pub mod batch;
pub mod dashboard;
pub mod mailboxes;
pub mod notifications;
pub mod oauth;
pub mod retention;
pub mod templates;
pub mod users;

#[cfg(feature = "ssr")]
pub mod backend;
#[cfg(feature = "ssr")]
pub mod context;

#[cfg(feature = "ssr")]
pub use backend::{Backend, SignedIn};
