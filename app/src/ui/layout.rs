//! The frames around pages: for someone signed in, the top bar, navigation
//! and content; for someone not signed in, the card with the brand.

use crate::CurrentUser;
use crate::api::auth::SignOut;
use crate::i18n::use_lang;
use crate::model::SessionUser;
use crate::t;
use crate::ui::components::LanguageSwitch;
use crate::ui::url::sign_in_href;
use leptos::prelude::*;
use leptos_router::components::{A, Outlet, Redirect};

/// Shows the app to signed-in users and sends everyone else to the sign-in page.
///
/// The `<Outlet/>` stays outside the `Suspend` that waits for the user: a
/// `Suspend`'s closure runs more than once while the server renders, and a
/// page created inside it would be created (and would load its data) as many
/// times, each copy with its own resource ids — the browser then hydrates
/// against data meant for another copy and panics. Pages that only make sense
/// signed in ask the server anyway, which refuses strangers.
#[component]
pub fn AppLayout() -> impl IntoView {
    let current_user = expect_context::<CurrentUser>();
    let lang = use_lang();
    view! {
        <div class="app">
            <Suspense fallback=move || view! { <div class="page-loading">{t!(lang, "common-loading")}</div> }>
                {move || Suspend::new(async move {
                    match current_user.0.await {
                        Ok(Some(user)) => view! { <TopBar user/> }.into_any(),
                        Ok(None) => {
                            // Back to the page asked for after signing in (a permalink, say).
                            let location = leptos_router::hooks::use_location();
                            let search = location.search.get_untracked();
                            let wanted = match search.trim_start_matches('?') {
                                "" => location.pathname.get_untracked(),
                                query => format!("{}?{query}", location.pathname.get_untracked()),
                            };
                            let path = sign_in_href(&wanted);
                            view! { <Redirect path/> }.into_any()
                        }
                        Err(error) => view! {
                            <div class="banner banner-error" role="alert">
                                {t!(lang, "layout-who-unknown", error = error.message(lang))}
                            </div>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
            <main class="content">
                <Outlet/>
            </main>
        </div>
    }
}

#[component]
fn TopBar(user: SessionUser) -> impl IntoView {
    let current_user = expect_context::<CurrentUser>();
    let sign_out = ServerAction::<SignOut>::new();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            // Signing out is not "sign in to see this page": no `next`, so
            // whoever signs in next starts on their dashboard.
            navigate("/sign-in", Default::default());
            current_user.refetch();
        }
    });
    let is_admin = user.is_admin();
    let lang = use_lang();
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark">"T"</span>
                <span class="brand-name">"Tresor"</span>
            </a>
            <nav class="nav" aria-label=t!(lang, "layout-nav-label")>
                <A href="/" exact=true>{t!(lang, "layout-nav-dashboard")}</A>
                <A href="/mailboxes">{t!(lang, "layout-nav-mailboxes")}</A>
                <A href="/archive">{t!(lang, "layout-nav-archive")}</A>
                <Show when=move || is_admin>
                    <A href="/admin/users">{t!(lang, "layout-nav-admin")}</A>
                </Show>
            </nav>
            <div class="topbar-user">
                <A href="/account" attr:class="user-chip" attr:title=t!(lang, "layout-your-account")>
                    <span class="user-name" data-testid="signed-in-user">{user.display_name.clone()}</span>
                    <span class="role-badge">{user.role.label(lang)}</span>
                </A>
                <LanguageSwitch/>
                <ActionForm action=sign_out attr:class="inline-form">
                    <button type="submit" class="button button-quiet">{t!(lang, "layout-sign-out")}</button>
                </ActionForm>
            </div>
        </header>
    }
}

/// The frame of the pages for someone not signed in (sign-in, password
/// reset): a card with the brand, then `children`.
#[component]
pub fn SignInCard(children: Children) -> impl IntoView {
    view! {
        <main class="sign-in-page">
            <div class="sign-in-card">
                <div class="sign-in-brand">
                    <span class="brand-mark">"T"</span>
                    <h1>"Tresor"</h1>
                </div>
                {children()}
                <div class="sign-in-language"><LanguageSwitch/></div>
            </div>
        </main>
    }
}
