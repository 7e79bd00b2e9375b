//! Admin → Sign-in apps: the OAuth2 client registrations mailboxes sign in
//! with, listed, added from a provider's preset, changed and removed.

use crate::api::oauth::{RemoveSignInApp, SaveSignInApp, load_sign_in_apps};
use crate::error::ApiError;
use crate::model::oauth::{PRESETS, Preset, SignInAppForm, SignInAppView};
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
    view! {
        <Title text="Sign-in apps"/>
        <div class="page-header">
            <h1>"Sign-in apps"</h1>
            <p class="muted">"Microsoft 365, Outlook.com and Gmail take no passwords over IMAP any more: mailboxes sign in with OAuth2 through an app you register at the provider once. Register it there, then enter its client id (and secret) here."</p>
        </div>
        <ErrorBanner error=remove_error/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
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
    if apps.is_empty() {
        return view! {
            <EmptyState title="No sign-in app yet">
                <p>"Add one below, starting from a preset for Microsoft 365, Outlook.com or Gmail."</p>
            </EmptyState>
        }
        .into_any();
    }
    view! {
        <section class="panel" data-testid="sign-in-apps">
            <table class="table table-compact">
                <thead><tr><th>"Name"</th><th>"Provider"</th><th>"Client id"</th><th>"Scopes"</th><th>"Redirect URL"</th><th>"Used by"</th><th class="actions-column"></th></tr></thead>
                <tbody>
                    {apps.into_iter().map(|app| {
                        let id = app.id;
                        let name = app.form.name.clone();
                        let in_use = !app.used_by.is_empty();
                        let app_form = app.form.clone();
                        view! {
                            <tr>
                                <td><strong>{app.form.name}</strong>{app.has_secret.then(|| view! { <br/><small class="muted">"client secret stored"</small> })}</td>
                                <td>{provider_label(&app.form.provider)}{(!app.form.tenant.is_empty()).then(|| format!(" · {}", app.form.tenant))}</td>
                                <td><code>{app.form.client_id}</code></td>
                                <td class="break"><small>{app.form.scopes.replace('\n', " ")}</small></td>
                                <td class="break"><small><code>{app.redirect_url}</code></small></td>
                                <td>{if in_use { app.used_by.join(", ") } else { "—".to_string() }}</td>
                                <td class="actions-column">
                                    <button class="button button-small" on:click=move |_| form.set(app_form.clone())>"Change"</button>
                                    " "
                                    <button class="button button-small" disabled=in_use
                                        title=if in_use { "Give its mailboxes another app first" } else { "" }
                                        on:click=move |_| {
                                            if confirmed(&format!("Remove the sign-in app {name}?")) {
                                                remove.dispatch(RemoveSignInApp { id });
                                            }
                                        }>"Remove"</button>
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

fn provider_label(provider: &str) -> &'static str {
    match provider {
        "microsoft" => "Microsoft",
        "google" => "Google",
        _ => "Other",
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
    view! {
        <section class="panel" data-testid="sign-in-app-editor">
            <h2>{move || if changing() { "Change the sign-in app" } else { "Add a sign-in app" }}</h2>
            <ErrorBanner error/>
            {move || saved().then(|| view! { <div class="banner banner-success" role="status">"Sign-in app saved. Choose it in a mailbox's settings (authentication XOAUTH2), then sign in."</div> })}
            <form class="form form-grid" on:submit=move |event| {
                event.prevent_default();
                save.dispatch(SaveSignInApp { form: form.get_untracked() });
            }>
                <label class="field field-wide" class:hidden=changing>
                    <span>"Preset"</span>
                    <select name="preset" on:change=move |event| apply_preset(event_target_value(&event))>
                        {PRESETS.iter().map(|preset| view! { <option value=preset.key>{preset.label}</option> }).collect_view()}
                    </select>
                    <small class="muted" data-testid="preset-help">{move || chosen().help(crate::i18n::use_lang())}</small>
                </label>
                <AppInput label="Name" kind="text" field="name" value=slice!(form.name) error required=true placeholder="Contoso Entra ID"/>
                <label class="field">
                    <span>"Provider"</span>
                    <select name="provider" prop:value=text(|form| form.provider.clone())
                        on:change=move |event| form.update(|form| form.provider = event_target_value(&event))>
                        <option value="microsoft">"Microsoft (Entra ID)"</option>
                        <option value="google">"Google"</option>
                        <option value="generic">"Other"</option>
                    </select>
                    <FieldError error field="provider"/>
                </label>
                <label class="field">
                    <span>"Tenant"</span>
                    <input type="text" placeholder="organizations, consumers, or your tenant id" prop:value=text(|form| form.tenant.clone())
                        on:input=move |event| form.update(|form| form.tenant = event_target_value(&event))/>
                    <small class="muted">"Microsoft only. App-only access needs your tenant id or domain."</small>
                </label>
                <AppInput label="Client id" kind="text" field="client_id" value=slice!(form.client_id) error required=true placeholder="00000000-0000-0000-0000-000000000000"/>
                <label class="field">
                    <span>"Client secret"</span>
                    <input type="password" autocomplete="new-password" placeholder=move || if changing() { "unchanged — type to replace" } else { "" } prop:value=text(|form| form.client_secret.clone())
                        on:input=move |event| form.update(|form| form.client_secret = event_target_value(&event))/>
                    <small class="muted">"Stored encrypted, never shown again. Not needed for a public client using sign-in with a code."</small>
                </label>
                <label class="field field-wide">
                    <span>"Scopes"</span>
                    <textarea rows="3" prop:value=text(|form| form.scopes.clone())
                        on:input=move |event| form.update(|form| form.scopes = event_target_value(&event))></textarea>
                    <FieldError error field="scopes"/>
                    <small class="muted">"One per line."</small>
                </label>
                <details class="field field-wide">
                    <summary>"Addresses (for national clouds, other providers or a test server)"</summary>
                    <div class="form-grid">
                        <AppInput label="Sign-in service" kind="url" field="authority" value=slice!(form.authority) error placeholder="https://login.microsoftonline.com"/>
                        <label class="field">
                            <span>"Redirect URL"</span>
                            <input type="url" placeholder=default_redirect.clone() prop:value=text(|form| form.redirect_url.clone())
                                on:input=move |event| form.update(|form| form.redirect_url = event_target_value(&event))/>
                            <FieldError error field="redirect_url"/>
                            <small class="muted">{format!("Register this at the provider. Empty: {default_redirect}")}</small>
                        </label>
                        <AppInput label="Authorization URL (other providers)" kind="url" field="authorize_url" value=slice!(form.authorize_url) error/>
                        <AppInput label="Token URL (other providers)" kind="url" field="token_url" value=slice!(form.token_url) error/>
                        <AppInput label="Device code URL (other providers)" kind="url" field="device_url" value=slice!(form.device_url) error/>
                    </div>
                </details>
                <div class="form-actions">
                    <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                        {move || match (save.pending().get(), changing()) {
                            (true, _) => "Saving…",
                            (false, true) => "Save changes",
                            (false, false) => "Add sign-in app",
                        }}
                    </button>
                    {move || changing().then(|| view! {
                        <button type="button" class="button" on:click=move |_| form.set(preset_form(chosen()))>"Cancel"</button>
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
    label: &'static str,
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
