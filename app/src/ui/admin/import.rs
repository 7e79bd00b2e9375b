//! Importing a mail file uploaded from the administrator's computer: an
//! Outlook `.pst`/`.ost`/`.msg`, an `.eml` or an mbox file goes into an
//! import mailbox of a user. The file is sent as it is (not read into the
//! page: a PST is often gigabytes), with the upload's progress shown; the
//! server stores it and imports it in the background, and the mailbox's
//! page shows the job.

use crate::api::users::list_users;
use crate::i18n::format::size;
use crate::i18n::{Lang, use_lang};
use crate::t;
use crate::ui::admin::tabs::AdminPage;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ImportPage() -> impl IntoView {
    view! { <AdminPage><Import/></AdminPage> }
}

/// Where an upload stands.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Upload {
    Idle,
    /// Bytes sent of the file's total.
    Sending {
        sent: f64,
        total: f64,
    },
    /// The server has the file and imports it into this mailbox.
    Started(Started),
    Failed(String),
}

/// The server's answer once it has the whole file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
struct Started {
    mailbox_id: i64,
    mailbox: String,
    bytes: u64,
}

#[component]
fn Import() -> impl IntoView {
    let lang = use_lang();
    let users = Resource::new(|| (), |_| list_users());
    let file_input = NodeRef::<leptos::html::Input>::new();
    let mailbox = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let upload = RwSignal::new(Upload::Idle);
    let sending = move || matches!(upload.get(), Upload::Sending { .. });

    view! {
        <Title text=t!(lang, "import-title")/>
        <div class="page-header">
            <h1>{t!(lang, "import-title")}</h1>
            <p class="muted">{t!(lang, "import-intro")}</p>
        </div>
        <section class="panel" data-testid="import-panel">
            <div class="form">
                <div class="form-grid">
                    <div class="field field-wide">
                        <label for="import-file">{t!(lang, "import-file")}</label>
                        <input id="import-file" type="file" data-testid="import-file" node_ref=file_input
                            accept=".pst,.ost,.msg,.eml,.mbox"
                            on:change=move |_| suggest_mailbox_name(file_input, mailbox)/>
                        <small class="muted">{t!(lang, "import-file-help")}</small>
                    </div>
                    <div class="field">
                        <label for="import-mailbox">{t!(lang, "import-mailbox")}</label>
                        <input id="import-mailbox" data-testid="import-mailbox" maxlength="200"
                            prop:value=mailbox on:input=move |event| mailbox.set(event_target_value(&event))/>
                        <small class="muted">{t!(lang, "import-mailbox-help")}</small>
                    </div>
                    <div class="field">
                        <label for="import-owner">{t!(lang, "import-owner")}</label>
                        <Transition fallback=move || view! { <p class="muted">{t!(lang, "import-loading")}</p> }>
                            {move || Suspend::new(async move {
                                let users = users.await.unwrap_or_default();
                                view! {
                                    <select id="import-owner" data-testid="import-owner"
                                        on:change=move |event| owner.set(event_target_value(&event))>
                                        <option value="">{t!(lang, "import-owner-choose")}</option>
                                        {users.into_iter().filter(|user| !user.disabled).map(|user| {
                                            let label = if user.display_name.is_empty() {
                                                user.email.clone()
                                            } else {
                                                format!("{} <{}>", user.display_name, user.email)
                                            };
                                            view! { <option value=user.email>{label}</option> }
                                        }).collect_view()}
                                    </select>
                                }
                            })}
                        </Transition>
                    </div>
                </div>
                <div class="form-actions">
                    <button type="button" class="button button-primary" data-testid="import-upload"
                        disabled=move || sending() || mailbox.get().trim().is_empty() || owner.get().is_empty()
                        on:click=move |_| start_upload(lang, file_input, mailbox.get_untracked(), owner.get_untracked(), upload)>
                        {move || if sending() { t!(lang, "import-uploading") } else { t!(lang, "import-upload") }}
                    </button>
                </div>
            </div>
            {move || match upload.get() {
                Upload::Idle => ().into_any(),
                Upload::Sending { sent, total } => {
                    let percent = if total > 0.0 { (sent / total * 100.0).floor() } else { 0.0 };
                    view! {
                        <div class="progress-block" data-testid="import-progress">
                            <progress max="100" value=percent.to_string()></progress>
                            <span class="muted">{t!(lang, "import-progress", sent = size(lang, sent as u64), total = size(lang, total as u64))}</span>
                        </div>
                    }.into_any()
                }
                Upload::Started(started) => view! {
                    <div class="banner banner-success" role="status" data-testid="import-started">
                        <p>{t!(lang, "import-started", mailbox = started.mailbox.clone(), size = size(lang, started.bytes))}</p>
                        <a href=format!("/mailboxes/{}", started.mailbox_id) data-testid="import-open-mailbox">
                            {t!(lang, "import-open-mailbox")}
                        </a>
                    </div>
                }.into_any(),
                Upload::Failed(reason) => view! {
                    <div class="banner banner-error" role="alert" data-testid="import-failed">{reason}</div>
                }.into_any(),
            }}
        </section>
    }
}

/// A new mailbox is named after the file unless a name was typed.
fn suggest_mailbox_name(file_input: NodeRef<leptos::html::Input>, mailbox: RwSignal<String>) {
    let Some(name) = chosen_file(file_input).map(|file| file.name()) else {
        return;
    };
    if mailbox.get_untracked().trim().is_empty() {
        let stem = name
            .rsplit_once('.')
            .map_or(name.as_str(), |(stem, _)| stem);
        mailbox.set(stem.to_string());
    }
}

#[cfg(feature = "hydrate")]
fn chosen_file(file_input: NodeRef<leptos::html::Input>) -> Option<web_sys::File> {
    file_input.get_untracked()?.files()?.get(0)
}

/// On the server no file is ever chosen.
#[cfg(not(feature = "hydrate"))]
struct NoFile;

#[cfg(not(feature = "hydrate"))]
impl NoFile {
    fn name(&self) -> String {
        String::new()
    }
}

#[cfg(not(feature = "hydrate"))]
fn chosen_file(_file_input: NodeRef<leptos::html::Input>) -> Option<NoFile> {
    None
}

/// Sends the chosen file to the server with `XMLHttpRequest` (whose upload
/// reports progress, which `fetch` does not) and follows it in `upload`.
fn start_upload(
    lang: Lang,
    file_input: NodeRef<leptos::html::Input>,
    mailbox: String,
    owner: String,
    upload: RwSignal<Upload>,
) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        use leptos::wasm_bindgen::closure::Closure;

        let Some(file) = chosen_file(file_input) else {
            upload.set(Upload::Failed(t!(lang, "import-no-file")));
            return;
        };
        let href = crate::ui::url::import_upload_href(&file.name(), mailbox.trim(), &owner);
        let Ok(request) = web_sys::XmlHttpRequest::new() else {
            upload.set(Upload::Failed(t!(lang, "import-network")));
            return;
        };
        if request.open("POST", &href).is_err() {
            upload.set(Upload::Failed(t!(lang, "import-network")));
            return;
        }
        let total = file.size();
        upload.set(Upload::Sending { sent: 0.0, total });
        if let Ok(target) = request.upload() {
            let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(
                move |event: web_sys::ProgressEvent| {
                    upload.set(Upload::Sending {
                        sent: event.loaded(),
                        total,
                    });
                },
            );
            target.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
            on_progress.forget();
        }
        let answered = request.clone();
        let on_load = Closure::<dyn FnMut()>::new(move || {
            let status = answered.status().unwrap_or(0);
            let body = answered.response_text().ok().flatten().unwrap_or_default();
            upload.set(outcome(lang, status, &body));
        });
        request.set_onload(Some(on_load.as_ref().unchecked_ref()));
        on_load.forget();
        let on_error = Closure::<dyn FnMut()>::new(move || {
            upload.set(Upload::Failed(t!(lang, "import-network")));
        });
        request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        if request.send_with_opt_blob(Some(&file)).is_err() {
            upload.set(Upload::Failed(t!(lang, "import-network")));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (lang, file_input, mailbox, owner, upload);
    }
}

/// What the server's answer means for the person: the started import, or
/// why not in their language (the server's own words where it has no
/// sentence of ours).
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn outcome(lang: Lang, status: u16, body: &str) -> Upload {
    match status {
        202 => match serde_json::from_str::<Started>(body) {
            Ok(started) => Upload::Started(started),
            Err(_) => Upload::Failed(t!(lang, "import-network")),
        },
        401 => Upload::Failed(t!(lang, "import-signed-out")),
        403 => Upload::Failed(t!(lang, "import-forbidden")),
        409 => Upload::Failed(t!(lang, "import-name-taken")),
        413 => Upload::Failed(t!(lang, "import-too-large")),
        507 => Upload::Failed(t!(lang, "import-disk-full")),
        _ if !body.trim().is_empty() => Upload::Failed(body.trim().to_string()),
        _ => Upload::Failed(t!(lang, "import-network")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_becomes_what_the_person_reads() {
        let lang = Lang::En;
        let body = r#"{"mailbox_id":7,"mailbox":"Archiv 2023","bytes":271360}"#;
        assert_eq!(
            outcome(lang, 202, body),
            Upload::Started(Started {
                mailbox_id: 7,
                mailbox: "Archiv 2023".into(),
                bytes: 271_360
            })
        );
        assert_eq!(
            outcome(lang, 403, "Administrators only."),
            Upload::Failed(t!(lang, "import-forbidden"))
        );
        assert_eq!(
            outcome(
                lang,
                400,
                "Only .pst, .ost, .msg, .eml and .mbox files can be uploaded."
            ),
            Upload::Failed("Only .pst, .ost, .msg, .eml and .mbox files can be uploaded.".into())
        );
        assert_eq!(
            outcome(lang, 0, ""),
            Upload::Failed(t!(lang, "import-network"))
        );
    }
}
