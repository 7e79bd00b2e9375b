//! The mailbox list: the caller's mailboxes (an admin's: every one) with how
//! their last run went and what needs attention.

use crate::api::mailboxes::list_mailboxes;
use crate::i18n::{format, use_lang};
use crate::model::access::Capability;
use crate::model::job::JobStatus;
use crate::model::mailbox::{JobSummary, MailboxSummary};
use crate::model::oauth::SignInState;
use crate::t;
use crate::ui::components::{EmptyState, ErrorAlert, JobStatusBadge, viewer_may};
use leptos::prelude::*;
use leptos_meta::Title;

/// The caller's mailboxes (an admin's: every one) with how their last run
/// went and what needs attention.
#[component]
pub fn MailboxesPage() -> impl IntoView {
    let mailboxes = Resource::new(|| (), |_| list_mailboxes());
    let may_add = viewer_may(Capability::ManageOwnMailboxes);
    let lang = use_lang();
    view! {
        <Title text=t!(lang, "mailboxes-title")/>
        <div class="page-header page-header-actions">
            <div>
                <h1>{t!(lang, "mailboxes-title")}</h1>
                <p class="muted">{t!(lang, "mailboxes-intro")}</p>
            </div>
            // Auditors only read: they connect nothing.
            {may_add.then(|| view! {
                <a class="button button-primary" href="/mailboxes/new">{t!(lang, "mailboxes-add")}</a>
            })}
        </div>
        <Transition fallback=move || view! { <p class="muted">{t!(lang, "mailboxes-loading")}</p> }>
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
    let lang = use_lang();
    view! {
        <EmptyState title=t!(lang, "mailboxes-empty-title")>
            <p>{t!(lang, "mailboxes-empty-body")}</p>
            {may_add.then(|| view! {
                <p><a class="button button-primary" href="/mailboxes/new">{t!(lang, "mailboxes-add-first")}</a></p>
            })}
        </EmptyState>
    }
}

#[component]
fn MailboxTable(mailboxes: Vec<MailboxSummary>) -> impl IntoView {
    let show_owner = mailboxes.iter().any(|mailbox| mailbox.owner.is_some());
    let lang = use_lang();
    view! {
        <table class="table" data-testid="mailbox-table">
            <thead>
                <tr>
                    <th>{t!(lang, "mailboxes-col-name")}</th>
                    <th>{t!(lang, "mailboxes-col-server")}</th>
                    {show_owner.then(|| view! { <th>{t!(lang, "mailboxes-col-owner")}</th> })}
                    <th>{t!(lang, "mailboxes-col-schedule")}</th>
                    <th>{t!(lang, "mailboxes-col-last-run")}</th>
                </tr>
            </thead>
            <tbody>
                {mailboxes.into_iter().map(|mailbox| {
                    let schedule = match (&mailbox.schedule, mailbox.enabled) {
                        (Some(schedule), true) => schedule.clone(),
                        (Some(_), false) => t!(lang, "mailboxes-paused"),
                        (None, _) => t!(lang, "mailboxes-manual"),
                    };
                    let page = format!("/mailboxes/{}", mailbox.id);
                    view! {
                        <tr data-testid="mailbox-row">
                            <td>
                                <a href=page><strong>{mailbox.name}</strong></a>
                                {mailbox.shared.then(|| view! { " " <span class="badge">{t!(lang, "mailboxes-shared")}</span> })}
                                {(!mailbox.can_manage).then(|| view! { " " <span class="badge" data-testid="read-only-badge">{t!(lang, "mailboxes-read-only")}</span> })}
                                {mailbox.sign_in.and_then(|state| match state {
                                    SignInState::SignedIn => None,
                                    SignInState::NotSignedIn => Some(view! { " " <span class="badge badge-warn" data-testid="sign-in-badge">{t!(lang, "mailboxes-not-signed-in")}</span> }),
                                    SignInState::NeedsSignIn => Some(view! { " " <span class="badge badge-error" data-testid="sign-in-badge">{t!(lang, "mailboxes-needs-sign-in")}</span> }),
                                })}
                                {mailbox.template.map(|template| view! {
                                    <p class="muted">{t!(lang, "mailboxes-template", template = template)}</p>
                                })}
                                {mailbox.warnings.into_iter().map(|warning| view! {
                                    <p class="field-error" data-testid="mailbox-warning">{warning}</p>
                                }).collect_view()}
                            </td>
                            <td class="muted">{if mailbox.server.is_empty() { t!(lang, "mailboxes-imported") } else { mailbox.server }}</td>
                            {show_owner.then(|| view! {
                                <td>{mailbox.owner.unwrap_or_else(|| t!(lang, "mailboxes-shared"))}</td>
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
    let lang = use_lang();
    let Some(job) = job else {
        return view! { <span class="muted">{t!(lang, "mailboxes-not-run")}</span> }.into_any();
    };
    let when = format::date_time(lang, job.started_at);
    let counts = t!(
        lang,
        "mailboxes-last-run-counts",
        archived = job.archived,
        duplicates = job.duplicates,
        failed = job.failed
    );
    let badge = view! { <JobStatusBadge status=JobStatus::from_text(&job.status)/> };
    view! {
        <div data-testid="last-run">
            {badge} " " <span class="muted">{when}</span>
            <div class="muted">{counts}</div>
            {job.error.map(|error| view! { <p class="field-error">{error}</p> })}
        </div>
    }
    .into_any()
}
