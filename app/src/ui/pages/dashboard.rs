use crate::api::dashboard::dashboard_summary;
use crate::ui::components::{EmptyState, ErrorAlert};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let summary = Resource::new(|| (), |_| dashboard_summary());
    view! {
        <Title text="Dashboard"/>
        <div class="page-header">
            <h1>"Dashboard"</h1>
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Loading figures…"</p> }>
            {move || Suspend::new(async move {
                match summary.await {
                    Ok(summary) => view! {
                        <div class="cards">
                            {summary.user_count.map(|count| view! {
                                <a class="card card-link" href="/admin/users">
                                    <span class="card-label">"Users"</span>
                                    <span class="card-figure" data-testid="user-count">{count}</span>
                                </a>
                            })}
                        </div>
                    }.into_any(),
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                }
            })}
        </Suspense>
        <EmptyState title="Nothing archived yet">
            <p>"Tresor keeps a byte-exact, tamper-evident copy of every message of the mailboxes you connect."</p>
            <ol class="steps">
                <li>"Connect a mailbox under " <a href="/mailboxes">"Mailboxes"</a> " (IMAP, Microsoft 365 or Gmail)."</li>
                <li>"Choose the folders and a schedule; Tresor archives unattended from then on."</li>
                <li>"Find, read and export your mail under " <a href="/archive">"Archive"</a> "."</li>
            </ol>
        </EmptyState>
    }
}
