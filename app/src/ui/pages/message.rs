//! One archived message (`/m/<id>`, the permalink): headers, the text or
//! the sanitized HTML in a sandboxed frame, attachments, the proof of
//! integrity, the conversation, and restore.

use crate::api::archive::load_archived_message;
use crate::i18n::{format, use_lang};
use crate::model::archive::{ConvertedFrom, MessageView};
use crate::t;
use crate::ui::components::{DownloadLink, ErrorAlert, id_param, short_sender};
use crate::ui::pages::restore::{Restore, RestorePlan};
use crate::ui::url::folder_export_href;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MessagePage() -> impl IntoView {
    let id = id_param();
    let message = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_archived_message(id).await,
            None => Err(crate::error::ApiError::NotFound),
        }
    });
    // Here, not in `Message`: that is created inside the `Suspend` below.
    let restore_plan = RestorePlan::new(Signal::derive(move || id().into_iter().collect()));
    let lang = use_lang();
    view! {
        <Title text=t!(lang, "message-title")/>
        <Transition fallback=move || view! { <p class="muted">{t!(lang, "message-loading")}</p> }>
            {move || Suspend::new(async move {
                match message.await {
                    Ok(message) => view! { <Message message restore_plan/> }.into_any(),
                    Err(error) => view! {
                        <div class="page-header"><h1>{t!(lang, "message-title")}</h1></div>
                        <ErrorAlert error/>
                        <p><a href="/archive">{t!(lang, "message-back-to-archive")}</a></p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Message(message: MessageView, restore_plan: RestorePlan) -> impl IntoView {
    let id = message.id;
    let lang = use_lang();
    let subject = if message.subject.trim().is_empty() {
        t!(lang, "message-no-subject")
    } else {
        message.subject.clone()
    };
    let date = message
        .date
        .map(|date| format::date_time(lang, date))
        .unwrap_or_else(|| t!(lang, "message-no-date"));
    let show_html = RwSignal::new(message.has_html);
    let load_images = RwSignal::new(false);
    let frame_src = move || {
        if load_images.get() {
            format!("/m/{id}/html?images=1")
        } else {
            format!("/m/{id}/html")
        }
    };
    let text = message.text_body.clone();
    let has_html = message.has_html;
    let has_remote_images = message.has_remote_images;
    view! {
        <Title text=subject.clone()/>
        <div class="page-header page-header-actions">
            <div>
                <p class="muted"><a href="/archive">{t!(lang, "message-archive-link")}</a></p>
                <h1 data-testid="message-subject">{subject}</h1>
            </div>
            <div class="button-row">
                <DownloadLink href=format!("/m/{id}/raw") attr:class="button" attr:data-testid="download-eml">
                    {t!(lang, "message-download-eml", size = format::size(lang, message.size.max(0) as u64))}
                </DownloadLink>
                <a class="button button-quiet" href=format!("/m/{id}") title=t!(lang, "message-permalink-title")>{t!(lang, "message-permalink")}</a>
            </div>
        </div>
        {message.superseded_by.map(|newer| view! {
            <p class="banner banner-info">{t!(lang, "message-newer-revision")} <a href=format!("/m/{newer}")>{t!(lang, "message-show-it")}</a></p>
        })}
        {message.supersedes.map(|older| view! {
            <p class="banner banner-info">{t!(lang, "message-older-revision")} <a href=format!("/m/{older}")>{t!(lang, "message-show-it")}</a></p>
        })}
        <div class="message-layout">
            <section class="card message-main">
                <dl class="headers">
                    <dt>{t!(lang, "message-from")}</dt><dd data-testid="message-from">{message.from.clone()}</dd>
                    <dt>{t!(lang, "message-to")}</dt><dd>{message.to.clone()}</dd>
                    {(!message.cc.is_empty()).then(|| view! { <dt>{t!(lang, "message-cc")}</dt><dd>{message.cc.clone()}</dd> })}
                    <dt>{t!(lang, "message-date")}</dt><dd>{date}</dd>
                </dl>
                <div class="body-tabs">
                    {has_html.then(|| view! {
                        <button type="button" class=move || if show_html.get() { "tab tab-active" } else { "tab" } on:click=move |_| show_html.set(true)>"HTML"</button>
                    })}
                    {text.is_some().then(|| view! {
                        <button type="button" class=move || if show_html.get() { "tab" } else { "tab tab-active" } on:click=move |_| show_html.set(false) data-testid="show-text">{t!(lang, "message-tab-text")}</button>
                    })}
                    <Show when=move || show_html.get() && has_remote_images && !load_images.get()>
                        <span class="remote-note">{t!(lang, "message-remote-images-blocked")}
                            <button type="button" class="button button-quiet" on:click=move |_| load_images.set(true) data-testid="load-images">{t!(lang, "message-load-images")}</button>
                        </span>
                    </Show>
                </div>
                <Show
                    when=move || show_html.get()
                    fallback={
                        let text = text.clone();
                        move || view! {
                            <pre class="text-body" data-testid="text-body">{text.clone().unwrap_or_else(|| t!(lang, "message-no-text-body"))}</pre>
                        }
                    }
                >
                    // No allow-scripts and no allow-same-origin: the mail's HTML
                    // can neither run nor reach this page; links open outside.
                    <iframe
                        class="html-body"
                        title=t!(lang, "message-body-title")
                        sandbox="allow-popups allow-popups-to-escape-sandbox"
                        referrerpolicy="no-referrer"
                        src=frame_src
                        data-testid="html-body"
                    ></iframe>
                </Show>
                {(!message.attachments.is_empty()).then(|| view! {
                    <h2 class="section-title">{t!(lang, "message-attachments", count = message.attachments.len())}</h2>
                    <ul class="attachments" data-testid="attachments">
                        {message.attachments.iter().map(|attachment| {
                            let name = attachment.name.clone();
                            view! {
                            <li>
                                <DownloadLink href=format!("/m/{id}/attachments/{}", attachment.index) attr:data-testid="attachment">{name}</DownloadLink>
                                <span class="muted">{format!(" {} · {}", attachment.content_type, format::size(lang, attachment.size as u64))}</span>
                            </li>
                        }}).collect_view()}
                    </ul>
                })}
                {(!message.defects.is_empty()).then(|| view! {
                    <details class="defects">
                        <summary>{t!(lang, "message-parser-notes", count = message.defects.len())}</summary>
                        <ul>{message.defects.iter().map(|defect| view! { <li>{defect.clone()}</li> }).collect_view()}</ul>
                    </details>
                })}
            </section>
            <aside class="message-side">
                <Integrity message=message.clone()/>
                {(!message.thread.is_empty()).then(|| view! {
                    <section class="card">
                        <h2 class="section-title">{t!(lang, "message-conversation", count = message.thread.len())}</h2>
                        <ol class="thread" data-testid="thread">
                            {message.thread.iter().map(|entry| {
                                let current = entry.id == id;
                                view! {
                                    <li class=if current { "thread-current" } else { "" }>
                                        <a href=format!("/m/{}", entry.id)>{short_sender(&entry.from)}</a>
                                        <span class="muted">{entry.date.map(|date| format!(" · {}", format::date(lang, date))).unwrap_or_default()}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                    </section>
                })}
                <Restore ids=Signal::derive(move || vec![id]) plan=restore_plan/>
            </aside>
        </div>
    }
}

#[component]
fn Integrity(message: MessageView) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="card" data-testid="integrity">
            <h2 class="section-title">{t!(lang, "message-integrity")}</h2>
            <p class="muted">{t!(lang, "message-integrity-note")}</p>
            <dl class="facts">
                <dt>"SHA-256"</dt><dd><code class="hash" data-testid="sha256">{message.sha256.clone()}</code></dd>
                <dt>{t!(lang, "message-size")}</dt><dd>{format::size(lang, message.size.max(0) as u64)}</dd>
                <dt>{t!(lang, "message-archived")}</dt><dd>{format::date_time_seconds(lang, message.archived_at)}</dd>
                {message.message_id.clone().map(|id| view! { <dt>"Message-ID"</dt><dd class="break">{id}</dd> })}
            </dl>
            <h3 class="subsection-title">{t!(lang, "message-found-in")}</h3>
            <ul class="locations">
                {message.locations.iter().map(|location| view! {
                    <li>
                        <strong>{location.mailbox.clone()}</strong>" / "{location.folder.clone()}
                        <span class="muted">{format!(" · {}", t!(lang, "message-location", uid = location.uid.to_string(), when = format::date_time(lang, location.archived_at)))}</span>
                        {location.converted_from.clone().map(|source| view! { <ConversionNote source/> })}
                        <br/>
                        <DownloadLink href=folder_export_href(location.mailbox_id, &location.folder) attr:title=t!(lang, "message-export-folder-title") attr:data-testid="export-folder">{t!(lang, "message-export-folder")}</DownloadLink>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

/// Where a converted (PST/MSG) message came from: it is not byte-identical to
/// an original, so the page says so and names the file it was made from.
#[component]
fn ConversionNote(source: ConvertedFrom) -> impl IntoView {
    let lang = use_lang();
    let origin = if source.folder.is_empty() {
        t!(lang, "message-converted-from-file", file = source.file)
    } else {
        t!(
            lang,
            "message-converted-from-folder",
            file = source.file,
            folder = source.folder
        )
    };
    view! {
        <p class="muted" data-testid="converted-from">
            <span class="badge">{t!(lang, "message-converted")}</span>" "{origin}
            <br/><code class="hash">{format!("SHA-256 {}", source.file_sha256)}</code>
        </p>
    }
    .into_any()
}
