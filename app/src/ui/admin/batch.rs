//! Batch archiving: a master-user batch over the Tresor users, or a CSV list
//! previewed row by row before anything is saved.

use crate::api::batch::{ImportCsv, PreviewCsv, RunMasterBatch};
use crate::api::templates::list_templates;
use crate::model::batch::{BatchOutcome, BatchReport, CsvImportForm, CsvPreview, UserSelection};
use crate::model::mailbox::{IdentityKind, Security, TemplateSummary};
use crate::ui::admin::tabs::AdminPage;
use crate::ui::components::{ErrorBanner, FieldError, action_error};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn BatchPage() -> impl IntoView {
    view! { <AdminPage><Batch/></AdminPage> }
}

#[component]
fn Batch() -> impl IntoView {
    let templates = Resource::new(|| (), |_| list_templates());
    view! {
        <Title text="Batch archiving"/>
        <div class="page-header">
            <h1>"Batch archiving"</h1>
            <p class="muted">"Set up many mailboxes at once. Each gets its own archiving job, owned by the user whose mail it holds; first runs start within the limit of concurrent jobs."</p>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let templates = templates.await.unwrap_or_default();
                view! {
                    <MasterBatch templates=templates.clone()/>
                    <CsvImport templates/>
                }
            })}
        </Transition>
    }
}

#[component]
fn TemplateSelect(
    templates: Vec<TemplateSummary>,
    id: &'static str,
    name: &'static str,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>"Other settings from template"</label>
            <select id=id name=name>
                <option value="">"None (Tresor's defaults)"</option>
                {templates.into_iter().map(|template| view! {
                    <option value=template.id.to_string()>{template.name}</option>
                }).collect_view()}
            </select>
            <small class="muted">"Folders, after-archive action, duplicates, labels and schedule."</small>
        </div>
    }
}

#[component]
fn MasterBatch(templates: Vec<TemplateSummary>) -> impl IntoView {
    let run = ServerAction::<RunMasterBatch>::new();
    let error = action_error(run);
    let selection = RwSignal::new(UserSelection::All.as_str().to_string());
    view! {
        <section class="panel" data-testid="master-batch">
            <h2>"Through a master user"</h2>
            <p class="muted">"A privileged login that may open every user's mailbox (Dovecot master user, Exchange impersonation). One mailbox is created for each selected Tresor user."</p>
            <ErrorBanner error/>
            <ActionForm action=run attr:class="form">
                <div class="form-grid">
                    <BatchField label="Host" id="batch-host" name="form[host]" error field="host"/>
                    <BatchField label="Port" id="batch-port" name="form[port]" error field="port" value="993"/>
                    <div class="field">
                        <label for="batch-security">"Security"</label>
                        <select id="batch-security" name="form[security]">
                            {Security::ALL.iter().map(|s| view! { <option value=s.as_str()>{s.as_str().to_uppercase()}</option> }).collect_view()}
                        </select>
                    </div>
                    <BatchField label="CA file on the Tresor server" id="batch-ca" name="form[ca_file]" error field="ca_file"/>
                    <BatchField label="Master user" id="batch-master" name="form[master_user]" error field="master_user"/>
                    <div class="field">
                        <label for="batch-secret">"Master password"</label>
                        <input id="batch-secret" type="password" name="form[secret]" autocomplete="new-password"/>
                        <FieldError error field="secret"/>
                    </div>
                    <div class="field">
                        <label for="batch-identity">"Log in for each user as"</label>
                        <select id="batch-identity" name="form[identity_kind]">
                            <option value=IdentityKind::Address.as_str()>"their e-mail address"</option>
                            <option value=IdentityKind::LocalPart.as_str()>"the part before @"</option>
                            <option value=IdentityKind::Username.as_str()>"their Tresor user name"</option>
                        </select>
                    </div>
                    <TemplateSelect templates id="batch-template" name="form[template_id]"/>
                </div>
                <fieldset class="choices">
                    <legend>"Users"</legend>
                    {[(UserSelection::All, "All users with an address"), (UserSelection::AllExcept, "All except …"), (UserSelection::Only, "Only …")]
                        .into_iter().map(|(choice, label)| view! {
                            <label class="choice">
                                <input type="radio" name="form[selection]" value=choice.as_str()
                                    checked=choice == UserSelection::All
                                    on:change=move |_| selection.set(choice.as_str().to_string())/>
                                " " {label}
                            </label>
                        }).collect_view()}
                </fieldset>
                <div class="field field-wide" class:hidden=move || selection.get() == UserSelection::All.as_str()>
                    <label for="batch-users">"E-mail addresses"</label>
                    <textarea id="batch-users" name="form[users]" rows="3" placeholder="anna@example.com"></textarea>
                    <FieldError error field="users"/>
                </div>
                <FieldError error field="selection"/>
                <label class="field-check"><input type="checkbox" name="form[run_now]" checked/>" Start the first runs now"</label>
                <div class="form-actions">
                    <button type="submit" class="button button-primary" disabled=move || run.pending().get()>
                        {move || if run.pending().get() { "Creating…" } else { "Create mailboxes" }}
                    </button>
                </div>
            </ActionForm>
            {move || run.value().get().and_then(Result::ok).map(|report| view! { <Report report/> })}
        </section>
    }
}

#[component]
fn BatchField(
    label: &'static str,
    id: &'static str,
    name: &'static str,
    field: &'static str,
    #[prop(into)] error: Signal<Option<crate::error::ApiError>>,
    #[prop(optional)] value: &'static str,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id type="text" name=name value=value/>
            <FieldError error field/>
        </div>
    }
}

#[component]
fn CsvImport(templates: Vec<TemplateSummary>) -> impl IntoView {
    let preview = ServerAction::<PreviewCsv>::new();
    let import = ServerAction::<ImportCsv>::new();
    let preview_error = action_error(preview);
    let import_error = action_error(import);
    let text = RwSignal::new(String::new());
    let template_id = RwSignal::new(String::new());
    let run_now = RwSignal::new(true);
    let form = move || CsvImportForm {
        text: text.get_untracked(),
        template_id: template_id.get_untracked(),
        run_now: run_now.get_untracked().then(|| "on".to_string()),
    };
    // A changed list needs a new preview before it can be imported.
    let previewed = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(_)) = preview.value().get() {
            previewed.set(Some(text.get_untracked()));
        }
    });
    let current_preview = move || {
        let fresh = previewed.get().as_deref() == Some(text.get().as_str());
        preview.value().get().and_then(Result::ok).filter(|_| fresh)
    };
    view! {
        <section class="panel" data-testid="csv-import">
            <h2>"From a list (CSV)"</h2>
            <p class="muted">"One mailbox per line. The first line names the columns: e-mail address (required), password, and optionally server, port, security, user name, mailbox name, folders, schedule. Separated by ; , | or tab, as spreadsheets export it. Users that do not exist yet are created."</p>
            <ErrorBanner error=preview_error/>
            <ErrorBanner error=import_error/>
            <div class="form">
                <div class="form-grid">
                    <div class="field">
                        <label for="csv-file">"File"</label>
                        <input id="csv-file" type="file" accept=".csv,.txt,text/csv,text/plain" on:change=move |event| read_file(event, text)/>
                    </div>
                    <div class="field">
                        <label for="csv-template">"Other settings from template"</label>
                        <select id="csv-template" on:change=move |event| template_id.set(event_target_value(&event))>
                            <option value="">"None (Tresor's defaults)"</option>
                            {templates.into_iter().map(|template| view! {
                                <option value=template.id.to_string()>{template.name}</option>
                            }).collect_view()}
                        </select>
                        <FieldError error=preview_error field="template_id"/>
                    </div>
                    <div class="field field-wide">
                        <label for="csv-text">"List"</label>
                        <textarea id="csv-text" rows="6" placeholder="email;password;server\nanna@example.com;secret;imap.example.com"
                            prop:value=text on:input=move |event| text.set(event_target_value(&event))></textarea>
                        <FieldError error=preview_error field="text"/>
                    </div>
                </div>
                <div class="form-actions">
                    <button type="button" class="button" disabled=move || preview.pending().get() || text.with(|text| text.trim().is_empty())
                        on:click=move |_| { preview.dispatch(PreviewCsv { form: form() }); }>
                        {move || if preview.pending().get() { "Reading…" } else { "Preview" }}
                    </button>
                </div>
            </div>
            {move || current_preview().map(|result| {
                let valid = result.valid;
                view! {
                    <Preview preview=result/>
                    <div class="form-actions">
                        <label class="field-check"><input type="checkbox" prop:checked=run_now on:change=move |event| run_now.set(event_target_checked(&event))/>" Start the first runs now"</label>
                        <button type="button" class="button button-primary" disabled=move || import.pending().get() || valid == 0
                            on:click=move |_| { import.dispatch(ImportCsv { form: form() }); }>
                            {format!("Import {valid} mailboxes")}
                        </button>
                    </div>
                }
            })}
            {move || import.value().get().and_then(Result::ok).map(|report| view! { <Report report/> })}
        </section>
    }
}

/// Puts the chosen file's text into the list.
fn read_file(event: leptos::ev::Event, text: RwSignal<String>) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let Some(input) = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        leptos::task::spawn_local(async move {
            if let Ok(content) = wasm_bindgen_futures::JsFuture::from(file.text()).await
                && let Some(content) = content.as_string()
            {
                text.set(content);
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (event, text);
    }
}

#[component]
fn Preview(preview: CsvPreview) -> impl IntoView {
    let rejected = preview.rows.len() as u64 - preview.valid;
    view! {
        <div data-testid="csv-preview">
            <p class="muted">
                {format!("Separated by {}. Columns: ", preview.separator)}
                {preview.columns.into_iter().map(|column| match column.meaning {
                    Some(meaning) => format!("{} → {}", column.header, meaning),
                    None => format!("{} (ignored)", column.header),
                }).collect::<Vec<_>>().join(", ")}
            </p>
            <p data-testid="csv-summary">
                <strong>{format!("{} of {} rows can be imported", preview.valid, preview.rows.len())}</strong>
                {(rejected > 0).then(|| format!("; {rejected} need fixing in the file (nothing is saved for them)."))}
            </p>
            <table class="table table-compact">
                <thead><tr><th class="number">"Line"</th><th>"E-mail"</th><th>"Mailbox"</th><th>"Server"</th><th>"Problems"</th></tr></thead>
                <tbody>
                    {preview.rows.into_iter().map(|row| {
                        let ok = row.errors.is_empty();
                        view! {
                            <tr class:row-error=!ok data-testid=if ok { "csv-row-ok" } else { "csv-row-error" }>
                                <td class="number">{row.line}</td>
                                <td>{row.email} {row.new_user.then(|| view! { " " <span class="badge">"new user"</span> })}</td>
                                <td>{row.mailbox}</td>
                                <td class="muted">{row.server}</td>
                                <td>{row.errors.into_iter().map(|error| view! { <p class="field-error">{error}</p> }).collect_view()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn Report(report: BatchReport) -> impl IntoView {
    view! {
        <div data-testid="batch-report">
            <div class="banner banner-success" role="status">
                {format!(
                    "{} mailboxes created, {} skipped, {} failed; {} first runs queued.",
                    report.created, report.skipped, report.failed, report.queued
                )}
            </div>
            <table class="table table-compact">
                <thead><tr><th>"For"</th><th>"Mailbox"</th><th>"Result"</th></tr></thead>
                <tbody>
                    {report.rows.into_iter().map(|row| {
                        let result = match row.outcome {
                            BatchOutcome::Created => "Created",
                            BatchOutcome::Skipped => "Skipped",
                            BatchOutcome::Failed => "Failed",
                        };
                        view! {
                            <tr data-testid="batch-row">
                                <td>{row.subject} {row.user_created.then(|| view! { " " <span class="badge">"user created"</span> })}</td>
                                <td>{match (row.mailbox, row.mailbox_id) {
                                    (Some(name), Some(id)) => view! { <a href=format!("/mailboxes/{id}")>{name}</a> }.into_any(),
                                    (Some(name), None) => name.into_any(),
                                    _ => "".into_any(),
                                }}</td>
                                <td>{result} {row.reason.map(|reason| view! { <p class="field-error">{reason}</p> })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
