//! The dashboard: the archive's figures, the mailboxes that need attention
//! and, for admins, the archive's integrity (the last verification).

use crate::api::dashboard::dashboard_summary;
use crate::model::{Attention, DashboardView, IntegrityView, VerificationSummary};
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
        {summary.integrity.map(|integrity| view! { <Integrity integrity/> })}
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

fn when(time: chrono::DateTime<chrono::Utc>) -> String {
    time.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The archive's integrity for admins: the last check, the last clean one,
/// and the ledger head to note or sign elsewhere.
#[component]
fn Integrity(integrity: IntegrityView) -> impl IntoView {
    let last_clean = integrity
        .last_clean_at
        .map(when)
        .unwrap_or_else(|| "never".into());
    view! {
        <section class="panel" data-testid="integrity">
            <h2>"Archive integrity"</h2>
            {match integrity.last_check {
                None => view! {
                    <p class="muted">"Not verified yet. Tresor re-hashes every message and checks the ledger once a day; "
                    "an administrator can run " <code>"tresor verify"</code> " at any time."</p>
                }.into_any(),
                Some(check) => view! { <LastCheck check/> }.into_any(),
            }}
            <dl class="facts">
                <dt>"Last clean check"</dt>
                <dd data-testid="last-clean">{last_clean}</dd>
                <dt>"Ledger head"</dt>
                <dd>
                    {match (integrity.head_seq, integrity.head_hash) {
                        (Some(seq), Some(hash)) => view! {
                            "entry " {seq} <br/>
                            <code class="hash" data-testid="ledger-head">{hash}</code>
                        }.into_any(),
                        _ => view! { <span class="muted">"not begun"</span> }.into_any(),
                    }}
                </dd>
                <dt>"Written daily to"</dt>
                <dd>
                    <code>{integrity.head_file}</code>
                    {integrity.head_written_at.map(|at| format!(" — last on {}", when(at)))}
                    <p class="muted">"Note this hash or sign it elsewhere: every later check compares the ledger with each head written there, so a rewritten ledger shows."</p>
                </dd>
            </dl>
        </section>
    }
}

#[component]
fn LastCheck(check: VerificationSummary) -> impl IntoView {
    let finished = check.finished_at.map(when).unwrap_or_default();
    match check.status.as_str() {
        "clean" => view! {
            <p data-testid="last-check">
                <span class="status status-on">"Verified clean"</span>
                {format!(
                    " on {finished}: {} message{} ({}) re-hashed, every record and ledger entry matched.",
                    check.blobs,
                    if check.blobs == 1 { "" } else { "s" },
                    human_size(check.bytes)
                )}
            </p>
        }.into_any(),
        "running" => view! {
            <p data-testid="last-check" class="muted">{format!("Verifying since {}…", when(check.started_at))}</p>
        }.into_any(),
        "findings" => view! {
            <div class="banner banner-error" data-testid="last-check">
                <strong>{format!(
                    "The check on {finished} found {} problem{}.",
                    check.finding_count,
                    if check.finding_count == 1 { "" } else { "s" }
                )}</strong>
                <ul>
                    {check.first_findings.into_iter().map(|finding| view! { <li><code class="hash">{finding}</code></li> }).collect_view()}
                </ul>
                <p>"Run " <code>"tresor verify"</code> " on the server for the full list, and restore what it names from a backup."</p>
            </div>
        }.into_any(),
        _ => view! {
            <div class="banner banner-error" data-testid="last-check">
                <strong>{format!("The check on {} could not finish.", when(check.started_at))}</strong>
                {check.first_findings.into_iter().map(|reason| view! { <p>{reason}</p> }).collect_view()}
            </div>
        }.into_any(),
    }
}
