//! The archive viewer's search page: a search box with the query syntax and
//! filter chips, one page of hits with snippets, selection and export. The
//! search lives in the URL (`/archive?q=…&sort=…&from=…`), so a search can be
//! bookmarked and the back button works.

use crate::api::archive::search_archive;
use crate::i18n::{format, use_lang};
use crate::model::archive::{
    HitView, MAX_SEARCH_WINDOW, PAGE_SIZE, SearchInput, SearchPage, SearchSort,
};
use crate::t;
use crate::ui::components::download::preparing_messages;
use crate::ui::components::{DownloadLink, EmptyState, ErrorAlert, short_sender};
use crate::ui::pages::restore::{Restore, RestorePlan};
use crate::ui::url::{messages_export_href, search_export_href, search_href};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use std::collections::{BTreeSet, HashMap};

/// The restore panel for the selected messages, loaded the first time it is
/// opened: it is a good part of the page's code and only some searches end in
/// a restore (see `crate::lazy_pages`).
#[lazy]
fn restore_panel(ids: Signal<Vec<i64>>) -> AnyView {
    view! { <Restore ids plan=RestorePlan::new(ids)/> }.into_any()
}

#[component]
pub fn ArchivePage() -> impl IntoView {
    let query = use_query_map();
    let input = Memo::new(move |_| {
        let query = query.read();
        SearchInput {
            query: query.get("q").unwrap_or_default(),
            sort: SearchSort::parse(&query.get("sort").unwrap_or_default()),
            offset: query
                .get("from")
                .and_then(|from| from.parse().ok())
                .unwrap_or(0),
            limit: PAGE_SIZE,
        }
    });
    let page = Resource::new(move || input.get(), search_archive);
    let selected = RwSignal::new(BTreeSet::<i64>::new());
    let lang = use_lang();
    view! {
        <Title text=t!(lang, "archive-title")/>
        <div class="page-header">
            <h1>{t!(lang, "archive-title")}</h1>
            <p class="muted">{t!(lang, "archive-intro")}</p>
        </div>
        <SearchBox input/>
        <Transition fallback=move || view! { <p class="muted">{t!(lang, "archive-searching")}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <Results page input=input.get_untracked() selected/> }.into_any(),
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn SearchBox(input: Memo<SearchInput>) -> impl IntoView {
    let current = move || input.get().query;
    let lang = use_lang();
    view! {
        <Form method="GET" action="/archive" attr:class="search-form">
            <div class="search-row">
                <input
                    type="search"
                    name="q"
                    class="search-input"
                    aria-label=t!(lang, "archive-search-label")
                    placeholder=t!(lang, "archive-search-placeholder")
                    prop:value=current
                    data-testid="search-input"
                />
                <select name="sort" aria-label=t!(lang, "archive-order") prop:value=move || input.get().sort.as_str().to_string()>
                    {SearchSort::ALL.into_iter().map(|sort| view! {
                        <option value=sort.as_str()>{sort.label(lang)}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class="button button-primary">{t!(lang, "archive-search")}</button>
            </div>
        </Form>
        <details class="search-help">
            <summary>{t!(lang, "archive-syntax")}</summary>
            <table class="table table-compact">
                <tbody>
                    <tr><td><code>"invoice march"</code></td><td>{t!(lang, "archive-syntax-words")}</td></tr>
                    <tr><td><code>"\"annual report\""</code></td><td>{t!(lang, "archive-syntax-phrase")}</td></tr>
                    <tr><td><code>"from:alice to:bob cc:carol subject:offer"</code></td><td>{t!(lang, "archive-syntax-header")}</td></tr>
                    <tr><td><code>"attachment:rechnung has:attachment"</code></td><td>{t!(lang, "archive-syntax-attachment")}</td></tr>
                    <tr><td><code>"after:2024-01-01 before:2024-07"</code></td><td>{t!(lang, "archive-syntax-date")}</td></tr>
                    <tr><td><code>"mailbox:Sales folder:INBOX label:project=apollo"</code></td><td>{t!(lang, "archive-syntax-where")}</td></tr>
                    <tr><td><code>"a OR b, NOT spam, -spam, ( )"</code></td><td>{t!(lang, "archive-syntax-logic")}</td></tr>
                </tbody>
            </table>
        </details>
    }
}

#[component]
fn Chips(
    query: String,
    mailboxes: Vec<String>,
    now: chrono::DateTime<chrono::Utc>,
) -> impl IntoView {
    let lang = use_lang();
    // A search term, not a date shown: the query syntax is the same in every language.
    let year_ago = (now - chrono::Duration::days(365))
        .format("%Y-%m-%d")
        .to_string();
    let mut chips: Vec<(String, String)> = vec![
        (
            t!(lang, "archive-chip-attachments"),
            "has:attachment".into(),
        ),
        (
            t!(lang, "archive-chip-last-year"),
            format!("after:{year_ago}"),
        ),
    ];
    if mailboxes.len() > 1 {
        for name in mailboxes.iter().take(8) {
            let term = if name.contains(' ') {
                format!("mailbox:\"{name}\"")
            } else {
                format!("mailbox:{name}")
            };
            chips.push((t!(lang, "archive-chip-mailbox", name = name), term));
        }
    }
    view! {
        <div class="chips" aria-label=t!(lang, "archive-filters")>
            {chips.into_iter().map(|(label, term)| {
                let active = query.contains(&term);
                let next = if active {
                    query.replace(&term, "").split_whitespace().collect::<Vec<_>>().join(" ")
                } else if query.trim().is_empty() {
                    term.clone()
                } else {
                    format!("{} {term}", query.trim())
                };
                view! {
                    <a class=if active { "chip chip-active" } else { "chip" } href=search_href(&next, SearchSort::Newest, 0)>
                        {label}
                    </a>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
fn Results(
    page: SearchPage,
    input: SearchInput,
    selected: RwSignal<BTreeSet<i64>>,
) -> impl IntoView {
    let lang = use_lang();
    let chips =
        view! { <Chips query=input.query.clone() mailboxes=page.mailboxes.clone() now=page.now/> };
    let indexing = (page.indexing > 0).then(|| {
        view! {
            <p class="banner banner-info" data-testid="indexing-note">
                {t!(lang, "archive-indexing-note", count = page.indexing)}
            </p>
        }
    });
    if page.total == 0 {
        let empty = if page.indexing > 0 {
            // Not "empty": the archive has mail the index has not reached yet.
            view! {
                <EmptyState title=t!(lang, "archive-empty-indexing-title")>
                    <p>{t!(lang, "archive-empty-indexing", count = page.indexing)}</p>
                </EmptyState>
            }
            .into_any()
        } else if input.query.trim().is_empty() {
            view! {
                <EmptyState title=t!(lang, "archive-empty-title")>
                    <p>{t!(lang, "archive-empty-body")}</p>
                    <p>{t!(lang, "archive-empty-start-before")} <a href="/mailboxes">{t!(lang, "archive-empty-start-link")}</a> {t!(lang, "archive-empty-start-after")}</p>
                </EmptyState>
            }
            .into_any()
        } else {
            view! {
                <EmptyState title=t!(lang, "archive-nothing-found-title")>
                    <p>{t!(lang, "archive-nothing-found")}</p>
                </EmptyState>
            }
            .into_any()
        };
        // With no query, the empty state says it already.
        let indexing = if input.query.trim().is_empty() {
            None
        } else {
            indexing
        };
        return view! { {chips} {indexing} {empty} }.into_any();
    }
    let first = page.offset + 1;
    let last = page.offset + page.hits.len();
    let previous = (page.offset > 0).then(|| {
        search_href(
            &input.query,
            input.sort,
            page.offset.saturating_sub(PAGE_SIZE),
        )
    });
    // No link past the pages a search may show: the server would refuse it.
    let next = (last < page.total.min(MAX_SEARCH_WINDOW))
        .then(|| search_href(&input.query, input.sort, last));
    let restoring = RwSignal::new(false);
    let page_ids: Vec<i64> = page.hits.iter().map(|hit| hit.id).collect();
    let all_ids = page_ids.clone();
    let total = page.total;
    let query_export = move |format: &str| search_export_href(format, &input.query);
    let selected_export = move |format: &'static str| {
        Signal::derive(move || messages_export_href(format, selected.get()))
    };
    // The size of a selection is known for the hits of this page.
    let sizes: HashMap<i64, u64> = page
        .hits
        .iter()
        .map(|hit| (hit.id, hit.size.max(0) as u64))
        .collect();
    let selected_size = Signal::derive(move || {
        let chosen = selected.get();
        chosen
            .iter()
            .map(|id| sizes.get(id).copied())
            .sum::<Option<u64>>()
            .map(|bytes| format!(" ({})", format::size(lang, bytes)))
            .unwrap_or_default()
    });
    let preparing_selected = Signal::derive(move || preparing_messages(lang, selected.get().len()));
    view! {
        {chips}
        {indexing}
        <div class="results-bar">
            <span data-testid="result-count">{t!(lang, "archive-result-count", first = first, last = last, total = page.total)}</span>
            <span class="results-actions">
                <Show when=move || !selected.get().is_empty()>
                    <span class="muted">{move || t!(lang, "archive-selected", count = selected.get().len())}</span>
                    <button type="button" class="button button-quiet" on:click=move |_| restoring.update(|on| *on = !*on) data-testid="restore-selected">{t!(lang, "archive-restore-selected")}</button>
                    <DownloadLink href=selected_export("eml") preparing=preparing_selected attr:class="button button-quiet" attr:data-testid="export-selected">
                        {t!(lang, "archive-download-zip")}{selected_size}
                    </DownloadLink>
                    <DownloadLink href=selected_export("mbox") preparing=preparing_selected attr:class="button button-quiet" attr:data-testid="export-selected-mbox">
                        {t!(lang, "archive-download-mbox")}{selected_size}
                    </DownloadLink>
                </Show>
                <DownloadLink href=query_export("eml") preparing=preparing_messages(lang, total) attr:class="button button-quiet" attr:data-testid="export-all">
                    {t!(lang, "archive-export-all", count = total)}
                </DownloadLink>
                <DownloadLink href=query_export("mbox") preparing=preparing_messages(lang, total) attr:class="button button-quiet" attr:data-testid="export-all-mbox">
                    {t!(lang, "archive-export-all-mbox")}
                </DownloadLink>
            </span>
        </div>
        <Show when=move || restoring.get() && !selected.get().is_empty()>
            <div class="restore-panel">
                // Created when asked for: this panel is never part of a server-rendered page.
                {
                    let ids = Signal::derive(move || selected.get().into_iter().collect::<Vec<_>>());
                    view! { <Suspense>{Suspend::new(restore_panel(ids))}</Suspense> }
                }
            </div>
        </Show>
        <table class="table results" data-testid="results">
            <thead>
                <tr>
                    <th class="col-check">
                        <input type="checkbox" aria-label=t!(lang, "archive-select-all")
                            prop:checked=move || { let chosen = selected.get(); all_ids.iter().all(|id| chosen.contains(id)) }
                            on:change=move |event| {
                                let on = event_target_checked(&event);
                                selected.update(|chosen| for id in &page_ids {
                                    if on { chosen.insert(*id); } else { chosen.remove(id); }
                                });
                            }/>
                    </th>
                    <th>{t!(lang, "archive-col-from")}</th>
                    <th>{t!(lang, "archive-col-subject")}</th>
                    <th class="col-date">{t!(lang, "archive-col-date")}</th>
                </tr>
            </thead>
            <tbody>
                {page.hits.into_iter().map(|hit| view! { <HitRow hit selected/> }).collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label=t!(lang, "archive-pages")>
            {previous.map(|href| view! { <a class="button button-quiet" href=href>{t!(lang, "archive-newer-page")}</a> })}
            {next.map(|href| view! { <a class="button button-quiet" href=href data-testid="next-page">{t!(lang, "archive-next-page")}</a> })}
        </nav>
    }
    .into_any()
}

#[component]
fn HitRow(hit: HitView, selected: RwSignal<BTreeSet<i64>>) -> impl IntoView {
    let id = hit.id;
    let lang = use_lang();
    let href = format!("/m/{id}");
    let date = hit
        .date
        .map(|date| format::date(lang, date))
        .unwrap_or_else(|| t!(lang, "archive-undated"));
    let subject = if hit.subject.trim().is_empty() {
        t!(lang, "archive-no-subject")
    } else {
        hit.subject
    };
    view! {
        <tr data-testid="hit">
            <td class="col-check">
                <input type="checkbox" aria-label=t!(lang, "archive-select")
                    prop:checked=move || selected.get().contains(&id)
                    on:change=move |event| {
                        let on = event_target_checked(&event);
                        selected.update(|chosen| { if on { chosen.insert(id); } else { chosen.remove(&id); } });
                    }/>
            </td>
            <td class="col-from" title=hit.from.clone()>{short_sender(&hit.from)}</td>
            <td>
                <a href=href class="hit-subject">{subject}</a>
                {hit.has_attachments.then(|| view! { <span class="attachment-mark" title=t!(lang, "archive-has-attachments") aria-label=t!(lang, "archive-has-attachments")>"📎"</span> })}
                <p class="snippet">
                    {hit.snippet.into_iter().map(|piece| if piece.hit {
                        view! { <mark>{piece.text}</mark> }.into_any()
                    } else {
                        view! { <span>{piece.text}</span> }.into_any()
                    }).collect_view()}
                </p>
                <p class="muted hit-location">{hit.location}</p>
            </td>
            <td class="col-date">{date}</td>
        </tr>
    }
}
