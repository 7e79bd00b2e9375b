//! What "Test connection" shows: the folders the server offers (to pick the
//! ones to archive and change subscriptions), its certificate and
//! capabilities, or what went wrong and what to do about it.

use super::state::Editor;
use crate::api::mailboxes::SubscribeFolder;
use crate::model::mailbox_form::{FormField, MailboxForm};
use crate::model::probe::ProbeReport;
use crate::ui::components::fields::FormState;
use crate::ui::components::{ErrorBanner, action_error};
use leptos::prelude::*;

/// What "Test connection" found: the server's offer, or what went wrong
/// and what to do about it.
#[component]
pub fn ProbeResult(
    report: ProbeReport,
    state: Editor,
    current_form: Callback<(), MailboxForm>,
) -> impl IntoView {
    let subscribe = ServerAction::<SubscribeFolder>::new();
    let subscribe_error = action_error(subscribe);
    // A failed change puts the tick back where the server still has it.
    let last_change = RwSignal::new(None::<(RwSignal<bool>, bool)>);
    Effect::new(move |_| {
        if let Some(Err(_)) = subscribe.value().get()
            && let Some((tick, before)) = last_change.get_untracked()
        {
            tick.set(before);
        }
    });
    if !report.ok {
        let advice = match report.error_kind.as_deref() {
            Some("authentication") => {
                "Check the user name and password. Microsoft 365 and Gmail refuse plain passwords for many accounts: use an app password."
            }
            Some("certificate") => {
                "The server's certificate is not trusted as it is. Fix the certificate, name a CA file, or (last resort) use the certificate options."
            }
            Some("host_not_found") => "Check the host name for typing errors.",
            Some("connect") => {
                "Check the port and security, and that a firewall lets Tresor reach the server."
            }
            Some("timeout") => {
                "The server did not answer in time. Check the host and port, or try again later."
            }
            Some("tls") => {
                "The encrypted connection failed. Check that port and security belong together (993 with TLS, 143 with STARTTLS)."
            }
            _ => "Check the settings above.",
        };
        return view! {
            <div class="banner banner-error" role="alert" data-testid="test-failed">
                <strong>{report.error.unwrap_or_default()}</strong>
                <p>{advice}</p>
            </div>
        }
        .into_any();
    }
    let selected = report
        .folders
        .iter()
        .filter(|folder| folder.selected)
        .count();
    let picked = RwSignal::new(
        report
            .folders
            .iter()
            .filter(|folder| folder.selected)
            .map(|folder| folder.path.clone())
            .collect::<std::collections::HashSet<String>>(),
    );
    let order: Vec<String> = report
        .folders
        .iter()
        .map(|folder| folder.path.clone())
        .collect();
    view! {
        <div class="banner banner-success" role="status" data-testid="test-ok">
            {format!(
                "Connected in {} ms. {} folders, {} of them archived by the current rules.",
                report.elapsed_ms,
                report.folders.len(),
                selected
            )}
        </div>
        {report.insecure_tls.then(|| view! { <p class="field-error">"Certificate checks are weakened for this mailbox."</p> })}
        <p class="muted">{format!("Capabilities: {}", report.capabilities.join(" "))}</p>
        {report.certificate.map(|certificate| view! {
            <details>
                <summary>"Certificate"</summary>
                <dl class="facts">
                    <dt>"Subject"</dt><dd>{certificate.subject}</dd>
                    <dt>"Issuer"</dt><dd>{certificate.issuer}</dd>
                    <dt>"Valid"</dt><dd>{format!("{} – {}", certificate.not_before, certificate.not_after)}</dd>
                    <dt>"Names"</dt><dd>{certificate.names.join(", ")}</dd>
                    <dt>"SHA-256"</dt><dd><code>{certificate.sha256}</code></dd>
                </dl>
            </details>
        })}
        <p class="muted">"Ticked: archived by the current rules. Change the ticks and press “Use these folders” to write them as the rules. “Subscribed” changes the subscription on the server at once."</p>
        <ErrorBanner error=subscribe_error/>
        <table class="table table-compact" data-testid="test-folders">
            <thead>
                <tr><th>"Archive"</th><th>"Folder"</th><th class="number">"Messages"</th><th>"Kind"</th><th>"Subscribed"</th></tr>
            </thead>
            <tbody>
                {report.folders.into_iter().map(|folder| {
                    let path = folder.path.clone();
                    let toggle_path = folder.path.clone();
                    let ticked = move || picked.with(|picked| picked.contains(&path));
                    // The server's hierarchy as a tree: indented by level, named by the last part.
                    let depth = folder.path.matches('/').count().min(3);
                    let leaf = folder.path.rsplit('/').next().unwrap_or_default().to_string();
                    let subscribed = RwSignal::new(folder.subscribed);
                    let server_name = folder.server_name.clone();
                    view! {
                        <tr>
                            <td>
                                <input type="checkbox" aria-label=format!("Archive {}", folder.path)
                                    disabled=!folder.selectable
                                    prop:checked=ticked
                                    on:change=move |_| picked.update(|picked| {
                                        if !picked.remove(&toggle_path) {
                                            picked.insert(toggle_path.clone());
                                        }
                                    })/>
                            </td>
                            <td class=format!("folder-depth-{depth}") title=folder.path.clone()>{leaf}</td>
                            <td class="number">{folder.messages.map(|count| count.to_string()).unwrap_or_default()}</td>
                            <td>{folder.special_use.map(|kind| view! { <span class="badge">{kind}</span> })}</td>
                            <td>
                                <input type="checkbox" aria-label=format!("Subscribed {}", folder.path)
                                    prop:checked=subscribed
                                    disabled=move || subscribe.pending().get()
                                    on:change=move |event| {
                                        let on = event_target_checked(&event);
                                        last_change.set(Some((subscribed, !on)));
                                        subscribed.set(on);
                                        subscribe.dispatch(SubscribeFolder {
                                            form: current_form.run(()),
                                            folder: server_name.clone(),
                                            subscribed: on,
                                        });
                                    }/>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <button type="button" class="button" on:click=move |_| {
            // One exact folder per line, in the server's order.
            let chosen = picked.with(|picked| {
                order.iter().filter(|path| picked.contains(*path)).cloned().collect::<Vec<_>>()
            });
            state.set(FormField::FolderRules, chosen.join("\n"));
        }>"Use these folders"</button>
    }
    .into_any()
}
