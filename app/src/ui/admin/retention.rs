//! Admin → Retention: retention policies, legal holds, and the deletion they
//! allow (a preview of what may be deleted, and "Delete now").

use crate::api::retention::{
    AddPolicy, ApplyRetention, PlaceHold, ReleaseHold, RemovePolicy, RetentionPreview,
    load_retention,
};
use crate::model::retention::{HoldView, PolicyView, RetentionOverview, RetentionSummary};
use crate::ui::admin::tabs::AdminPage;
use crate::ui::components::{
    EmptyState, ErrorAlert, ErrorBanner, FieldError, action_error, confirmed,
};
use leptos::prelude::*;
use leptos_meta::Title;

fn day(time: chrono::DateTime<chrono::Utc>) -> String {
    time.format("%Y-%m-%d").to_string()
}

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
    view! {
        <Title text="Retention and legal hold"/>
        <div class="page-header">
            <h1>"Retention and legal hold"</h1>
            <p class="muted">"Mail no policy covers is kept for good. A copy may be deleted once every policy covering it has run out and no hold keeps it; a message goes with its last copy. Nothing is deleted until you apply."</p>
        </div>
        <ErrorBanner error=changes_error/>
        <Deletion apply/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
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

fn summary_text(summary: &RetentionSummary) -> String {
    let kept = format!(
        "Kept: {} under legal hold, {} still within retention, {} not covered by any policy.",
        summary.held, summary.kept, summary.uncovered
    );
    match (summary.deleted_copies, summary.deleted_messages) {
        (Some(copies), Some(messages)) => {
            format!("Deleted {copies} copies ({messages} messages entirely). {kept}")
        }
        _ => format!(
            "{} copies may be deleted now ({} messages entirely). {kept}",
            summary.deletable, summary.messages_to_delete
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
    view! {
        <section class="panel" data-testid="retention-run">
            <h2>"Deletion"</h2>
            <ErrorBanner error=preview_error/>
            <ErrorBanner error=apply_error/>
            {move || result().map(|summary| view! {
                <div class="banner banner-info" role="status" data-testid="retention-summary">{summary_text(&summary)}</div>
            })}
            <div class="button-row">
                <button class="button" on:click=move |_| { preview.dispatch(RetentionPreview {}); }
                    disabled=move || preview.pending().get()>
                    "Preview what may be deleted"
                </button>
                <button class="button button-danger"
                    on:click=move |_| {
                        if confirmed("Delete every copy the policies have released and no hold keeps? This cannot be undone; each deletion is recorded in the ledger and the audit log.") {
                            apply.dispatch(ApplyRetention {});
                        }
                    }
                    disabled=move || apply.pending().get()>
                    {move || if apply.pending().get() { "Deleting…" } else { "Delete now" }}
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
    view! {
        <section class="panel" data-testid="policies">
            <h2>"Retention policies"</h2>
            {if overview.policies.is_empty() {
                view! {
                    <EmptyState title="No retention policy">
                        <p>"All mail is kept. Add a policy, e.g. 10 years from the message date (GoBD, HGB §257)."</p>
                    </EmptyState>
                }.into_any()
            } else {
                view! {
                    <table class="table table-compact">
                        <thead><tr><th>"Name"</th><th>"Covers"</th><th>"Keeps"</th><th>"Added"</th><th class="actions-column"></th></tr></thead>
                        <tbody>
                            {overview.policies.into_iter().map(|policy| view! { <PolicyRow policy remove_policy/> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <h3>"Add a policy"</h3>
            <ErrorBanner error/>
            <ActionForm action=add_policy attr:class="form form-grid">
                <label class="field">
                    <span>"Name"</span>
                    <input type="text" name="input[name]" required placeholder="GoBD 10 years"/>
                    <FieldError error field="name"/>
                </label>
                <label class="field">
                    <span>"Keep for (years)"</span>
                    <input type="number" name="input[years]" min="1" max="100" value="10" required/>
                    <FieldError error field="years"/>
                </label>
                <label class="field">
                    <span>"Counted from"</span>
                    <select name="input[basis]">
                        <option value="message_date">"the message date"</option>
                        <option value="archived_at">"the archive date"</option>
                    </select>
                </label>
                <label class="field">
                    <span>"Mailbox"</span>
                    <select name="input[mailbox_id]">
                        <option value="">"All mailboxes"</option>
                        {mailboxes.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                    </select>
                    <FieldError error field="mailbox_id"/>
                </label>
                <label class="field">
                    <span>"Folder (optional)"</span>
                    <input type="text" name="input[folder]" placeholder="Finance — with its subfolders"/>
                </label>
                <label class="field">
                    <span>"Label (optional)"</span>
                    <input type="text" name="input[label]" placeholder="dept=finance"/>
                    <FieldError error field="label"/>
                </label>
                <div class="form-actions">
                    <button type="submit" class="button button-primary" disabled=move || add_policy.pending().get()>"Add policy"</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn PolicyRow(policy: PolicyView, remove_policy: ServerAction<RemovePolicy>) -> impl IntoView {
    let id = policy.id;
    let name = policy.name.clone();
    view! {
        <tr>
            <td><strong>{policy.name}</strong></td>
            <td>{policy.covers}</td>
            <td>{format!(
                "{} year{} from the {}",
                policy.keep_years,
                if policy.keep_years == 1 { "" } else { "s" },
                policy.from
            )}</td>
            <td>{format!("{} by {}", day(policy.created_at), policy.created_by)}</td>
            <td class="actions-column">
                <button class="button button-small button-danger" on:click=move |_| {
                    if confirmed(&format!("Remove the policy {name}? What only it covered is then kept.")) {
                        remove_policy.dispatch(RemovePolicy { id });
                    }
                }>"Remove"</button>
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
    view! {
        <section class="panel" data-testid="holds">
            <h2>"Legal holds"</h2>
            <p class="muted">"Held mail is never deleted, whatever the policies say. Holds and their release are recorded with a reason."</p>
            {if overview.holds.is_empty() {
                view! { <p class="muted">"No legal holds."</p> }.into_any()
            } else {
                view! {
                    <table class="table table-compact">
                        <thead><tr><th>"Holds"</th><th>"Reason"</th><th>"Placed"</th><th>"State"</th></tr></thead>
                        <tbody>
                            {overview.holds.into_iter().map(|hold| view! { <HoldRow hold release_hold/> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <h3>"Place a hold"</h3>
            <ErrorBanner error/>
            <ActionForm action=place_hold attr:class="form form-grid">
                <label class="field">
                    <span>"Hold"</span>
                    <select name="input[kind]">
                        <option value="mailbox">"a whole mailbox"</option>
                        <option value="query">"what a search finds (now and later)"</option>
                        <option value="messages">"these messages"</option>
                    </select>
                </label>
                <label class="field">
                    <span>"Mailbox"</span>
                    <select name="input[mailbox_id]">
                        <option value="">"—"</option>
                        {overview.mailboxes.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                    </select>
                    <FieldError error field="mailbox_id"/>
                </label>
                <label class="field">
                    <span>"Search"</span>
                    <input type="text" name="input[query]" placeholder="from:ceo@example.com after:2024"/>
                    <FieldError error field="query"/>
                </label>
                <label class="field">
                    <span>"Message ids"</span>
                    <input type="text" name="input[message_ids]" placeholder="12, 15"/>
                    <FieldError error field="message_ids"/>
                </label>
                <label class="field field-wide">
                    <span>"Reason"</span>
                    <input type="text" name="input[reason]" required placeholder="Case 2026-17, request of the tax office"/>
                    <FieldError error field="reason"/>
                </label>
                <div class="form-actions">
                    <button type="submit" class="button button-primary" disabled=move || place_hold.pending().get()>"Place hold"</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn HoldRow(hold: HoldView, release_hold: ServerAction<ReleaseHold>) -> impl IntoView {
    let id = hold.id;
    let reason = RwSignal::new(String::new());
    let state = match hold.released_at {
        Some(at) => view! {
            <span class="status status-off">
                {format!(
                    "Released {} by {}: {}",
                    day(at),
                    hold.released_by.unwrap_or_default(),
                    hold.release_reason.unwrap_or_default()
                )}
            </span>
        }
        .into_any(),
        None => view! {
            <span class="status status-on">"Active"</span>
            <div class="search-row">
                <input type="text" placeholder="Why release it?" aria-label="Reason to release"
                    prop:value=move || reason.get()
                    on:input=move |event| reason.set(event_target_value(&event))/>
                <button class="button button-small" on:click=move |_| {
                    release_hold.dispatch(ReleaseHold { id, reason: reason.get_untracked() });
                }>"Release"</button>
            </div>
        }
        .into_any(),
    };
    view! {
        <tr>
            <td>{hold.holds}</td>
            <td>{hold.reason}</td>
            <td>{format!("{} by {}", day(hold.created_at), hold.created_by)}</td>
            <td>{state}</td>
        </tr>
    }
}
