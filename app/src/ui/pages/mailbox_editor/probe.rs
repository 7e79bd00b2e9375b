//! What "Test connection" shows, each part where it is acted on: the outcome
//! beside the test button (`TestOutcome`), a failure's advice at the fields
//! it concerns (`ProbeHint`), a refused certificate with its fingerprint and
//! "Trust this certificate" in the certificate section (`CertificateTrust`),
//! and the folders the server offers as a tree to tick (`FolderPicker`).

use super::state::Editor;
use crate::api::mailboxes::SubscribeFolder;
use crate::error::ApiError;
use crate::i18n::{Lang, format, use_lang};
use crate::model::mailbox_form::FormField;
use crate::model::probe::{FolderInfo, PeerCertificate, ProbeReport};
use crate::t;
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
fn advice(lang: Lang, kind: &str) -> String {
    match kind {
        "authentication" => t!(lang, "probe-advice-authentication"),
        "certificate" => t!(lang, "probe-advice-certificate"),
        "ca_file" => t!(lang, "probe-advice-ca-file"),
        "host_not_found" => t!(lang, "probe-advice-host-not-found"),
        "connect" => t!(lang, "probe-advice-connect"),
        "timeout" => t!(lang, "probe-advice-timeout"),
        "tls" => t!(lang, "probe-advice-tls"),
        _ => t!(lang, "probe-advice-other"),
    }
}

/// The last test's advice, shown at the fields at `place` when its failure is fixed there.
#[component]
pub fn ProbeHint(state: Editor, place: FixedAt) -> impl IntoView {
    let lang = use_lang();
    move || {
        let kind = state.failure_kind()?;
        (FixedAt::of(&kind) == Some(place)).then(|| {
            view! { <p class="field-error" role="alert" data-testid="probe-hint">{advice(lang, &kind)}</p> }
        })
    }
}

/// The test button's answer: connected (how fast, how many folders, the
/// capabilities folded away), or what failed and where to fix it.
#[component]
pub fn TestOutcome(state: Editor) -> impl IntoView {
    let lang = use_lang();
    let test_error = action_error(state.test);
    move || match state.test.value().get() {
        Some(Ok(report)) if report.ok => Some(view! { <Connected report/> }.into_any()),
        Some(Ok(report)) => {
            let kind = report.error_kind.clone().unwrap_or_default();
            let place = match FixedAt::of(&kind) {
                Some(FixedAt::Server) => t!(lang, "probe-see-server"),
                Some(FixedAt::SignIn) => t!(lang, "probe-see-password"),
                Some(FixedAt::Certificate) => t!(lang, "probe-see-certificate"),
                None => advice(lang, &kind),
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
    let lang = use_lang();
    let selected = report
        .folders
        .iter()
        .filter(|folder| folder.selected)
        .count();
    view! {
        <div class="banner banner-success" role="status" data-testid="test-ok">
            {t!(
                lang,
                "probe-connected",
                ms = report.elapsed_ms,
                folders = report.folders.len(),
                selected = selected
            )}
        </div>
        {report.insecure_tls.then(|| view! { <p class="field-error">{t!(lang, "probe-insecure")}</p> })}
        <details class="advanced" data-testid="capabilities">
            <summary>{t!(lang, "probe-capabilities")}</summary>
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
    let lang = use_lang();
    view! {
        <dl class="facts">
            <dt>{t!(lang, "probe-subject")}</dt><dd>{certificate.subject}</dd>
            <dt>{t!(lang, "probe-issuer")}</dt><dd>{certificate.issuer}</dd>
            <dt>{t!(lang, "probe-valid")}</dt><dd>{format!("{} – {}", certificate.not_before, certificate.not_after)}</dd>
            <dt>{t!(lang, "probe-names")}</dt><dd>{certificate.names.join(", ")}</dd>
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
    let lang = use_lang();
    move || {
        let report = state
            .report()
            .filter(|report| !report.ok && report.error_kind.as_deref() == Some("certificate"))?;
        let certificate = report.certificate?;
        let sha256 = certificate.sha256.clone();
        Some(view! {
            <div class="banner banner-warning" data-testid="certificate-trust">
                <p>{t!(lang, "probe-trust-intro")}</p>
                <CertificateFacts certificate/>
                <button type="button" class="button" on:click=move |_| {
                    state.set(FormField::PinnedCert, sha256.clone());
                    state.run_test();
                }>{t!(lang, "probe-trust")}</button>
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
    let lang = use_lang();
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
        <p class="muted">{t!(lang, "probe-folders-intro")}</p>
        <ErrorBanner error=subscribe_error/>
        <table class="table table-compact" data-testid="test-folders">
            <thead>
                <tr>
                    <th>{t!(lang, "probe-column-archive")}</th>
                    <th>{t!(lang, "probe-column-folder")}</th>
                    <th class="number">{t!(lang, "probe-column-messages")}</th>
                    <th>{t!(lang, "probe-column-subscription")}</th>
                </tr>
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
                                <input type="checkbox" aria-label=t!(lang, "probe-archive-folder", folder = folder.path.clone())
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
                                {folder.special_use.map(|kind| view! { <span class="badge" data-testid="special-use">{special_use_label(lang, &kind)}</span> })}
                            </td>
                            <td class="number">{folder.messages.map(|count| format::number(lang, count.into())).unwrap_or_default()}</td>
                            <td>
                                <button type="button" class="link-button"
                                    aria-label=move || if subscribed.get() {
                                        t!(lang, "probe-unsubscribe-folder", folder = folder.path.clone())
                                    } else {
                                        t!(lang, "probe-subscribe-folder", folder = folder.path.clone())
                                    }
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
                                    {move || if subscribed.get() { t!(lang, "probe-subscribed") } else { t!(lang, "probe-not-subscribed") }}
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
fn special_use_label(lang: Lang, kind: &str) -> String {
    match kind {
        "sent" => t!(lang, "probe-special-sent"),
        "trash" => t!(lang, "probe-special-trash"),
        "junk" => t!(lang, "probe-special-junk"),
        "drafts" => t!(lang, "probe-special-drafts"),
        "archive" => t!(lang, "probe-special-archive"),
        "all" => t!(lang, "probe-special-all"),
        "flagged" => t!(lang, "probe-special-flagged"),
        other => other.to_string(),
    }
}
