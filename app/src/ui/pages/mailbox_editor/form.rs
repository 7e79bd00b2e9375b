//! The editor's form: every field of a profile in panels (identity, server,
//! sign-in, folders, after archiving, duplicates, schedule, sharing), the
//! connection test and the mailbox's test mail, and saving.

use super::presets::PRESETS;
use super::probe::ProbeResult;
use super::state::{Editor, EditorKind, Inheritance};
use crate::api::mailboxes::{SaveMailbox, TestMailbox};
use crate::api::notifications::SendMailboxTestMail;
use crate::api::oauth::load_sign_in_app_names;
use crate::api::templates::SaveTemplate;
use crate::error::ApiError;
use crate::model::mailbox::MailboxEditor;
use crate::model::mailbox_form::FormField;
use crate::model::mailbox_profile::{
    Action, AuthMethod, DuplicateMatch, DuplicatePolicy, IdentityKind, Security, Source,
};
use crate::ui::components::fields::{Checkbox, FormState, SelectField, TextArea, TextField};
use crate::ui::components::{ErrorAlert, ErrorBanner, FieldError, action_error};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// The editor for `editor`'s form: saves it as a mailbox or a template
/// (`kind`), then goes back to the list.
#[component]
pub fn MailboxEditorForm(editor: MailboxEditor, kind: EditorKind) -> impl IntoView {
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
                <Panel legend="Template">
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
                </Panel>
            }.into_any())}

            <Panel legend=if is_mailbox { "Mailbox" } else { "Template" }>
                <div class="form-grid">
                    <TextField state label="Name" field=FormField::Name help=if is_mailbox { "How the mailbox is listed, e.g. Accounting." } else { "e.g. Company IMAP server." }/>
                    {is_mailbox.then(|| view! {
                        <TextField state label="E-mail address" field=FormField::EmailAddress kind="email"/>
                    })}
                </div>
            </Panel>

            <Panel legend="Server">
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
            </Panel>

            <Panel legend="Sign-in">
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
            </Panel>

            <Panel legend="Folders and filters">
                <div class="form-grid">
                    <TextArea state label="Folders to archive" field=FormField::FolderRules rows=4 placeholder="*\n!Newsletters"
                        help="One rule per line: a folder name, * for every folder, & for a folder and its subfolders (Sent&), ! to exclude. Empty: every folder except Trash, Junk and Drafts."/>
                    <Checkbox state label="Only subscribed folders" field=FormField::SubscribedOnly/>
                    <TextField state label="Only messages older than (days)" field=FormField::OlderThanDays help="Empty: archive at once."/>
                    <TextField state label="Skip messages larger than (MB)" field=FormField::MaxMessageSizeMb help="Skipped messages are listed in the job log."/>
                </div>
            </Panel>

            <Panel legend="After archiving">
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
            </Panel>

            <Panel legend="Duplicates and labels">
                <div class="form-grid">
                    <SelectField state label="A message the archive has already" field=FormField::DuplicatePolicy
                        options=DuplicatePolicy::ALL.iter().map(|p| (p.as_str(), policy_label(*p))).collect()/>
                    <SelectField state label="The same message means" field=FormField::DuplicateMatch
                        options=DuplicateMatch::ALL.iter().map(|m| (m.as_str(), match_label(*m))).collect()/>
                    <TextArea state label="Labels" field=FormField::Labels rows=3 placeholder="category=Invoices"
                        help="One key=value per line, attached to every message of this mailbox; searchable."/>
                </div>
            </Panel>

            <Panel legend="Schedule">
                <div class="form-grid">
                    <TextField state label="Run" field=FormField::Schedule help="An interval (30m, 6h, 1d) or a cron expression (0 2 * * *). Empty: only when started by hand."/>
                    <TextField state label="Connections to this server at most" field=FormField::MaxConnections help="Protects against provider throttling."/>
                </div>
            </Panel>

            {(is_mailbox && can_share).then(|| view! {
                <Panel legend="Sharing" testid="sharing">
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
                </Panel>
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

/// One panel of the form: a fieldset with its legend.
#[component]
fn Panel(
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
