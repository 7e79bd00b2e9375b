//! The tabs above every administration page, one per section.

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
