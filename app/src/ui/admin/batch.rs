//! Batch archiving: a master-user batch over the Tresor users, or a CSV list
//! previewed row by row before anything is saved.

use crate::api::batch::{ImportCsv, PreviewCsv, RunMasterBatch};
use crate::api::templates::list_templates;
use crate::i18n::{Lang, use_lang};
use crate::model::batch::{BatchOutcome, BatchReport, CsvImportForm, CsvPreview, UserSelection};
use crate::model::mailbox::{IdentityKind, Security, TemplateSummary};
use crate::t;
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
    let lang = use_lang();
    view! {
        <Title text=t!(lang, "batch-title")/>
        <div class="page-header">
            <h1>{t!(lang, "batch-title")}</h1>
            <p class="muted">{t!(lang, "batch-intro")}</p>
        </div>
        <Transition fallback=move || view! { <p class="muted">{t!(lang, "batch-loading")}</p> }>
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
    let lang = use_lang();
    view! {
        <div class="field">
            <label for=id>{t!(lang, "batch-template")}</label>
            <select id=id name=name>
                <option value="">{t!(lang, "batch-template-none")}</option>
                {templates.into_iter().map(|template| view! {
                    <option value=template.id.to_string()>{template.name}</option>
                }).collect_view()}
            </select>
            <small class="muted">{t!(lang, "batch-template-help")}</small>
        </div>
    }
}

#[component]
fn MasterBatch(templates: Vec<TemplateSummary>) -> impl IntoView {
    let run = ServerAction::<RunMasterBatch>::new();
    let error = action_error(run);
    let selection = RwSignal::new(UserSelection::All.as_str().to_string());
    let lang = use_lang();
    let choices = [
        (UserSelection::All, t!(lang, "batch-users-all")),
        (UserSelection::AllExcept, t!(lang, "batch-users-all-except")),
        (UserSelection::Only, t!(lang, "batch-users-only")),
    ];
    view! {
        <section class="panel" data-testid="master-batch">
            <h2>{t!(lang, "batch-master-title")}</h2>
            <p class="muted">{t!(lang, "batch-master-intro")}</p>
            <ErrorBanner error/>
            <ActionForm action=run attr:class="form">
                <div class="form-grid">
                    <BatchField label=t!(lang, "batch-host") id="batch-host" name="form[host]" error field="host"/>
                    <BatchField label=t!(lang, "batch-port") id="batch-port" name="form[port]" error field="port" value="993"/>
                    <div class="field">
                        <label for="batch-security">{t!(lang, "batch-security")}</label>
                        <select id="batch-security" name="form[security]">
                            {Security::ALL.iter().map(|s| view! { <option value=s.as_str()>{s.as_str().to_uppercase()}</option> }).collect_view()}
                        </select>
                    </div>
                    <BatchField label=t!(lang, "batch-ca-file") id="batch-ca" name="form[ca_file]" error field="ca_file"/>
                    <BatchField label=t!(lang, "batch-master-user") id="batch-master" name="form[master_user]" error field="master_user"/>
                    <div class="field">
                        <label for="batch-secret">{t!(lang, "batch-master-password")}</label>
                        <input id="batch-secret" type="password" name="form[secret]" autocomplete="new-password"/>
                        <FieldError error field="secret"/>
                    </div>
                    <div class="field">
                        <label for="batch-identity">{t!(lang, "batch-identity")}</label>
                        <select id="batch-identity" name="form[identity_kind]">
                            <option value=IdentityKind::Address.as_str()>{t!(lang, "batch-identity-address")}</option>
                            <option value=IdentityKind::LocalPart.as_str()>{t!(lang, "batch-identity-local-part")}</option>
                            <option value=IdentityKind::Username.as_str()>{t!(lang, "batch-identity-username")}</option>
                        </select>
                    </div>
                    <TemplateSelect templates id="batch-template" name="form[template_id]"/>
                </div>
                <fieldset class="choices">
                    <legend>{t!(lang, "batch-users")}</legend>
                    {choices.into_iter().map(|(choice, label)| view! {
                            <label class="choice">
                                <input type="radio" name="form[selection]" value=choice.as_str()
                                    checked=choice == UserSelection::All
                                    on:change=move |_| selection.set(choice.as_str().to_string())/>
                                " " {label}
                            </label>
                        }).collect_view()}
                </fieldset>
                <div class="field field-wide" class:hidden=move || selection.get() == UserSelection::All.as_str()>
                    <label for="batch-users">{t!(lang, "batch-addresses")}</label>
                    <textarea id="batch-users" name="form[users]" rows="3" placeholder="anna@example.com"></textarea>
                    <FieldError error field="users"/>
                </div>
                <FieldError error field="selection"/>
                <label class="field-check"><input type="checkbox" name="form[run_now]" checked/>" "{t!(lang, "batch-run-now")}</label>
                <div class="form-actions">
                    <button type="submit" class="button button-primary" disabled=move || run.pending().get()>
                        {move || if run.pending().get() { t!(lang, "batch-creating") } else { t!(lang, "batch-create") }}
                    </button>
                </div>
            </ActionForm>
            {move || run.value().get().and_then(Result::ok).map(|report| view! { <Report report/> })}
        </section>
    }
}

#[component]
fn BatchField(
    #[prop(into)] label: String,
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
    let invite = RwSignal::new(false);
    let form = move || CsvImportForm {
        text: text.get_untracked(),
        template_id: template_id.get_untracked(),
        run_now: run_now.get_untracked().then(|| "on".to_string()),
        invite: invite.get_untracked().then(|| "on".to_string()),
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
    let lang = use_lang();
    view! {
        <section class="panel" data-testid="csv-import">
            <h2>{t!(lang, "batch-csv-title")}</h2>
            <p class="muted">{t!(lang, "batch-csv-intro")}</p>
            <ErrorBanner error=preview_error/>
            <ErrorBanner error=import_error/>
            <div class="form">
                <div class="form-grid">
                    <div class="field">
                        <label for="csv-file">{t!(lang, "batch-csv-file")}</label>
                        <input id="csv-file" type="file" accept=".csv,.txt,text/csv,text/plain" on:change=move |event| read_file(event, text)/>
                    </div>
                    <div class="field">
                        <label for="csv-template">{t!(lang, "batch-template")}</label>
                        <select id="csv-template" on:change=move |event| template_id.set(event_target_value(&event))>
                            <option value="">{t!(lang, "batch-template-none")}</option>
                            {templates.into_iter().map(|template| view! {
                                <option value=template.id.to_string()>{template.name}</option>
                            }).collect_view()}
                        </select>
                        <FieldError error=preview_error field="template_id"/>
                    </div>
                    <div class="field field-wide">
                        <label for="csv-text">{t!(lang, "batch-csv-list")}</label>
                        <textarea id="csv-text" rows="6" placeholder=t!(lang, "batch-csv-placeholder")
                            prop:value=text on:input=move |event| text.set(event_target_value(&event))></textarea>
                        <FieldError error=preview_error field="text"/>
                    </div>
                </div>
                <div class="form-actions">
                    <button type="button" class="button" disabled=move || preview.pending().get() || text.with(|text| text.trim().is_empty())
                        on:click=move |_| { preview.dispatch(PreviewCsv { form: form() }); }>
                        {move || if preview.pending().get() { t!(lang, "batch-csv-reading") } else { t!(lang, "batch-csv-preview") }}
                    </button>
                </div>
            </div>
            {move || current_preview().map(|result| {
                let valid = result.valid;
                let new_users = result.rows.iter().filter(|row| row.new_user && row.errors.is_empty()).count();
                view! {
                    <Preview preview=result/>
                    <div class="form-actions">
                        <label class="field-check"><input type="checkbox" prop:checked=run_now on:change=move |event| run_now.set(event_target_checked(&event))/>" "{t!(lang, "batch-run-now")}</label>
                        {(new_users > 0).then(|| view! {
                            <label class="field-check"><input type="checkbox" data-testid="csv-invite" prop:checked=invite on:change=move |event| invite.set(event_target_checked(&event))/>" "{t!(lang, "batch-csv-invite", count = new_users)}</label>
                        })}
                        <button type="button" class="button button-primary" disabled=move || import.pending().get() || valid == 0
                            on:click=move |_| { import.dispatch(ImportCsv { form: form() }); }>
                            {t!(lang, "batch-csv-import", count = valid)}
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

/// The separator the preview found (`semicolon`, `comma`, `pipe`, `tab`),
/// in `lang`.
fn separator_name(lang: Lang, separator: &str) -> String {
    match separator {
        "semicolon" => t!(lang, "batch-separator-semicolon"),
        "comma" => t!(lang, "batch-separator-comma"),
        "pipe" => t!(lang, "batch-separator-pipe"),
        "tab" => t!(lang, "batch-separator-tab"),
        other => other.to_string(),
    }
}

#[component]
fn Preview(preview: CsvPreview) -> impl IntoView {
    let lang = use_lang();
    let rejected = preview.rows.len() as u64 - preview.valid;
    let columns = preview
        .columns
        .into_iter()
        .map(|column| match column.meaning {
            Some(meaning) => t!(
                lang,
                "batch-csv-column",
                header = column.header,
                meaning = meaning
            ),
            None => t!(lang, "batch-csv-column-ignored", header = column.header),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let separator = separator_name(lang, &preview.separator);
    view! {
        <div data-testid="csv-preview">
            <p class="muted">{t!(lang, "batch-csv-columns", separator = separator, columns = columns)}</p>
            <p data-testid="csv-summary">
                <strong>{t!(lang, "batch-csv-importable", valid = preview.valid, total = preview.rows.len())}</strong>
                {(rejected > 0).then(|| t!(lang, "batch-csv-rejected", count = rejected))}
            </p>
            <table class="table table-compact">
                <thead>
                    <tr>
                        <th class="number">{t!(lang, "batch-csv-line")}</th>
                        <th>{t!(lang, "batch-csv-email")}</th>
                        <th>{t!(lang, "batch-csv-mailbox")}</th>
                        <th>{t!(lang, "batch-csv-server")}</th>
                        <th>{t!(lang, "batch-csv-problems")}</th>
                    </tr>
                </thead>
                <tbody>
                    {preview.rows.into_iter().map(|row| {
                        let ok = row.errors.is_empty();
                        view! {
                            <tr class:row-error=!ok data-testid=if ok { "csv-row-ok" } else { "csv-row-error" }>
                                <td class="number">{row.line}</td>
                                <td>{row.email} {row.new_user.then(|| view! { " " <span class="badge">{t!(lang, "batch-csv-new-user")}</span> })}</td>
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
    let lang = use_lang();
    view! {
        <div data-testid="batch-report">
            <div class="banner banner-success" role="status">
                {t!(
                    lang,
                    "batch-report",
                    created = report.created,
                    skipped = report.skipped,
                    failed = report.failed,
                    queued = report.queued
                )}
            </div>
            <table class="table table-compact">
                <thead>
                    <tr>
                        <th>{t!(lang, "batch-report-for")}</th>
                        <th>{t!(lang, "batch-report-mailbox")}</th>
                        <th>{t!(lang, "batch-report-result")}</th>
                    </tr>
                </thead>
                <tbody>
                    {report.rows.into_iter().map(|row| {
                        let result = match row.outcome {
                            BatchOutcome::Created => t!(lang, "batch-outcome-created"),
                            BatchOutcome::Skipped => t!(lang, "batch-outcome-skipped"),
                            BatchOutcome::Failed => t!(lang, "batch-outcome-failed"),
                        };
                        view! {
                            <tr data-testid="batch-row">
                                <td>{row.subject} {row.new_user.is_some().then(|| view! { " " <span class="badge">{t!(lang, "batch-user-created")}</span> })}
                                    {row.invited.then(|| view! { " " <span class="badge badge-ok" data-testid="invited">{t!(lang, "batch-user-invited")}</span> })}</td>
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_counts_each_outcome_in_both_languages() {
        let report = |lang, created: u64, queued: u64| {
            t!(
                lang,
                "batch-report",
                created = created,
                skipped = 0u64,
                failed = 1u64,
                queued = queued
            )
        };
        assert_eq!(
            report(Lang::En, 3, 3),
            "3 mailboxes created, 0 skipped, 1 failed; 3 first runs queued."
        );
        assert_eq!(
            report(Lang::En, 1, 1),
            "1 mailbox created, 0 skipped, 1 failed; 1 first run queued."
        );
        assert_eq!(
            report(Lang::De, 3, 1),
            "3 Postfächer angelegt, 0 übersprungen, 1 fehlgeschlagen; 1 erster Lauf eingeplant."
        );
    }

    #[test]
    fn the_list_placeholder_shows_two_lines() {
        assert_eq!(
            t!(Lang::En, "batch-csv-placeholder"),
            "email;password;server\nanna@example.com;secret;imap.example.com"
        );
        assert_eq!(separator_name(Lang::De, "semicolon"), "Semikolon");
        assert_eq!(separator_name(Lang::En, "semicolon"), "semicolon");
    }
}
