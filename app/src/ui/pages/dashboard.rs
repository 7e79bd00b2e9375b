//! The dashboard: the archive's figures, the mailboxes that need attention
//! and, for admins, the archive's integrity (the last verification).

use crate::api::dashboard::{VerifyNow, dashboard_summary};
use crate::i18n::{Lang, format, use_lang};
use crate::model::{Attention, DashboardView, IntegrityView, VerificationSummary, VerifyStart};
use crate::t;
use crate::ui::components::{EmptyState, ErrorAlert, ErrorBanner, action_error};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let verify = ServerAction::<VerifyNow>::new();
    // Started checks show as running at once.
    let summary = Resource::new(move || verify.version().get(), |_| dashboard_summary());
    let lang = use_lang();
    view! {
        <Title text=t!(lang, "dashboard-title")/>
        <div class="page-header">
            <h1>{t!(lang, "dashboard-title")}</h1>
        </div>
        <Suspense fallback=move || view! { <p class="muted">{t!(lang, "dashboard-loading")}</p> }>
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
    let lang = use_lang();
    view! {
        <div class="cards">
            {summary.user_count.map(|count| view! {
                <a class="card card-link" href="/admin/users">
                    <span class="card-label">{t!(lang, "dashboard-users")}</span>
                    <span class="card-figure" data-testid="user-count">{format::number(lang, count)}</span>
                </a>
            })}
            <a class="card card-link" href="/mailboxes">
                <span class="card-label">{t!(lang, "dashboard-mailboxes")}</span>
                <span class="card-figure" data-testid="mailbox-count">{format::number(lang, summary.mailbox_count)}</span>
            </a>
            <div class="card">
                <span class="card-label">{t!(lang, "dashboard-messages-archived")}</span>
                <span class="card-figure" data-testid="message-count">{format::number(lang, summary.message_count)}</span>
            </div>
            <div class="card">
                <span class="card-label">{t!(lang, "dashboard-original-size")}</span>
                <span class="card-figure">{format::size(lang, summary.message_bytes)}</span>
            </div>
            <div class="card">
                <span class="card-label">{t!(lang, "dashboard-last-day")}</span>
                <span class="card-figure">{format::number(lang, summary.archived_last_day)}</span>
            </div>
        </div>
        {(!summary.attention.is_empty()).then(|| view! { <NeedsAttention items=summary.attention/> })}
        {summary.integrity.map(|integrity| view! { <Integrity integrity verify/> })}
        {nothing_yet.then(|| view! {
            <EmptyState title=t!(lang, "dashboard-empty-title")>
                <p>{t!(lang, "dashboard-empty-intro")}</p>
                <ol class="steps">
                    <li>{t!(lang, "dashboard-step-connect-before")} <a href="/mailboxes">{t!(lang, "dashboard-mailboxes")}</a> {t!(lang, "dashboard-step-connect-after")}</li>
                    <li>{t!(lang, "dashboard-step-schedule")}</li>
                    <li>{t!(lang, "dashboard-step-find-before")} <a href="/archive">{t!(lang, "dashboard-step-find-link")}</a> {t!(lang, "dashboard-step-find-after")}</li>
                </ol>
            </EmptyState>
        })}
    }
}

#[component]
fn NeedsAttention(items: Vec<Attention>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="panel" data-testid="attention">
            <h2>{t!(lang, "dashboard-attention")}</h2>
            <ul class="attention">
                {items.into_iter().map(|item| {
                    let since = item.failing_since.map(|since| {
                        t!(lang, "dashboard-failing-since", when = format::date_time(lang, since))
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

/// The archive's integrity for admins: the last check, the last clean one,
/// and the ledger head to note or sign elsewhere.
#[component]
fn Integrity(integrity: IntegrityView, verify: ServerAction<VerifyNow>) -> impl IntoView {
    let lang = use_lang();
    let when = move |time| format::date_time(lang, time);
    let last_clean = integrity
        .last_clean_at
        .map(when)
        .unwrap_or_else(|| t!(lang, "dashboard-never"));
    let running = integrity
        .last_check
        .as_ref()
        .is_some_and(|check| check.status == "running");
    let next = match integrity.next_check_at {
        Some(at) => t!(lang, "dashboard-next-check", when = when(at)),
        None => t!(lang, "dashboard-checks-manual"),
    };
    let new_mail = integrity.archived_since_check;
    let error = action_error(verify);
    view! {
        <section class="panel" data-testid="integrity">
            <div class="panel-header">
                <h2>{t!(lang, "dashboard-integrity-title")}</h2>
                {(!running).then(|| view! {
                    <button type="button" class="button" data-testid="verify-now"
                        disabled=move || verify.pending().get()
                        on:click=move |_| { verify.dispatch(VerifyNow {}); }>
                        {move || if verify.pending().get() { t!(lang, "dashboard-verify-starting") } else { t!(lang, "dashboard-verify-now") }}
                    </button>
                })}
            </div>
            <ErrorBanner error/>
            {move || (verify.value().get() == Some(Ok(VerifyStart::AlreadyRunning))).then(|| view! {
                <p class="banner banner-info" role="status">{t!(lang, "dashboard-verify-already")}</p>
            })}
            {match integrity.last_check {
                None => view! {
                    <p class="muted">{t!(lang, "dashboard-not-verified-before")} <code>"tresor verify"</code> {t!(lang, "dashboard-not-verified-after")}</p>
                }.into_any(),
                Some(check) => view! { <LastCheck check/> }.into_any(),
            }}
            <p class="muted" data-testid="next-check">
                {next}
                {(new_mail > 0 && !running).then(|| format!(
                    " {}",
                    t!(lang, "dashboard-new-since-check", count = new_mail)
                ))}
            </p>
            <dl class="facts">
                <dt>{t!(lang, "dashboard-last-clean")}</dt>
                <dd data-testid="last-clean">{last_clean}</dd>
                <dt>{t!(lang, "dashboard-ledger-head")}</dt>
                <dd>
                    {match (integrity.head_seq, integrity.head_hash) {
                        (Some(seq), Some(hash)) => view! {
                            {t!(lang, "dashboard-ledger-entry", seq = seq.to_string())} <br/>
                            <code class="hash" data-testid="ledger-head">{hash}</code>
                        }.into_any(),
                        _ => view! { <span class="muted">{t!(lang, "dashboard-ledger-not-begun")}</span> }.into_any(),
                    }}
                </dd>
                <dt>{t!(lang, "dashboard-written-daily")}</dt>
                <dd>
                    <code>{integrity.head_file}</code>
                    {integrity.head_written_at.map(|at| format!(" {}", t!(lang, "dashboard-head-written", when = when(at))))}
                    <p class="muted">{t!(lang, "dashboard-head-note")}</p>
                </dd>
            </dl>
        </section>
    }
}

#[component]
fn LastCheck(check: VerificationSummary) -> impl IntoView {
    let lang: Lang = use_lang();
    let when = move |time| format::date_time(lang, time);
    let finished = check.finished_at.map(when).unwrap_or_default();
    match check.status.as_str() {
        "clean" => view! {
            <p data-testid="last-check">
                <span class="status status-on">{t!(lang, "dashboard-verified-clean")}</span>
                {format!(
                    " {}",
                    t!(lang, "dashboard-clean-details", when = finished, count = check.blobs, size = format::size(lang, check.bytes))
                )}
            </p>
        }.into_any(),
        "running" => view! {
            <p data-testid="last-check" class="muted">{t!(lang, "dashboard-verifying-since", when = when(check.started_at))}</p>
        }.into_any(),
        "findings" => view! {
            <div class="banner banner-error" data-testid="last-check">
                <strong>{t!(lang, "dashboard-check-findings", when = finished, count = check.finding_count)}</strong>
                <ul>
                    {check.first_findings.into_iter().map(|finding| view! { <li><code class="hash">{finding}</code></li> }).collect_view()}
                </ul>
                <p>{t!(lang, "dashboard-findings-run-before")} <code>"tresor verify"</code> {t!(lang, "dashboard-findings-run-after")}</p>
            </div>
        }.into_any(),
        _ => view! {
            <div class="banner banner-error" data-testid="last-check">
                <strong>{t!(lang, "dashboard-check-failed", when = when(check.started_at))}</strong>
                {check.first_findings.into_iter().map(|reason| view! { <p>{reason}</p> }).collect_view()}
            </div>
        }.into_any(),
    }
}
