//! Admin → Notifications: the SMTP settings for notification mail, the
//! instance's or one mailbox's, and a test mail sent with them.

use crate::CurrentUser;
use crate::api::notifications::{RemoveSmtp, SaveSmtp, SendTestMail, load_smtp};
use crate::i18n::{Lang, format, use_lang};
use crate::model::notifications::SmtpSettingsView;
use crate::t;
use crate::ui::admin::tabs::AdminPage;
use crate::ui::components::{ErrorAlert, ErrorBanner, FieldError, action_error, confirmed};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// SMTP settings for notification mail — the instance's, or one mailbox's
/// (which win for that mailbox) — and a test mail with them.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    view! { <AdminPage><Notifications/></AdminPage> }
}

#[component]
fn Notifications() -> impl IntoView {
    let query = use_query_map();
    let mailbox_id = Memo::new(move |_| {
        query
            .read()
            .get("mailbox")
            .and_then(|id| id.parse::<i64>().ok())
    });
    let save = ServerAction::<SaveSmtp>::new();
    let remove = ServerAction::<RemoveSmtp>::new();
    let settings = Resource::new(
        move || {
            (
                mailbox_id.get(),
                save.version().get(),
                remove.version().get(),
            )
        },
        |(mailbox_id, _, _)| load_smtp(mailbox_id),
    );
    let lang = use_lang();
    view! {
        <Title text=t!(lang, "notifications-title")/>
        <div class="page-header">
            <h1>{t!(lang, "notifications-heading")}</h1>
            <p class="muted">{t!(lang, "notifications-intro")}</p>
        </div>
        <Transition fallback=move || view! { <p class="muted">{t!(lang, "notifications-loading")}</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(view) => view! {
                        <ScopePicker view=view.clone()/>
                        <Settings view=view.clone() save remove/>
                        <TestMail mailbox_id=mailbox_id.get_untracked() configured=view.configured || view.inherited_from_instance/>
                    }.into_any(),
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Which level is shown: a plain GET form, so it works before hydration too.
#[component]
fn ScopePicker(view: SmtpSettingsView) -> impl IntoView {
    let chosen = view.form.scope.clone();
    let navigate = leptos_router::hooks::use_navigate();
    let open = move |event: leptos::ev::Event| {
        let value = event_target_value(&event);
        let path = if value.is_empty() {
            "/admin/notifications".to_string()
        } else {
            format!("/admin/notifications?mailbox={value}")
        };
        navigate(&path, Default::default());
    };
    let lang = use_lang();
    view! {
        <form method="get" action="/admin/notifications" class="form form-grid panel" data-testid="smtp-scope">
            <label class="field">
                <span>{t!(lang, "notifications-settings-for")}</span>
                <select name="mailbox" on:change=open>
                    {view.scopes.into_iter().map(|scope| {
                        let value = scope.mailbox_id.map(|id| id.to_string()).unwrap_or_default();
                        let selected = value == chosen;
                        let label = if scope.configured && scope.mailbox_id.is_some() {
                            t!(lang, "notifications-own-settings", name = scope.name)
                        } else {
                            scope.name
                        };
                        view! { <option value=value selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <div class="form-actions"><button type="submit" class="button">{t!(lang, "notifications-show")}</button></div>
        </form>
    }
}

fn status_text(lang: Lang, view: &SmtpSettingsView) -> String {
    let is_mailbox = !view.form.scope.is_empty();
    let time = |at| format::date_time(lang, at);
    match (view.configured, is_mailbox, view.inherited_from_instance) {
        (true, _, _) => {
            let at = view.updated_at.map(time).unwrap_or_default();
            match view.last_summary_at.map(time) {
                Some(summary) => t!(
                    lang,
                    "notifications-status-saved-summary",
                    at = at,
                    summary = summary
                ),
                None => t!(lang, "notifications-status-saved", at = at),
            }
        }
        (false, true, true) => t!(lang, "notifications-status-inherited"),
        (false, true, false) => t!(lang, "notifications-status-none-for-mailbox"),
        (false, false, _) => t!(lang, "notifications-status-not-set-up"),
    }
}

#[component]
fn Settings(
    view: SmtpSettingsView,
    save: ServerAction<SaveSmtp>,
    remove: ServerAction<RemoveSmtp>,
) -> impl IntoView {
    let error = action_error(save);
    let remove_error = action_error(remove);
    let form = view.form.clone();
    let is_instance = form.scope.is_empty();
    let mailbox_id = form.scope.parse::<i64>().ok();
    let saved = move || save.value().get().is_some_and(|result| result.is_ok());
    // The typed password goes once saved: the page never shows it again.
    let password = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if saved()
            && let Some(input) = password.get()
        {
            input.set_value("");
        }
    });
    let lang = use_lang();
    let password_placeholder = if view.password_stored {
        t!(lang, "notifications-password-placeholder")
    } else {
        String::new()
    };
    let security = form.security.clone();
    let option = move |value: &'static str, label: String| {
        view! { <option value=value selected=security == value>{label}</option> }
    };
    view! {
        <section class="panel" data-testid="smtp-settings">
            <h2>{if is_instance { t!(lang, "notifications-smtp-server") } else { t!(lang, "notifications-smtp-server-mailbox") }}</h2>
            <p class="muted" data-testid="smtp-status">{status_text(lang, &view)}</p>
            <ErrorBanner error/>
            <ErrorBanner error=remove_error/>
            {move || saved().then(|| view! { <div class="banner banner-success" role="status">{t!(lang, "notifications-saved")}</div> })}
            <ActionForm action=save attr:class="form form-grid">
                <input type="hidden" name="form[scope]" value=form.scope.clone()/>
                <label class="field">
                    <span>{t!(lang, "notifications-server")}</span>
                    <input type="text" name="form[host]" value=form.host.clone() placeholder="smtp.example.com" required/>
                    <FieldError error field="host"/>
                </label>
                <label class="field">
                    <span>{t!(lang, "notifications-encryption")}</span>
                    <select name="form[security]">
                        {option("starttls", t!(lang, "notifications-encryption-starttls"))}
                        {option("tls", t!(lang, "notifications-encryption-tls"))}
                        {option("none", t!(lang, "notifications-encryption-none"))}
                    </select>
                    <FieldError error field="security"/>
                </label>
                <label class="field">
                    <span>{t!(lang, "notifications-port")}</span>
                    <input type="number" name="form[port]" value=form.port.clone() min="1" max="65535" placeholder="587"/>
                    <FieldError error field="port"/>
                    <small class="muted">{t!(lang, "notifications-port-help")}</small>
                </label>
                <label class="field">
                    <span>{t!(lang, "notifications-username")}</span>
                    <input type="text" name="form[username]" value=form.username.clone() autocomplete="off"/>
                    <FieldError error field="username"/>
                </label>
                <label class="field">
                    <span>{t!(lang, "notifications-password")}</span>
                    <input type="password" name="form[password]" node_ref=password placeholder=password_placeholder autocomplete="new-password"/>
                    <FieldError error field="password"/>
                    <small class="muted">{t!(lang, "notifications-password-help")}</small>
                </label>
                {view.password_stored.then(|| view! {
                    <label class="field field-check">
                        <span><input type="checkbox" name="form[forget_password]"/>" "{t!(lang, "notifications-forget-password")}</span>
                    </label>
                })}
                <label class="field">
                    <span>{t!(lang, "notifications-from-address")}</span>
                    <input type="email" name="form[from_address]" value=form.from_address.clone() placeholder="archive@example.com" required/>
                    <FieldError error field="from_address"/>
                </label>
                <label class="field">
                    <span>{t!(lang, "notifications-from-name")}</span>
                    <input type="text" name="form[from_name]" value=form.from_name.clone()/>
                </label>
                <label class="field">
                    <span>{t!(lang, "notifications-ca-file")}</span>
                    <input type="text" name="form[ca_file]" value=form.ca_file.clone() placeholder="/etc/ssl/company-ca.pem"/>
                    <FieldError error field="ca_file"/>
                    <small class="muted">{t!(lang, "notifications-ca-file-help")}</small>
                </label>
                <label class="field field-wide">
                    <span>{t!(lang, "notifications-extra-recipients")}</span>
                    <textarea name="form[extra_recipients]" rows="2" placeholder="it-support@example.com">{form.extra_recipients.clone()}</textarea>
                    <FieldError error field="extra_recipients"/>
                    <small class="muted">{t!(lang, "notifications-extra-recipients-help")}</small>
                </label>
                {is_instance.then(|| view! {
                    <label class="field field-wide">
                        <span>{t!(lang, "notifications-summary-recipients")}</span>
                        <textarea name="form[summary_recipients]" rows="2" placeholder=t!(lang, "notifications-summary-placeholder")>{form.summary_recipients.clone()}</textarea>
                        <FieldError error field="summary_recipients"/>
                        <small class="muted">{t!(lang, "notifications-summary-help")}</small>
                    </label>
                })}
                <div class="form-actions">
                    <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                        {move || if save.pending().get() { t!(lang, "notifications-saving") } else { t!(lang, "notifications-save") }}
                    </button>
                    {(view.configured && !is_instance).then(|| view! {
                        <button type="button" class="button"
                            on:click=move |_| {
                                if let Some(mailbox_id) = mailbox_id
                                    && confirmed(&t!(lang, "notifications-confirm-remove"))
                                {
                                    remove.dispatch(RemoveSmtp { mailbox_id });
                                }
                            }>
                            {t!(lang, "notifications-use-instance")}
                        </button>
                    })}
                </div>
            </ActionForm>
        </section>
    }
}

/// A test mail with the saved settings of this level.
#[component]
fn TestMail(mailbox_id: Option<i64>, configured: bool) -> impl IntoView {
    let send = ServerAction::<SendTestMail>::new();
    let error = action_error(send);
    let me = expect_context::<CurrentUser>()
        .known()
        .map(|user| user.email)
        .unwrap_or_default();
    let to = RwSignal::new(me);
    let lang = use_lang();
    view! {
        <section class="panel" data-testid="smtp-test">
            <h2>{t!(lang, "notifications-test-title")}</h2>
            {(!configured).then(|| view! { <p class="muted">{t!(lang, "notifications-test-save-first")}</p> })}
            <ErrorBanner error/>
            {move || send.value().get().and_then(Result::ok).map(|sent| view! {
                <div class="banner banner-success" role="status" data-testid="test-mail-sent">{sent.message(lang)}</div>
            })}
            <form class="form form-grid" on:submit=move |event| {
                event.prevent_default();
                send.dispatch(SendTestMail { mailbox_id, to: to.get_untracked() });
            }>
                <label class="field">
                    <span>{t!(lang, "notifications-test-to")}</span>
                    <input type="email" name="to" required prop:value=move || to.get()
                        on:input=move |event| to.set(event_target_value(&event))/>
                    <FieldError error field="to"/>
                </label>
                <div class="form-actions">
                    <button type="submit" class="button" disabled=move || !configured || send.pending().get()>
                        {move || if send.pending().get() { t!(lang, "notifications-test-sending") } else { t!(lang, "notifications-test-send") }}
                    </button>
                </div>
            </form>
        </section>
    }
}
