//! Admin → Templates: the list of templates (defaults mailboxes inherit field
//! by field) and how many mailboxes follow each; the editor is the mailbox
//! editor's (`pages::mailbox_editor`).

use crate::api::templates::{DeleteTemplate, list_templates};
use crate::i18n::use_lang;
use crate::model::mailbox::TemplateSummary;
use crate::t;
use crate::ui::admin::tabs::AdminPage;
use crate::ui::components::{EmptyState, ErrorAlert, ErrorBanner, action_error, confirmed};
use leptos::prelude::*;
use leptos_meta::Title;

/// Templates: defaults mailboxes inherit field by field.
#[component]
pub fn TemplatesPage() -> impl IntoView {
    view! { <AdminPage><Templates/></AdminPage> }
}

#[component]
fn Templates() -> impl IntoView {
    let delete = ServerAction::<DeleteTemplate>::new();
    let templates = Resource::new(move || delete.version().get(), |_| list_templates());
    let delete_error = action_error(delete);
    let lang = use_lang();
    view! {
        <Title text=t!(lang, "templates-title")/>
        <div class="page-header page-header-actions">
            <div>
                <h1>{t!(lang, "templates-title")}</h1>
                <p class="muted">{t!(lang, "templates-intro")}</p>
            </div>
            <a class="button button-primary" href="/admin/templates/new">{t!(lang, "templates-new")}</a>
        </div>
        <ErrorBanner error=delete_error/>
        <Transition fallback=move || view! { <p class="muted">{t!(lang, "templates-loading")}</p> }>
            {move || Suspend::new(async move {
                match templates.await {
                    Ok(list) if list.is_empty() => view! {
                        <EmptyState title=t!(lang, "templates-empty-title")>
                            <p>{t!(lang, "templates-empty-text")}</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(list) => view! { <TemplateTable templates=list delete/> }.into_any(),
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TemplateTable(
    templates: Vec<TemplateSummary>,
    delete: ServerAction<DeleteTemplate>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <table class="table" data-testid="template-table">
            <thead>
                <tr>
                    <th>{t!(lang, "templates-column-name")}</th>
                    <th>{t!(lang, "templates-column-server")}</th>
                    <th>{t!(lang, "templates-column-schedule")}</th>
                    <th class="number">{t!(lang, "templates-column-mailboxes")}</th>
                    <th><span class="sr-only">{t!(lang, "common-actions")}</span></th>
                </tr>
            </thead>
            <tbody>
                {templates.into_iter().map(|template| {
                    let id = template.id;
                    let confirm_text = t!(
                        lang,
                        "templates-confirm-delete",
                        name = &template.name,
                        count = template.mailboxes
                    );
                    view! {
                        <tr data-testid="template-row">
                            <td><a href=format!("/admin/templates/{id}")><strong>{template.name}</strong></a></td>
                            <td class="muted">{template.server}</td>
                            <td>{template.schedule.unwrap_or_else(|| t!(lang, "templates-manual-only"))}</td>
                            <td class="number">{template.mailboxes}</td>
                            <td class="actions">
                                <button type="button" class="button button-small" on:click=move |_| {
                                    if confirmed(&confirm_text) {
                                        delete.dispatch(DeleteTemplate { id });
                                    }
                                }>{t!(lang, "templates-delete")}</button>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
