//! Field widgets for a form whose values live in signals: a text input, a
//! text area, a choice and a checkbox, each with its label, what stands
//! beside the label, the server's message for the field and a line of help,
//! in the markup the stylesheet lays out (`.field`, `.field-label`). What they
//! edit is a `FormState`; the mailbox editor is one. Also the new-password
//! pair that the account page and the password reset both ask for. Labels
//! and help are texts the caller looks up in the reader's language.

use super::FieldError;
use crate::error::ApiError;
use crate::i18n::use_lang;
use crate::t;
use leptos::prelude::*;

/// A form the field widgets can edit, one named field at a time.
pub trait FormState: Copy + Send + Sync + 'static {
    /// Names one field of the form.
    type Field: Copy + Send + Sync + 'static;

    /// The field's `id`, which its label points at.
    fn input_id(field: Self::Field) -> String;

    /// The field's name as the form posts it; the server's messages name it so.
    fn name(field: Self::Field) -> &'static str;

    /// The field's value, as a reactive getter.
    fn value(self, field: Self::Field) -> impl Fn() -> String + Copy + Send + Sync + 'static;

    /// Takes a value the user typed or picked.
    fn set(self, field: Self::Field, value: String);

    /// The last submission's failure; its message for a field shows under it.
    fn error(self) -> Signal<Option<ApiError>>;

    /// What stands beside the field's label (the mailbox editor: whether the
    /// value comes from the template).
    fn label_note(self, field: Self::Field) -> impl IntoView + 'static;
}

/// A field's label, and what stands beside it.
#[component]
fn FieldLabel<S: FormState>(state: S, field: S::Field, label: String) -> impl IntoView {
    view! {
        <div class="field-label">
            <label for=S::input_id(field)>{label}</label>
            {state.label_note(field)}
        </div>
    }
}

/// One line of text; `kind` is the input's type (`text` unless given).
#[component]
pub fn TextField<S: FormState>(
    state: S,
    #[prop(into)] label: String,
    field: S::Field,
    #[prop(optional, into)] help: Option<String>,
    #[prop(optional)] kind: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="field">
            <FieldLabel state field label/>
            <input id=S::input_id(field) type=kind.unwrap_or("text") prop:value=state.value(field)
                on:input=move |event| state.set(field, event_target_value(&event))/>
            <FieldError error=state.error() field=S::name(field)/>
            {help.map(|help| view! { <small class="muted">{help}</small> })}
        </div>
    }
}

/// Several lines of text, across the whole form.
#[component]
pub fn TextArea<S: FormState>(
    state: S,
    #[prop(into)] label: String,
    field: S::Field,
    rows: u32,
    #[prop(into)] placeholder: String,
    #[prop(into)] help: String,
) -> impl IntoView {
    view! {
        <div class="field field-wide">
            <FieldLabel state field label/>
            <textarea id=S::input_id(field) rows=rows placeholder=placeholder prop:value=state.value(field)
                on:input=move |event| state.set(field, event_target_value(&event))></textarea>
            <FieldError error=state.error() field=S::name(field)/>
            <small class="muted">{help}</small>
        </div>
    }
}

/// One of `options`, each a value and the words shown for it (a literal
/// or a looked-up text).
#[component]
pub fn SelectField<S: FormState, T: IntoView + 'static>(
    state: S,
    #[prop(into)] label: String,
    field: S::Field,
    options: Vec<(&'static str, T)>,
) -> impl IntoView {
    let value = state.value(field);
    view! {
        <div class="field">
            <FieldLabel state field label/>
            <select id=S::input_id(field) name=S::name(field) prop:value=value on:change=move |event| state.set(field, event_target_value(&event))>
                {options.into_iter().map(|(option, text)| view! {
                    <option value=option selected=move || value() == option>{text}</option>
                }).collect_view()}
            </select>
            <FieldError error=state.error() field=S::name(field)/>
        </div>
    }
}

/// A checkbox: ticked is the value `on`, unticked the empty string, as an
/// HTML form posts it.
#[component]
pub fn Checkbox<S: FormState>(
    state: S,
    #[prop(into)] label: String,
    field: S::Field,
) -> impl IntoView {
    let value = state.value(field);
    view! {
        <div class="field field-check">
            <label>
                <input type="checkbox" prop:checked=move || !value().is_empty()
                    on:change=move |event| state.set(field, if event_target_checked(&event) { "on".into() } else { String::new() })/>
                " " {label}
            </label>
            {state.label_note(field)}
            <FieldError error=state.error() field=S::name(field)/>
        </div>
    }
}

/// A new password and the same again, posted as `new_password` and
/// `confirm_password`; `repeat_label` names the second.
#[component]
pub fn NewPasswordFields(
    error: Signal<Option<ApiError>>,
    #[prop(into)] repeat_label: String,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <label class="field">
            <span>{t!(lang, "components-new-password")}</span>
            <input type="password" name="new_password" autocomplete="new-password" required/>
            <FieldError error field="new_password"/>
        </label>
        <label class="field">
            <span>{repeat_label}</span>
            <input type="password" name="confirm_password" autocomplete="new-password" required/>
            <FieldError error field="confirm_password"/>
        </label>
    }
}
