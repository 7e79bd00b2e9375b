//! Pages for administrators. The server checks the role on every call; these
//! pages only decide what to show.

mod audit;
mod batch;
mod import;
mod notifications;
mod retention;
mod sign_in_apps;
mod tabs;
mod templates;
mod user_panel;
mod users;

pub use audit::AuditLogPage;
pub use batch::BatchPage;
pub use import::ImportPage;
pub use notifications::NotificationsPage;
pub use retention::RetentionPage;
pub use sign_in_apps::SignInAppsPage;
pub use templates::TemplatesPage;
pub use users::UsersPage;
