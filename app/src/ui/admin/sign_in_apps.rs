//! Admin → Sign-in apps: the OAuth2 client registrations mailboxes sign in
//! with, listed, added from a provider's preset, changed and removed.

use crate::api::oauth::{RemoveSignInApp, SaveSignInApp, load_sign_in_apps};
use crate::error::ApiError;
use crate::i18n::{Lang, use_lang};
use crate::model::oauth::{PRESETS, Preset, SignInAppForm, SignInAppView};
use crate::t;
use crate::ui::admin::tabs::AdminPage;
use crate::ui::components::{
    EmptyState, ErrorAlert, ErrorBanner, FieldError, action_error, confirmed,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// Sign-in apps: the OAuth2 client registrations Microsoft 365, Outlook.com
/// and Gmail mailboxes sign in with.
#[component]
pub fn SignInAppsPage() -> impl IntoView {
    view! { <AdminPage><SignInApps/></AdminPage> }
}

#[component]
fn SignInApps() -> impl IntoView {
    let save = ServerAction::<SaveSignInApp>::new();
    let remove = ServerAction::<RemoveSignInApp>::new();
    let apps = Resource::new(
        move || (save.version().get(), remove.version().get()),
        |_| load_sign_in_apps(),
    );
    let remove_error = action_error(remove);
    // The editor's values: a new app from a preset, or an app being changed.
    let form = RwSignal::new(preset_form(PRESETS[0]));
    let lang = use_lang();
    view! {
        <Title text=t!(lang, "sign-in-apps-title")/>
        <div class="page-header">
            <h1>{t!(lang, "sign-in-apps-title")}</h1>
            <p class="muted">{t!(lang, "sign-in-apps-intro")}</p>
        </div>
        <ErrorBanner error=remove_error/>
        <Transition fallback=move || view! { <p class="muted">{t!(lang, "sign-in-apps-loading")}</p> }>
            {move || Suspend::new(async move {
                match apps.await {
                    Ok(view) => {
                        let default_redirect = view.default_redirect_url.clone();
                        view! {
                            <AppList apps=view.apps remove form/>
                            <AppEditor save default_redirect form/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AppList(
    apps: Vec<SignInAppView>,
    remove: ServerAction<RemoveSignInApp>,
    form: RwSignal<SignInAppForm>,
) -> impl IntoView {
    let lang = use_lang();
    if apps.is_empty() {
        return view! {
            <EmptyState title=t!(lang, "sign-in-apps-empty-title")>
                <p>{t!(lang, "sign-in-apps-empty-text")}</p>
            </EmptyState>
        }
        .into_any();
    }
    view! {
        <section class="panel" data-testid="sign-in-apps">
            <table class="table table-compact">
                <thead>
                    <tr>
                        <th>{t!(lang, "sign-in-apps-column-name")}</th>
                        <th>{t!(lang, "sign-in-apps-column-provider")}</th>
                        <th>{t!(lang, "sign-in-apps-column-client-id")}</th>
                        <th>{t!(lang, "sign-in-apps-column-scopes")}</th>
                        <th>{t!(lang, "sign-in-apps-column-redirect-url")}</th>
                        <th>{t!(lang, "sign-in-apps-column-used-by")}</th>
                        <th class="actions-column"><span class="sr-only">{t!(lang, "common-actions")}</span></th>
                    </tr>
                </thead>
                <tbody>
                    {apps.into_iter().map(|app| {
                        let id = app.id;
                        let confirm_text = t!(lang, "sign-in-apps-confirm-remove", name = &app.form.name);
                        let in_use = !app.used_by.is_empty();
                        let app_form = app.form.clone();
                        view! {
                            <tr>
                                <td><strong>{app.form.name}</strong>{app.has_secret.then(|| view! { <br/><small class="muted">{t!(lang, "sign-in-apps-secret-stored")}</small> })}</td>
                                <td>{provider_label(lang, &app.form.provider)}{(!app.form.tenant.is_empty()).then(|| format!(" · {}", app.form.tenant))}</td>
                                <td><code>{app.form.client_id}</code></td>
                                <td class="break"><small>{app.form.scopes.replace('\n', " ")}</small></td>
                                <td class="break"><small><code>{app.redirect_url}</code></small></td>
                                <td>{if in_use { app.used_by.join(", ") } else { "—".to_string() }}</td>
                                <td class="actions-column">
                                    <button class="button button-small" on:click=move |_| form.set(app_form.clone())>{t!(lang, "sign-in-apps-change")}</button>
                                    " "
                                    <button class="button button-small" disabled=in_use
                                        title=if in_use { t!(lang, "sign-in-apps-in-use") } else { String::new() }
                                        on:click=move |_| {
                                            if confirmed(&confirm_text) {
                                                remove.dispatch(RemoveSignInApp { id });
                                            }
                                        }>{t!(lang, "sign-in-apps-remove")}</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}

fn provider_label(lang: Lang, provider: &str) -> String {
    match provider {
        "microsoft" => t!(lang, "sign-in-apps-provider-microsoft"),
        "google" => t!(lang, "sign-in-apps-provider-google"),
        _ => t!(lang, "sign-in-apps-provider-other"),
    }
}

fn preset_form(preset: Preset) -> SignInAppForm {
    SignInAppForm {
        provider: preset.provider.into(),
        tenant: preset.tenant.into(),
        scopes: preset.scopes.into(),
        ..SignInAppForm::default()
    }
}

/// The form for a new app (filled from a preset) or for changing one.
#[component]
fn AppEditor(
    save: ServerAction<SaveSignInApp>,
    default_redirect: String,
    form: RwSignal<SignInAppForm>,
) -> impl IntoView {
    let error = action_error(save);
    let preset = RwSignal::new(PRESETS[0].key.to_string());
    let chosen = move || {
        PRESETS
            .iter()
            .find(|candidate| candidate.key == preset.get())
            .copied()
            .unwrap_or(PRESETS[0])
    };
    let apply_preset = move |key: String| {
        preset.set(key);
        let preset = chosen();
        form.update(|form| {
            form.provider = preset.provider.into();
            form.tenant = preset.tenant.into();
            form.scopes = preset.scopes.into();
        });
    };
    let changing = move || form.with(|form| !form.id.is_empty());
    let saved = move || save.value().get().is_some_and(|result| result.is_ok());
    Effect::new(move |_| {
        if saved() {
            form.set(preset_form(chosen()));
        }
    });
    let text = move |field: fn(&SignInAppForm) -> String| move || form.with(field);
    let lang = use_lang();
    view! {
        <section class="panel" data-testid="sign-in-app-editor">
            <h2>{move || if changing() { t!(lang, "sign-in-apps-change-title") } else { t!(lang, "sign-in-apps-add-title") }}</h2>
            <ErrorBanner error/>
            {move || saved().then(|| view! { <div class="banner banner-success" role="status">{t!(lang, "sign-in-apps-saved")}</div> })}
            <form class="form form-grid" on:submit=move |event| {
                event.prevent_default();
                save.dispatch(SaveSignInApp { form: form.get_untracked() });
            }>
                <label class="field field-wide" class:hidden=changing>
                    <span>{t!(lang, "sign-in-apps-preset")}</span>
                    <select name="preset" on:change=move |event| apply_preset(event_target_value(&event))>
                        {PRESETS.iter().map(|preset| view! { <option value=preset.key>{preset.label}</option> }).collect_view()}
                    </select>
                    <small class="muted" data-testid="preset-help">{move || chosen().help(crate::i18n::use_lang())}</small>
                </label>
                <AppInput label=t!(lang, "sign-in-apps-name") kind="text" field="name" value=slice!(form.name) error required=true placeholder="Contoso Entra ID"/>
                <label class="field">
                    <span>{t!(lang, "sign-in-apps-provider")}</span>
                    <select name="provider" prop:value=text(|form| form.provider.clone())
                        on:change=move |event| form.update(|form| form.provider = event_target_value(&event))>
                        <option value="microsoft">{t!(lang, "sign-in-apps-provider-microsoft-entra")}</option>
                        <option value="google">{t!(lang, "sign-in-apps-provider-google")}</option>
                        <option value="generic">{t!(lang, "sign-in-apps-provider-other")}</option>
                    </select>
                    <FieldError error field="provider"/>
                </label>
                <label class="field">
                    <span>{t!(lang, "sign-in-apps-tenant")}</span>
                    <input type="text" placeholder=t!(lang, "sign-in-apps-tenant-placeholder") prop:value=text(|form| form.tenant.clone())
                        on:input=move |event| form.update(|form| form.tenant = event_target_value(&event))/>
                    <small class="muted">{t!(lang, "sign-in-apps-tenant-help")}</small>
                </label>
                <AppInput label=t!(lang, "sign-in-apps-client-id") kind="text" field="client_id" value=slice!(form.client_id) error required=true placeholder="00000000-0000-0000-0000-000000000000"/>
                <label class="field">
                    <span>{t!(lang, "sign-in-apps-client-secret")}</span>
                    <input type="password" autocomplete="new-password" placeholder=move || if changing() { t!(lang, "sign-in-apps-client-secret-placeholder") } else { String::new() } prop:value=text(|form| form.client_secret.clone())
                        on:input=move |event| form.update(|form| form.client_secret = event_target_value(&event))/>
                    <small class="muted">{t!(lang, "sign-in-apps-client-secret-help")}</small>
                </label>
                <label class="field field-wide">
                    <span>{t!(lang, "sign-in-apps-scopes")}</span>
                    <textarea rows="3" prop:value=text(|form| form.scopes.clone())
                        on:input=move |event| form.update(|form| form.scopes = event_target_value(&event))></textarea>
                    <FieldError error field="scopes"/>
                    <small class="muted">{t!(lang, "sign-in-apps-scopes-help")}</small>
                </label>
                <details class="field field-wide">
                    <summary>{t!(lang, "sign-in-apps-addresses")}</summary>
                    <div class="form-grid">
                        <AppInput label=t!(lang, "sign-in-apps-authority") kind="url" field="authority" value=slice!(form.authority) error placeholder="https://login.microsoftonline.com"/>
                        <label class="field">
                            <span>{t!(lang, "sign-in-apps-redirect-url")}</span>
                            <input type="url" placeholder=default_redirect.clone() prop:value=text(|form| form.redirect_url.clone())
                                on:input=move |event| form.update(|form| form.redirect_url = event_target_value(&event))/>
                            <FieldError error field="redirect_url"/>
                            <small class="muted">{t!(lang, "sign-in-apps-redirect-url-help", url = &default_redirect)}</small>
                        </label>
                        <AppInput label=t!(lang, "sign-in-apps-authorize-url") kind="url" field="authorize_url" value=slice!(form.authorize_url) error/>
                        <AppInput label=t!(lang, "sign-in-apps-token-url") kind="url" field="token_url" value=slice!(form.token_url) error/>
                        <AppInput label=t!(lang, "sign-in-apps-device-url") kind="url" field="device_url" value=slice!(form.device_url) error/>
                    </div>
                </details>
                <div class="form-actions">
                    <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                        {move || match (save.pending().get(), changing()) {
                            (true, _) => t!(lang, "sign-in-apps-saving"),
                            (false, true) => t!(lang, "sign-in-apps-save-changes"),
                            (false, false) => t!(lang, "sign-in-apps-add"),
                        }}
                    </button>
                    {move || changing().then(|| view! {
                        <button type="button" class="button" on:click=move |_| form.set(preset_form(chosen()))>{t!(lang, "sign-in-apps-cancel")}</button>
                    })}
                </div>
            </form>
        </section>
    }
}

/// One line of the app form, bound to one text of it, with the server's
/// message for it.
#[component]
fn AppInput(
    #[prop(into)] label: String,
    /// The input's type: `text` or `url`.
    kind: &'static str,
    /// The field's name in the server's messages.
    field: &'static str,
    value: (Signal<String>, SignalSetter<String>),
    error: Signal<Option<ApiError>>,
    #[prop(optional)] required: bool,
    #[prop(optional)] placeholder: Option<&'static str>,
) -> impl IntoView {
    let (value, set_value) = value;
    view! {
        <label class="field">
            <span>{label}</span>
            <input type=kind required=required placeholder=placeholder prop:value=value
                on:input=move |event| set_value.set(event_target_value(&event))/>
            <FieldError error field/>
        </label>
    }
}
