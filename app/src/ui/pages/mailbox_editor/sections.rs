//! The editor's panels and groups of fields, shared by the guided path of a new
//! mailbox (`wizard`) and the single form of an existing one or a template
//! (`form`): who the mailbox is, the server, the sign-in, the certificate,
//! the folders, the schedule, and everything else folded under "Advanced",
//! showing only fields that apply (no move or tag settings when mail is left
//! as it is; CA files and master users for administrators only); and the
//! "Test connection" button with its outcome.

use super::presets::PRESETS;
use super::probe::{CertificateTrust, FixedAt, FolderPicker, ProbeHint, TestOutcome};
use super::state::{Editor, EditorKind, Inheritance};
use crate::api::oauth::load_sign_in_app_names;
use crate::model::mailbox_form::FormField;
use crate::model::mailbox_profile::{
    Action, AuthMethod, DuplicateMatch, DuplicatePolicy, IdentityKind, Security, Source,
};
use crate::ui::components::FieldError;
use crate::ui::components::fields::{Checkbox, FormState, SelectField, TextArea, TextField};
use leptos::prelude::*;

/// One panel of the form: a fieldset with its legend.
#[component]
pub fn Panel(
    legend: &'static str,
    #[prop(optional)] testid: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <fieldset class="panel" data-testid=testid>
            <legend>{legend}</legend>
            {children()}
        </fieldset>
    }
    .into_any()
}

/// "Test connection" and its outcome (the folders to tick below it in the
/// single form: the guided path shows them in its own step).
#[component]
pub fn TestButton(state: Editor, #[prop(optional)] without_folders: bool) -> impl IntoView {
    view! {
        <div class="page-header-actions">
            <p class="muted">"Log in with these settings and list the folders, without saving. Takes a few seconds."</p>
            <button type="button" class="button" on:click=move |_| state.run_test() disabled=move || state.test.pending().get()>
                {move || if state.test.pending().get() { "Testing…" } else { "Test connection" }}
            </button>
        </div>
        <TestOutcome state/>
        {(!without_folders).then(|| view! { <FolderPicker state/> })}
    }
    .into_any()
}

/// Whether the form reads the mailbox through Microsoft Graph.
fn is_graph(state: Editor) -> impl Fn() -> bool + Copy + Send + Sync + 'static {
    let source = state.value(FormField::Source);
    move || source() == Source::Graph.as_str()
}

/// The mailbox's name and address (a template has neither).
#[component]
pub fn IdentityFields(state: Editor) -> impl IntoView {
    let is_mailbox = state.kind == EditorKind::Mailbox;
    view! {
        <div class="form-grid">
            <TextField state label="Name" field=FormField::Name help=if is_mailbox { "How the mailbox is listed, e.g. Accounting." } else { "e.g. Company IMAP server." }/>
            {is_mailbox.then(|| view! {
                <TextField state label="E-mail address" field=FormField::EmailAddress kind="email"/>
            })}
        </div>
    }
    .into_any()
}

/// Where the server is: for IMAP the common providers, host, port and
/// security (with a warning for an unencrypted one) and the certificate
/// (Graph's service root is under "Advanced"). `choose_source`: also offer
/// IMAP or Graph (the single form).
#[component]
pub fn ServerFields(state: Editor, #[prop(optional)] choose_source: bool) -> impl IntoView {
    let is_graph = is_graph(state);
    let preset_help = RwSignal::new("");
    let apply_preset = move |event: leptos::ev::Event| {
        let chosen = event_target_value(&event);
        let preset = PRESETS.iter().find(|preset| preset.name == chosen);
        preset_help.set(preset.map_or("", |preset| preset.help));
        if let Some(preset) = preset {
            state.set(FormField::Source, preset.source.as_str().to_string());
            state.set(FormField::Host, preset.host.to_string());
            state.set(FormField::Port, preset.port.to_string());
            state.set(FormField::Security, preset.security.as_str().to_string());
            state.set(FormField::AuthMethod, preset.auth.as_str().to_string());
        }
    };
    let security = state.value(FormField::Security);
    view! {
        {choose_source.then(|| view! {
            <div class="form-grid">
                <SelectField state label="Read the mail with" field=FormField::Source
                    options=vec![("imap", "IMAP"), ("graph", "Microsoft Graph (Microsoft 365)")]/>
            </div>
        })}
        <Show when=move || !is_graph()>
            <div class="form-grid">
                <div class="field">
                    <label for="mailbox-preset">"Provider"</label>
                    <select id="mailbox-preset" on:change=apply_preset data-testid="preset">
                        <option value="">"Other (enter below)"</option>
                        {PRESETS.iter().filter(|preset| preset.source == Source::Imap).map(|preset| view! { <option value=preset.name>{preset.name}</option> }).collect_view()}
                    </select>
                    <small class="muted" data-testid="preset-help">{move || match preset_help.get() {
                        "" => "Fills in how to reach the server.",
                        help => help,
                    }}</small>
                </div>
                <TextField state label="Host" field=FormField::Host/>
                <TextField state label="Port" field=FormField::Port/>
                <SelectField state label="Security" field=FormField::Security
                    options=Security::ALL.iter().map(|choice| (choice.as_str(), security_label(*choice))).collect()/>
            </div>
            {move || (security() == Security::Plain.as_str()).then(|| view! {
                <p class="field-error" role="alert" data-testid="plain-warning">
                    "Unencrypted: the password and every message cross the network readable. Choose TLS or STARTTLS unless the server runs on this machine."
                </p>
            })}
            <ProbeHint state place=FixedAt::Server/>
            <CertificateSection state/>
        </Show>
    }
    .into_any()
}

/// The certificate: folded away until a test finds a problem with it or a
/// certificate is trusted by its fingerprint. The CA file (a path on the
/// Tresor server) is for administrators only.
#[component]
fn CertificateSection(state: Editor) -> impl IntoView {
    let pinned = state.value(FormField::PinnedCert);
    let concerned = move || {
        state
            .failure_kind()
            .is_some_and(|kind| FixedAt::of(&kind) == Some(FixedAt::Certificate))
    };
    view! {
        <details class="advanced" data-testid="certificate-section" prop:open=move || concerned() || !pinned().is_empty()>
            <summary>"Certificates"</summary>
            <ProbeHint state place=FixedAt::Certificate/>
            <CertificateTrust state/>
            <div class="form-grid">
                <TextField state label="Trusted certificate (SHA-256)" field=FormField::PinnedCert
                    help="Accept exactly the certificate with this fingerprint, whoever issued it; a run fails if the server presents another. Empty: the usual checks."/>
                {state.admin.then(|| view! {
                    <TextField state label="CA file on the Tresor server" field=FormField::CaFile help="Only for a server whose certificate comes from your own CA."/>
                })}
                <TextField state label="Expected certificate name" field=FormField::ExpectedCertName help="Accept a certificate issued for another name. Marked as a warning."/>
                <Checkbox state label="Accept invalid certificates (insecure, marked as a warning)" field=FormField::AcceptInvalidCerts/>
            </div>
        </details>
    }
    .into_any()
}

/// Who logs in: the user name and, for IMAP without a sign-in app, the
/// password (a wrong one is pointed out here); the sign-in app for OAuth.
#[component]
pub fn SignInFields(state: Editor) -> impl IntoView {
    let is_graph = is_graph(state);
    let method = state.value(FormField::AuthMethod);
    let uses_password =
        move || !is_graph() && !matches!(method().as_str(), "xoauth2" | "oauthbearer");
    let secret_placeholder = if state.has_secret { "unchanged" } else { "" };
    let is_mailbox = state.kind == EditorKind::Mailbox;
    view! {
        <div class="form-grid">
            {is_mailbox.then(|| view! {
                <TextField state label="User name" field=FormField::Username/>
                <Show when=uses_password>
                    <div class="field">
                        <label for="mailbox-secret">"Password"</label>
                        <input id="mailbox-secret" type="password" placeholder=secret_placeholder autocomplete="new-password"
                            prop:value=state.secret on:input=move |event| state.secret.set(event_target_value(&event))/>
                        <FieldError error=state.error field="secret"/>
                        <ProbeHint state place=FixedAt::SignIn/>
                        {state.has_secret.then(|| view! { <small class="muted">"A password is stored. Leave empty to keep it."</small> })}
                    </div>
                </Show>
            })}
            <SignInAppField state graph=Signal::derive(is_graph)/>
        </div>
    }
    .into_any()
}

/// Which folders are archived: the test's folders to tick, and the rules.
#[component]
pub fn FolderFields(state: Editor) -> impl IntoView {
    view! {
        <FolderPicker state/>
        <div class="form-grid">
            <TextArea state label="Folders to archive" field=FormField::FolderRules rows=4 placeholder="*\n!Newsletters"
                help="One rule per line: a folder name, * for every folder, & for a folder and its subfolders (Sent&), ! to exclude. Empty: every folder except Trash, Junk and Drafts."/>
        </div>
    }
    .into_any()
}

/// When the mailbox is archived.
#[component]
pub fn ScheduleFields(state: Editor) -> impl IntoView {
    view! {
        <div class="form-grid">
            <TextField state label="Run" field=FormField::Schedule help="An interval (30m, 6h, 1d) or a cron expression (0 2 * * *). Empty: only when started by hand."/>
        </div>
    }
    .into_any()
}

/// Everything a mailbox works without, folded away: how to sign in, a
/// master user (administrators), filters, what happens on the server after
/// archiving (only the fields the chosen action uses), duplicates, labels
/// and limits.
#[component]
pub fn AdvancedFields(state: Editor) -> impl IntoView {
    let is_graph = is_graph(state);
    let action = state.value(FormField::Action);
    let acts = move |wanted: Action| action() == wanted.as_str();
    let master_user = state.admin && state.kind == EditorKind::Mailbox;
    view! {
        <details class="advanced" data-testid="advanced">
            <summary>"Advanced"</summary>
            <Show when=move || !is_graph()>
                <div class="form-grid">
                    <SelectField state label="Method" field=FormField::AuthMethod
                        options=AuthMethod::ALL.iter().map(|m| (m.as_str(), auth_label(*m))).collect()/>
                </div>
                {master_user.then(|| view! {
                    <h3 class="section-title">"Master user (archive someone else's mailbox)"</h3>
                    <div class="form-grid">
                        <TextField state label="Master user" field=FormField::MasterUser help="A privileged login that may open other users' mailboxes."/>
                        <SelectField state label="Log in as" field=FormField::IdentityKind
                            options=std::iter::once(("", "—")).chain(IdentityKind::ALL.iter().map(|k| (k.as_str(), identity_label(*k)))).collect()/>
                    </div>
                })}
            </Show>
            <h3 class="section-title">"Filters"</h3>
            <div class="form-grid">
                <Checkbox state label="Only subscribed folders" field=FormField::SubscribedOnly/>
                <TextField state label="Only messages older than (days)" field=FormField::OlderThanDays help="Empty: archive at once."/>
                <TextField state label="Skip messages larger than (MB)" field=FormField::MaxMessageSizeMb help="Skipped messages are listed in the job log."/>
            </div>
            <h3 class="section-title">"After archiving"</h3>
            <div class="form-grid">
                <SelectField state label="On the server" field=FormField::Action
                    options=Action::ALL.iter().map(|a| (a.as_str(), action_label(*a))).collect()/>
                <Show when=move || acts(Action::Delete)>
                    <TextField state label="Delete only when older than (days)" field=FormField::DeleteOlderThanDays/>
                </Show>
                <Show when=move || acts(Action::Move)>
                    <TextField state label="Archived folder" field=FormField::SuccessFolder help="Move: messages go to <this>/<source folder>."/>
                    <TextField state label="Duplicates folder" field=FormField::DuplicateFolder/>
                    <TextField state label="Errors folder" field=FormField::ErrorFolder/>
                </Show>
                <Show when=move || acts(Action::Tag)>
                    <TextField state label="Tag for archived" field=FormField::SuccessTag/>
                    <TextField state label="Tag for duplicates" field=FormField::DuplicateTag/>
                </Show>
            </div>
            <p class="muted">"A message is only tagged, moved or deleted after it is safely in the archive."</p>
            <h3 class="section-title">"Duplicates and labels"</h3>
            <div class="form-grid">
                <SelectField state label="A message the archive has already" field=FormField::DuplicatePolicy
                    options=DuplicatePolicy::ALL.iter().map(|p| (p.as_str(), policy_label(*p))).collect()/>
                <SelectField state label="The same message means" field=FormField::DuplicateMatch
                    options=DuplicateMatch::ALL.iter().map(|m| (m.as_str(), match_label(*m))).collect()/>
                <TextArea state label="Labels" field=FormField::Labels rows=3 placeholder="category=Invoices"
                    help="One key=value per line, attached to every message of this mailbox; searchable."/>
            </div>
            <h3 class="section-title">"Limits"</h3>
            <div class="form-grid">
                <TextField state label="Connections to this server at most" field=FormField::MaxConnections help="Protects against provider throttling."/>
                <Show when=is_graph>
                    <TextField state label="Graph service root" field=FormField::Host
                        help="https://graph.microsoft.com/v1.0; a national cloud has its own (graph.microsoft.us, microsoftgraph.chinacloudapi.cn)."/>
                    <TextField state label="Messages per page" field=FormField::PageSize
                        help="Per request while listing a folder's changes (default 25). Larger pages mean fewer requests and more throttling risk."/>
                </Show>
            </div>
        </details>
    }
    .into_any()
}

/// The sign-in apps' names, loaded once by the editor's page and found in
/// context: a resource created inside the `Suspend` the form lives in would
/// be created again each time the server re-runs it, and the browser would
/// hydrate against another copy's data.
#[derive(Clone, Copy)]
pub struct SignInApps(Resource<Result<Vec<(i64, String)>, crate::error::ApiError>>);

impl SignInApps {
    pub fn new() -> Self {
        Self(Resource::new(|| (), |_| load_sign_in_app_names()))
    }
}

impl Default for SignInApps {
    fn default() -> Self {
        Self::new()
    }
}

/// For XOAUTH2/OAUTHBEARER and Graph: the sign-in app the mailbox signs in with
/// (Admin → Sign-in apps); signing in happens on the mailbox's page.
#[component]
fn SignInAppField(state: Editor, graph: Signal<bool>) -> impl IntoView {
    let SignInApps(apps) = expect_context::<SignInApps>();
    let method = state.value(FormField::AuthMethod);
    let value = state.value(FormField::OAuthApp);
    let is_oauth = move || {
        graph.get() || matches!(method().as_str(), "xoauth2" | "oauthbearer") || !value().is_empty()
    };
    view! {
        <Show when=is_oauth>
            <div class="field">
                <div class="field-label">
                    <label for="mailbox-oauth_app">"Sign-in app"</label>
                    <Inheritance state field=FormField::OAuthApp/>
                </div>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        let apps = apps.await.unwrap_or_default();
                        view! {
                            <select id="mailbox-oauth_app" name="oauth_app" prop:value=value
                                on:change=move |event| state.set(FormField::OAuthApp, event_target_value(&event))>
                                <option value="" selected=move || value().is_empty()>"None: the password field holds a token"</option>
                                {apps.into_iter().map(|(id, name)| {
                                    let id = id.to_string();
                                    let option = id.clone();
                                    view! { <option value=id selected=move || value() == option>{name}</option> }
                                }).collect_view()}
                            </select>
                        }
                    })}
                </Transition>
                <FieldError error=state.error field="oauth_app"/>
                <small class="muted">"Register apps under Admin → Sign-in apps. After saving, sign in on the mailbox's page."</small>
            </div>
        </Show>
    }
    .into_any()
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
