//! The port through which server functions reach the server's services.
//!
//! `app` cannot depend on `server` (the server embeds the app), so the app
//! declares what it needs and `server::web` implements it. The port is split
//! by area, one trait per area of `api` in a file of the same name
//! (`backend::mailboxes::MailboxesBackend` for `api::mailboxes`, …), and
//! `Backend` is all of them at once: what server functions find in Leptos
//! context. The traits are deliberately free of HTTP: cookies and status
//! codes stay in `api::context`. (They live here rather than beside each
//! area's functions because `context` holds the port and every function uses
//! `context`: beside them, the areas and `context` would use each other.)

mod archive;
mod auth;
mod batch;
mod dashboard;
mod mailboxes;
mod notifications;
mod oauth;
mod retention;
mod templates;
mod users;

pub use archive::ArchiveBackend;
pub use auth::{AuthBackend, SignedIn};
pub use batch::BatchBackend;
pub use dashboard::DashboardBackend;
pub use mailboxes::MailboxesBackend;
pub use notifications::NotificationsBackend;
pub use oauth::OAuthBackend;
pub use retention::RetentionBackend;
pub use templates::TemplatesBackend;
pub use users::UsersBackend;

/// Every area's part of the port; implemented for whatever implements them all.
pub trait Backend:
    AuthBackend
    + UsersBackend
    + MailboxesBackend
    + TemplatesBackend
    + BatchBackend
    + ArchiveBackend
    + OAuthBackend
    + RetentionBackend
    + NotificationsBackend
    + DashboardBackend
{
}

impl<T> Backend for T where
    T: AuthBackend
        + UsersBackend
        + MailboxesBackend
        + TemplatesBackend
        + BatchBackend
        + ArchiveBackend
        + OAuthBackend
        + RetentionBackend
        + NotificationsBackend
        + DashboardBackend
{
}
