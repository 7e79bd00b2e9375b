//! The frame of every administration page: the one guard that shows its
//! content to administrators only, and the tabs above it, one per section.
//! The server refuses the admin functions to anyone else anyway; the guard
//! spares them the forms (and the refusals their resources would meet).

use crate::CurrentUser;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// An administration page: the tabs and `children` for an administrator,
/// a "not allowed" page (HTTP 403) for anyone else. The signed-in user is
/// known by now (the layout waited for them), on the server and in the
/// browser alike, so both render the same.
#[component]
pub fn AdminPage(children: Children) -> impl IntoView {
    match expect_context::<CurrentUser>().known() {
        Some(user) if user.is_admin() => view! { <AdminTabs/> {children()} }.into_any(),
        Some(_) => view! { <NotAllowed/> }.into_any(),
        // A stranger: the layout sends them to sign in (a redirect, not a 403).
        None => ().into_any(),
    }
}

/// What a signed-in non-administrator sees at an administration address.
#[component]
fn NotAllowed() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::FORBIDDEN);
    }
    view! {
        <Title text="Not allowed"/>
        <section class="panel" data-testid="not-allowed">
            <h1>"Not allowed"</h1>
            <p class="muted">"This page is for administrators. Your account does not have that role; an administrator can give it to you if you need it."</p>
            <a class="button button-primary" href="/">"Go to the dashboard"</a>
        </section>
    }
}

/// The administration's sections.
#[component]
fn AdminTabs() -> impl IntoView {
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
