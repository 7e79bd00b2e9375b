//! The frame of every administration page: the one guard that shows its
//! content to administrators only, and the tabs above it, one per section.
//! The server refuses the admin functions to anyone else anyway; the guard
//! spares them the forms (and the refusals their resources would meet).

use crate::CurrentUser;
use crate::i18n::use_lang;
use crate::t;
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
    let lang = use_lang();
    view! {
        <Title text=t!(lang, "admin-not-allowed-title")/>
        <section class="panel" data-testid="not-allowed">
            <h1>{t!(lang, "admin-not-allowed-title")}</h1>
            <p class="muted">{t!(lang, "admin-not-allowed-text")}</p>
            <a class="button button-primary" href="/">{t!(lang, "admin-not-allowed-home")}</a>
        </section>
    }
}

/// The administration's sections.
#[component]
fn AdminTabs() -> impl IntoView {
    let lang = use_lang();
    view! {
        <nav class="tabs" aria-label=t!(lang, "admin-tabs-label")>
            <A href="/admin/users">{t!(lang, "admin-tab-users")}</A>
            <A href="/admin/templates">{t!(lang, "admin-tab-templates")}</A>
            <A href="/admin/batch">{t!(lang, "admin-tab-batch")}</A>
            <A href="/admin/import">{t!(lang, "admin-tab-import")}</A>
            <A href="/admin/retention">{t!(lang, "admin-tab-retention")}</A>
            <A href="/admin/sign-in-apps">{t!(lang, "admin-tab-sign-in-apps")}</A>
            <A href="/admin/notifications">{t!(lang, "admin-tab-notifications")}</A>
            <A href="/admin/audit">{t!(lang, "admin-tab-audit")}</A>
        </nav>
    }
}
