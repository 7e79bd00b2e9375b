//! The mailbox editor: every field of a profile, grouped so a non-expert gets
//! through it top to bottom. The server checks everything; its messages show
//! next to the field they are about.

use crate::api::mailboxes::{SaveMailbox, TestMailbox, load_mailbox_editor};
use crate::error::ApiError;
use crate::model::mailbox::{
    Action, AuthMethod, DuplicateMatch, DuplicatePolicy, IdentityKind, MailboxInput, Security,
};
use crate::model::mailbox_form::MailboxForm;
use crate::model::probe::ProbeReport;
use crate::ui::components::{ErrorAlert, ErrorBanner, FieldError, action_error, id_param};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

/// Common providers: host, port and security filled in.
const PRESETS: &[(&str, &str, u16, Security)] = &[
    (
        "Microsoft 365 / Outlook.com",
        "outlook.office365.com",
        993,
        Security::Tls,
    ),
    (
        "Gmail / Google Workspace",
        "imap.gmail.com",
        993,
        Security::Tls,
    ),
    ("IONOS", "imap.ionos.de", 993, Security::Tls),
    ("Strato", "imap.strato.de", 993, Security::Tls),
    ("GMX", "imap.gmx.net", 993, Security::Tls),
    ("WEB.DE", "imap.web.de", 993, Security::Tls),
    (
        "Telekom (t-online.de)",
        "secureimap.t-online.de",
        993,
        Security::Tls,
    ),
];

#[component]
pub fn NewMailboxPage() -> impl IntoView {
    let form = MailboxForm::from_input(None, &MailboxInput::new("", "", ""));
    view! {
        <Title text="Add a mailbox"/>
        <div class="page-header">
            <h1>"Add a mailbox"</h1>
            <p class="muted">"Tresor reads the mailbox on its schedule and keeps an exact copy of every message. Nothing changes on the server unless you choose an action below."</p>
        </div>
        <MailboxEditorForm form has_secret=false/>
    }
}

#[component]
pub fn EditMailboxPage() -> impl IntoView {
    let id = id_param();
    let editor = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_mailbox_editor(id).await,
            None => Err(ApiError::NotFound),
        }
    });
    view! {
        <Title text="Edit mailbox"/>
        <div class="page-header">
            <h1>"Edit mailbox"</h1>
            <p class="muted">"Changes apply from the next run. Mail already archived stays as it is."</p>
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Loading the mailbox…"</p> }>
            {move || Suspend::new(async move {
                match editor.await {
                    Ok(editor) => view! { <MailboxEditorForm form=editor.form has_secret=editor.has_secret/> }.into_any(),
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MailboxEditorForm(form: MailboxForm, has_secret: bool) -> impl IntoView {
    let save = ServerAction::<SaveMailbox>::new();
    let test = ServerAction::<TestMailbox>::new();
    let test_error = action_error(test);
    // Field messages come from whichever of save and test answered last.
    let save_error = action_error(save);
    let error = Signal::derive(move || {
        let saved = save_error.get();
        let tested = test_error.get();
        if save.version().get() >= test.version().get() {
            saved.or(tested)
        } else {
            tested.or(saved)
        }
    });
    let form_ref = NodeRef::<leptos::html::Form>::new();
    // The test reads the form as it is now, the same way submitting would.
    let run_test = move |_| {
        use leptos::form::FromFormData;
        let Some(form) = form_ref.get() else { return };
        let Ok(data) = leptos::web_sys::FormData::new_with_form(&form) else {
            return;
        };
        if let Ok(input) = TestMailbox::from_form_data(&data) {
            test.dispatch(input);
        }
    };
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            navigate("/mailboxes", Default::default());
        }
    });
    // Presets fill these three; the rest of the form is read on submit.
    let host = RwSignal::new(form.host.clone());
    let port = RwSignal::new(form.port.clone());
    let security = RwSignal::new(form.security.clone());
    // The folder picker of the connection test writes the rules.
    let rules = RwSignal::new(form.folder_rules.clone());
    let apply_preset = move |event: leptos::ev::Event| {
        let chosen = event_target_value(&event);
        if let Some((_, preset_host, preset_port, preset_security)) =
            PRESETS.iter().find(|(name, ..)| *name == chosen)
        {
            host.set(preset_host.to_string());
            port.set(preset_port.to_string());
            security.set(preset_security.as_str().to_string());
        }
    };
    let secret_placeholder = if has_secret { "unchanged" } else { "" };
    let f = form;

    view! {
        <ErrorBanner error/>
        <ActionForm action=save node_ref=form_ref attr:class="form editor" attr:data-testid="mailbox-editor">
            <input type="hidden" name="form[id]" value=f.id.clone()/>

            <fieldset class="panel">
                <legend>"Mailbox"</legend>
                <div class="form-grid">
                    <TextField label="Name" field="name" value=f.name.clone() error help="How the mailbox is listed, e.g. Accounting."/>
                    <TextField label="E-mail address" field="email_address" value=f.email_address.clone() error kind="email"/>
                </div>
            </fieldset>

            <fieldset class="panel">
                <legend>"Server"</legend>
                <div class="form-grid">
                    <div class="field">
                        <label for="mailbox-preset">"Provider"</label>
                        <select id="mailbox-preset" on:change=apply_preset data-testid="preset">
                            <option value="">"Other (enter below)"</option>
                            {PRESETS.iter().map(|(name, ..)| view! { <option value=*name>{*name}</option> }).collect_view()}
                        </select>
                        <small class="muted">"Fills in host, port and security."</small>
                    </div>
                    <div class="field">
                        <label for="mailbox-host">"Host"</label>
                        <input id="mailbox-host" type="text" name="form[host]" prop:value=host on:input=move |event| host.set(event_target_value(&event))/>
                        <FieldError error field="host"/>
                    </div>
                    <div class="field">
                        <label for="mailbox-port">"Port"</label>
                        <input id="mailbox-port" type="text" inputmode="numeric" name="form[port]" prop:value=port on:input=move |event| port.set(event_target_value(&event))/>
                        <FieldError error field="port"/>
                    </div>
                    <div class="field">
                        <label for="mailbox-security">"Security"</label>
                        <select id="mailbox-security" name="form[security]" prop:value=security on:change=move |event| security.set(event_target_value(&event))>
                            {Security::ALL.iter().map(|choice| view! {
                                <option value=choice.as_str()>{security_label(*choice)}</option>
                            }).collect_view()}
                        </select>
                        <FieldError error field="security"/>
                    </div>
                </div>
                <details class="advanced">
                    <summary>"Certificates"</summary>
                    <div class="form-grid">
                        <TextField label="CA file on the Tresor server" field="ca_file" value=f.ca_file.clone() error help="Only for a server whose certificate comes from your own CA."/>
                        <TextField label="Expected certificate name" field="expected_cert_name" value=f.expected_cert_name.clone() error help="Accept a certificate issued for another name. Marked as a warning."/>
                        <Checkbox label="Accept invalid certificates (insecure, marked as a warning)" field="accept_invalid_certs" checked=f.accept_invalid_certs.is_some() error/>
                    </div>
                </details>
            </fieldset>

            <fieldset class="panel">
                <legend>"Sign-in"</legend>
                <div class="form-grid">
                    <TextField label="User name" field="username" value=f.username.clone() error/>
                    <div class="field">
                        <label for="mailbox-secret">"Password"</label>
                        <input id="mailbox-secret" type="password" name="form[secret]" placeholder=secret_placeholder autocomplete="new-password"/>
                        <FieldError error field="secret"/>
                        {has_secret.then(|| view! { <small class="muted">"A password is stored. Leave empty to keep it."</small> })}
                    </div>
                    <SelectField label="Method" field="auth_method" selected=f.auth_method.clone() error
                        options=AuthMethod::ALL.iter().map(|m| (m.as_str(), auth_label(*m))).collect()/>
                </div>
                <details class="advanced">
                    <summary>"Master user (archive someone else's mailbox)"</summary>
                    <div class="form-grid">
                        <TextField label="Master user" field="master_user" value=f.master_user.clone() error help="A privileged login that may open other users' mailboxes."/>
                        <SelectField label="Log in as" field="identity_kind" selected=f.identity_kind.clone() error
                            options=std::iter::once(("", "—")).chain(IdentityKind::ALL.iter().map(|k| (k.as_str(), identity_label(*k)))).collect()/>
                    </div>
                </details>
            </fieldset>

            <fieldset class="panel">
                <legend>"Folders and filters"</legend>
                <div class="form-grid">
                    <div class="field field-wide">
                        <label for="mailbox-folder_rules">"Folders to archive"</label>
                        <textarea id="mailbox-folder_rules" name="form[folder_rules]" rows="4" placeholder="*\n!Newsletters"
                            prop:value=rules on:input=move |event| rules.set(event_target_value(&event))>{f.folder_rules.clone()}</textarea>
                        <FieldError error field="folder_rules"/>
                        <small class="muted">"One rule per line: a folder name, * for every folder, & for a folder and its subfolders (Sent&), ! to exclude. Empty: every folder except Trash, Junk and Drafts."</small>
                    </div>
                    <Checkbox label="Only subscribed folders" field="subscribed_only" checked=f.subscribed_only.is_some() error/>
                    <TextField label="Only messages older than (days)" field="older_than_days" value=f.older_than_days.clone() error help="Empty: archive at once."/>
                    <TextField label="Skip messages larger than (MB)" field="max_message_size_mb" value=f.max_message_size_mb.clone() error help="Skipped messages are listed in the job log."/>
                </div>
            </fieldset>

            <fieldset class="panel">
                <legend>"After archiving"</legend>
                <div class="form-grid">
                    <SelectField label="On the server" field="action" selected=f.action.clone() error
                        options=Action::ALL.iter().map(|a| (a.as_str(), action_label(*a))).collect()/>
                    <TextField label="Delete only when older than (days)" field="delete_older_than_days" value=f.delete_older_than_days.clone() error/>
                    <TextField label="Archived folder" field="success_folder" value=f.success_folder.clone() error help="Move: messages go to <this>/<source folder>."/>
                    <TextField label="Duplicates folder" field="duplicate_folder" value=f.duplicate_folder.clone() error/>
                    <TextField label="Errors folder" field="error_folder" value=f.error_folder.clone() error/>
                    <TextField label="Tag for archived" field="success_tag" value=f.success_tag.clone() error/>
                    <TextField label="Tag for duplicates" field="duplicate_tag" value=f.duplicate_tag.clone() error/>
                </div>
                <p class="muted">"A message is only tagged, moved or deleted after it is safely in the archive."</p>
            </fieldset>

            <fieldset class="panel">
                <legend>"Duplicates and labels"</legend>
                <div class="form-grid">
                    <SelectField label="A message the archive has already" field="duplicate_policy" selected=f.duplicate_policy.clone() error
                        options=DuplicatePolicy::ALL.iter().map(|p| (p.as_str(), policy_label(*p))).collect()/>
                    <SelectField label="The same message means" field="duplicate_match" selected=f.duplicate_match.clone() error
                        options=DuplicateMatch::ALL.iter().map(|m| (m.as_str(), match_label(*m))).collect()/>
                    <div class="field field-wide">
                        <label for="mailbox-labels">"Labels"</label>
                        <textarea id="mailbox-labels" name="form[labels]" rows="3" placeholder="category=Invoices">{f.labels.clone()}</textarea>
                        <FieldError error field="labels"/>
                        <small class="muted">"One key=value per line, attached to every message of this mailbox; searchable."</small>
                    </div>
                </div>
            </fieldset>

            <fieldset class="panel">
                <legend>"Schedule"</legend>
                <div class="form-grid">
                    <TextField label="Run" field="schedule" value=f.schedule.clone() error help="An interval (30m, 6h, 1d) or a cron expression (0 2 * * *). Empty: only when started by hand."/>
                    <TextField label="Connections to this server at most" field="max_connections" value=f.max_connections.clone() error help="Protects against provider throttling."/>
                </div>
            </fieldset>

            <section class="panel" data-testid="connection-test">
                <div class="page-header-actions">
                    <p class="muted">"Log in with these settings and list the folders, without saving. Takes a few seconds."</p>
                    <button type="button" class="button" on:click=run_test disabled=move || test.pending().get()>
                        {move || if test.pending().get() { "Testing…" } else { "Test connection" }}
                    </button>
                </div>
                {move || match test.value().get() {
                    Some(Ok(report)) => Some(view! { <ProbeResult report rules/> }.into_any()),
                    Some(Err(_)) => test_error.get().filter(|error| !matches!(error, ApiError::Invalid { .. })).map(|error| view! { <ErrorAlert error/> }.into_any()),
                    None => None,
                }}
            </section>

            <div class="form-actions">
                <a class="button" href="/mailboxes">"Cancel"</a>
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else { "Save mailbox" }}
                </button>
            </div>
        </ActionForm>
    }
}

/// What "Test connection" found: the server's offer, or what went wrong
/// and what to do about it.
#[component]
fn ProbeResult(report: ProbeReport, rules: RwSignal<String>) -> impl IntoView {
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
        <p class="muted">"Ticked: archived by the current rules. Change the ticks and press “Use these folders” to write them as the rules."</p>
        <table class="table table-compact" data-testid="test-folders">
            <thead>
                <tr><th>"Archive"</th><th>"Folder"</th><th class="number">"Messages"</th><th>"Kind"</th><th>"Subscribed"</th></tr>
            </thead>
            <tbody>
                {report.folders.into_iter().map(|folder| {
                    let path = folder.path.clone();
                    let toggle_path = folder.path.clone();
                    let ticked = move || picked.with(|picked| picked.contains(&path));
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
                            <td>{folder.path}</td>
                            <td class="number">{folder.messages.map(|count| count.to_string()).unwrap_or_default()}</td>
                            <td>{folder.special_use.unwrap_or_default()}</td>
                            <td>{if folder.subscribed { "yes" } else { "" }}</td>
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
            rules.set(chosen.join("\n"));
        }>"Use these folders"</button>
    }
    .into_any()
}

#[component]
fn TextField(
    label: &'static str,
    field: &'static str,
    value: String,
    #[prop(into)] error: Signal<Option<ApiError>>,
    #[prop(optional)] help: Option<&'static str>,
    #[prop(optional)] kind: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=format!("mailbox-{field}")>{label}</label>
            <input id=format!("mailbox-{field}") type=kind.unwrap_or("text") name=format!("form[{field}]") value=value/>
            <FieldError error field/>
            {help.map(|help| view! { <small class="muted">{help}</small> })}
        </div>
    }
}

#[component]
fn SelectField(
    label: &'static str,
    field: &'static str,
    selected: String,
    options: Vec<(&'static str, &'static str)>,
    #[prop(into)] error: Signal<Option<ApiError>>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=format!("mailbox-{field}")>{label}</label>
            <select id=format!("mailbox-{field}") name=format!("form[{field}]")>
                {options.into_iter().map(|(value, text)| view! {
                    <option value=value selected=value == selected>{text}</option>
                }).collect_view()}
            </select>
            <FieldError error field/>
        </div>
    }
}

#[component]
fn Checkbox(
    label: &'static str,
    field: &'static str,
    checked: bool,
    #[prop(into)] error: Signal<Option<ApiError>>,
) -> impl IntoView {
    view! {
        <label class="field field-check">
            <span><input type="checkbox" name=format!("form[{field}]") checked=checked/> " " {label}</span>
            <FieldError error field/>
        </label>
    }
}

fn security_label(security: Security) -> &'static str {
    match security {
        Security::Tls => "TLS (port 993)",
        Security::StartTls => "STARTTLS (port 143)",
        Security::Plain => "None — unencrypted",
    }
}

fn auth_label(method: AuthMethod) -> &'static str {
    match method {
        AuthMethod::Plain => "Password (PLAIN)",
        AuthMethod::Login => "Password (LOGIN)",
        AuthMethod::CramMd5 => "Password (CRAM-MD5)",
        AuthMethod::XOAuth2 => "OAuth 2 token (XOAUTH2)",
        AuthMethod::OAuthBearer => "OAuth 2 token (OAUTHBEARER)",
    }
}

fn identity_label(kind: IdentityKind) -> &'static str {
    match kind {
        IdentityKind::Address => "the e-mail address",
        IdentityKind::LocalPart => "the part before @",
        IdentityKind::Username => "the user name",
    }
}

fn action_label(action: Action) -> &'static str {
    match action {
        Action::None => "Leave messages as they are",
        Action::Tag => "Tag them",
        Action::Move => "Move them to a folder",
        Action::Delete => "Delete them",
    }
}

fn policy_label(policy: DuplicatePolicy) -> &'static str {
    match policy {
        DuplicatePolicy::Drop => "Only count it",
        DuplicatePolicy::Change => "Also list it under this mailbox",
        DuplicatePolicy::Replace => "Keep a changed copy as a new revision",
    }
}

fn match_label(matching: DuplicateMatch) -> &'static str {
    match matching {
        DuplicateMatch::Content => "the same bytes",
        DuplicateMatch::Headers => "the same Message-ID, date and sender",
    }
}
