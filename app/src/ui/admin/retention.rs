//! Admin → Retention: retention policies, legal holds, and the deletion they
//! allow (a preview of what may be deleted, and "Delete now").

use crate::api::retention::{
    AddPolicy, ApplyRetention, PlaceHold, ReleaseHold, RemovePolicy, RetentionPreview,
    load_retention,
};
use crate::i18n::{Lang, format, use_lang};
use crate::model::retention::{HoldView, PolicyView, RetentionOverview, RetentionSummary};
use crate::t;
use crate::ui::admin::tabs::AdminPage;
use crate::ui::components::{
    EmptyState, ErrorAlert, ErrorBanner, FieldError, action_error, confirmed,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// Retention policies, legal holds, and the deletion they allow.
#[component]
pub fn RetentionPage() -> impl IntoView {
    view! { <AdminPage><Retention/></AdminPage> }
}

#[component]
fn Retention() -> impl IntoView {
    let add_policy = ServerAction::<AddPolicy>::new();
    let remove_policy = ServerAction::<RemovePolicy>::new();
    let place_hold = ServerAction::<PlaceHold>::new();
    let release_hold = ServerAction::<ReleaseHold>::new();
    let apply = ServerAction::<ApplyRetention>::new();
    let overview = Resource::new(
        move || {
            (
                add_policy.version().get(),
                remove_policy.version().get(),
                place_hold.version().get(),
                release_hold.version().get(),
                apply.version().get(),
            )
        },
        |_| load_retention(),
    );
    let changes_error = Signal::derive(move || {
        action_error(remove_policy)
            .get()
            .or_else(|| action_error(release_hold).get())
    });
    let lang = use_lang();
    view! {
        <Title text=t!(lang, "retention-title")/>
        <div class="page-header">
            <h1>{t!(lang, "retention-title")}</h1>
            <p class="muted">{t!(lang, "retention-intro")}</p>
        </div>
        <ErrorBanner error=changes_error/>
        <Deletion apply/>
        <Transition fallback=move || view! { <p class="muted">{t!(lang, "retention-loading")}</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => view! {
                        <Policies overview=overview.clone() add_policy remove_policy/>
                        <Holds overview place_hold release_hold/>
                    }.into_any(),
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn summary_text(lang: Lang, summary: &RetentionSummary) -> String {
    let kept = t!(
        lang,
        "retention-summary-kept",
        held = summary.held,
        kept = summary.kept,
        uncovered = summary.uncovered
    );
    match (summary.deleted_copies, summary.deleted_messages) {
        (Some(copies), Some(messages)) => t!(
            lang,
            "retention-summary-deleted",
            copies = copies,
            messages = messages,
            kept = kept
        ),
        _ => t!(
            lang,
            "retention-summary-deletable",
            copies = summary.deletable,
            messages = summary.messages_to_delete,
            kept = kept
        ),
    }
}

#[component]
fn Deletion(apply: ServerAction<ApplyRetention>) -> impl IntoView {
    let preview = ServerAction::<RetentionPreview>::new();
    let preview_error = action_error(preview);
    let apply_error = action_error(apply);
    let result = move || {
        apply
            .value()
            .get()
            .and_then(Result::ok)
            .or_else(|| preview.value().get().and_then(Result::ok))
    };
    let lang = use_lang();
    view! {
        <section class="panel" data-testid="retention-run">
            <h2>{t!(lang, "retention-deletion")}</h2>
            <ErrorBanner error=preview_error/>
            <ErrorBanner error=apply_error/>
            {move || result().map(|summary| view! {
                <div class="banner banner-info" role="status" data-testid="retention-summary">{summary_text(lang, &summary)}</div>
            })}
            <div class="button-row">
                <button class="button" on:click=move |_| { preview.dispatch(RetentionPreview {}); }
                    disabled=move || preview.pending().get()>
                    {t!(lang, "retention-preview")}
                </button>
                <button class="button button-danger"
                    on:click=move |_| {
                        if confirmed(&t!(lang, "retention-confirm-apply")) {
                            apply.dispatch(ApplyRetention {});
                        }
                    }
                    disabled=move || apply.pending().get()>
                    {move || if apply.pending().get() { t!(lang, "retention-deleting") } else { t!(lang, "retention-delete-now") }}
                </button>
            </div>
        </section>
    }
}

#[component]
fn Policies(
    overview: RetentionOverview,
    add_policy: ServerAction<AddPolicy>,
    remove_policy: ServerAction<RemovePolicy>,
) -> impl IntoView {
    let error = action_error(add_policy);
    let mailboxes = overview.mailboxes.clone();
    let lang = use_lang();
    view! {
        <section class="panel" data-testid="policies">
            <h2>{t!(lang, "retention-policies")}</h2>
            {if overview.policies.is_empty() {
                view! {
                    <EmptyState title=t!(lang, "retention-no-policy-title")>
                        <p>{t!(lang, "retention-no-policy-text")}</p>
                    </EmptyState>
                }.into_any()
            } else {
                view! {
                    <table class="table table-compact">
                        <thead>
                            <tr>
                                <th>{t!(lang, "retention-column-name")}</th>
                                <th>{t!(lang, "retention-column-covers")}</th>
                                <th>{t!(lang, "retention-column-keeps")}</th>
                                <th>{t!(lang, "retention-column-added")}</th>
                                <th class="actions-column"><span class="sr-only">{t!(lang, "common-actions")}</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            {overview.policies.into_iter().map(|policy| view! { <PolicyRow policy remove_policy/> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <h3>{t!(lang, "retention-add-policy-title")}</h3>
            <ErrorBanner error/>
            <ActionForm action=add_policy attr:class="form form-grid">
                <label class="field">
                    <span>{t!(lang, "retention-name")}</span>
                    <input type="text" name="input[name]" required placeholder=t!(lang, "retention-name-placeholder")/>
                    <FieldError error field="name"/>
                </label>
                <label class="field">
                    <span>{t!(lang, "retention-keep-years")}</span>
                    <input type="number" name="input[years]" min="1" max="100" value="10" required/>
                    <FieldError error field="years"/>
                </label>
                <label class="field">
                    <span>{t!(lang, "retention-counted-from")}</span>
                    <select name="input[basis]">
                        <option value="message_date">{t!(lang, "retention-basis-message-date")}</option>
                        <option value="archived_at">{t!(lang, "retention-basis-archive-date")}</option>
                    </select>
                </label>
                <label class="field">
                    <span>{t!(lang, "retention-mailbox")}</span>
                    <select name="input[mailbox_id]">
                        <option value="">{t!(lang, "retention-all-mailboxes")}</option>
                        {mailboxes.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                    </select>
                    <FieldError error field="mailbox_id"/>
                </label>
                <label class="field">
                    <span>{t!(lang, "retention-folder")}</span>
                    <input type="text" name="input[folder]" placeholder=t!(lang, "retention-folder-placeholder")/>
                </label>
                <label class="field">
                    <span>{t!(lang, "retention-label")}</span>
                    <input type="text" name="input[label]" placeholder="dept=finance"/>
                    <FieldError error field="label"/>
                </label>
                <div class="form-actions">
                    <button type="submit" class="button button-primary" disabled=move || add_policy.pending().get()>{t!(lang, "retention-add-policy")}</button>
                </div>
            </ActionForm>
        </section>
    }
}

/// What a policy's years count from (`message date`, `archive date`, as
/// the server names it), in `lang`.
fn basis_name(lang: Lang, from: &str) -> String {
    match from {
        "message date" => t!(lang, "retention-from-message-date"),
        "archive date" => t!(lang, "retention-from-archive-date"),
        other => other.to_string(),
    }
}

#[component]
fn PolicyRow(policy: PolicyView, remove_policy: ServerAction<RemovePolicy>) -> impl IntoView {
    let id = policy.id;
    let lang = use_lang();
    let confirm_text = t!(lang, "retention-confirm-remove", name = &policy.name);
    let keeps = t!(
        lang,
        "retention-keeps",
        years = policy.keep_years,
        from = basis_name(lang, &policy.from)
    );
    let added = t!(
        lang,
        "retention-by",
        date = format::date(lang, policy.created_at),
        who = policy.created_by
    );
    view! {
        <tr>
            <td><strong>{policy.name}</strong></td>
            <td>{policy.covers}</td>
            <td>{keeps}</td>
            <td>{added}</td>
            <td class="actions-column">
                <button class="button button-small button-danger" on:click=move |_| {
                    if confirmed(&confirm_text) {
                        remove_policy.dispatch(RemovePolicy { id });
                    }
                }>{t!(lang, "retention-remove")}</button>
            </td>
        </tr>
    }
}

#[component]
fn Holds(
    overview: RetentionOverview,
    place_hold: ServerAction<PlaceHold>,
    release_hold: ServerAction<ReleaseHold>,
) -> impl IntoView {
    let error = action_error(place_hold);
    let lang = use_lang();
    view! {
        <section class="panel" data-testid="holds">
            <h2>{t!(lang, "retention-holds")}</h2>
            <p class="muted">{t!(lang, "retention-holds-intro")}</p>
            {if overview.holds.is_empty() {
                view! { <p class="muted">{t!(lang, "retention-no-holds")}</p> }.into_any()
            } else {
                view! {
                    <table class="table table-compact">
                        <thead>
                            <tr>
                                <th>{t!(lang, "retention-column-holds")}</th>
                                <th>{t!(lang, "retention-column-reason")}</th>
                                <th>{t!(lang, "retention-column-placed")}</th>
                                <th>{t!(lang, "retention-column-state")}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {overview.holds.into_iter().map(|hold| view! { <HoldRow hold release_hold/> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <h3>{t!(lang, "retention-place-hold-title")}</h3>
            <ErrorBanner error/>
            <ActionForm action=place_hold attr:class="form form-grid">
                <label class="field">
                    <span>{t!(lang, "retention-hold")}</span>
                    <select name="input[kind]">
                        <option value="mailbox">{t!(lang, "retention-hold-mailbox")}</option>
                        <option value="query">{t!(lang, "retention-hold-query")}</option>
                        <option value="messages">{t!(lang, "retention-hold-messages")}</option>
                    </select>
                </label>
                <label class="field">
                    <span>{t!(lang, "retention-mailbox")}</span>
                    <select name="input[mailbox_id]">
                        <option value="">"—"</option>
                        {overview.mailboxes.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                    </select>
                    <FieldError error field="mailbox_id"/>
                </label>
                <label class="field">
                    <span>{t!(lang, "retention-search")}</span>
                    <input type="text" name="input[query]" placeholder="from:ceo@example.com after:2024"/>
                    <FieldError error field="query"/>
                </label>
                <label class="field">
                    <span>{t!(lang, "retention-message-ids")}</span>
                    <input type="text" name="input[message_ids]" placeholder="12, 15"/>
                    <FieldError error field="message_ids"/>
                </label>
                <label class="field field-wide">
                    <span>{t!(lang, "retention-reason")}</span>
                    <input type="text" name="input[reason]" required placeholder=t!(lang, "retention-reason-placeholder")/>
                    <FieldError error field="reason"/>
                </label>
                <div class="form-actions">
                    <button type="submit" class="button button-primary" disabled=move || place_hold.pending().get()>{t!(lang, "retention-place-hold")}</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn HoldRow(hold: HoldView, release_hold: ServerAction<ReleaseHold>) -> impl IntoView {
    let id = hold.id;
    let reason = RwSignal::new(String::new());
    let lang = use_lang();
    let state = match hold.released_at {
        Some(at) => view! {
            <span class="status status-off">
                {t!(
                    lang,
                    "retention-released",
                    date = format::date(lang, at),
                    who = hold.released_by.unwrap_or_default(),
                    reason = hold.release_reason.unwrap_or_default()
                )}
            </span>
        }
        .into_any(),
        None => view! {
            <span class="status status-on">{t!(lang, "retention-active")}</span>
            <div class="search-row">
                <input type="text" placeholder=t!(lang, "retention-release-placeholder") aria-label=t!(lang, "retention-release-label")
                    prop:value=move || reason.get()
                    on:input=move |event| reason.set(event_target_value(&event))/>
                <button class="button button-small" on:click=move |_| {
                    release_hold.dispatch(ReleaseHold { id, reason: reason.get_untracked() });
                }>{t!(lang, "retention-release")}</button>
            </div>
        }
        .into_any(),
    };
    view! {
        <tr>
            <td>{hold.holds}</td>
            <td>{hold.reason}</td>
            <td>{t!(lang, "retention-by", date = format::date(lang, hold.created_at), who = hold.created_by)}</td>
            <td>{state}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(deleted: Option<u64>) -> RetentionSummary {
        RetentionSummary {
            deletable: 0,
            messages_to_delete: 0,
            held: 2,
            kept: 5,
            uncovered: 0,
            deleted_messages: deleted,
            deleted_copies: deleted,
        }
    }

    #[test]
    fn the_summary_reads_in_both_languages() {
        assert_eq!(
            summary_text(Lang::En, &summary(None)),
            "0 copies may be deleted now (0 messages entirely). Kept: 2 under legal hold, \
             5 still within retention, 0 not covered by any policy."
        );
        assert_eq!(
            summary_text(Lang::De, &summary(Some(1))),
            "1 Kopie gelöscht (1 Nachricht vollständig). Behalten: 2 unter Rechtlicher Sperre, \
             5 noch in der Aufbewahrungsfrist, 0 von keiner Richtlinie erfasst."
        );
        let keeps = |lang, years: u32| {
            t!(
                lang,
                "retention-keeps",
                years = years,
                from = basis_name(lang, "message date")
            )
        };
        assert_eq!(keeps(Lang::En, 1), "1 year from the message date");
        assert_eq!(keeps(Lang::En, 10), "10 years from the message date");
        assert_eq!(keeps(Lang::De, 10), "10 Jahre ab dem Nachrichtendatum");
    }
}
