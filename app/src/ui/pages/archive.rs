use crate::ui::components::EmptyState;
use leptos::prelude::*;
use leptos_meta::Title;

/// Search and read archived mail. The viewer arrives with the search index;
/// until then this page says what will be here.
#[component]
pub fn ArchivePage() -> impl IntoView {
    view! {
        <Title text="Archive"/>
        <div class="page-header">
            <h1>"Archive"</h1>
        </div>
        <EmptyState title="The archive is empty">
            <p>"Once a mailbox is archived, its messages can be searched, read, exported and restored here."</p>
            <p>"Start by connecting a mailbox under " <a href="/mailboxes">"Mailboxes"</a> "."</p>
        </EmptyState>
    }
}
