//! The editor's state while it is open: what it edits (`EditorKind`), the
//! form's values, which fields come from the template and the last server
//! error (`Editor`), and the mark beside each field that a template can
//! supply (`Inheritance`). The generic field widgets edit it through
//! `FormState`.

use crate::error::ApiError;
use crate::model::mailbox::TemplateChoice;
use crate::model::mailbox_form::{FormField, MailboxForm};
use crate::ui::components::fields::FormState;
use leptos::prelude::*;
use std::collections::BTreeSet;

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
    pub values: RwSignal<MailboxForm>,
    pub inherited: RwSignal<BTreeSet<FormField>>,
    pub template: RwSignal<Option<TemplateChoice>>,
    pub error: Signal<Option<ApiError>>,
}

impl Editor {
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
