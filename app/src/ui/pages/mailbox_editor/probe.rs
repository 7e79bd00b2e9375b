//! What "Test connection" shows, each part where it is acted on: the outcome
//! beside the test button (`TestOutcome`), a failure's advice at the fields
//! it concerns (`ProbeHint`), a refused certificate with its fingerprint and
//! "Trust this certificate" in the certificate section (`CertificateTrust`),
//! and the folders the server offers as a tree to tick (`FolderPicker`).

use super::state::Editor;
use crate::api::mailboxes::SubscribeFolder;
use crate::error::ApiError;
use crate::model::mailbox_form::FormField;
use crate::model::probe::{FolderInfo, PeerCertificate, ProbeReport};
use crate::ui::components::fields::FormState;
use crate::ui::components::{ErrorAlert, ErrorBanner, action_error};
use leptos::prelude::*;
use std::collections::HashSet;

/// Where a failure is fixed: the fields a kind of failure concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixedAt {
    /// Host, port and security.
    Server,
    /// User name and password.
    SignIn,
    /// The certificate section.
    Certificate,
}

impl FixedAt {
    /// Where a failure of `kind` is fixed, if at one place.
    pub fn of(kind: &str) -> Option<FixedAt> {
        match kind {
            "host_not_found" | "connect" | "timeout" | "tls" => Some(FixedAt::Server),
            "authentication" => Some(FixedAt::SignIn),
            "certificate" | "ca_file" => Some(FixedAt::Certificate),
            _ => None,
        }
    }
}

/// What to do about a failure of `kind`.
fn advice(kind: &str) -> &'static str {
    match kind {
        "authentication" => {
            "The server refused this user name and password. Check both; Microsoft 365 and Gmail refuse plain passwords for many accounts: use an app password or sign in with OAuth."
        }
        "certificate" => {
            "The server's certificate is not trusted as it is. Compare its fingerprint below with the one the server's administrator gives you, then trust it."
        }
        "ca_file" => "The CA file cannot be used; check its path and contents.",
        "host_not_found" => "This host name does not exist. Check it for typing errors.",
        "connect" => {
            "Nothing answered here. Check the host, the port and the security, and that a firewall lets Tresor reach the server."
        }
        "timeout" => {
            "The server did not answer in time. Check the host and port, or try again later."
        }
        "tls" => {
            "The encrypted connection failed. Check that port and security belong together (993 with TLS, 143 with STARTTLS)."
        }
        _ => "Check the settings above.",
    }
}

/// The last test's advice, shown at the fields at `place` when its failure is fixed there.
#[component]
pub fn ProbeHint(state: Editor, place: FixedAt) -> impl IntoView {
    move || {
        let kind = state.failure_kind()?;
        (FixedAt::of(&kind) == Some(place)).then(|| {
            view! { <p class="field-error" role="alert" data-testid="probe-hint">{advice(&kind)}</p> }
        })
    }
}

/// The test button's answer: connected (how fast, how many folders, the
/// capabilities folded away), or what failed and where to fix it.
#[component]
pub fn TestOutcome(state: Editor) -> impl IntoView {
    let test_error = action_error(state.test);
    move || match state.test.value().get() {
        Some(Ok(report)) if report.ok => Some(view! { <Connected report/> }.into_any()),
        Some(Ok(report)) => {
            let kind = report.error_kind.clone().unwrap_or_default();
            let place = match FixedAt::of(&kind) {
                Some(FixedAt::Server) => "See the note at the server's address.",
                Some(FixedAt::SignIn) => "See the note at the password.",
                Some(FixedAt::Certificate) => "See the certificate section.",
                None => advice(&kind),
            };
            Some(
                view! {
                    <div class="banner banner-error" role="alert" data-testid="test-failed">
                        <strong>{report.error.unwrap_or_default()}</strong>
                        <p>{place}</p>
                    </div>
                }
                .into_any(),
            )
        }
        Some(Err(_)) => test_error
            .get()
            .filter(|error| !matches!(error, ApiError::Invalid { .. }))
            .map(|error| view! { <ErrorAlert error/> }.into_any()),
        None => None,
    }
}

#[component]
fn Connected(report: ProbeReport) -> impl IntoView {
    let selected = report
        .folders
        .iter()
        .filter(|folder| folder.selected)
        .count();
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
        <details class="advanced" data-testid="capabilities">
            <summary>"What the server offers"</summary>
            <p class="muted">{report.capabilities.join(" ")}</p>
            {report.certificate.map(|certificate| view! { <CertificateFacts certificate/> })}
        </details>
    }
    .into_any()
}

/// A certificate as people compare it: who it is for, who issued it, when
/// it is valid, its SHA-256 fingerprint.
#[component]
fn CertificateFacts(certificate: PeerCertificate) -> impl IntoView {
    view! {
        <dl class="facts">
            <dt>"Subject"</dt><dd>{certificate.subject}</dd>
            <dt>"Issuer"</dt><dd>{certificate.issuer}</dd>
            <dt>"Valid"</dt><dd>{format!("{} – {}", certificate.not_before, certificate.not_after)}</dd>
            <dt>"Names"</dt><dd>{certificate.names.join(", ")}</dd>
            <dt>"SHA-256"</dt><dd><code data-testid="certificate-sha256">{certificate.sha256}</code></dd>
        </dl>
    }
    .into_any()
}

/// In the certificate section after a test refused the certificate: the
/// certificate, what to do, and "Trust this certificate", which pins its
/// fingerprint and tests again.
#[component]
pub fn CertificateTrust(state: Editor) -> impl IntoView {
    move || {
        let report = state
            .report()
            .filter(|report| !report.ok && report.error_kind.as_deref() == Some("certificate"))?;
        let certificate = report.certificate?;
        let sha256 = certificate.sha256.clone();
        Some(view! {
            <div class="banner banner-warning" data-testid="certificate-trust">
                <p>"The server presented this certificate, which Tresor does not trust on its own. Trust it only if its SHA-256 fingerprint is the one your mail server's administrator gives you: from then on this mailbox accepts exactly this certificate, and a run fails if the server presents another."</p>
                <CertificateFacts certificate/>
                <button type="button" class="button" on:click=move |_| {
                    state.set(FormField::PinnedCert, sha256.clone());
                    state.run_test();
                }>"Trust this certificate"</button>
            </div>
        })
    }
}

/// The folders of a successful test as a tree (INBOX first, special folders
/// marked): a tick changes the folder rules at once. Subscribing on the
/// server is a separate button per folder, because it changes the server.
#[component]
pub fn FolderPicker(state: Editor) -> impl IntoView {
    move || {
        let report = state.report().filter(|report| report.ok)?;
        let mut folders = report.folders;
        FolderInfo::tree_order(&mut folders);
        Some(view! { <FolderTree state folders/> })
    }
}

#[component]
fn FolderTree(state: Editor, folders: Vec<FolderInfo>) -> impl IntoView {
    let subscribe = ServerAction::<SubscribeFolder>::new();
    let subscribe_error = action_error(subscribe);
    // A failed change puts the subscription back where the server still has it.
    let last_change = RwSignal::new(None::<(RwSignal<bool>, bool)>);
    Effect::new(move |_| {
        if let Some(Err(_)) = subscribe.value().get()
            && let Some((subscribed, before)) = last_change.get_untracked()
        {
            subscribed.set(before);
        }
    });
    let picked = RwSignal::new(
        folders
            .iter()
            .filter(|folder| folder.selected)
            .map(|folder| folder.path.clone())
            .collect::<HashSet<String>>(),
    );
    let order = StoredValue::new(
        folders
            .iter()
            .map(|folder| folder.path.clone())
            .collect::<Vec<_>>(),
    );
    // One exact folder per line, in the tree's order.
    let apply = move || {
        let chosen = picked.with(|picked| {
            order.with_value(|order| {
                order
                    .iter()
                    .filter(|path| picked.contains(*path))
                    .cloned()
                    .collect::<Vec<_>>()
            })
        });
        state.set(FormField::FolderRules, chosen.join("\n"));
    };
    view! {
        <p class="muted">"Ticked folders are archived; a tick changes “Folders to archive” at once."</p>
        <ErrorBanner error=subscribe_error/>
        <table class="table table-compact" data-testid="test-folders">
            <thead>
                <tr><th>"Archive"</th><th>"Folder"</th><th class="number">"Messages"</th><th>"Subscription on the server"</th></tr>
            </thead>
            <tbody>
                {folders.into_iter().map(|folder| {
                    let path = folder.path.clone();
                    let toggle_path = folder.path.clone();
                    let ticked = move || picked.with(|picked| picked.contains(&path));
                    let depth = folder.depth().min(3);
                    let leaf = folder.leaf().to_string();
                    let subscribed = RwSignal::new(folder.subscribed);
                    let server_name = folder.server_name.clone();
                    view! {
                        <tr>
                            <td>
                                <input type="checkbox" aria-label=format!("Archive {}", folder.path)
                                    disabled=!folder.selectable
                                    prop:checked=ticked
                                    on:change=move |_| {
                                        picked.update(|picked| {
                                            if !picked.remove(&toggle_path) {
                                                picked.insert(toggle_path.clone());
                                            }
                                        });
                                        apply();
                                    }/>
                            </td>
                            <td class=format!("folder-depth-{depth}") title=folder.path.clone()>
                                {leaf}" "
                                {folder.special_use.map(|kind| view! { <span class="badge" data-testid="special-use">{special_use_label(&kind)}</span> })}
                            </td>
                            <td class="number">{folder.messages.map(|count| count.to_string()).unwrap_or_default()}</td>
                            <td>
                                <button type="button" class="link-button"
                                    aria-label=move || format!("{} {} on the server", if subscribed.get() { "Unsubscribe" } else { "Subscribe" }, folder.path)
                                    disabled=move || subscribe.pending().get()
                                    on:click=move |_| {
                                        let on = !subscribed.get_untracked();
                                        last_change.set(Some((subscribed, !on)));
                                        subscribed.set(on);
                                        subscribe.dispatch(SubscribeFolder {
                                            form: state.submitted(),
                                            folder: server_name.clone(),
                                            subscribed: on,
                                        });
                                    }>
                                    {move || if subscribed.get() { "Subscribed · unsubscribe" } else { "Not subscribed · subscribe" }}
                                </button>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// A special folder's mark, as mail programs name it.
fn special_use_label(kind: &str) -> String {
    match kind {
        "sent" => "Sent".into(),
        "trash" => "Trash".into(),
        "junk" => "Junk".into(),
        "drafts" => "Drafts".into(),
        "archive" => "Archive".into(),
        "all" => "All mail".into(),
        "flagged" => "Flagged".into(),
        other => other.to_string(),
    }
}
