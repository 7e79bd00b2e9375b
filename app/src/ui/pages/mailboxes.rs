//! The mailbox list: the caller's mailboxes (an admin's: every one) with how
//! their last run went and what needs attention.

use crate::api::mailboxes::list_mailboxes;
use crate::model::access::Capability;
use crate::model::mailbox::{JobSummary, MailboxSummary};
use crate::model::oauth::SignInState;
use crate::ui::components::{EmptyState, ErrorAlert, viewer_may};
use leptos::prelude::*;
use leptos_meta::Title;

/// The caller's mailboxes (an admin's: every one) with how their last run
/// went and what needs attention.
#[component]
pub fn MailboxesPage() -> impl IntoView {
    let mailboxes = Resource::new(|| (), |_| list_mailboxes());
    let may_add = viewer_may(Capability::ManageOwnMailboxes);
    view! {
        <Title text="Mailboxes"/>
        <div class="page-header page-header-actions">
            <div>
                <h1>"Mailboxes"</h1>
                <p class="muted">"Each mailbox is an archiving profile: the server to read from, the folders to take, and what happens to a message once it is safely archived."</p>
            </div>
            // Auditors only read: they connect nothing.
            {may_add.then(|| view! {
                <a class="button button-primary" href="/mailboxes/new">"Add mailbox"</a>
            })}
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading mailboxes…"</p> }>
            {move || Suspend::new(async move {
                match mailboxes.await {
                    Ok(list) if list.is_empty() => view! { <NoMailboxes may_add/> }.into_any(),
                    Ok(list) => view! { <MailboxTable mailboxes=list/> }.into_any(),
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn NoMailboxes(may_add: bool) -> impl IntoView {
    view! {
        <EmptyState title="No mailboxes connected">
            <p>"Once a mailbox is connected, Tresor archives it on its schedule and lists every run here."</p>
            {may_add.then(|| view! {
                <p><a class="button button-primary" href="/mailboxes/new">"Add your first mailbox"</a></p>
            })}
        </EmptyState>
    }
}

#[component]
fn MailboxTable(mailboxes: Vec<MailboxSummary>) -> impl IntoView {
    let show_owner = mailboxes.iter().any(|mailbox| mailbox.owner.is_some());
    view! {
        <table class="table" data-testid="mailbox-table">
            <thead>
                <tr>
                    <th>"Name"</th>
                    <th>"Server"</th>
                    {show_owner.then(|| view! { <th>"Owner"</th> })}
                    <th>"Schedule"</th>
                    <th>"Last run"</th>
                </tr>
            </thead>
            <tbody>
                {mailboxes.into_iter().map(|mailbox| {
                    let schedule = match (&mailbox.schedule, mailbox.enabled) {
                        (Some(schedule), true) => schedule.clone(),
                        (Some(_), false) => "Paused".to_string(),
                        (None, _) => "Manual only".to_string(),
                    };
                    let page = format!("/mailboxes/{}", mailbox.id);
                    view! {
                        <tr data-testid="mailbox-row">
                            <td>
                                <a href=page><strong>{mailbox.name}</strong></a>
                                {mailbox.shared.then(|| view! { " " <span class="badge">"Shared"</span> })}
                                {(!mailbox.can_manage).then(|| view! { " " <span class="badge" data-testid="read-only-badge">"Read-only"</span> })}
                                {mailbox.sign_in.and_then(|state| match state {
                                    SignInState::SignedIn => None,
                                    SignInState::NotSignedIn => Some(view! { " " <span class="badge badge-warn" data-testid="sign-in-badge">"Not signed in"</span> }),
                                    SignInState::NeedsSignIn => Some(view! { " " <span class="badge badge-error" data-testid="sign-in-badge">"Needs sign-in"</span> }),
                                })}
                                {mailbox.template.map(|template| view! {
                                    <p class="muted">{format!("Template: {template}")}</p>
                                })}
                                {mailbox.warnings.into_iter().map(|warning| view! {
                                    <p class="field-error" data-testid="mailbox-warning">{warning}</p>
                                }).collect_view()}
                            </td>
                            <td class="muted">{if mailbox.server.is_empty() { "Imported files".to_string() } else { mailbox.server }}</td>
                            {show_owner.then(|| view! {
                                <td>{mailbox.owner.unwrap_or_else(|| "Shared".to_string())}</td>
                            })}
                            <td>{schedule}</td>
                            <td class="last-run"><LastRun job=mailbox.last_job/></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn LastRun(job: Option<JobSummary>) -> impl IntoView {
    let Some(job) = job else {
        return view! { <span class="muted">"Not run yet"</span> }.into_any();
    };
    let when = job.started_at.format("%Y-%m-%d %H:%M UTC").to_string();
    let counts = format!(
        "{} archived, {} duplicates, {} failed",
        job.archived, job.duplicates, job.failed
    );
    let badge = match job.status.as_str() {
        "succeeded" => view! { <span class="status status-on">"Succeeded"</span> }.into_any(),
        "running" => view! { <span class="status">"Running"</span> }.into_any(),
        _ => view! { <span class="status status-off">"Failed"</span> }.into_any(),
    };
    view! {
        <div data-testid="last-run">
            {badge} " " <span class="muted">{when}</span>
            <div class="muted">{counts}</div>
            {job.error.map(|error| view! { <p class="field-error">{error}</p> })}
        </div>
    }
    .into_any()
}
