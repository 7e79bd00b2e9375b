//! The signed-in person's own account: who they are, and changing their
//! password.

use crate::CurrentUser;
use crate::api::auth::ChangePassword;
use crate::model::MIN_PASSWORD_LEN;
use crate::t;
use crate::ui::components::fields::NewPasswordFields;
use crate::ui::components::{ErrorBanner, FieldError, action_error, reset_form_after_success};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let current_user = expect_context::<CurrentUser>();
    let change = ServerAction::<ChangePassword>::new();
    let error = action_error(change);
    let form = NodeRef::<leptos::html::Form>::new();
    let changed = move || matches!(change.value().get(), Some(Ok(())));
    reset_form_after_success(form, changed);

    view! {
        <Title text=t!(lang, "account-title")/>
        <div class="page-header">
            <h1>{t!(lang, "account-title")}</h1>
        </div>
        <Suspense>
            {move || Suspend::new(async move {
                current_user.0.await.ok().flatten().map(|user| view! {
                    <dl class="facts">
                        <dt>{t!(lang, "account-name")}</dt><dd>{user.display_name}</dd>
                        <dt>{t!(lang, "account-email")}</dt><dd>{user.email}</dd>
                        <dt>{t!(lang, "account-role")}</dt><dd>{user.role.label(lang)}</dd>
                    </dl>
                })
            })}
        </Suspense>
        <section class="panel">
            <h2>{t!(lang, "account-change-password")}</h2>
            <p class="muted">{t!(lang, "account-password-rule", min = MIN_PASSWORD_LEN.to_string())}</p>
            <Show when=changed>
                <div class="banner banner-success" role="status">{t!(lang, "account-password-changed")}</div>
            </Show>
            <ErrorBanner error/>
            <ActionForm action=change node_ref=form attr:class="form form-narrow">
                <label class="field">
                    <span>{t!(lang, "account-current-password")}</span>
                    <input type="password" name="current_password" autocomplete="current-password" required/>
                    <FieldError error field="current_password"/>
                </label>
                <NewPasswordFields error repeat_label=t!(lang, "account-repeat-password")/>
                <button type="submit" class="button button-primary" disabled=move || change.pending().get()>
                    {t!(lang, "account-change-password")}
                </button>
            </ActionForm>
        </section>
    }
}
