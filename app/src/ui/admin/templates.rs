//! Admin → Templates: the list of templates (defaults mailboxes inherit field
//! by field) and how many mailboxes follow each; the editor is the mailbox
//! editor's (`pages::mailbox_editor`).

use crate::api::templates::{DeleteTemplate, list_templates};
use crate::model::mailbox::TemplateSummary;
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
    view! {
        <Title text="Templates"/>
        <div class="page-header page-header-actions">
            <div>
                <h1>"Templates"</h1>
                <p class="muted">"A template holds the settings many mailboxes share: server, folders, what happens after archiving, schedule. A mailbox inherits each field or overrides it; a changed template reaches its mailboxes from their next run."</p>
            </div>
            <a class="button button-primary" href="/admin/templates/new">"New template"</a>
        </div>
        <ErrorBanner error=delete_error/>
        <Transition fallback=|| view! { <p class="muted">"Loading templates…"</p> }>
            {move || Suspend::new(async move {
                match templates.await {
                    Ok(list) if list.is_empty() => view! {
                        <EmptyState title="No templates yet">
                            <p>"Create one for your mail server, then choose it when adding mailboxes (or in a CSV import) instead of typing the same settings each time."</p>
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
    view! {
        <table class="table" data-testid="template-table">
            <thead>
                <tr><th>"Name"</th><th>"Server"</th><th>"Schedule"</th><th class="number">"Mailboxes"</th><th></th></tr>
            </thead>
            <tbody>
                {templates.into_iter().map(|template| {
                    let id = template.id;
                    let confirm_text = format!(
                        "Delete the template {:?}? Its {} mailboxes keep their current values as their own.",
                        template.name, template.mailboxes
                    );
                    view! {
                        <tr data-testid="template-row">
                            <td><a href=format!("/admin/templates/{id}")><strong>{template.name}</strong></a></td>
                            <td class="muted">{template.server}</td>
                            <td>{template.schedule.unwrap_or_else(|| "Manual only".into())}</td>
                            <td class="number">{template.mailboxes}</td>
                            <td class="actions">
                                <button type="button" class="button button-small" on:click=move |_| {
                                    if confirmed(&confirm_text) {
                                        delete.dispatch(DeleteTemplate { id });
                                    }
                                }>"Delete"</button>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
