//! The dashboard: the archive's figures, the mailboxes that need attention
//! and, for admins, the archive's integrity (the last verification).

use crate::api::dashboard::{VerifyNow, dashboard_summary};
use crate::model::{Attention, DashboardView, IntegrityView, VerificationSummary, VerifyStart};
use crate::ui::components::{EmptyState, ErrorAlert, ErrorBanner, action_error, human_size};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let verify = ServerAction::<VerifyNow>::new();
    // Started checks show as running at once.
    let summary = Resource::new(move || verify.version().get(), |_| dashboard_summary());
    view! {
        <Title text="Dashboard"/>
        <div class="page-header">
            <h1>"Dashboard"</h1>
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Loading figures…"</p> }>
            {move || Suspend::new(async move {
                match summary.await {
                    Ok(summary) => view! { <Figures summary verify/> }.into_any(),
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Figures(summary: DashboardView, verify: ServerAction<VerifyNow>) -> impl IntoView {
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
        {summary.integrity.map(|integrity| view! { <Integrity integrity verify/> })}
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
fn Integrity(integrity: IntegrityView, verify: ServerAction<VerifyNow>) -> impl IntoView {
    let last_clean = integrity
        .last_clean_at
        .map(when)
        .unwrap_or_else(|| "never".into());
    let running = integrity
        .last_check
        .as_ref()
        .is_some_and(|check| check.status == "running");
    let next = match integrity.next_check_at {
        Some(at) => format!("Next daily check: {}.", when(at)),
        None => "Checks run only when started (the daily check is switched off).".to_string(),
    };
    let new_mail = integrity.archived_since_check;
    let error = action_error(verify);
    view! {
        <section class="panel" data-testid="integrity">
            <div class="panel-header">
                <h2>"Archive integrity"</h2>
                {(!running).then(|| view! {
                    <button type="button" class="button" data-testid="verify-now"
                        disabled=move || verify.pending().get()
                        on:click=move |_| { verify.dispatch(VerifyNow {}); }>
                        {move || if verify.pending().get() { "Starting…" } else { "Verify now" }}
                    </button>
                })}
            </div>
            <ErrorBanner error/>
            {move || (verify.value().get() == Some(Ok(VerifyStart::AlreadyRunning))).then(|| view! {
                <p class="banner banner-info" role="status">"A check is going on already; it covers the new mail."</p>
            })}
            {match integrity.last_check {
                None => view! {
                    <p class="muted">"Not verified yet. Tresor re-hashes every message and checks the ledger once a day; "
                    "start one now, or run " <code>"tresor verify"</code> " on the server."</p>
                }.into_any(),
                Some(check) => view! { <LastCheck check/> }.into_any(),
            }}
            <p class="muted" data-testid="next-check">
                {next}
                {(new_mail > 0 && !running).then(|| format!(
                    " {new_mail} message{} archived since the last check began {} not covered by it yet.",
                    if new_mail == 1 { "" } else { "s" },
                    if new_mail == 1 { "is" } else { "are" }
                ))}
            </p>
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
