//! Admin → Audit log: the entries filtered by action, person and dates,
//! paged on the server (`AUDIT_PAGE_SIZE` a page), and the same selection as
//! CSV. The filter lives in the URL. Each entry reads as a sentence
//! (`describe`) with its changes as `field: before → after`.

use crate::api::users::audit_log;
use crate::i18n::{Lang, format, use_lang};
use crate::model::audit::{
    AUDIT_ACTIONS, AUDIT_PAGE_SIZE, AuditEntryView, AuditFilter, AuditPage, EntryDetails,
    action_label, describe,
};
use crate::t;
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
    let lang = use_lang();
    view! {
        <Title text=t!(lang, "audit-title")/>
        <div class="page-header">
            <h1>{t!(lang, "audit-title")}</h1>
            <p class="muted">{t!(lang, "audit-intro")}</p>
        </div>
        {move || view! { <Filters filter=filter.get()/> }}
        <Transition fallback=move || view! { <p class="muted">{t!(lang, "audit-loading")}</p> }>
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
    let lang = use_lang();
    view! {
        <form method="get" action="/admin/audit" class="form form-grid panel" data-testid="audit-filters">
            <label class="field">
                <span>{t!(lang, "audit-filter-action")}</span>
                <select name="action">
                    <option value="" selected=filter.action.is_empty()>{t!(lang, "audit-filter-all-actions")}</option>
                    {AUDIT_ACTIONS.into_iter().map(|name| view! {
                        <option value=name selected=filter.action == name>{action_label(lang, name)}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>{t!(lang, "audit-filter-who")}</span>
                <input type="text" name="actor" value=filter.actor.clone() placeholder=t!(lang, "audit-filter-who-placeholder")/>
            </label>
            <label class="field">
                <span>{t!(lang, "audit-filter-from")}</span>
                <input type="date" name="from" value=filter.from.clone()/>
            </label>
            <label class="field">
                <span>{t!(lang, "audit-filter-to")}</span>
                <input type="date" name="to" value=filter.to.clone()/>
            </label>
            <div class="form-actions button-row">
                <button type="submit" class="button button-primary">{t!(lang, "audit-filter")}</button>
                <a class="button" href="/admin/audit">{t!(lang, "audit-filter-clear")}</a>
                <a class="button" href=csv rel="external" download data-testid="audit-csv">{t!(lang, "audit-download-csv")}</a>
            </div>
        </form>
    }
}

#[component]
fn Entries(page: AuditPage, filter: AuditFilter) -> impl IntoView {
    let lang = use_lang();
    if page.entries.is_empty() {
        return view! {
            <EmptyState title=t!(lang, "audit-empty-title")>
                <p>{t!(lang, "audit-empty-text")}</p>
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
            {t!(lang, "audit-count", first = page.offset + 1, last = shown_to, total = page.total)}
        </p>
        <table class="table table-compact" data-testid="audit-table">
            <thead>
                <tr>
                    <th>{t!(lang, "audit-column-time")}</th>
                    <th>{t!(lang, "audit-column-who")}</th>
                    <th>{t!(lang, "audit-column-action")}</th>
                    <th>{t!(lang, "audit-column-what")}</th>
                    <th>{t!(lang, "audit-column-outcome")}</th>
                    <th>{t!(lang, "audit-column-details")}</th>
                </tr>
            </thead>
            <tbody>
                {page.entries.into_iter().map(|entry| view! { <EntryRow entry/> }).collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label=t!(lang, "audit-pages")>
            {newer.map(|href| view! { <a class="button button-quiet" href=href>{t!(lang, "audit-newer")}</a> })}
            {older.map(|href| view! { <a class="button button-quiet" href=href>{t!(lang, "audit-older")}</a> })}
        </nav>
    }
    .into_any()
}

#[component]
fn EntryRow(entry: AuditEntryView) -> impl IntoView {
    let lang = use_lang();
    let outcome_class = if entry.outcome == "ok" {
        "status status-on"
    } else {
        "status status-off"
    };
    let row_class = (entry.outcome != "ok").then_some("row-error");
    let description = describe(lang, &entry);
    let details = EntryDetails::parse(lang, &entry.details);
    let outcome = outcome_label(lang, &entry.outcome);
    view! {
        <tr class=row_class>
            <td class="col-date">{format::date_time_seconds(lang, entry.at)}</td>
            <td>
                {entry.actor}
                {entry.client.map(|client| view! { <br/><small class="muted">{client}</small> })}
            </td>
            <td>{action_label(lang, &entry.action)}</td>
            <td data-testid="audit-description">{description}<br/><small class="muted">{entry.target}</small></td>
            <td><span class=outcome_class>{outcome}</span></td>
            <td><Details details/></td>
        </tr>
    }
}

/// How an entry ended (`ok`, `denied`, `failed`), in `lang`.
fn outcome_label(lang: Lang, outcome: &str) -> String {
    match outcome {
        "ok" => t!(lang, "audit-outcome-ok"),
        "denied" => t!(lang, "audit-outcome-denied"),
        "failed" => t!(lang, "audit-outcome-failed"),
        other => other.to_string(),
    }
}

/// The details as people read them: each changed field as
/// `field: before → after`, then the other facts.
#[component]
fn Details(details: EntryDetails) -> impl IntoView {
    let lang = use_lang();
    let changes = details.changes.into_iter().map(move |change| {
        let text = match (change.before.is_empty(), change.after.is_empty()) {
            (true, _) => t!(
                lang,
                "audit-change-added",
                field = change.field,
                after = change.after
            ),
            (false, true) => t!(
                lang,
                "audit-change-removed",
                field = change.field,
                before = change.before
            ),
            (false, false) => t!(
                lang,
                "audit-change",
                field = change.field,
                before = change.before,
                after = change.after
            ),
        };
        view! { <li data-testid="audit-change">{text}</li> }
    });
    let facts = details.facts.into_iter().map(move |(field, value)| {
        view! { <li class="muted">{t!(lang, "audit-fact", field = field, value = value)}</li> }
    });
    view! { <ul class="notes">{changes.collect_view()}{facts.collect_view()}</ul> }
}
