use crate::api::dashboard::dashboard_summary;
use crate::model::{Attention, DashboardView};
use crate::ui::components::{EmptyState, ErrorAlert, human_size};
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
                    Ok(summary) => view! { <Figures summary/> }.into_any(),
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Figures(summary: DashboardView) -> impl IntoView {
    let nothing_yet = summary.message_count == 0;
    view! {
        <div class="cards">
            {summary.user_count.map(|count| view! {
                <a class="card card-link" href="/admin/users">
                    <span class="card-label">"Users"</span>
                    <span class="card-figure" data-testid="user-count">{count}</span>
                </a>
            })}
            <a class="card card-link" href="/mailboxes">
                <span class="card-label">"Mailboxes"</span>
                <span class="card-figure" data-testid="mailbox-count">{summary.mailbox_count}</span>
            </a>
            <div class="card">
                <span class="card-label">"Messages archived"</span>
                <span class="card-figure" data-testid="message-count">{summary.message_count}</span>
            </div>
            <div class="card">
                <span class="card-label">"Original size"</span>
                <span class="card-figure">{human_size(summary.message_bytes)}</span>
            </div>
            <div class="card">
                <span class="card-label">"Last 24 hours"</span>
                <span class="card-figure">{summary.archived_last_day}</span>
            </div>
        </div>
        {(!summary.attention.is_empty()).then(|| view! { <NeedsAttention items=summary.attention/> })}
        {nothing_yet.then(|| view! {
            <EmptyState title="Nothing archived yet">
                <p>"Tresor keeps a byte-exact, tamper-evident copy of every message of the mailboxes you connect."</p>
                <ol class="steps">
                    <li>"Connect a mailbox under " <a href="/mailboxes">"Mailboxes"</a> " (IMAP, Microsoft 365 or Gmail)."</li>
                    <li>"Choose the folders and a schedule; Tresor archives unattended from then on."</li>
                    <li>"Find, read and export your mail under " <a href="/archive">"Archive"</a> "."</li>
                </ol>
            </EmptyState>
        })}
    }
}

#[component]
fn NeedsAttention(items: Vec<Attention>) -> impl IntoView {
    view! {
        <section class="panel" data-testid="attention">
            <h2>"Needs attention"</h2>
            <ul class="attention">
                {items.into_iter().map(|item| {
                    let since = item.failing_since.map(|since| {
                        format!("failing since {}", since.format("%Y-%m-%d %H:%M UTC"))
                    });
                    view! {
                        <li>
                            <a href=format!("/mailboxes/{}", item.mailbox_id)><strong>{item.mailbox}</strong></a>
                            {since.map(|since| view! { " — " <span class="status status-off">{since}</span> })}
                            <p class="muted">{item.problem}</p>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
