//! The sign-in page, which goes on to the page asked for (`next`) once the
//! password is right.

use crate::CurrentUser;
use crate::api::auth::SignIn;
use crate::i18n::use_lang;
use crate::t;
use crate::ui::components::{ErrorBanner, action_error};
use crate::ui::layout::SignInCard;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

/// Where to go after signing in: the `next` page asked for, if it is a page
/// of this site (a path, never another origin), else the dashboard.
fn next_page() -> String {
    let query = leptos_router::hooks::use_query_map();
    let next = query.read_untracked().get("next").unwrap_or_default();
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/".into()
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let current_user = expect_context::<CurrentUser>();
    let sign_in = ServerAction::<SignIn>::new();
    let error = action_error(sign_in);
    let lang = use_lang();
    Effect::new(move |_| {
        if let Some(Ok(user)) = sign_in.value().get() {
            // Someone who chose the other language gets the next page
            // loaded in it: this page's words came in the browser's one.
            if let Some(chosen) = user.language
                && chosen != lang
            {
                let _ = window().location().assign(&next_page());
                return;
            }
            current_user.refetch();
        }
    });

    view! {
        <Title text=t!(lang, "sign-in-title")/>
        <Suspense>
            {move || Suspend::new(async move {
                // Someone already signed in has no business here; this also covers a
                // form posted before the WASM loaded, which comes back to this page.
                matches!(current_user.0.await, Ok(Some(_))).then(|| view! { <Redirect path=next_page()/> })
            })}
        </Suspense>
        <SignInCard>
            <p class="muted">{t!(lang, "sign-in-intro")}</p>
            <ErrorBanner error/>
            <ActionForm action=sign_in attr:class="form">
                <label class="field">
                    <span>{t!(lang, "sign-in-email")}</span>
                    <input type="email" name="email" autocomplete="username" required autofocus/>
                </label>
                <label class="field">
                    <span>{t!(lang, "sign-in-password")}</span>
                    <input type="password" name="password" autocomplete="current-password" required/>
                </label>
                <button type="submit" class="button button-primary" disabled=move || sign_in.pending().get()>
                    {move || if sign_in.pending().get() { t!(lang, "sign-in-pending") } else { t!(lang, "sign-in-button") }}
                </button>
            </ActionForm>
            <p><a href="/forgot-password">{t!(lang, "sign-in-forgot")}</a></p>
        </SignInCard>
    }
}
