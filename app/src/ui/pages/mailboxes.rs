use crate::ui::components::EmptyState;
use leptos::prelude::*;
use leptos_meta::Title;

/// Lists the caller's mailboxes. The mailbox editor arrives with the archive engine;
/// until then this page says so instead of offering buttons that do nothing.
#[component]
pub fn MailboxesPage() -> impl IntoView {
    view! {
        <Title text="Mailboxes"/>
        <div class="page-header">
            <h1>"Mailboxes"</h1>
        </div>
        <EmptyState title="No mailboxes connected">
            <p>"A mailbox is an archiving profile: the server to read from, the folders to take, and what to do with a message once it is safely archived."</p>
            <p class="muted">"Connecting mailboxes is not available in this version of Tresor yet."</p>
        </EmptyState>
    }
}
