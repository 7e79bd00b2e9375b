//! Pages for administrators. The server checks the role on every call; these
//! pages only decide what to show.

mod audit;
mod batch;
mod notifications;
mod retention;
mod sign_in_apps;
mod templates;
mod users;

pub use audit::AuditLogPage;
pub use batch::BatchPage;
pub use notifications::NotificationsPage;
pub use retention::RetentionPage;
pub use sign_in_apps::SignInAppsPage;
pub use templates::TemplatesPage;
pub use users::UsersPage;

use leptos::prelude::*;
use leptos_router::components::A;

/// The administration's sections.
#[component]
pub fn AdminTabs() -> impl IntoView {
    view! {
        <nav class="tabs" aria-label="Administration">
            <A href="/admin/users">"Users"</A>
            <A href="/admin/templates">"Templates"</A>
            <A href="/admin/batch">"Batch archiving"</A>
            <A href="/admin/retention">"Retention"</A>
            <A href="/admin/sign-in-apps">"Sign-in apps"</A>
            <A href="/admin/notifications">"Notifications"</A>
            <A href="/admin/audit">"Audit log"</A>
        </nav>
    }
}
