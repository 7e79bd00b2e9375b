//! The sign-in panel of an OAuth mailbox's page: how it stands with its
//! provider, and the ways to sign in — in the browser (authorization code
//! with PKCE, through `/oauth/start/{id}`), with a code shown here (device
//! code, for Microsoft), or app-only.

use crate::api::oauth::{
    AppOnlySignIn, SignOutMailbox, StartDeviceSignIn, device_sign_in_progress, load_mailbox_sign_in,
};
use crate::error::ApiError;
use crate::i18n::{format, use_lang};
use crate::model::access::Capability;
use crate::model::oauth::{DeviceProgress, MailboxSignIn, SignInState};
use crate::t;
use crate::ui::components::{ErrorAlert, ErrorBanner, action_error, confirmed, viewer_may};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use std::time::Duration;

const POLL: Duration = Duration::from_secs(2);

#[component]
pub fn SignInPanel(id: i64) -> impl IntoView {
    let lang = use_lang();
    let device = ServerAction::<StartDeviceSignIn>::new();
    let app_only = ServerAction::<AppOnlySignIn>::new();
    let sign_out = ServerAction::<SignOutMailbox>::new();
    let finished = RwSignal::new(0u32);
    let progress = RwSignal::new(None::<DeviceProgress>);
    // Kept here, above the parts a refresh of the state renders anew: while a
    // code is shown, ask every two seconds how it goes.
    Effect::new(move |_| {
        if device.value().get().is_some_and(|result| result.is_ok()) {
            progress.set(None);
        }
    });
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || {
                let waiting = device
                    .value()
                    .get_untracked()
                    .is_some_and(|result| result.is_ok())
                    && !matches!(
                        progress.get_untracked(),
                        Some(DeviceProgress::SignedIn | DeviceProgress::Failed { .. })
                    );
                if waiting {
                    leptos::task::spawn_local(async move {
                        if let Ok(now) = device_sign_in_progress(id).await {
                            if now == DeviceProgress::SignedIn {
                                finished.update(|count| *count += 1);
                            }
                            progress.set(Some(now));
                        }
                    });
                }
            },
            POLL,
        )
        .ok();
        on_cleanup(move || {
            if let Some(handle) = handle {
                handle.clear();
            }
        });
    });
    let sign_in = Resource::new(
        move || {
            (
                app_only.version().get(),
                sign_out.version().get(),
                finished.get(),
            )
        },
        move |_| load_mailbox_sign_in(id),
    );
    let query = use_query_map();
    let outcome = move || {
        let query = query.read();
        if let Some(error) = query.get("sign_in_error") {
            Some(view! { <div class="banner banner-error" role="alert" data-testid="sign-in-error">{t!(lang, "mailbox-sign-in-failed", error = error)}</div> }.into_any())
        } else {
            query.get("signed_in").map(|_| view! {
                <div class="banner banner-success" role="status" data-testid="signed-in">{t!(lang, "mailbox-sign-in-done")}</div>
            }.into_any())
        }
    };
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match sign_in.await {
                    Ok(Some(state)) => view! {
                        <section class="panel" data-testid="mailbox-sign-in">
                            <h2>{t!(lang, "mailbox-sign-in-title")}</h2>
                            {outcome}
                            <SignInState state=state.clone()/>
                            <SignInActions id state device app_only sign_out progress/>
                        </section>
                    }.into_any(),
                    // No sign-in app, or a reader who does not manage it: nothing to show.
                    Ok(None) | Err(ApiError::NotFound) => ().into_any(),
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn SignInState(state: MailboxSignIn) -> impl IntoView {
    let lang = use_lang();
    let (class, text) = match state.state {
        SignInState::SignedIn => (
            "badge badge-ok",
            t!(
                lang,
                "mailbox-sign-in-signed-in",
                // `device_code`, `client_credentials`, `authorization_code`: how.
                flow = state.flow.clone().unwrap_or_default(),
                date = state
                    .signed_in_at
                    .map(|time| format::date_time(lang, time))
                    .unwrap_or_default(),
                app = state.app_name
            ),
        ),
        SignInState::NotSignedIn => (
            "badge badge-warn",
            t!(lang, "mailbox-sign-in-not-signed-in", app = state.app_name),
        ),
        SignInState::NeedsSignIn => (
            "badge badge-error",
            t!(
                lang,
                "mailbox-sign-in-needs-sign-in",
                reason = state
                    .error
                    .clone()
                    .unwrap_or_else(|| t!(lang, "mailbox-sign-in-grant-refused"))
            ),
        ),
    };
    view! { <p data-testid="sign-in-state"><span class=class>{text}</span></p> }
}

#[component]
fn SignInActions(
    id: i64,
    state: MailboxSignIn,
    device: ServerAction<StartDeviceSignIn>,
    app_only: ServerAction<AppOnlySignIn>,
    sign_out: ServerAction<SignOutMailbox>,
    progress: RwSignal<Option<DeviceProgress>>,
) -> impl IntoView {
    let lang = use_lang();
    let provider = match state.provider.as_str() {
        "microsoft" => "Microsoft".to_string(),
        "google" => "Google".to_string(),
        _ => t!(lang, "mailbox-sign-in-the-provider"),
    };
    let device_error = action_error(device);
    let app_only_error = action_error(app_only);
    let sign_out_error = action_error(sign_out);
    let shown_code = move || {
        let started = device.value().get().and_then(Result::ok)?;
        Some(match progress.get() {
            Some(DeviceProgress::Failed { message }) => view! {
                <div class="banner banner-error" role="alert" data-testid="device-failed">{message}</div>
            }.into_any(),
            Some(DeviceProgress::SignedIn) => ().into_any(),
            _ => view! {
                <div class="banner banner-info" role="status" data-testid="device-code">
                    <p>{started.message.clone().unwrap_or_else(|| t!(lang, "mailbox-sign-in-open-and-enter", url = started.verification_uri.clone()))}</p>
                    <p><a href=started.verification_uri.clone() target="_blank" rel="noopener noreferrer">{started.verification_uri.clone()}</a></p>
                    <p class="device-code"><code data-testid="user-code">{started.user_code.clone()}</code></p>
                    <p class="muted">{t!(lang, "mailbox-sign-in-waiting", minutes = started.expires_in_secs.div_ceil(60))}</p>
                </div>
            }.into_any(),
        })
    };
    let signed_in = state.state == SignInState::SignedIn;
    view! {
        <ErrorBanner error=device_error/>
        <ErrorBanner error=app_only_error/>
        <ErrorBanner error=sign_out_error/>
        {shown_code}
        <div class="button-row">
            {state.interactive.then(|| view! {
                // A form, not a link: starting a sign-in is a POST, which
                // another site cannot send in this person's name.
                <form class="inline-form" method="post" action=format!("/oauth/start/{id}")>
                    <button type="submit" class="button button-primary">
                        {t!(lang, "mailbox-sign-in-with-provider", provider = provider)}
                    </button>
                </form>
            })}
            {state.device_flow.then(|| view! {
                <button class="button" disabled=move || device.pending().get()
                    on:click=move |_| { device.dispatch(StartDeviceSignIn { id }); }>
                    {t!(lang, "mailbox-sign-in-with-code")}
                </button>
            })}
            // App-only access reads every mailbox of the organisation: administrators only.
            {(state.app_only && viewer_may(Capability::Administer)).then(|| view! {
                <button class="button" disabled=move || app_only.pending().get()
                    on:click=move |_| { app_only.dispatch(AppOnlySignIn { id }); }>
                    {t!(lang, "mailbox-sign-in-app-only")}
                </button>
            })}
            {signed_in.then(|| view! {
                <button class="button" on:click=move |_| {
                    if confirmed(&t!(lang, "mailbox-sign-in-forget-confirm")) {
                        sign_out.dispatch(SignOutMailbox { id });
                    }
                }>{t!(lang, "mailbox-sign-in-sign-out")}</button>
            })}
        </div>
    }
}
