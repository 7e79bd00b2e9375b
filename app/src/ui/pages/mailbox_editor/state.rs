//! The editor's state while it is open: what it edits (`EditorKind`), the
//! form's values, which fields come from the template, the password typed,
//! the connection test and the last server error (`Editor`), who is editing
//! (`viewer_is_admin`), and the mark beside each field that a template can
//! supply (`Inheritance`). The generic field widgets edit it through
//! `FormState`.

use crate::api::mailboxes::TestMailbox;
use crate::error::ApiError;
use crate::i18n::use_lang;
use crate::model::access::Capability;
use crate::model::mailbox::TemplateChoice;
use crate::model::mailbox_form::{FormField, MailboxForm};
use crate::model::probe::ProbeReport;
use crate::t;
use crate::ui::components::fields::FormState;
use crate::ui::components::viewer_may;
use leptos::prelude::*;
use std::collections::BTreeSet;

/// Whether the person signed in is an administrator: only they see CA
/// files on the Tresor server and master users (the server refuses them
/// from anyone else).
pub fn viewer_is_admin() -> bool {
    viewer_may(Capability::Administer)
}

/// What the editor edits: a mailbox, or a template (no identity, no password,
/// no test, no sharing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditorKind {
    Mailbox,
    Template,
}

/// The editor's state: the form's values, which fields come from the
/// template, the template chosen, and the last server error.
#[derive(Clone, Copy)]
pub struct Editor {
    pub kind: EditorKind,
    pub values: RwSignal<MailboxForm>,
    pub inherited: RwSignal<BTreeSet<FormField>>,
    pub template: RwSignal<Option<TemplateChoice>>,
    pub error: Signal<Option<ApiError>>,
    /// The password as typed (never loaded: empty keeps the stored one).
    pub secret: RwSignal<String>,
    /// A password is stored for the mailbox.
    pub has_secret: bool,
    /// "Test connection" with the form as it is.
    pub test: ServerAction<TestMailbox>,
    /// Who edits: an administrator sees CA files and master users.
    pub admin: bool,
}

impl Editor {
    /// The form as it would be submitted now, with the password typed.
    pub fn submitted(self) -> MailboxForm {
        let mut form = self.current();
        form.secret = self.secret.get_untracked();
        form
    }

    /// Tests the connection with the form as it is.
    pub fn run_test(self) {
        self.test.dispatch(TestMailbox {
            form: self.submitted(),
        });
    }

    /// The last test's report, if it answered.
    pub fn report(self) -> Option<ProbeReport> {
        self.test.value().get().and_then(Result::ok)
    }

    /// The kind of the last test's failure (`authentication`, `certificate`, …).
    pub fn failure_kind(self) -> Option<String> {
        self.report()
            .filter(|report| !report.ok)
            .and_then(|report| report.error_kind)
    }

    /// Back to the template's value.
    pub fn reset(self, field: FormField) {
        if let Some(template) = self.template.get_untracked() {
            self.values
                .update(|form| form.set(field, template.form.get(field)));
            self.inherited.update(|inherited| {
                inherited.insert(field);
            });
        }
    }

    /// Inherits every inheritable field from `template` (or nothing).
    pub fn choose_template(self, template: Option<TemplateChoice>) {
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
    pub fn current(self) -> MailboxForm {
        let mut form = self.values.get_untracked();
        form.set_inherited(&self.inherited.get_untracked());
        form
    }
}

impl FormState for Editor {
    type Field = FormField;

    fn input_id(field: FormField) -> String {
        format!("mailbox-{field}")
    }

    fn name(field: FormField) -> &'static str {
        field.as_str()
    }

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

    fn error(self) -> Signal<Option<ApiError>> {
        self.error
    }

    fn label_note(self, field: FormField) -> impl IntoView + 'static {
        view! { <Inheritance state=self field/> }
    }
}

/// "inherited" or "overridden" next to a field's label when the mailbox has
/// a template, with a reset for an overridden one.
#[component]
pub fn Inheritance(state: Editor, field: FormField) -> impl IntoView {
    let lang = use_lang();
    move || {
        if !field.inheritable() || state.template.with(Option::is_none) {
            return None;
        }
        let inherited = state.inherited.with(|inherited| inherited.contains(&field));
        Some(if inherited {
            view! { <span class="badge badge-inherited" data-testid="inherited">{t!(lang, "editor-inherited")}</span> }
                .into_any()
        } else {
            view! {
                <span class="badge badge-overridden" data-testid="overridden">{t!(lang, "editor-overridden")}</span>
                <button type="button" class="link-button" on:click=move |_| state.reset(field)
                    aria-label=t!(lang, "editor-reset-label", field = field.as_str())>{t!(lang, "editor-reset")}</button>
            }
            .into_any()
        })
    }
}
