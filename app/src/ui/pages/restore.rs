//! Restore: puts copies of archived messages back on a mail server, into a
//! folder of a mailbox the reader manages. The message page offers it for one
//! message, the archive's results for the selected ones.

use crate::api::archive::{RestoreMessages, load_restore_targets};
use crate::error::ApiError;
use crate::model::archive::{RestoreInput, RestoreTarget};
use crate::ui::components::{ErrorBanner, action_error};
use leptos::prelude::*;

/// The mailboxes the reader may restore into, loaded once by the page.
///
/// A page creates it at its top, outside any `Suspend`: a resource created
/// inside one is created again each time the server re-runs the `Suspend`,
/// and the browser then hydrates against another copy's data.
#[derive(Clone, Copy)]
pub struct RestoreTargets(Resource<Result<Vec<RestoreTarget>, ApiError>>);

impl RestoreTargets {
    pub fn new() -> Self {
        Self(Resource::new(|| (), |_| load_restore_targets()))
    }
}

impl Default for RestoreTargets {
    fn default() -> Self {
        Self::new()
    }
}

/// Restores `ids` into a folder of a mailbox the reader manages.
#[component]
pub fn Restore(#[prop(into)] ids: Signal<Vec<i64>>, targets: RestoreTargets) -> impl IntoView {
    let RestoreTargets(targets) = targets;
    let restore = ServerAction::<RestoreMessages>::new();
    let error = action_error(restore);
    let mailbox = RwSignal::new(String::new());
    let folder = RwSignal::new("INBOX".to_string());
    view! {
        <Transition>
            {move || Suspend::new(async move {
                let Ok(targets) = targets.await else { return None };
                if targets.is_empty() {
                    return None;
                }
                if mailbox.get_untracked().is_empty() {
                    mailbox.set(targets[0].mailbox_id.to_string());
                }
                Some(view! {
                    <section class="card" data-testid="restore">
                        <h2 class="section-title">"Restore"</h2>
                        <p class="muted">"Puts a copy back on the mail server, with its flags and date. The archive keeps its copy."</p>
                        <ErrorBanner error/>
                        <label class="field">
                            <span>"Mailbox"</span>
                            <select prop:value=move || mailbox.get() on:change=move |event| mailbox.set(event_target_value(&event)) data-testid="restore-mailbox">
                                {targets.iter().map(|target| view! {
                                    <option value=target.mailbox_id.to_string()>{target.name.clone()}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <label class="field">
                            <span>"Folder"</span>
                            <input type="text" prop:value=move || folder.get() on:input=move |event| folder.set(event_target_value(&event)) data-testid="restore-folder"/>
                        </label>
                        <button type="button" class="button" disabled=move || restore.pending().get() data-testid="restore-button"
                            on:click=move |_| {
                                let Ok(mailbox_id) = mailbox.get().parse() else { return };
                                restore.dispatch(RestoreMessages { input: RestoreInput { message_ids: ids.get(), mailbox_id, folder: folder.get() } });
                            }>
                            {move || if restore.pending().get() { "Restoring…" } else { "Restore" }}
                        </button>
                        {move || restore.value().get().and_then(Result::ok).map(|report| if report.failed.is_empty() {
                            view! { <p class="banner banner-success" data-testid="restore-done">{match report.restored { 1 => "Restored 1 message.".to_string(), n => format!("Restored {n} messages.") }}</p> }.into_any()
                        } else {
                            view! { <p class="banner banner-error">{format!("Not restored: {}", report.failed.iter().map(|(_, why)| why.as_str()).collect::<Vec<_>>().join("; "))}</p> }.into_any()
                        })}
                    </section>
                })
            })}
        </Transition>
    }
}
