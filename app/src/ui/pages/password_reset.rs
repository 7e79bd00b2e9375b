//! Password reset without being signed in: asking for a link by mail, and
//! the page the link opens to choose a new password.

use crate::api::auth::{RequestPasswordReset, ResetPassword};
use crate::model::MIN_PASSWORD_LEN;
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
    view! {
        <Title text="Reset your password"/>
        <SignInCard>
            <p class="muted">"Enter the address you sign in with. We send you a link to choose a new password; it works once, for an hour."</p>
            <ErrorBanner error/>
            {move || sent().then(|| view! {
                <div class="banner banner-success" role="status" data-testid="reset-sent">
                    "If this address belongs to an account, a mail with the link is on its way. Check your inbox (and spam folder)."
                </div>
            })}
            <ActionForm action=request attr:class="form">
                <label class="field">
                    <span>"E-mail address"</span>
                    <input type="email" name="email" autocomplete="username" required autofocus/>
                </label>
                <button type="submit" class="button button-primary" disabled=move || request.pending().get()>
                    "Send the link"
                </button>
            </ActionForm>
            <p class="muted" data-testid="reset-ask-admin">"No mail, or this account is disabled? An administrator can set a new password for you, mail you a new link, or enable the account again."</p>
            <p><a href="/sign-in">"Back to sign-in"</a></p>
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
    view! {
        <Title text="Choose a new password"/>
        <SignInCard>
            {move || if done() {
                view! {
                    <div class="banner banner-success" role="status" data-testid="reset-done">
                        "Your password is changed; every session of your account was ended."
                    </div>
                    <p><a class="button button-primary" href="/sign-in">"Sign in"</a></p>
                }.into_any()
            } else {
                view! {
                    <p class="muted">{format!("Choose a password of at least {MIN_PASSWORD_LEN} characters; then sign in with your e-mail address and it.")}</p>
                    <ErrorBanner error/>
                    <FieldError error field="token"/>
                    <ActionForm action=reset attr:class="form">
                        <input type="hidden" name="token" value=token/>
                        <NewPasswordFields error repeat_label="Repeat it"/>
                        <button type="submit" class="button button-primary" disabled=move || reset.pending().get()>
                            "Set the new password"
                        </button>
                    </ActionForm>
                }.into_any()
            }}
        </SignInCard>
    }
}
