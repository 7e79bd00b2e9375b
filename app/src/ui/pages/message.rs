//! One archived message (`/m/<id>`, the permalink): headers, the text or
//! the sanitized HTML in a sandboxed frame, attachments, the proof of
//! integrity, the conversation, and restore.

use crate::api::archive::load_archived_message;
use crate::model::archive::MessageView;
use crate::ui::components::{DownloadLink, ErrorAlert, human_size, id_param, short_sender};
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
    view! {
        <Title text="Message"/>
        <Transition fallback=|| view! { <p class="muted">"Loading the message…"</p> }>
            {move || Suspend::new(async move {
                match message.await {
                    Ok(message) => view! { <Message message restore_plan/> }.into_any(),
                    Err(error) => view! {
                        <div class="page-header"><h1>"Message"</h1></div>
                        <ErrorAlert error/>
                        <p><a href="/archive">"Back to the archive"</a></p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Message(message: MessageView, restore_plan: RestorePlan) -> impl IntoView {
    let id = message.id;
    let subject = if message.subject.trim().is_empty() {
        "(no subject)".to_string()
    } else {
        message.subject.clone()
    };
    let date = message
        .date
        .map(|date| date.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "no date".into());
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
                <p class="muted"><a href="/archive">"← Archive"</a></p>
                <h1 data-testid="message-subject">{subject}</h1>
            </div>
            <div class="button-row">
                <DownloadLink href=format!("/m/{id}/raw") attr:class="button" attr:data-testid="download-eml">
                    {format!("Download .eml ({})", human_size(message.size.max(0) as u64))}
                </DownloadLink>
                <a class="button button-quiet" href=format!("/m/{id}") title="A link to this message that works for everyone allowed to read it">"Permalink"</a>
            </div>
        </div>
        {message.superseded_by.map(|newer| view! {
            <p class="banner banner-info">"A newer revision of this message was archived: " <a href=format!("/m/{newer}")>"show it"</a></p>
        })}
        {message.supersedes.map(|older| view! {
            <p class="banner banner-info">"This message replaced an earlier revision, which is kept: " <a href=format!("/m/{older}")>"show it"</a></p>
        })}
        <div class="message-layout">
            <section class="card message-main">
                <dl class="headers">
                    <dt>"From"</dt><dd data-testid="message-from">{message.from.clone()}</dd>
                    <dt>"To"</dt><dd>{message.to.clone()}</dd>
                    {(!message.cc.is_empty()).then(|| view! { <dt>"Cc"</dt><dd>{message.cc.clone()}</dd> })}
                    <dt>"Date"</dt><dd>{date}</dd>
                </dl>
                <div class="body-tabs">
                    {has_html.then(|| view! {
                        <button type="button" class=move || if show_html.get() { "tab tab-active" } else { "tab" } on:click=move |_| show_html.set(true)>"HTML"</button>
                    })}
                    {text.is_some().then(|| view! {
                        <button type="button" class=move || if show_html.get() { "tab" } else { "tab tab-active" } on:click=move |_| show_html.set(false) data-testid="show-text">"Text"</button>
                    })}
                    <Show when=move || show_html.get() && has_remote_images && !load_images.get()>
                        <span class="remote-note">"Remote images are blocked to protect your privacy. "
                            <button type="button" class="button button-quiet" on:click=move |_| load_images.set(true) data-testid="load-images">"Load images"</button>
                        </span>
                    </Show>
                </div>
                <Show
                    when=move || show_html.get()
                    fallback={
                        let text = text.clone();
                        move || view! {
                            <pre class="text-body" data-testid="text-body">{text.clone().unwrap_or_else(|| "This message has no text body.".into())}</pre>
                        }
                    }
                >
                    // No allow-scripts and no allow-same-origin: the mail's HTML
                    // can neither run nor reach this page; links open outside.
                    <iframe
                        class="html-body"
                        title="Message body"
                        sandbox="allow-popups allow-popups-to-escape-sandbox"
                        referrerpolicy="no-referrer"
                        src=frame_src
                        data-testid="html-body"
                    ></iframe>
                </Show>
                {(!message.attachments.is_empty()).then(|| view! {
                    <h2 class="section-title">{format!("Attachments ({})", message.attachments.len())}</h2>
                    <ul class="attachments" data-testid="attachments">
                        {message.attachments.iter().map(|attachment| {
                            let name = attachment.name.clone();
                            view! {
                            <li>
                                <DownloadLink href=format!("/m/{id}/attachments/{}", attachment.index) attr:data-testid="attachment">{name}</DownloadLink>
                                <span class="muted">{format!(" {} · {}", attachment.content_type, human_size(attachment.size as u64))}</span>
                            </li>
                        }}).collect_view()}
                    </ul>
                })}
                {(!message.defects.is_empty()).then(|| view! {
                    <details class="defects">
                        <summary>{format!("{} parser notes (the message is archived exactly as received)", message.defects.len())}</summary>
                        <ul>{message.defects.iter().map(|defect| view! { <li>{defect.clone()}</li> }).collect_view()}</ul>
                    </details>
                })}
            </section>
            <aside class="message-side">
                <Integrity message=message.clone()/>
                {(!message.thread.is_empty()).then(|| view! {
                    <section class="card">
                        <h2 class="section-title">{format!("Conversation ({})", message.thread.len())}</h2>
                        <ol class="thread" data-testid="thread">
                            {message.thread.iter().map(|entry| {
                                let current = entry.id == id;
                                view! {
                                    <li class=if current { "thread-current" } else { "" }>
                                        <a href=format!("/m/{}", entry.id)>{short_sender(&entry.from)}</a>
                                        <span class="muted">{entry.date.map(|date| format!(" · {}", date.format("%Y-%m-%d"))).unwrap_or_default()}</span>
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
    view! {
        <section class="card" data-testid="integrity">
            <h2 class="section-title">"Integrity"</h2>
            <p class="muted">"The archived bytes are stored unchanged under their SHA-256; the download is those bytes."</p>
            <dl class="facts">
                <dt>"SHA-256"</dt><dd><code class="hash" data-testid="sha256">{message.sha256.clone()}</code></dd>
                <dt>"Size"</dt><dd>{human_size(message.size.max(0) as u64)}</dd>
                <dt>"Archived"</dt><dd>{message.archived_at.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</dd>
                {message.message_id.clone().map(|id| view! { <dt>"Message-ID"</dt><dd class="break">{id}</dd> })}
            </dl>
            <h3 class="subsection-title">"Found in"</h3>
            <ul class="locations">
                {message.locations.iter().map(|location| view! {
                    <li>
                        <strong>{location.mailbox.clone()}</strong>" / "{location.folder.clone()}
                        <span class="muted">{format!(" · UID {} · archived {}", location.uid, location.archived_at.format("%Y-%m-%d %H:%M"))}</span>
                        <br/>
                        <DownloadLink href=folder_export_href(location.mailbox_id, &location.folder) attr:title="Download every message of this folder as a .zip of .eml files" attr:data-testid="export-folder">"Export folder"</DownloadLink>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
