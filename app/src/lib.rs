//! Tresor's user interface: routes, components and server functions, plus the
//! typed models the browser and the server share.
//!
//! - `model` — the shared types (`*View` to the browser, `*Input` from it).
//! - `error` — `ApiError`, the one error every server function returns.
//! - `api` — thin server functions; with the `ssr` feature also the `Backend`
//!   port the server implements and the request `context` helpers.
//! - `ui` — layout, pages and small components.
//! - `lazy_pages` — the routes whose pages the browser loads on first use.

pub mod api;
pub mod error;
pub mod i18n;
pub mod lazy_pages;
pub mod model;
pub mod ui;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::Lazy;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use error::ApiError;
use model::SessionUser;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    content_security_policy();
    // The browser reads the page's language back from here (`i18n::use_lang`).
    let lang = i18n::use_lang().code();
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.ico"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Every page says which scripts may run: only those carrying this
/// response's nonce (Leptos puts it on its hydration script) and what they
/// load; WebAssembly may be compiled; nothing is framed by other sites, no
/// plugin, form or base URL points elsewhere. Mail HTML has its own, stricter
/// policy on its own route.
#[cfg(feature = "ssr")]
fn content_security_policy() {
    use leptos::nonce::{provide_nonce, use_nonce};
    provide_nonce();
    let (Some(nonce), Some(response)) =
        (use_nonce(), use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; \
         object-src 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Who is signed in, loaded once per page and refetched after sign-in and sign-out.
#[derive(Clone, Copy)]
pub struct CurrentUser(pub Resource<Result<Option<SessionUser>, ApiError>>);

impl CurrentUser {
    pub fn refetch(&self) {
        self.0.refetch();
    }

    /// Who is signed in, known at once, the same on both sides: on the
    /// server from the request (the web layer resolves the session before
    /// rendering, `RenderedFor`), in the browser from the blocking
    /// resource's value, which arrives with the page. Parts that depend on
    /// the role (the admin guard, admin-only fields) read this instead of
    /// waiting in a `Suspend`, so the page around them is created once.
    pub fn known(&self) -> Option<SessionUser> {
        #[cfg(feature = "ssr")]
        if let Some(RenderedFor(user)) = use_context::<RenderedFor>() {
            return user;
        }
        self.0.get_untracked().and_then(Result::ok).flatten()
    }
}

/// The person a server-rendered page is for, resolved from the request's
/// session before rendering (see `CurrentUser::known`).
#[derive(Clone, Debug)]
pub struct RenderedFor(pub Option<SessionUser>);

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // The server provides the request's language; the browser takes the one
    // the server rendered, so both sides say the same words.
    #[cfg(feature = "hydrate")]
    provide_context(i18n::page_lang());
    // Blocking: the server knows who is signed in before it sends the first byte,
    // so a signed-out visitor gets a real redirect instead of a flash of the app.
    let current_user = Resource::new_blocking(|| (), |_| api::auth::current_user());
    provide_context(CurrentUser(current_user));

    view! {
        <Stylesheet id="tresor" href="/pkg/tresor.css"/>
        <Title formatter=|page: String| {
            if page.is_empty() { "Tresor".to_string() } else { format!("{page} · Tresor") }
        }/>
        <Router>
            <Routes fallback=ui::pages::NotFoundPage>
                <Route path=path!("/sign-in") view=ui::pages::SignInPage/>
                <Route path=path!("/forgot-password") view=ui::pages::ForgotPasswordPage/>
                <Route path=path!("/reset-password") view=ui::pages::ResetPasswordPage/>
                <ParentRoute path=path!("") view=ui::layout::AppLayout>
                    <Route path=path!("") view=ui::pages::DashboardPage/>
                    <Route path=path!("/mailboxes") view={Lazy::<lazy_pages::MailboxesPage>::new()}/>
                    <Route path=path!("/mailboxes/new") view={Lazy::<lazy_pages::NewMailboxPage>::new()}/>
                    <Route path=path!("/mailboxes/:id") view={Lazy::<lazy_pages::MailboxPage>::new()}/>
                    <Route path=path!("/mailboxes/:id/edit") view={Lazy::<lazy_pages::EditMailboxPage>::new()}/>
                    <Route path=path!("/archive") view=ui::pages::ArchivePage/>
                    <Route path=path!("/m/:id") view={Lazy::<lazy_pages::MessagePage>::new()}/>
                    <Route path=path!("/account") view={Lazy::<lazy_pages::AccountPage>::new()}/>
                    <Route path=path!("/admin/users") view={Lazy::<lazy_pages::UsersPage>::new()}/>
                    <Route path=path!("/admin/templates") view={Lazy::<lazy_pages::TemplatesPage>::new()}/>
                    <Route path=path!("/admin/batch") view={Lazy::<lazy_pages::BatchPage>::new()}/>
                    <Route path=path!("/admin/import") view={Lazy::<lazy_pages::ImportPage>::new()}/>
                    <Route path=path!("/admin/audit") view={Lazy::<lazy_pages::AuditLogPage>::new()}/>
                    <Route path=path!("/admin/notifications") view={Lazy::<lazy_pages::NotificationsPage>::new()}/>
                    <Route path=path!("/admin/sign-in-apps") view={Lazy::<lazy_pages::SignInAppsPage>::new()}/>
                    <Route path=path!("/admin/retention") view={Lazy::<lazy_pages::RetentionPage>::new()}/>
                    <Route path=path!("/admin/templates/new") view={Lazy::<lazy_pages::TemplateEditorPage>::new()}/>
                    <Route path=path!("/admin/templates/:id") view={Lazy::<lazy_pages::TemplateEditorPage>::new()}/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
