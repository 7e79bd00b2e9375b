//! Admin → Audit log: the entries filtered by action, person and dates,
//! paged on the server (`AUDIT_PAGE_SIZE` a page), and the same selection as
//! CSV. The filter lives in the URL. Each entry reads as a sentence
//! (`describe`) with its changes as `field: before → after`.

use crate::api::users::audit_log;
use crate::model::audit::{
    AUDIT_ACTIONS, AUDIT_PAGE_SIZE, AuditEntryView, AuditFilter, AuditPage, EntryDetails, describe,
};
use crate::ui::admin::tabs::AdminPage;
use crate::ui::components::{EmptyState, ErrorAlert};
use crate::ui::url::{audit_csv_href, audit_href};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The audit log: filter by action, person and dates; page through; download
/// what the filter shows as CSV.
#[component]
pub fn AuditLogPage() -> impl IntoView {
    view! { <AdminPage><AuditLog/></AdminPage> }
}

#[component]
fn AuditLog() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let query = query.read();
        AuditFilter {
            action: query.get("action").unwrap_or_default(),
            actor: query.get("actor").unwrap_or_default(),
            from: query.get("from").unwrap_or_default(),
            to: query.get("to").unwrap_or_default(),
            offset: query
                .get("offset")
                .and_then(|offset| offset.parse().ok())
                .unwrap_or(0),
        }
    });
    let page = Resource::new(move || filter.get(), audit_log);
    view! {
        <Title text="Audit log"/>
        <div class="page-header">
            <h1>"Audit log"</h1>
            <p class="muted">"Who signed in, changed settings, viewed, downloaded, exported, restored, held or deleted mail — and when. Entries are never changed or removed."</p>
        </div>
        {move || view! { <Filters filter=filter.get()/> }}
        <Transition fallback=|| view! { <p class="muted">"Loading the audit log…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <Entries page filter=filter.get_untracked()/> }.into_any(),
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Filters(filter: AuditFilter) -> impl IntoView {
    let csv = audit_csv_href(&filter);
    view! {
        <form method="get" action="/admin/audit" class="form form-grid panel" data-testid="audit-filters">
            <label class="field">
                <span>"Action"</span>
                <select name="action">
                    <option value="" selected=filter.action.is_empty()>"All actions"</option>
                    {AUDIT_ACTIONS.into_iter().map(|(name, label)| view! {
                        <option value=name selected=filter.action == name>{label}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>"Who"</span>
                <input type="text" name="actor" value=filter.actor.clone() placeholder="part of an e-mail address"/>
            </label>
            <label class="field">
                <span>"From"</span>
                <input type="date" name="from" value=filter.from.clone()/>
            </label>
            <label class="field">
                <span>"To"</span>
                <input type="date" name="to" value=filter.to.clone()/>
            </label>
            <div class="form-actions button-row">
                <button type="submit" class="button button-primary">"Filter"</button>
                <a class="button" href="/admin/audit">"Clear"</a>
                <a class="button" href=csv rel="external" download data-testid="audit-csv">"Download CSV"</a>
            </div>
        </form>
    }
}

fn label_of(action: &str) -> String {
    AUDIT_ACTIONS
        .iter()
        .find(|(name, _)| *name == action)
        .map(|(_, label)| label.to_string())
        .unwrap_or_else(|| action.to_string())
}

#[component]
fn Entries(page: AuditPage, filter: AuditFilter) -> impl IntoView {
    if page.entries.is_empty() {
        return view! {
            <EmptyState title="No entries match">
                <p>"Nothing was recorded for this filter. Clear it to see everything."</p>
            </EmptyState>
        }
        .into_any();
    }
    let shown_to = page.offset + page.entries.len();
    let newer =
        (page.offset > 0).then(|| audit_href(&filter, page.offset.saturating_sub(AUDIT_PAGE_SIZE)));
    let older = (shown_to < page.total as usize).then(|| audit_href(&filter, shown_to));
    view! {
        <p class="muted" data-testid="audit-count">
            {format!("Entries {}–{shown_to} of {}, newest first.", page.offset + 1, page.total)}
        </p>
        <table class="table table-compact" data-testid="audit-table">
            <thead>
                <tr>
                    <th>"Time (UTC)"</th>
                    <th>"Who"</th>
                    <th>"Action"</th>
                    <th>"What happened"</th>
                    <th>"Outcome"</th>
                    <th>"Details"</th>
                </tr>
            </thead>
            <tbody>
                {page.entries.into_iter().map(|entry| view! { <EntryRow entry/> }).collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label="Pages">
            {newer.map(|href| view! { <a class="button button-quiet" href=href>"← Newer"</a> })}
            {older.map(|href| view! { <a class="button button-quiet" href=href>"Older →"</a> })}
        </nav>
    }
    .into_any()
}

#[component]
fn EntryRow(entry: AuditEntryView) -> impl IntoView {
    let outcome_class = if entry.outcome == "ok" {
        "status status-on"
    } else {
        "status status-off"
    };
    let row_class = (entry.outcome != "ok").then_some("row-error");
    let description = describe(&entry);
    let details = EntryDetails::parse(&entry.details);
    view! {
        <tr class=row_class>
            <td class="col-date">{entry.at.format("%Y-%m-%d %H:%M:%S").to_string()}</td>
            <td>
                {entry.actor}
                {entry.client.map(|client| view! { <br/><small class="muted">{client}</small> })}
            </td>
            <td>{label_of(&entry.action)}</td>
            <td data-testid="audit-description">{description}<br/><small class="muted">{entry.target}</small></td>
            <td><span class=outcome_class>{entry.outcome}</span></td>
            <td><Details details/></td>
        </tr>
    }
}

/// The details as people read them: each changed field as
/// `field: before → after`, then the other facts.
#[component]
fn Details(details: EntryDetails) -> impl IntoView {
    let changes = details.changes.into_iter().map(|change| {
        let text = match (change.before.is_empty(), change.after.is_empty()) {
            (true, _) => format!("{}: {}", change.field, change.after),
            (false, true) => format!("{}: {} → (removed)", change.field, change.before),
            (false, false) => format!("{}: {} → {}", change.field, change.before, change.after),
        };
        view! { <li data-testid="audit-change">{text}</li> }
    });
    let facts = details
        .facts
        .into_iter()
        .map(|(key, value)| view! { <li class="muted">{format!("{key}: {value}")}</li> });
    view! { <ul class="notes">{changes.collect_view()}{facts.collect_view()}</ul> }
}
