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
use crate::model::mailbox::MailboxEditor;
use crate::ui::components::{ErrorAlert, id_param};
use form::MailboxEditorForm;
use leptos::prelude::*;
use leptos_meta::Title;
use state::EditorKind;

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

/// A page with the editor: its title and what the page is for, then the
/// editor once `editor` has loaded.
#[component]
fn EditorPage(
    title: &'static str,
    intro: &'static str,
    kind: EditorKind,
    editor: Resource<Result<MailboxEditor, ApiError>>,
) -> impl IntoView {
    // Here, outside the `Suspend` the form is created in (see `SignInApps`).
    provide_context(sections::SignInApps::new());
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
