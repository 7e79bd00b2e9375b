//! Password reset without being signed in: asking for a link by mail, and
//! the page the link opens to choose a new password.

use crate::api::auth::{RequestPasswordReset, ResetPassword};
use crate::i18n::use_lang;
use crate::model::MIN_PASSWORD_LEN;
use crate::t;
use crate::ui::components::fields::NewPasswordFields;
use crate::ui::components::{ErrorBanner, FieldError, action_error};
use crate::ui::layout::SignInCard;
use leptos::prelude::*;
use leptos_meta::Title;

/// "Forgot your password?": asks for the address and sends a link.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let request = ServerAction::<RequestPasswordReset>::new();
    let error = action_error(request);
    let sent = move || matches!(request.value().get(), Some(Ok(())));
    let lang = use_lang();
    view! {
        <Title text=t!(lang, "sign-in-reset-title")/>
        <SignInCard>
            <p class="muted">{t!(lang, "sign-in-reset-intro")}</p>
            <ErrorBanner error/>
            {move || sent().then(|| view! {
                <div class="banner banner-success" role="status" data-testid="reset-sent">
                    {t!(lang, "sign-in-reset-sent")}
                </div>
            })}
            <ActionForm action=request attr:class="form">
                <label class="field">
                    <span>{t!(lang, "sign-in-email")}</span>
                    <input type="email" name="email" autocomplete="username" required autofocus/>
                </label>
                <button type="submit" class="button button-primary" disabled=move || request.pending().get()>
                    {t!(lang, "sign-in-reset-send")}
                </button>
            </ActionForm>
            <p class="muted" data-testid="reset-ask-admin">{t!(lang, "sign-in-reset-ask-admin")}</p>
            <p><a href="/sign-in">{t!(lang, "sign-in-back")}</a></p>
        </SignInCard>
    }
}

/// The page a reset mail links to: choose a new password.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let reset = ServerAction::<ResetPassword>::new();
    let error = action_error(reset);
    let done = move || matches!(reset.value().get(), Some(Ok(())));
    let lang = use_lang();
    view! {
        <Title text=t!(lang, "sign-in-new-password-title")/>
        <SignInCard>
            {move || if done() {
                view! {
                    <div class="banner banner-success" role="status" data-testid="reset-done">
                        {t!(lang, "sign-in-new-password-done")}
                    </div>
                    <p><a class="button button-primary" href="/sign-in">{t!(lang, "sign-in-button")}</a></p>
                }.into_any()
            } else {
                view! {
                    <p class="muted">{t!(lang, "sign-in-new-password-rule", min = MIN_PASSWORD_LEN.to_string())}</p>
                    <ErrorBanner error/>
                    <FieldError error field="token"/>
                    <ActionForm action=reset attr:class="form">
                        <input type="hidden" name="token" value=token/>
                        <NewPasswordFields error repeat_label=t!(lang, "sign-in-new-password-repeat")/>
                        <button type="submit" class="button button-primary" disabled=move || reset.pending().get()>
                            {t!(lang, "sign-in-new-password-set")}
                        </button>
                    </ActionForm>
                }.into_any()
            }}
        </SignInCard>
    }
}
