//! One mailbox: run it now, watch the run live, and read the job history
//! with each folder's reconciliation (server count against archive count).

use crate::api::mailboxes::{DeleteMailbox, SetMailboxEnabled, StartMailboxRun, load_mailbox_runs};
use crate::error::ApiError;
use crate::model::job::{JobRecord, MailboxRuns, Progress, RunRequest};
use crate::ui::components::{ErrorAlert, ErrorBanner, action_error, confirmed, id_param};
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

    view! {
        <Title text="Mailbox"/>
        <Transition fallback=|| view! { <p class="muted">"Loading the mailbox…"</p> }>
            {move || Suspend::new(async move {
                match runs.await {
                    Ok(runs) => {
                        running.set(runs.running.is_some() || runs.queued);
                        view! { <MailboxRunsView runs run switch delete id=id() edit=edit()/> }.into_any()
                    }
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
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
    // What "Run now" answered, only while it is still true: once the run has
    // ended, the history below says how it went. (While the data says queued,
    // its own banner says so.)
    let busy = is_running || runs.queued;
    let queued_now = runs.queued;
    let queued = move || match run.value().get() {
        Some(Ok(RunRequest::Queued)) if busy && !queued_now => {
            Some("The run is queued and starts as soon as the job limits allow.")
        }
        Some(Ok(RunRequest::AlreadyRunning)) if busy => {
            Some("A run of this mailbox is going on already.")
        }
        _ => None,
    };
    let enabled = runs.enabled;
    let schedule_text = match (&runs.schedule, enabled) {
        (Some(schedule), true) => format!("Runs on the schedule “{schedule}”."),
        (Some(schedule), false) => {
            format!("The schedule “{schedule}” is paused; runs start only by hand.")
        }
        (None, _) => "No schedule: runs start only by hand.".to_string(),
    };
    let has_schedule = runs.schedule.is_some();
    let can_manage = runs.can_manage;
    let confirm_delete = format!(
        "Delete the mailbox {:?}? It stops being archived; the mail archived so far stays in the archive.",
        runs.mailbox
    );
    view! {
        <div class="page-header page-header-actions">
            <div>
                <h1>{runs.mailbox.clone()}</h1>
                <p class="muted" data-testid="schedule-state">{schedule_text}</p>
                {(!can_manage).then(|| view! {
                    <p class="muted" data-testid="read-only">"Shared with you: you can read its runs and its archived mail; an administrator manages it."</p>
                })}
            </div>
            {can_manage.then(|| view! {
            <div class="button-row">
                <a class="button" href=edit>"Edit"</a>
                <button class="button button-danger" disabled=move || delete.pending().get()
                    on:click=move |_| {
                        if let Some(id) = id && confirmed(&confirm_delete) {
                            delete.dispatch(DeleteMailbox { id });
                        }
                    }>"Delete"</button>
                {has_schedule.then(|| view! {
                    <button class="button" disabled=move || switch.pending().get()
                        on:click=move |_| {
                            if let Some(id) = id {
                                switch.dispatch(SetMailboxEnabled { id, enabled: !enabled });
                            }
                        }>
                        {if enabled { "Pause schedule" } else { "Resume schedule" }}
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
                    "Run now"
                </button>
            </div>
            })}
        </div>
        {move || queued().map(|text| view! { <div class="banner banner-success" role="status">{text}</div> })}
        {(runs.queued && runs.running.is_none()).then(|| view! {
            <div class="banner banner-info" role="status" data-testid="run-queued">"A run is queued and starts as soon as a job slot is free."</div>
        })}
        {runs.running.map(|progress| view! { <RunProgress progress/> })}
        <section class="panel">
            <h2>"History"</h2>
            {if runs.jobs.is_empty() {
                view! { <p class="muted" data-testid="no-runs">"No run yet. Runs start on the schedule, or now with “Run now”."</p> }.into_any()
            } else {
                view! { <JobHistory jobs=runs.jobs/> }.into_any()
            }}
        </section>
    }
}

#[component]
fn RunProgress(progress: Progress) -> impl IntoView {
    let folder = progress
        .folder
        .clone()
        .unwrap_or_else(|| "Connecting and listing folders…".to_string());
    let rate = progress.rate();
    view! {
        <section class="panel" data-testid="run-progress" aria-live="polite">
            <h2>"Running"</h2>
            <p>
                <strong>{folder}</strong>
                // Until the folders are listed there is nothing to count yet.
                {(progress.folders_total > 0).then(|| format!(
                    " — folder {} of {}",
                    (progress.folders_done + 1).min(progress.folders_total),
                    progress.folders_total
                ))}
            </p>
            <progress max=progress.folder_total.max(1) value=progress.folder_done></progress>
            <p class="muted">
                {format!(
                    "{} of {} messages in this folder · {} archived, {} duplicates so far · {:.0} messages/s",
                    progress.folder_done, progress.folder_total, progress.archived, progress.duplicates, rate
                )}
            </p>
        </section>
    }
}

#[component]
fn JobHistory(jobs: Vec<JobRecord>) -> impl IntoView {
    view! {
        <table class="table" data-testid="job-history">
            <thead>
                <tr>
                    <th>"Started"</th>
                    <th>"Duration"</th>
                    <th>"Result"</th>
                    <th class="number">"Archived"</th>
                    <th class="number">"Duplicates"</th>
                    <th class="number">"Failed"</th>
                </tr>
            </thead>
            {jobs.into_iter().map(|job| {
                let summary = job.summary;
                let duration = summary.finished_at.map(|end| {
                    let seconds = (end - summary.started_at).num_seconds().max(0);
                    format!("{}:{:02} min", seconds / 60, seconds % 60)
                }).unwrap_or_else(|| "running".to_string());
                let status = match summary.status.as_str() {
                    "succeeded" => view! { <span class="status status-on">"Succeeded"</span> }.into_any(),
                    "running" => view! { <span class="status">"Running"</span> }.into_any(),
                    _ => view! { <span class="status status-off">"Failed"</span> }.into_any(),
                };
                view! {
                    <tbody data-testid="job">
                        <tr>
                            <td>{summary.started_at.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</td>
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
    if log.folders.is_empty() {
        return view! { <span class="muted">"No folder was archived."</span> }.into_any();
    }
    let throttled = log.throttled;
    view! {
        <details class="job-log">
            <summary>{format!("Folders ({})", log.folders.len())}</summary>
            {(throttled > 0).then(|| view! {
                <p class="muted" data-testid="throttled">{format!(
                    "Microsoft Graph asked the run to wait {throttled} times; it waited as told."
                )}</p>
            })}
            <table class="table table-compact" data-testid="reconciliation">
                <thead>
                    <tr>
                        <th>"Folder"</th>
                        <th class="number">"On the server"</th>
                        <th class="number">"In the archive"</th>
                        <th class="number">"New"</th>
                        <th class="number">"Duplicates"</th>
                        <th class="number">"Skipped"</th>
                        <th class="number">"Failed"</th>
                        <th>"Reconciled"</th>
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
                                <td>{if reconciled { "✓ complete" } else { "✗ incomplete" }}</td>
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
                    <summary>{format!("{listed} messages of {} in detail", folder.name)}</summary>
                    <ul class="notes">
                        {folder.failures.into_iter().map(|note| view! {
                            <li data-testid="failed-message">{format!("UID {} failed: {}", note.uid, note.reason)}</li>
                        }).collect_view()}
                        {folder.skips.into_iter().map(|note| view! {
                            <li data-testid="skipped-message">{format!("UID {} skipped: {}", note.uid, note.reason)}</li>
                        }).collect_view()}
                        {folder.duplicate_of.into_iter().map(|note| view! {
                            <li data-testid="duplicate-message">
                                {format!("UID {} is a duplicate of ", note.uid)}
                                <a href=format!("/m/{}", note.message_id)>{format!("archived message {}", note.message_id)}</a>
                            </li>
                        }).collect_view()}
                    </ul>
                    {(unlisted > 0).then(|| view! {
                        <p class="muted">{format!("{unlisted} more duplicates are counted but not listed.")}</p>
                    })}
                </details>
            })}
        </td></tr>
    }
    .into_any()
}
