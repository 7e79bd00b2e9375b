//! The pages the browser loads only when one is first shown: each is a route
//! (`Lazy::<lazy_pages::X>::new()` in `App`) whose view is a `#[lazy]`
//! function, which the build (xtask/src/split.rs) moves with the code only it
//! uses into WASM chunks of their own. What a visitor loads first stays in the
//! main module: sign-in and password reset (every visitor's first page), the
//! dashboard and the archive (where a signed-in person lands). Everything
//! else waits: the admin pages, the mailbox editor, the mailbox list, a
//! mailbox's page, a message and the account page. So does the archive's
//! restore panel (`restore_panel` in ui/pages/archive.rs), opened by a click.
//! Together they keep the first page under 500 KB on the wire (BENCHMARKS.md).
//!
//! On the server the same views are rendered at once; the server names the
//! chunks of the page it rendered so the browser preloads them, and the
//! browser hydrates after they arrived (frontend/src/lib.rs).

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

/// A lazily loaded route showing the component `$page`.
macro_rules! lazy_page {
    ($(#[$doc:meta])* $name:ident => $page:path) => {
        $(#[$doc])*
        pub struct $name;

        #[lazy_route]
        impl LazyRoute for $name {
            fn data() -> Self {
                $name
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    };
}

lazy_page!(
    /// /mailboxes
    MailboxesPage => crate::ui::pages::MailboxesPage
);
lazy_page!(
    /// /mailboxes/new
    NewMailboxPage => crate::ui::pages::NewMailboxPage
);
lazy_page!(
    /// /mailboxes/:id
    MailboxPage => crate::ui::pages::MailboxPage
);
lazy_page!(
    /// /mailboxes/:id/edit
    EditMailboxPage => crate::ui::pages::EditMailboxPage
);
lazy_page!(
    /// /m/:id
    MessagePage => crate::ui::pages::MessagePage
);
lazy_page!(
    /// /account
    AccountPage => crate::ui::pages::AccountPage
);
lazy_page!(
    /// /admin/users
    UsersPage => crate::ui::admin::UsersPage
);
lazy_page!(
    /// /admin/templates
    TemplatesPage => crate::ui::admin::TemplatesPage
);
lazy_page!(
    /// /admin/templates/new and /admin/templates/:id
    TemplateEditorPage => crate::ui::pages::TemplateEditorPage
);
lazy_page!(
    /// /admin/batch
    BatchPage => crate::ui::admin::BatchPage
);
lazy_page!(
    /// /admin/import
    ImportPage => crate::ui::admin::ImportPage
);
lazy_page!(
    /// /admin/audit
    AuditLogPage => crate::ui::admin::AuditLogPage
);
lazy_page!(
    /// /admin/notifications
    NotificationsPage => crate::ui::admin::NotificationsPage
);
lazy_page!(
    /// /admin/sign-in-apps
    SignInAppsPage => crate::ui::admin::SignInAppsPage
);
lazy_page!(
    /// /admin/retention
    RetentionPage => crate::ui::admin::RetentionPage
);
