//! The editor's panels and groups of fields, shared by the guided path of a new
//! mailbox (`wizard`) and the single form of an existing one or a template
//! (`form`): who the mailbox is, the server, the sign-in, the certificate,
//! the folders, the schedule, and everything else folded under "Advanced",
//! showing only fields that apply (no move or tag settings when mail is left
//! as it is; CA files and master users for administrators only); and the
//! "Test connection" button with its outcome.

use super::presets::{PRESETS, ServerPreset};
use super::probe::{CertificateTrust, FixedAt, FolderPicker, ProbeHint, TestOutcome};
use super::state::{Editor, EditorKind, Inheritance};
use crate::api::oauth::load_sign_in_app_names;
use crate::i18n::{Lang, use_lang};
use crate::model::mailbox_form::FormField;
use crate::model::mailbox_profile::{
    Action, AuthMethod, DuplicateMatch, DuplicatePolicy, IdentityKind, Security, Source,
};
use crate::t;
use crate::ui::components::FieldError;
use crate::ui::components::fields::{Checkbox, FormState, SelectField, TextArea, TextField};
use leptos::prelude::*;

/// One panel of the form: a fieldset with its legend.
#[component]
pub fn Panel(
    #[prop(into)] legend: String,
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
    let lang = use_lang();
    view! {
        <div class="page-header-actions">
            <p class="muted">{t!(lang, "editor-test-intro")}</p>
            <button type="button" class="button" on:click=move |_| state.run_test() disabled=move || state.test.pending().get()>
                {move || if state.test.pending().get() { t!(lang, "editor-testing") } else { t!(lang, "editor-test-connection") }}
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

/// Whether the form reads a POP3 maildrop: one inbox, no folders or keywords.
fn is_pop3(state: Editor) -> impl Fn() -> bool + Copy + Send + Sync + 'static {
    let source = state.value(FormField::Source);
    move || source() == Source::Pop3.as_str()
}

/// The mailbox's name and address (a template has neither).
#[component]
pub fn IdentityFields(state: Editor) -> impl IntoView {
    let lang = use_lang();
    let is_mailbox = state.kind == EditorKind::Mailbox;
    view! {
        <div class="form-grid">
            <TextField state label=t!(lang, "editor-name") field=FormField::Name help=if is_mailbox { t!(lang, "editor-name-help-mailbox") } else { t!(lang, "editor-name-help-template") }/>
            {is_mailbox.then(|| view! {
                <TextField state label=t!(lang, "editor-email-address") field=FormField::EmailAddress kind="email"/>
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
    let lang = use_lang();
    let is_graph = is_graph(state);
    let is_pop3 = is_pop3(state);
    let chosen_preset = RwSignal::new(None::<&'static ServerPreset>);
    let apply_preset = move |event: leptos::ev::Event| {
        let chosen = event_target_value(&event);
        let preset = PRESETS.iter().find(|preset| preset.name == chosen);
        chosen_preset.set(preset);
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
                <SelectField state label=t!(lang, "editor-read-with") field=FormField::Source
                    options=vec![("imap", "IMAP".to_string()), ("pop3", "POP3".to_string()), ("graph", "Microsoft Graph (Microsoft 365)".to_string())]/>
            </div>
        })}
        <Show when=move || !is_graph()>
            <div class="form-grid">
                // The providers are IMAP's.
                <div class="field" hidden=is_pop3>
                    <label for="mailbox-preset">{t!(lang, "editor-provider")}</label>
                    <select id="mailbox-preset" on:change=apply_preset data-testid="preset">
                        <option value="">{t!(lang, "editor-provider-other")}</option>
                        {PRESETS.iter().filter(|preset| preset.source == Source::Imap).map(|preset| view! { <option value=preset.name>{preset.name}</option> }).collect_view()}
                    </select>
                    <small class="muted" data-testid="preset-help">{move || {
                        chosen_preset
                            .get()
                            .and_then(|preset| preset.help(lang))
                            .unwrap_or_else(|| t!(lang, "editor-provider-help"))
                    }}</small>
                </div>
                <TextField state label=t!(lang, "editor-host") field=FormField::Host/>
                <TextField state label=t!(lang, "editor-port") field=FormField::Port/>
                <SelectField state label=t!(lang, "editor-security") field=FormField::Security
                    options=Security::ALL.iter().map(|choice| (choice.as_str(), security_label(lang, *choice))).collect()/>
            </div>
            {move || (security() == Security::Plain.as_str()).then(|| view! {
                <p class="field-error" role="alert" data-testid="plain-warning">
                    {t!(lang, "editor-plain-warning")}
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
    let lang = use_lang();
    let pinned = state.value(FormField::PinnedCert);
    let concerned = move || {
        state
            .failure_kind()
            .is_some_and(|kind| FixedAt::of(&kind) == Some(FixedAt::Certificate))
    };
    view! {
        <details class="advanced" data-testid="certificate-section" prop:open=move || concerned() || !pinned().is_empty()>
            <summary>{t!(lang, "editor-certificates")}</summary>
            <ProbeHint state place=FixedAt::Certificate/>
            <CertificateTrust state/>
            <div class="form-grid">
                <TextField state label=t!(lang, "editor-pinned-cert") field=FormField::PinnedCert
                    help=t!(lang, "editor-pinned-cert-help")/>
                {state.admin.then(|| view! {
                    <TextField state label=t!(lang, "editor-ca-file") field=FormField::CaFile help=t!(lang, "editor-ca-file-help")/>
                })}
                <TextField state label=t!(lang, "editor-expected-cert-name") field=FormField::ExpectedCertName help=t!(lang, "editor-expected-cert-name-help")/>
                <Checkbox state label=t!(lang, "editor-accept-invalid-certs") field=FormField::AcceptInvalidCerts/>
            </div>
        </details>
    }
    .into_any()
}

/// Who logs in: the user name and, for IMAP without a sign-in app, the
/// password (a wrong one is pointed out here); the sign-in app for OAuth.
#[component]
pub fn SignInFields(state: Editor) -> impl IntoView {
    let lang = use_lang();
    let is_graph = is_graph(state);
    let method = state.value(FormField::AuthMethod);
    let uses_password =
        move || !is_graph() && !matches!(method().as_str(), "xoauth2" | "oauthbearer");
    let secret_placeholder = if state.has_secret {
        t!(lang, "editor-password-unchanged")
    } else {
        String::new()
    };
    let is_mailbox = state.kind == EditorKind::Mailbox;
    view! {
        <div class="form-grid">
            {is_mailbox.then(|| view! {
                <TextField state label=t!(lang, "editor-username") field=FormField::Username/>
                <Show when=uses_password>
                    <div class="field">
                        <label for="mailbox-secret">{t!(lang, "editor-password")}</label>
                        <input id="mailbox-secret" type="password" placeholder=secret_placeholder.clone() autocomplete="new-password"
                            prop:value=state.secret on:input=move |event| state.secret.set(event_target_value(&event))/>
                        <FieldError error=state.error field="secret"/>
                        <ProbeHint state place=FixedAt::SignIn/>
                        {state.has_secret.then(|| view! { <small class="muted">{t!(lang, "editor-password-stored")}</small> })}
                    </div>
                </Show>
            })}
            <SignInAppField state graph=Signal::derive(is_graph)/>
        </div>
    }
    .into_any()
}

/// Which folders are archived: the test's folders to tick, and the rules
/// (a POP3 maildrop has only its inbox: no rules to write).
#[component]
pub fn FolderFields(state: Editor) -> impl IntoView {
    let lang = use_lang();
    let is_pop3 = is_pop3(state);
    view! {
        <FolderPicker state/>
        <Show when=move || !is_pop3()>
            <div class="form-grid">
                // The placeholder is rules as typed (a folder's name stays as it is).
                <TextArea state label=t!(lang, "editor-folder-rules") field=FormField::FolderRules rows=4 placeholder="*\n!Newsletters"
                    help=t!(lang, "editor-folder-rules-help")/>
            </div>
        </Show>
    }
    .into_any()
}

/// When the mailbox is archived.
#[component]
pub fn ScheduleFields(state: Editor) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="form-grid">
            <TextField state label=t!(lang, "editor-schedule") field=FormField::Schedule help=t!(lang, "editor-schedule-help")/>
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
    let lang = use_lang();
    let is_graph = is_graph(state);
    let is_pop3 = is_pop3(state);
    let action = state.value(FormField::Action);
    let acts = move |wanted: Action| action() == wanted.as_str();
    let master_user = state.admin && state.kind == EditorKind::Mailbox;
    view! {
        <details class="advanced" data-testid="advanced">
            <summary>{t!(lang, "editor-advanced")}</summary>
            <Show when=move || !is_graph()>
                <div class="form-grid">
                    <SelectField state label=t!(lang, "editor-auth-method") field=FormField::AuthMethod
                        options=AuthMethod::ALL.iter().map(|m| (m.as_str(), auth_label(lang, *m))).collect()/>
                </div>
                {master_user.then(|| view! {
                    <h3 class="section-title">{t!(lang, "editor-master-user-title")}</h3>
                    <div class="form-grid">
                        <TextField state label=t!(lang, "editor-master-user") field=FormField::MasterUser help=t!(lang, "editor-master-user-help")/>
                        <SelectField state label=t!(lang, "editor-log-in-as") field=FormField::IdentityKind
                            options=std::iter::once(("", "—".to_string())).chain(IdentityKind::ALL.iter().map(|k| (k.as_str(), identity_label(lang, *k)))).collect()/>
                    </div>
                })}
            </Show>
            <h3 class="section-title">{t!(lang, "editor-filters")}</h3>
            <div class="form-grid">
                <Show when=move || !is_pop3()>
                    <Checkbox state label=t!(lang, "editor-subscribed-only") field=FormField::SubscribedOnly/>
                </Show>
                <TextField state label=t!(lang, "editor-older-than") field=FormField::OlderThanDays help=t!(lang, "editor-older-than-help")/>
                <TextField state label=t!(lang, "editor-max-size") field=FormField::MaxMessageSizeMb help=t!(lang, "editor-max-size-help")/>
            </div>
            <h3 class="section-title">{t!(lang, "editor-after-archiving")}</h3>
            <div class="form-grid">
                // POP3 can only leave a message or delete it.
                <Show when=is_pop3 fallback=move || view! {
                    <SelectField state label=t!(lang, "editor-action") field=FormField::Action
                        options=Action::ALL.iter().map(|a| (a.as_str(), action_label(lang, *a))).collect()/>
                }>
                    <SelectField state label=t!(lang, "editor-action") field=FormField::Action
                        options=[Action::None, Action::Delete].iter().map(|a| (a.as_str(), action_label(lang, *a))).collect()/>
                </Show>
                <Show when=move || acts(Action::Delete)>
                    <TextField state label=t!(lang, "editor-delete-older-than") field=FormField::DeleteOlderThanDays/>
                </Show>
                <Show when=move || acts(Action::Move)>
                    <TextField state label=t!(lang, "editor-success-folder") field=FormField::SuccessFolder help=t!(lang, "editor-success-folder-help")/>
                    <TextField state label=t!(lang, "editor-duplicate-folder") field=FormField::DuplicateFolder/>
                    <TextField state label=t!(lang, "editor-error-folder") field=FormField::ErrorFolder/>
                </Show>
                <Show when=move || acts(Action::Tag)>
                    <TextField state label=t!(lang, "editor-success-tag") field=FormField::SuccessTag/>
                    <TextField state label=t!(lang, "editor-duplicate-tag") field=FormField::DuplicateTag/>
                </Show>
            </div>
            <p class="muted">{t!(lang, "editor-action-note")}</p>
            <h3 class="section-title">{t!(lang, "editor-duplicates-and-labels")}</h3>
            <div class="form-grid">
                <SelectField state label=t!(lang, "editor-duplicate-policy") field=FormField::DuplicatePolicy
                    options=DuplicatePolicy::ALL.iter().map(|p| (p.as_str(), policy_label(lang, *p))).collect()/>
                <SelectField state label=t!(lang, "editor-duplicate-match") field=FormField::DuplicateMatch
                    options=DuplicateMatch::ALL.iter().map(|m| (m.as_str(), match_label(lang, *m))).collect()/>
                <TextArea state label=t!(lang, "editor-labels") field=FormField::Labels rows=3 placeholder=t!(lang, "editor-labels-placeholder")
                    help=t!(lang, "editor-labels-help")/>
            </div>
            <h3 class="section-title">{t!(lang, "editor-limits")}</h3>
            <div class="form-grid">
                <TextField state label=t!(lang, "editor-max-connections") field=FormField::MaxConnections help=t!(lang, "editor-max-connections-help")/>
                <Show when=is_graph>
                    <TextField state label=t!(lang, "editor-graph-root") field=FormField::Host
                        help=t!(lang, "editor-graph-root-help")/>
                    <TextField state label=t!(lang, "editor-page-size") field=FormField::PageSize
                        help=t!(lang, "editor-page-size-help")/>
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
    let lang = use_lang();
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
                    <label for="mailbox-oauth_app">{t!(lang, "editor-sign-in-app")}</label>
                    <Inheritance state field=FormField::OAuthApp/>
                </div>
                <Transition fallback=move || view! { <p class="muted">{t!(lang, "common-loading")}</p> }>
                    {move || Suspend::new(async move {
                        let apps = apps.await.unwrap_or_default();
                        view! {
                            <select id="mailbox-oauth_app" name="oauth_app" prop:value=value
                                on:change=move |event| state.set(FormField::OAuthApp, event_target_value(&event))>
                                <option value="" selected=move || value().is_empty()>{t!(lang, "editor-sign-in-app-none")}</option>
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
                <small class="muted">{t!(lang, "editor-sign-in-app-help")}</small>
            </div>
        </Show>
    }
    .into_any()
}

fn security_label(lang: Lang, security: Security) -> String {
    match security {
        Security::Tls => t!(lang, "editor-security-tls"),
        Security::StartTls => t!(lang, "editor-security-starttls"),
        Security::Plain => t!(lang, "editor-security-plain"),
    }
}

fn auth_label(lang: Lang, method: AuthMethod) -> String {
    match method {
        AuthMethod::Plain => t!(lang, "editor-auth-plain"),
        AuthMethod::Login => t!(lang, "editor-auth-login"),
        AuthMethod::CramMd5 => t!(lang, "editor-auth-cram-md5"),
        AuthMethod::XOAuth2 => t!(lang, "editor-auth-xoauth2"),
        AuthMethod::OAuthBearer => t!(lang, "editor-auth-oauthbearer"),
        AuthMethod::Apop => t!(lang, "editor-auth-apop"),
    }
}

fn identity_label(lang: Lang, kind: IdentityKind) -> String {
    match kind {
        IdentityKind::Address => t!(lang, "editor-identity-address"),
        IdentityKind::LocalPart => t!(lang, "editor-identity-local-part"),
        IdentityKind::Username => t!(lang, "editor-identity-username"),
    }
}

fn action_label(lang: Lang, action: Action) -> String {
    match action {
        Action::None => t!(lang, "editor-action-none"),
        Action::Tag => t!(lang, "editor-action-tag"),
        Action::Move => t!(lang, "editor-action-move"),
        Action::Delete => t!(lang, "editor-action-delete"),
    }
}

fn policy_label(lang: Lang, policy: DuplicatePolicy) -> String {
    match policy {
        DuplicatePolicy::Drop => t!(lang, "editor-policy-drop"),
        DuplicatePolicy::Change => t!(lang, "editor-policy-change"),
        DuplicatePolicy::Replace => t!(lang, "editor-policy-replace"),
    }
}

fn match_label(lang: Lang, matching: DuplicateMatch) -> String {
    match matching {
        DuplicateMatch::Content => t!(lang, "editor-match-content"),
        DuplicateMatch::Headers => t!(lang, "editor-match-headers"),
    }
}
