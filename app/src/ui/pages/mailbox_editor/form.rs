//! The editor's form and saving: opens the editor's state, then shows a new
//! mailbox as the guided path (`wizard`) and an existing mailbox or a
//! template as one form of the same sections, the rarely needed ones folded
//! under "Advanced"; the template choice, sharing, the connection test and
//! the mailbox's test mail.

use super::sections::{
    AdvancedFields, FolderFields, IdentityFields, Panel, ScheduleFields, ServerFields,
    SignInFields, TestButton,
};
use super::state::{Editor, EditorKind, viewer_is_admin};
use super::wizard::Wizard;
use crate::api::mailboxes::{SaveMailbox, TestMailbox};
use crate::api::notifications::SendMailboxTestMail;
use crate::api::templates::SaveTemplate;
use crate::i18n::use_lang;
use crate::model::mailbox::{MailboxEditor, TemplateChoice};
use crate::t;
use crate::ui::components::{ErrorBanner, FieldError, action_error};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// The editor for `editor`'s form: saves it as a mailbox or a template
/// (`kind`), then goes back to the list.
#[component]
pub fn MailboxEditorForm(editor: MailboxEditor, kind: EditorKind) -> impl IntoView {
    let lang = use_lang();
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
    let saved_id = form.id.parse::<i64>().ok();
    let state = Editor {
        kind,
        values: RwSignal::new(form.clone()),
        inherited: RwSignal::new(form.inherited_fields().unwrap_or_default()),
        template: RwSignal::new(chosen),
        error,
        secret: RwSignal::new(String::new()),
        has_secret,
        test,
        admin: viewer_is_admin(),
    };
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        match kind {
            EditorKind::Mailbox => {
                save.dispatch(SaveMailbox {
                    form: state.submitted(),
                });
            }
            EditorKind::Template => {
                save_template.dispatch(SaveTemplate {
                    form: state.submitted(),
                });
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
    let is_mailbox = kind == EditorKind::Mailbox;
    let submit_label = match kind {
        EditorKind::Mailbox => t!(lang, "editor-save-mailbox"),
        EditorKind::Template => t!(lang, "editor-save-template"),
    };
    let cancel = match kind {
        EditorKind::Mailbox => "/mailboxes",
        EditorKind::Template => "/admin/templates",
    };
    let actions = move || {
        view! {
            <div class="form-actions">
                <a class="button" href=cancel>{t!(lang, "common-cancel")}</a>
                <button type="submit" class="button button-primary" disabled=move || saving.get()>
                    {
                        let submit_label = submit_label.clone();
                        move || if saving.get() { t!(lang, "editor-saving") } else { submit_label.clone() }
                    }
                </button>
            </div>
        }
    };
    let template_panel = (is_mailbox && !templates.is_empty())
        .then(|| view! { <TemplatePanel state templates/> }.into_any());
    let sharing_panel =
        (is_mailbox && can_share).then(|| view! { <SharingPanel state/> }.into_any());
    let body = if is_mailbox && saved_id.is_none() {
        view! {
            <Wizard state template_panel sharing_panel actions=ViewFn::from(actions)/>
        }
        .into_any()
    } else {
        view! {
            {template_panel}
            <Panel legend=if is_mailbox { t!(lang, "editor-panel-mailbox") } else { t!(lang, "editor-panel-template") }>
                <IdentityFields state/>
            </Panel>
            <Panel legend=t!(lang, "editor-panel-server")>
                <ServerFields state choose_source=true/>
            </Panel>
            <Panel legend=t!(lang, "editor-panel-sign-in")>
                <SignInFields state/>
            </Panel>
            <Panel legend=t!(lang, "editor-panel-folders")>
                <FolderFields state/>
            </Panel>
            <Panel legend=t!(lang, "editor-panel-schedule")>
                <ScheduleFields state/>
                <AdvancedFields state/>
            </Panel>
            {sharing_panel}
            {is_mailbox.then(|| view! {
                <section class="panel" data-testid="connection-test">
                    <TestButton state/>
                    {saved_id.map(|id| view! { <TestMail id/> })}
                </section>
            })}
            {actions()}
        }
        .into_any()
    };
    view! {
        <ErrorBanner error/>
        <form on:submit=on_submit class="form editor" data-testid="mailbox-editor" novalidate>
            {body}
        </form>
    }
    .into_any()
}

/// The template a mailbox inherits from.
#[component]
fn TemplatePanel(state: Editor, templates: Vec<TemplateChoice>) -> impl IntoView {
    let lang = use_lang();
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
    view! {
        <Panel legend=t!(lang, "editor-panel-template")>
            <div class="form-grid">
                <div class="field">
                    <label for="mailbox-template">{t!(lang, "editor-inherit-from")}</label>
                    <select id="mailbox-template" on:change=choose_template data-testid="template"
                        prop:value=move || state.values.with(|form| form.template_id.clone())>
                        <option value="">{t!(lang, "editor-no-template")}</option>
                        {templates.iter().map(|template| view! {
                            <option value=template.id.to_string()>{template.name.clone()}</option>
                        }).collect_view()}
                    </select>
                    <FieldError error=state.error field="template_id"/>
                    <small class="muted">{t!(lang, "editor-template-help")}</small>
                </div>
            </div>
        </Panel>
    }
    .into_any()
}

/// Who owns the mailbox and who else may read it (administrators).
#[component]
fn SharingPanel(state: Editor) -> impl IntoView {
    let lang = use_lang();
    view! {
        <Panel legend=t!(lang, "editor-panel-sharing") testid="sharing">
            <div class="form-grid">
                <label class="field field-check">
                    <span>
                        <input type="checkbox" prop:checked=move || state.values.with(|form| form.shared.is_some())
                            on:change=move |event| {
                                let on = event_target_checked(&event);
                                state.values.update(|form| form.shared = on.then(|| "on".to_string()));
                            }/>
                        " " {t!(lang, "editor-shared-mailbox")}
                    </span>
                </label>
                <div class="field field-wide">
                    <label for="mailbox-grants">{t!(lang, "editor-grants")}</label>
                    <textarea id="mailbox-grants" rows="3" placeholder="anna@example.com"
                        prop:value=move || state.values.with(|form| form.grants.clone())
                        on:input=move |event| state.values.update(|form| form.grants = event_target_value(&event))></textarea>
                    <FieldError error=state.error field="grants"/>
                    <small class="muted">{t!(lang, "editor-grants-help")}</small>
                </div>
            </div>
        </Panel>
    }
    .into_any()
}

/// The mailbox test's mail: to the person testing, with the SMTP settings
/// that apply to this mailbox as saved, so they know failure notices arrive.
#[component]
fn TestMail(id: i64) -> impl IntoView {
    let lang = use_lang();
    let send = ServerAction::<SendMailboxTestMail>::new();
    let error = action_error(send);
    view! {
        <div class="page-header-actions" data-testid="mailbox-test-mail">
            <p class="muted">{t!(lang, "editor-test-mail-intro")}</p>
            <button type="button" class="button" on:click=move |_| { send.dispatch(SendMailboxTestMail { id }); }
                disabled=move || send.pending().get()>
                {move || if send.pending().get() { t!(lang, "editor-test-mail-sending") } else { t!(lang, "editor-test-mail-send") }}
            </button>
        </div>
        <ErrorBanner error/>
        {move || send.value().get().and_then(Result::ok).map(|sent| view! {
            <div class="banner banner-success" role="status">{sent.message(lang)}</div>
        })}
    }
    .into_any()
}
