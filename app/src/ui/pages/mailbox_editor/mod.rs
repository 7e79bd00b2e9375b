//! The mailbox editor: every field of a profile, grouped so a non-expert gets
//! through it top to bottom. A new mailbox is a guided path (provider,
//! sign-in, test, folders, schedule); an existing one or a template is one
//! form of the same sections. The server checks everything; its messages show
//! next to the field they are about. The same editor edits templates (without
//! the mailbox's identity); a mailbox inheriting from a template shows each
//! field as inherited or overridden, with a reset.
//!
//! Here: the three pages. `form` is the editor's opening and saving and the
//! single form, `wizard` the guided path, `sections` the groups of fields
//! both show, `state` what the editor holds while open (and the
//! inherited/overridden mark), `probe` the connection test's findings,
//! `presets` the providers offered.

mod form;
mod presets;
mod probe;
mod sections;
mod state;
mod wizard;

use crate::api::mailboxes::load_mailbox_editor;
use crate::api::templates::load_template_editor;
use crate::error::ApiError;
use crate::i18n::use_lang;
use crate::model::mailbox::MailboxEditor;
use crate::t;
use crate::ui::components::{ErrorAlert, id_param};
use form::MailboxEditorForm;
use leptos::prelude::*;
use leptos_meta::Title;
use state::EditorKind;

#[component]
pub fn NewMailboxPage() -> impl IntoView {
    let lang = use_lang();
    let editor = Resource::new(|| (), |_| load_mailbox_editor(None));
    view! {
        <EditorPage title=t!(lang, "editor-new-mailbox-title") kind=EditorKind::Mailbox editor
            intro=t!(lang, "editor-new-mailbox-intro")/>
    }
}

#[component]
pub fn EditMailboxPage() -> impl IntoView {
    let lang = use_lang();
    let id = id_param();
    let editor = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_mailbox_editor(Some(id)).await,
            None => Err(ApiError::NotFound),
        }
    });
    view! {
        <EditorPage title=t!(lang, "editor-edit-mailbox-title") kind=EditorKind::Mailbox editor
            intro=t!(lang, "editor-edit-mailbox-intro")/>
    }
}

/// A new template, or `/admin/templates/:id` for an existing one.
#[component]
pub fn TemplateEditorPage() -> impl IntoView {
    let lang = use_lang();
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
        t!(lang, "editor-edit-template-title")
    } else {
        t!(lang, "editor-new-template-title")
    };
    view! {
        <EditorPage title kind=EditorKind::Template editor
            intro=t!(lang, "editor-template-intro")/>
    }
}

/// A page with the editor: its title and what the page is for, then the
/// editor once `editor` has loaded.
#[component]
fn EditorPage(
    title: String,
    intro: String,
    kind: EditorKind,
    editor: Resource<Result<MailboxEditor, ApiError>>,
) -> impl IntoView {
    // Here, outside the `Suspend` the form is created in (see `SignInApps`).
    provide_context(sections::SignInApps::new());
    let lang = use_lang();
    view! {
        <Title text=title.clone()/>
        <div class="page-header">
            <h1>{title}</h1>
            <p class="muted">{intro}</p>
        </div>
        <Suspense fallback=move || view! { <p class="muted">{t!(lang, "common-loading")}</p> }>
            {move || Suspend::new(async move {
                match editor.await {
                    Ok(editor) => view! { <MailboxEditorForm editor kind/> }.into_any(),
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
