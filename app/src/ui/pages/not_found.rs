//! The page for an address the app does not know (HTTP 404).

use crate::i18n::use_lang;
use crate::t;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let lang = use_lang();
    view! {
        <Title text=t!(lang, "not-found-title")/>
        <main class="sign-in-page">
            <div class="sign-in-card">
                <h1>{t!(lang, "not-found-heading")}</h1>
                <p class="muted">{t!(lang, "not-found-body")}</p>
                <a class="button button-primary" href="/">{t!(lang, "not-found-home")}</a>
            </div>
        </main>
    }
}
