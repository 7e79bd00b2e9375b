//! The mailbox editor: every field of a profile, grouped so a non-expert gets
//! through it top to bottom. The server checks everything; its messages show
//! next to the field they are about. The same editor edits templates (without
//! the mailbox's identity); a mailbox inheriting from a template shows each
//! field as inherited or overridden, with a reset.

use crate::api::mailboxes::{SaveMailbox, SubscribeFolder, TestMailbox, load_mailbox_editor};
use crate::api::notifications::SendMailboxTestMail;
use crate::api::oauth::load_sign_in_app_names;
use crate::api::templates::{SaveTemplate, load_template_editor};
use crate::error::ApiError;
use crate::model::mailbox::{
    Action, AuthMethod, DuplicateMatch, DuplicatePolicy, GRAPH_SERVICE_ROOT, IdentityKind,
    MailboxEditor, Security, Source, TemplateChoice,
};
use crate::model::mailbox_form::{FormField, MailboxForm};
use crate::model::probe::ProbeReport;
use crate::ui::components::{ErrorAlert, ErrorBanner, FieldError, action_error, id_param};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use std::collections::BTreeSet;

/// A provider as the editor's "Provider" choice fills it in.
struct ServerPreset {
    name: &'static str,
    source: Source,
    host: &'static str,
    port: u16,
    security: Security,
    auth: AuthMethod,
    /// What to register and grant first, in the words of the provider's admin centre.
    help: &'static str,
}

const fn imap(
    name: &'static str,
    host: &'static str,
    auth: AuthMethod,
    help: &'static str,
) -> ServerPreset {
    ServerPreset {
        name,
        source: Source::Imap,
        host,
        port: 993,
        security: Security::Tls,
        auth,
        help,
    }
}

/// Common providers, OAuth ones first (Microsoft and Google switched basic
/// authentication off for business mailboxes).
const PRESETS: &[ServerPreset] = &[
    ServerPreset {
        name: "Microsoft 365 (Graph, app-only)",
        source: Source::Graph,
        host: GRAPH_SERVICE_ROOT,
        port: 993,
        security: Security::Tls,
        auth: AuthMethod::XOAuth2,
        help: "Reads the mailbox through Microsoft Graph. Needs a sign-in app from the preset \"Microsoft 365 (Graph, app-only)\": application permission Mail.ReadWrite (Mail.Read without after-archive actions) with admin consent. User name: the mailbox's address. After saving, \"Use app-only access\" on the mailbox's page.",
    },
    imap(
        "Microsoft 365 (IMAP, OAuth2)",
        "outlook.office365.com",
        AuthMethod::XOAuth2,
        "Needs a sign-in app from the preset \"Microsoft 365 (IMAP, OAuth2)\": delegated IMAP.AccessAsUser.All and offline_access (or IMAP.AccessAsApp for app-only, with the mailbox granted to the app in Exchange). User name: the mailbox's address.",
    ),
    imap(
        "Gmail / Google Workspace (IMAP, OAuth2)",
        "imap.gmail.com",
        AuthMethod::XOAuth2,
        "Needs a sign-in app from the preset \"Gmail / Google Workspace\": scope https://mail.google.com/; sign in with Google on the mailbox's page. User name: the Gmail address.",
    ),
    imap(
        "Outlook.com (IMAP, OAuth2)",
        "outlook.office365.com",
        AuthMethod::XOAuth2,
        "Needs a sign-in app from the preset \"Outlook.com\" (tenant consumers): IMAP.AccessAsUser.All and offline_access. User name: the Outlook.com address.",
    ),
    imap("IONOS", "imap.ionos.de", AuthMethod::Plain, ""),
    imap("Strato", "imap.strato.de", AuthMethod::Plain, ""),
    imap("GMX", "imap.gmx.net", AuthMethod::Plain, ""),
    imap("WEB.DE", "imap.web.de", AuthMethod::Plain, ""),
    imap(
        "Telekom (t-online.de)",
        "secureimap.t-online.de",
        AuthMethod::Plain,
        "",
    ),
];

#[component]
pub fn NewMailboxPage() -> impl IntoView {
    let editor = Resource::new(|| (), |_| load_mailbox_editor(None));
    view! {
        <EditorPage title="Add a mailbox" kind=EditorKind::Mailbox editor
            intro="Tresor reads the mailbox on its schedule and keeps an exact copy of every message. Nothing changes on the server unless you choose an action below."/>
    }
}

#[component]
pub fn EditMailboxPage() -> impl IntoView {
    let id = id_param();
    let editor = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_mailbox_editor(Some(id)).await,
            None => Err(ApiError::NotFound),
        }
    });
    view! {
        <EditorPage title="Edit mailbox" kind=EditorKind::Mailbox editor
            intro="Changes apply from the next run. Mail already archived stays as it is."/>
    }
}

/// A new template, or `/admin/templates/:id` for an existing one.
#[component]
pub fn TemplateEditorPage() -> impl IntoView {
    let id = id_param();
    let editor = Resource::new(id, |id| async move {
        let form = load_template_editor(id).await?;
        Ok(MailboxEditor {
            form,
            has_secret: false,
            templates: Vec::new(),
            can_share: false,
        })
    });
    let title = if untrack(id).is_some() {
        "Edit template"
    } else {
        "New template"
    };
    view! {
        <EditorPage title kind=EditorKind::Template editor
            intro="A template holds defaults. Mailboxes that inherit a field take it from here, from their next run on; a mailbox can override any field."/>
    }
}

/// What the editor edits: a mailbox, or a template (no identity, no password,
/// no test, no sharing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EditorKind {
    Mailbox,
    Template,
}

/// A page with the editor: its title and what the page is for, then the
/// editor once `editor` has loaded.
#[component]
fn EditorPage(
    title: &'static str,
    intro: &'static str,
    kind: EditorKind,
    editor: Resource<Result<MailboxEditor, ApiError>>,
) -> impl IntoView {
    view! {
        <Title text=title/>
        <div class="page-header">
            <h1>{title}</h1>
            <p class="muted">{intro}</p>
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match editor.await {
                    Ok(editor) => view! { <MailboxEditorForm editor kind/> }.into_any(),
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The editor's state: the form's values, which fields come from the
/// template, the template chosen, and the last server error.
#[derive(Clone, Copy)]
struct Editor {
    values: RwSignal<MailboxForm>,
    inherited: RwSignal<BTreeSet<FormField>>,
    template: RwSignal<Option<TemplateChoice>>,
    error: Signal<Option<ApiError>>,
}

impl Editor {
    fn value(self, field: FormField) -> impl Fn() -> String + Copy + Send + Sync + 'static {
        move || self.values.with(|form| form.get(field))
    }

    /// A value typed by the user: the field is now the mailbox's own.
    fn set(self, field: FormField, value: String) {
        self.values.update(|form| form.set(field, value));
        self.inherited.update(|inherited| {
            inherited.remove(&field);
        });
    }

    /// Back to the template's value.
    fn reset(self, field: FormField) {
        if let Some(template) = self.template.get_untracked() {
            self.values
                .update(|form| form.set(field, template.form.get(field)));
            self.inherited.update(|inherited| {
                inherited.insert(field);
            });
        }
    }

    /// Inherits every inheritable field from `template` (or nothing).
    fn choose_template(self, template: Option<TemplateChoice>) {
        let fields: BTreeSet<FormField> = match &template {
            Some(_) => FormField::ALL
                .iter()
                .copied()
                .filter(|field| field.inheritable())
                .collect(),
            None => BTreeSet::new(),
        };
        if let Some(template) = &template {
            self.values
                .update(|form| form.inherit(&template.form, &fields));
        }
        self.values.update(|form| {
            form.template_id = template
                .as_ref()
                .map(|template| template.id.to_string())
                .unwrap_or_default();
        });
        self.inherited.set(fields);
        self.template.set(template);
    }

    /// The form as it would be submitted now.
    fn current(self) -> MailboxForm {
        let mut form = self.values.get_untracked();
        form.set_inherited(&self.inherited.get_untracked());
        form
    }
}

#[component]
fn MailboxEditorForm(editor: MailboxEditor, kind: EditorKind) -> impl IntoView {
    let save = ServerAction::<SaveMailbox>::new();
    let save_template = ServerAction::<SaveTemplate>::new();
    let test = ServerAction::<TestMailbox>::new();
    let test_error = action_error(test);
    let save_error = match kind {
        EditorKind::Mailbox => action_error(save),
        EditorKind::Template => action_error(save_template),
    };
    let saving = Signal::derive(move || save.pending().get() || save_template.pending().get());
    let saved_version =
        Signal::derive(move || save.version().get() + save_template.version().get());
    // Field messages come from whichever of save and test answered last.
    let error = Signal::derive(move || {
        let saved = save_error.get();
        let tested = test_error.get();
        if saved_version.get() >= test.version().get() {
            saved.or(tested)
        } else {
            tested.or(saved)
        }
    });
    let MailboxEditor {
        form,
        has_secret,
        templates,
        can_share,
    } = editor;
    let chosen = templates
        .iter()
        .find(|template| template.id.to_string() == form.template_id)
        .cloned();
    let state = Editor {
        values: RwSignal::new(form.clone()),
        inherited: RwSignal::new(form.inherited_fields().unwrap_or_default()),
        template: RwSignal::new(chosen),
        error,
    };
    let saved_id = form.id.parse::<i64>().ok();
    let secret = RwSignal::new(String::new());
    let submitted = move || {
        let mut form = state.current();
        form.secret = secret.get_untracked();
        form
    };
    let run_test = move |_| {
        test.dispatch(TestMailbox { form: submitted() });
    };
    let current_form = Callback::new(move |()| submitted());
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        match kind {
            EditorKind::Mailbox => {
                save.dispatch(SaveMailbox { form: submitted() });
            }
            EditorKind::Template => {
                save_template.dispatch(SaveTemplate { form: submitted() });
            }
        }
    };
    let navigate = use_navigate();
    Effect::new(move |_| {
        let done = matches!(save.value().get(), Some(Ok(_)))
            || matches!(save_template.value().get(), Some(Ok(_)));
        if done {
            let target = match kind {
                EditorKind::Mailbox => "/mailboxes",
                EditorKind::Template => "/admin/templates",
            };
            navigate(target, Default::default());
        }
    });
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
    let source = state.value(FormField::Source);
    let is_graph = move || source() == Source::Graph.as_str();
    let template_list = StoredValue::new(templates.clone());
    let choose_template = move |event: leptos::ev::Event| {
        let id = event_target_value(&event);
        let template = template_list.with_value(|list| {
            list.iter()
                .find(|template| template.id.to_string() == id)
                .cloned()
        });
        state.choose_template(template);
    };
    let secret_placeholder = if has_secret { "unchanged" } else { "" };
    let is_mailbox = kind == EditorKind::Mailbox;
    let submit_label = match kind {
        EditorKind::Mailbox => "Save mailbox",
        EditorKind::Template => "Save template",
    };
    let cancel = match kind {
        EditorKind::Mailbox => "/mailboxes",
        EditorKind::Template => "/admin/templates",
    };

    view! {
        <ErrorBanner error/>
        <form on:submit=on_submit class="form editor" data-testid="mailbox-editor" novalidate>
            {(is_mailbox && !templates.is_empty()).then(|| view! {
                <fieldset class="panel">
                    <legend>"Template"</legend>
                    <div class="form-grid">
                        <div class="field">
                            <label for="mailbox-template">"Inherit from"</label>
                            <select id="mailbox-template" on:change=choose_template data-testid="template"
                                prop:value=move || state.values.with(|form| form.template_id.clone())>
                                <option value="">"No template"</option>
                                {templates.iter().map(|template| view! {
                                    <option value=template.id.to_string()>{template.name.clone()}</option>
                                }).collect_view()}
                            </select>
                            <FieldError error field="template_id"/>
                            <small class="muted">"Inherited fields follow the template when it changes. Type into a field to override it."</small>
                        </div>
                    </div>
                </fieldset>
            }.into_any())}

            {view! {
            <fieldset class="panel">
                <legend>{if is_mailbox { "Mailbox" } else { "Template" }}</legend>
                <div class="form-grid">
                    <TextField state label="Name" field=FormField::Name help=if is_mailbox { "How the mailbox is listed, e.g. Accounting." } else { "e.g. Company IMAP server." }/>
                    {is_mailbox.then(|| view! {
                        <TextField state label="E-mail address" field=FormField::EmailAddress kind="email"/>
                    })}
                </div>
            </fieldset>
            }.into_any()}

            {view! {
            <fieldset class="panel">
                <legend>"Server"</legend>
                <div class="form-grid">
                    <div class="field">
                        <label for="mailbox-preset">"Provider"</label>
                        <select id="mailbox-preset" on:change=apply_preset data-testid="preset">
                            <option value="">"Other (enter below)"</option>
                            {PRESETS.iter().map(|preset| view! { <option value=preset.name>{preset.name}</option> }).collect_view()}
                        </select>
                        <small class="muted" data-testid="preset-help">{move || match preset_help.get() {
                            "" => "Fills in how to reach the server.",
                            help => help,
                        }}</small>
                    </div>
                    <SelectField state label="Read the mail with" field=FormField::Source
                        options=vec![("imap", "IMAP"), ("graph", "Microsoft Graph (Microsoft 365)")]/>
                </div>
                <Show when=is_graph>
                    {view! {
                    <div class="form-grid">
                        <TextField state label="Graph service root" field=FormField::Host
                            help="https://graph.microsoft.com/v1.0; a national cloud has its own (graph.microsoft.us, microsoftgraph.chinacloudapi.cn)."/>
                        <TextField state label="Messages per page" field=FormField::PageSize
                            help="Per request while listing a folder's changes (default 25). Larger pages mean fewer requests and more throttling risk."/>
                    </div>
                    }.into_any()}
                </Show>
                <Show when=move || !is_graph()>
                {view! {
                <div class="form-grid">
                    <TextField state label="Host" field=FormField::Host/>
                    <TextField state label="Port" field=FormField::Port/>
                    <SelectField state label="Security" field=FormField::Security
                        options=Security::ALL.iter().map(|choice| (choice.as_str(), security_label(*choice))).collect()/>
                </div>
                <details class="advanced">
                    <summary>"Certificates"</summary>
                    <div class="form-grid">
                        <TextField state label="CA file on the Tresor server" field=FormField::CaFile help="Only for a server whose certificate comes from your own CA."/>
                        <TextField state label="Expected certificate name" field=FormField::ExpectedCertName help="Accept a certificate issued for another name. Marked as a warning."/>
                        <Checkbox state label="Accept invalid certificates (insecure, marked as a warning)" field=FormField::AcceptInvalidCerts/>
                    </div>
                </details>
                }.into_any()}
                </Show>
            </fieldset>
            }.into_any()}

            {view! {
            <fieldset class="panel">
                <legend>"Sign-in"</legend>
                <div class="form-grid">
                    {is_mailbox.then(|| view! {
                        <TextField state label="User name" field=FormField::Username/>
                        <Show when=move || !is_graph()>
                        {view! {
                        <div class="field">
                            <label for="mailbox-secret">"Password"</label>
                            <input id="mailbox-secret" type="password" placeholder=secret_placeholder autocomplete="new-password"
                                prop:value=secret on:input=move |event| secret.set(event_target_value(&event))/>
                            <FieldError error field="secret"/>
                            {has_secret.then(|| view! { <small class="muted">"A password is stored. Leave empty to keep it."</small> })}
                        </div>
                        }.into_any()}
                        </Show>
                    })}
                    <Show when=move || !is_graph()>
                        {view! {
                        <SelectField state label="Method" field=FormField::AuthMethod
                            options=AuthMethod::ALL.iter().map(|m| (m.as_str(), auth_label(*m))).collect()/>
                        }.into_any()}
                    </Show>
                    <SignInAppField state graph=Signal::derive(is_graph)/>
                </div>
                {is_mailbox.then(|| view! {
                    <Show when=move || !is_graph()>
                    {view! {
                    <details class="advanced">
                        <summary>"Master user (archive someone else's mailbox)"</summary>
                        <div class="form-grid">
                            <TextField state label="Master user" field=FormField::MasterUser help="A privileged login that may open other users' mailboxes."/>
                            <SelectField state label="Log in as" field=FormField::IdentityKind
                                options=std::iter::once(("", "—")).chain(IdentityKind::ALL.iter().map(|k| (k.as_str(), identity_label(*k)))).collect()/>
                        </div>
                    </details>
                    }.into_any()}
                    </Show>
                })}
            </fieldset>
            }.into_any()}

            {view! {
            <fieldset class="panel">
                <legend>"Folders and filters"</legend>
                <div class="form-grid">
                    <TextArea state label="Folders to archive" field=FormField::FolderRules rows=4 placeholder="*\n!Newsletters"
                        help="One rule per line: a folder name, * for every folder, & for a folder and its subfolders (Sent&), ! to exclude. Empty: every folder except Trash, Junk and Drafts."/>
                    <Checkbox state label="Only subscribed folders" field=FormField::SubscribedOnly/>
                    <TextField state label="Only messages older than (days)" field=FormField::OlderThanDays help="Empty: archive at once."/>
                    <TextField state label="Skip messages larger than (MB)" field=FormField::MaxMessageSizeMb help="Skipped messages are listed in the job log."/>
                </div>
            </fieldset>
            }.into_any()}

            {view! {
            <fieldset class="panel">
                <legend>"After archiving"</legend>
                <div class="form-grid">
                    <SelectField state label="On the server" field=FormField::Action
                        options=Action::ALL.iter().map(|a| (a.as_str(), action_label(*a))).collect()/>
                    <TextField state label="Delete only when older than (days)" field=FormField::DeleteOlderThanDays/>
                    <TextField state label="Archived folder" field=FormField::SuccessFolder help="Move: messages go to <this>/<source folder>."/>
                    <TextField state label="Duplicates folder" field=FormField::DuplicateFolder/>
                    <TextField state label="Errors folder" field=FormField::ErrorFolder/>
                    <TextField state label="Tag for archived" field=FormField::SuccessTag/>
                    <TextField state label="Tag for duplicates" field=FormField::DuplicateTag/>
                </div>
                <p class="muted">"A message is only tagged, moved or deleted after it is safely in the archive."</p>
            </fieldset>
            }.into_any()}

            {view! {
            <fieldset class="panel">
                <legend>"Duplicates and labels"</legend>
                <div class="form-grid">
                    <SelectField state label="A message the archive has already" field=FormField::DuplicatePolicy
                        options=DuplicatePolicy::ALL.iter().map(|p| (p.as_str(), policy_label(*p))).collect()/>
                    <SelectField state label="The same message means" field=FormField::DuplicateMatch
                        options=DuplicateMatch::ALL.iter().map(|m| (m.as_str(), match_label(*m))).collect()/>
                    <TextArea state label="Labels" field=FormField::Labels rows=3 placeholder="category=Invoices"
                        help="One key=value per line, attached to every message of this mailbox; searchable."/>
                </div>
            </fieldset>
            }.into_any()}

            {view! {
            <fieldset class="panel">
                <legend>"Schedule"</legend>
                <div class="form-grid">
                    <TextField state label="Run" field=FormField::Schedule help="An interval (30m, 6h, 1d) or a cron expression (0 2 * * *). Empty: only when started by hand."/>
                    <TextField state label="Connections to this server at most" field=FormField::MaxConnections help="Protects against provider throttling."/>
                </div>
            </fieldset>
            }.into_any()}

            {(is_mailbox && can_share).then(|| view! {
                <fieldset class="panel" data-testid="sharing">
                    <legend>"Sharing"</legend>
                    <div class="form-grid">
                        <label class="field field-check">
                            <span>
                                <input type="checkbox" prop:checked=move || state.values.with(|form| form.shared.is_some())
                                    on:change=move |event| {
                                        let on = event_target_checked(&event);
                                        state.values.update(|form| form.shared = on.then(|| "on".to_string()));
                                    }/>
                                " Shared mailbox (owned by the organisation, e.g. info@ or accounting@)"
                            </span>
                        </label>
                        <div class="field field-wide">
                            <label for="mailbox-grants">"Users who may read it"</label>
                            <textarea id="mailbox-grants" rows="3" placeholder="anna@example.com"
                                prop:value=move || state.values.with(|form| form.grants.clone())
                                on:input=move |event| state.values.update(|form| form.grants = event_target_value(&event))></textarea>
                            <FieldError error field="grants"/>
                            <small class="muted">"One e-mail address per line. They see the mailbox and its archived mail, read-only."</small>
                        </div>
                    </div>
                </fieldset>
            }.into_any())}

            {is_mailbox.then(|| view! {
                <section class="panel" data-testid="connection-test">
                    <div class="page-header-actions">
                        <p class="muted">"Log in with these settings and list the folders, without saving. Takes a few seconds."</p>
                        <button type="button" class="button" on:click=run_test disabled=move || test.pending().get()>
                            {move || if test.pending().get() { "Testing…" } else { "Test connection" }}
                        </button>
                    </div>
                    {move || match test.value().get() {
                        Some(Ok(report)) => Some(view! { <ProbeResult report state current_form/> }.into_any()),
                        Some(Err(_)) => test_error.get().filter(|error| !matches!(error, ApiError::Invalid { .. })).map(|error| view! { <ErrorAlert error/> }.into_any()),
                        None => None,
                    }}
                    {saved_id.map(|id| view! { <TestMail id/> })}
                </section>
            }.into_any())}

            <div class="form-actions">
                <a class="button" href=cancel>"Cancel"</a>
                <button type="submit" class="button button-primary" disabled=move || saving.get()>
                    {move || if saving.get() { "Saving…" } else { submit_label }}
                </button>
            </div>
        </form>
    }
}

/// The mailbox test's mail: to the person testing, with the SMTP settings
/// that apply to this mailbox as saved, so they know failure notices arrive.
#[component]
fn TestMail(id: i64) -> impl IntoView {
    let send = ServerAction::<SendMailboxTestMail>::new();
    let error = action_error(send);
    view! {
        <div class="page-header-actions" data-testid="mailbox-test-mail">
            <p class="muted">"Notifications for this mailbox go out with the saved mail settings. Send yourself a test mail to see that they arrive."</p>
            <button type="button" class="button" on:click=move |_| { send.dispatch(SendMailboxTestMail { id }); }
                disabled=move || send.pending().get()>
                {move || if send.pending().get() { "Sending…" } else { "Send me a test mail" }}
            </button>
        </div>
        <ErrorBanner error/>
        {move || send.value().get().and_then(Result::ok).map(|sent| view! {
            <div class="banner banner-success" role="status">{sent.message()}</div>
        })}
    }
}

/// What "Test connection" found: the server's offer, or what went wrong
/// and what to do about it.
#[component]
fn ProbeResult(
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

/// "inherited" or "overridden" next to a field's label when the mailbox has
/// a template, with a reset for an overridden one.
#[component]
fn Inheritance(state: Editor, field: FormField) -> impl IntoView {
    move || {
        if !field.inheritable() || state.template.with(Option::is_none) {
            return None;
        }
        let inherited = state.inherited.with(|inherited| inherited.contains(&field));
        Some(if inherited {
            view! { <span class="badge badge-inherited" data-testid="inherited">"inherited"</span> }
                .into_any()
        } else {
            view! {
                <span class="badge badge-overridden" data-testid="overridden">"overridden"</span>
                <button type="button" class="link-button" on:click=move |_| state.reset(field)
                    aria-label=format!("Reset {} to the template", field.as_str())>"Reset"</button>
            }
            .into_any()
        })
    }
}

#[component]
fn TextField(
    state: Editor,
    label: &'static str,
    field: FormField,
    #[prop(optional)] help: Option<&'static str>,
    #[prop(optional)] kind: Option<&'static str>,
) -> impl IntoView {
    let id = format!("mailbox-{field}");
    view! {
        <div class="field">
            <div class="field-label">
                <label for=id.clone()>{label}</label>
                <Inheritance state field/>
            </div>
            <input id=id type=kind.unwrap_or("text") prop:value=state.value(field)
                on:input=move |event| state.set(field, event_target_value(&event))/>
            <FieldError error=state.error field=field.as_str()/>
            {help.map(|help| view! { <small class="muted">{help}</small> })}
        </div>
    }
}

#[component]
fn TextArea(
    state: Editor,
    label: &'static str,
    field: FormField,
    rows: u32,
    placeholder: &'static str,
    help: &'static str,
) -> impl IntoView {
    let id = format!("mailbox-{field}");
    view! {
        <div class="field field-wide">
            <div class="field-label">
                <label for=id.clone()>{label}</label>
                <Inheritance state field/>
            </div>
            <textarea id=id rows=rows placeholder=placeholder prop:value=state.value(field)
                on:input=move |event| state.set(field, event_target_value(&event))></textarea>
            <FieldError error=state.error field=field.as_str()/>
            <small class="muted">{help}</small>
        </div>
    }
}

#[component]
fn SelectField(
    state: Editor,
    label: &'static str,
    field: FormField,
    options: Vec<(&'static str, &'static str)>,
) -> impl IntoView {
    let id = format!("mailbox-{field}");
    let value = state.value(field);
    view! {
        <div class="field">
            <div class="field-label">
                <label for=id.clone()>{label}</label>
                <Inheritance state field/>
            </div>
            <select id=id name=field.as_str() prop:value=value on:change=move |event| state.set(field, event_target_value(&event))>
                {options.into_iter().map(|(option, text)| view! {
                    <option value=option selected=move || value() == option>{text}</option>
                }).collect_view()}
            </select>
            <FieldError error=state.error field=field.as_str()/>
        </div>
    }
}

/// For XOAUTH2/OAUTHBEARER and Graph: the sign-in app the mailbox signs in with
/// (Admin → Sign-in apps); signing in happens on the mailbox's page.
#[component]
fn SignInAppField(state: Editor, graph: Signal<bool>) -> impl IntoView {
    let apps = Resource::new(|| (), |_| load_sign_in_app_names());
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
}

#[component]
fn Checkbox(state: Editor, label: &'static str, field: FormField) -> impl IntoView {
    let value = state.value(field);
    view! {
        <div class="field field-check">
            <label>
                <input type="checkbox" prop:checked=move || !value().is_empty()
                    on:change=move |event| state.set(field, if event_target_checked(&event) { "on".into() } else { String::new() })/>
                " " {label}
            </label>
            <Inheritance state field/>
            <FieldError error=state.error field=field.as_str()/>
        </div>
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
