//! One mailbox: run it now, watch the run live, and read the job history
//! with each folder's reconciliation (server count against archive count).

use crate::api::mailboxes::{DeleteMailbox, SetMailboxEnabled, StartMailboxRun, load_mailbox_runs};
use crate::error::ApiError;
use crate::i18n::{format, use_lang};
use crate::model::job::{JobRecord, JobStatus, MailboxRuns, Progress, RunRequest};
use crate::t;
use crate::ui::components::{
    ErrorAlert, ErrorBanner, JobStatusBadge, action_error, confirmed, id_param,
};
use crate::ui::pages::mailbox_sign_in::SignInPanel;
use leptos::prelude::*;
use leptos_meta::Title;
use std::time::Duration;

/// Refreshes while a run goes on, and for this many ticks after "Run now"
/// (a queued run may take a moment to start).
const GRACE_TICKS: u32 = 5;
const TICK: Duration = Duration::from_secs(2);

#[component]
pub fn MailboxPage() -> impl IntoView {
    let id = id_param();
    let run = ServerAction::<StartMailboxRun>::new();
    let run_error = action_error(run);
    let switch = ServerAction::<SetMailboxEnabled>::new();
    let switch_error = action_error(switch);
    let delete = ServerAction::<DeleteMailbox>::new();
    let delete_error = action_error(delete);
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            navigate("/mailboxes", Default::default());
        }
    });
    let tick = RwSignal::new(0u32);
    let grace = RwSignal::new(0u32);
    let running = RwSignal::new(false);
    let runs = Resource::new(
        move || {
            (
                id(),
                tick.get(),
                run.version().get(),
                switch.version().get(),
            )
        },
        |(id, ..)| async move {
            match id {
                Some(id) => load_mailbox_runs(id).await,
                None => Err(ApiError::NotFound),
            }
        },
    );
    // Only in the browser: effects do not run while rendering on the server.
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || {
                if running.get_untracked() || grace.get_untracked() > 0 {
                    grace.update(|left| *left = left.saturating_sub(1));
                    tick.update(|count| *count += 1);
                }
            },
            TICK,
        )
        .ok();
        on_cleanup(move || {
            if let Some(handle) = handle {
                handle.clear();
            }
        });
    });
    Effect::new(move |_| {
        if run.version().get() > 0 {
            grace.set(GRACE_TICKS);
        }
    });
    let edit = move || {
        id().map(|id| format!("/mailboxes/{id}/edit"))
            .unwrap_or_default()
    };
    let lang = use_lang();

    view! {
        <Title text=t!(lang, "mailbox-title")/>
        <Transition fallback=move || view! { <p class="muted">{t!(lang, "mailbox-loading")}</p> }>
            {move || Suspend::new(async move {
                match runs.await {
                    Ok(runs) => {
                        running.set(runs.running.is_some() || runs.queued);
                        view! { <MailboxRunsView runs run switch delete id=id() edit=edit()/> }.into_any()
                    }
                    Err(error) => view! {
                        <h1>{t!(lang, "mailbox-title")}</h1>
                        <ErrorAlert error/>
                    }.into_any(),
                }
            })}
        </Transition>
        <ErrorBanner error=run_error/>
        <ErrorBanner error=switch_error/>
        <ErrorBanner error=delete_error/>
        // Outside the refreshing history, so a code shown stays while runs tick.
        {move || id().map(|id| view! { <SignInPanel id/> })}
    }
}

#[component]
fn MailboxRunsView(
    runs: MailboxRuns,
    run: ServerAction<StartMailboxRun>,
    switch: ServerAction<SetMailboxEnabled>,
    delete: ServerAction<DeleteMailbox>,
    id: Option<i64>,
    edit: String,
) -> impl IntoView {
    let is_running = runs.running.is_some();
    let lang = use_lang();
    // What "Run now" answered, only while it is still true: once the run has
    // ended, the history below says how it went. (While the data says queued,
    // its own banner says so.)
    let busy = is_running || runs.queued;
    let queued_now = runs.queued;
    let queued = move || match run.value().get() {
        Some(Ok(RunRequest::Queued)) if busy && !queued_now => Some(t!(lang, "mailbox-run-queued")),
        Some(Ok(RunRequest::AlreadyRunning)) if busy => Some(t!(lang, "mailbox-run-already")),
        _ => None,
    };
    let enabled = runs.enabled;
    let schedule_text = match (&runs.schedule, enabled) {
        (Some(schedule), true) => t!(lang, "mailbox-schedule-on", schedule = schedule),
        (Some(schedule), false) => t!(lang, "mailbox-schedule-paused", schedule = schedule),
        (None, _) => t!(lang, "mailbox-schedule-none"),
    };
    let has_schedule = runs.schedule.is_some();
    let can_manage = runs.can_manage;
    let confirm_delete = t!(
        lang,
        "mailbox-confirm-delete",
        name = format!("{:?}", runs.mailbox)
    );
    view! {
        <div class="page-header page-header-actions">
            <div>
                <h1>{runs.mailbox.clone()}</h1>
                <p class="muted" data-testid="schedule-state">{schedule_text}</p>
                {(!can_manage).then(|| view! {
                    <p class="muted" data-testid="read-only">{t!(lang, "mailbox-read-only")}</p>
                })}
            </div>
            {can_manage.then(|| view! {
            <div class="button-row">
                <a class="button" href=edit>{t!(lang, "mailbox-edit")}</a>
                <button class="button button-danger" disabled=move || delete.pending().get()
                    on:click=move |_| {
                        if let Some(id) = id && confirmed(&confirm_delete) {
                            delete.dispatch(DeleteMailbox { id });
                        }
                    }>{t!(lang, "mailbox-delete")}</button>
                {has_schedule.then(|| view! {
                    <button class="button" disabled=move || switch.pending().get()
                        on:click=move |_| {
                            if let Some(id) = id {
                                switch.dispatch(SetMailboxEnabled { id, enabled: !enabled });
                            }
                        }>
                        {if enabled { t!(lang, "mailbox-pause") } else { t!(lang, "mailbox-resume") }}
                    </button>
                })}
                <button
                    class="button button-primary"
                    data-testid="run-now"
                    disabled=move || run.pending().get() || is_running
                    on:click=move |_| {
                        if let Some(id) = id {
                            run.dispatch(StartMailboxRun { id });
                        }
                    }
                >
                    {t!(lang, "mailbox-run-now")}
                </button>
            </div>
            })}
        </div>
        {move || queued().map(|text| view! { <div class="banner banner-success" role="status">{text}</div> })}
        {(runs.queued && runs.running.is_none()).then(|| view! {
            <div class="banner banner-info" role="status" data-testid="run-queued">{t!(lang, "mailbox-queued-banner")}</div>
        })}
        {runs.running.map(|progress| view! { <RunProgress progress/> })}
        <section class="panel">
            <h2>{t!(lang, "mailbox-history")}</h2>
            {if runs.jobs.is_empty() {
                view! { <p class="muted" data-testid="no-runs">{t!(lang, "mailbox-no-runs")}</p> }.into_any()
            } else {
                view! { <JobHistory jobs=runs.jobs/> }.into_any()
            }}
        </section>
    }
}

#[component]
fn RunProgress(progress: Progress) -> impl IntoView {
    let lang = use_lang();
    let folder = progress
        .folder
        .clone()
        .unwrap_or_else(|| t!(lang, "jobs-connecting"));
    let rate = progress.rate();
    view! {
        <section class="panel" data-testid="run-progress" aria-live="polite">
            <h2>{t!(lang, "jobs-running-title")}</h2>
            <p>
                <strong>{folder}</strong>
                // Until the folders are listed there is nothing to count yet.
                {(progress.folders_total > 0).then(|| format!(
                    " {}",
                    t!(
                        lang,
                        "jobs-folder-of",
                        current = (progress.folders_done + 1).min(progress.folders_total),
                        total = progress.folders_total
                    )
                ))}
            </p>
            <progress max=progress.folder_total.max(1) value=progress.folder_done></progress>
            <p class="muted">
                {t!(
                    lang,
                    "jobs-progress",
                    done = progress.folder_done,
                    total = progress.folder_total,
                    archived = progress.archived,
                    duplicates = progress.duplicates,
                    rate = format!("{rate:.0}")
                )}
            </p>
        </section>
    }
}

#[component]
fn JobHistory(jobs: Vec<JobRecord>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <table class="table" data-testid="job-history">
            <thead>
                <tr>
                    <th>{t!(lang, "jobs-col-started")}</th>
                    <th>{t!(lang, "jobs-col-duration")}</th>
                    <th>{t!(lang, "jobs-col-result")}</th>
                    <th class="number">{t!(lang, "jobs-col-archived")}</th>
                    <th class="number">{t!(lang, "jobs-col-duplicates")}</th>
                    <th class="number">{t!(lang, "jobs-col-failed")}</th>
                </tr>
            </thead>
            {jobs.into_iter().map(|job| {
                let summary = job.summary;
                let duration = summary.finished_at.map(|end| {
                    let seconds = (end - summary.started_at).num_seconds().max(0);
                    format!("{}:{:02} min", seconds / 60, seconds % 60)
                }).unwrap_or_else(|| t!(lang, "jobs-duration-running"));
                let status = view! { <JobStatusBadge status=JobStatus::from_text(&summary.status)/> };
                view! {
                    <tbody data-testid="job">
                        <tr>
                            <td>{format::date_time_seconds(lang, summary.started_at)}</td>
                            <td>{duration}</td>
                            <td>{status}</td>
                            <td class="number">{summary.archived}</td>
                            <td class="number">{summary.duplicates}</td>
                            <td class="number">{summary.failed}</td>
                        </tr>
                        {summary.error.map(|error| view! {
                            <tr><td colspan="6"><p class="field-error">{error}</p></td></tr>
                        })}
                        {job.log.map(|log| view! {
                            <tr><td colspan="6"><FolderTable log/></td></tr>
                        })}
                    </tbody>
                }
            }).collect_view()}
        </table>
    }
}

#[component]
fn FolderTable(log: crate::model::job::JobLog) -> impl IntoView {
    let lang = use_lang();
    if log.folders.is_empty() {
        return view! { <span class="muted">{t!(lang, "jobs-no-folder")}</span> }.into_any();
    }
    let throttled = log.throttled;
    view! {
        <details class="job-log">
            <summary>{t!(lang, "jobs-folders", count = log.folders.len())}</summary>
            {(throttled > 0).then(|| view! {
                <p class="muted" data-testid="throttled">{t!(lang, "jobs-throttled", count = throttled)}</p>
            })}
            <table class="table table-compact" data-testid="reconciliation">
                <thead>
                    <tr>
                        <th>{t!(lang, "jobs-col-folder")}</th>
                        <th class="number">{t!(lang, "jobs-col-on-server")}</th>
                        <th class="number">{t!(lang, "jobs-col-in-archive")}</th>
                        <th class="number">{t!(lang, "jobs-col-new")}</th>
                        <th class="number">{t!(lang, "jobs-col-duplicates")}</th>
                        <th class="number">{t!(lang, "jobs-col-skipped")}</th>
                        <th class="number">{t!(lang, "jobs-col-failed")}</th>
                        <th>{t!(lang, "jobs-col-reconciled")}</th>
                    </tr>
                </thead>
                <tbody>
                    {log.folders.into_iter().map(|folder| {
                        let reconciled = folder.is_reconciled();
                        view! {
                            <tr>
                                <td>{folder.name.clone()}</td>
                                <td class="number">{folder.server_count}</td>
                                <td class="number">{folder.archived_total}</td>
                                <td class="number">{folder.archived}</td>
                                <td class="number">{folder.duplicates}</td>
                                <td class="number">{folder.skipped}</td>
                                <td class="number">{folder.failed}</td>
                                <td>{if reconciled { t!(lang, "jobs-reconciled-yes") } else { t!(lang, "jobs-reconciled-no") }}</td>
                            </tr>
                            <FolderMessages folder/>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </details>
    }
    .into_any()
}

/// The messages of one folder's run the log has something to say about:
/// failed and skipped ones with the reason, duplicates with the archived
/// message they are the same as. Folded away: a run may list hundreds.
#[component]
fn FolderMessages(folder: crate::model::job::FolderLog) -> impl IntoView {
    let lang = use_lang();
    let listed = folder.failures.len() + folder.skips.len() + folder.duplicate_of.len();
    if listed == 0 && folder.error.is_none() {
        return ().into_any();
    }
    let unlisted = folder
        .duplicates
        .saturating_sub(folder.duplicate_of.len() as u64);
    view! {
        <tr><td colspan="8">
            {folder.error.map(|error| view! { <p class="field-error">{error}</p> })}
            {(listed > 0).then(|| view! {
                <details class="folder-messages" data-testid="folder-messages">
                    <summary>{t!(lang, "jobs-messages-in-detail", count = listed, folder = folder.name.clone())}</summary>
                    <ul class="notes">
                        {folder.failures.into_iter().map(|note| view! {
                            <li data-testid="failed-message">{t!(lang, "jobs-uid-failed", uid = note.uid.to_string(), reason = note.reason)}</li>
                        }).collect_view()}
                        {folder.skips.into_iter().map(|note| view! {
                            <li data-testid="skipped-message">{t!(lang, "jobs-uid-skipped", uid = note.uid.to_string(), reason = note.reason)}</li>
                        }).collect_view()}
                        {folder.duplicate_of.into_iter().map(|note| view! {
                            <li data-testid="duplicate-message">
                                {t!(lang, "jobs-uid-duplicate", uid = note.uid.to_string())}
                                <a href=format!("/m/{}", note.message_id)>{t!(lang, "jobs-archived-message", id = note.message_id.to_string())}</a>
                            </li>
                        }).collect_view()}
                    </ul>
                    {(unlisted > 0).then(|| view! {
                        <p class="muted">{t!(lang, "jobs-more-duplicates", count = unlisted)}</p>
                    })}
                </details>
            })}
        </td></tr>
    }
    .into_any()
}
