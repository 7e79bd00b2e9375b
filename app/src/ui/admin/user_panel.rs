//! Admin → Users → Manage: one user's panel. Edit the address, name and
//! role; set a password or mail a set-password link; disable or enable;
//! delete. Disabling and deleting ask first and say what happens to the
//! user's mailboxes and archived mail. The server enforces every rule (the
//! last active administrator, oneself); the panel says them beforehand.

use crate::api::users::{DeleteUser, EditUser, SendPasswordLink, SetUserDisabled, SetUserPassword};
use crate::i18n::use_lang;
use crate::model::{MIN_PASSWORD_LEN, Role, UserView};
use crate::t;
use crate::ui::components::{ErrorBanner, FieldError, action_error};
use leptos::prelude::*;

/// The server actions of the panel, made once by the page so the user list
/// reloads after any of them.
#[derive(Clone, Copy)]
pub struct UserActions {
    edit: ServerAction<EditUser>,
    set_disabled: ServerAction<SetUserDisabled>,
    delete: ServerAction<DeleteUser>,
    set_password: ServerAction<SetUserPassword>,
    send_link: ServerAction<SendPasswordLink>,
}

impl UserActions {
    pub fn new() -> Self {
        UserActions {
            edit: ServerAction::new(),
            set_disabled: ServerAction::new(),
            delete: ServerAction::new(),
            set_password: ServerAction::new(),
            send_link: ServerAction::new(),
        }
    }

    /// Changes whenever a user's row may have changed (tracked).
    pub fn version(&self) -> (usize, usize, usize) {
        (
            self.edit.version().get(),
            self.set_disabled.version().get(),
            self.delete.version().get(),
        )
    }

    /// `Some` once the last deletion succeeded (tracked).
    pub fn deleted(&self) -> Option<()> {
        self.delete.value().get().and_then(Result::ok)
    }
}

/// Which confirmation the panel shows, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Confirm {
    Nothing,
    Disable,
    Delete,
}

#[component]
pub fn UserPanel(
    user: UserView,
    /// The only active administrator: stays admin, enabled and present.
    is_last_admin: bool,
    /// The admin's own account: not disabled or deleted from here.
    is_me: bool,
    /// Tresor can mail set-password links.
    mail_ready: bool,
    actions: UserActions,
    selected: RwSignal<Option<i64>>,
) -> impl IntoView {
    let lang = use_lang();
    let heading = t!(lang, "users-panel-title", name = &user.display_name);
    let label = heading.clone();
    view! {
        <section class="panel" data-testid="user-panel" aria-label=label>
            <div class="button-row">
                <h2>{heading}</h2>
                <button type="button" class="button button-small button-quiet" on:click=move |_| selected.set(None)>{t!(lang, "users-close")}</button>
            </div>
            {is_last_admin.then(|| view! {
                <p class="banner banner-info" data-testid="last-admin">{t!(lang, "users-last-admin")}</p>
            })}
            <EditDetails user=user.clone() action=actions.edit/>
            <Password user=user.clone() mail_ready actions/>
            {if is_me {
                view! { <p class="muted">{t!(lang, "users-own-account")}</p> }.into_any()
            } else {
                view! { <Access user is_last_admin actions/> }.into_any()
            }}
        </section>
    }
}

/// Address, name and role.
#[component]
fn EditDetails(user: UserView, action: ServerAction<EditUser>) -> impl IntoView {
    let lang = use_lang();
    let error = action_error(action);
    let saved = move || matches!(action.value().get(), Some(Ok(_)));
    view! {
        <h3>{t!(lang, "users-details")}</h3>
        {move || saved().then(|| view! { <div class="banner banner-success" role="status" data-testid="user-saved">{t!(lang, "users-saved")}</div> })}
        <ErrorBanner error/>
        <ActionForm action attr:class="form form-grid" attr:data-testid="user-edit">
            <input type="hidden" name="user_id" value=user.id/>
            <label class="field">
                <span>{t!(lang, "users-email")}</span>
                <input type="email" name="email" required value=user.email.clone() autocomplete="off"/>
                <FieldError error field="email"/>
                <small class="muted">{t!(lang, "users-email-help")}</small>
            </label>
            <label class="field">
                <span>{t!(lang, "users-name")}</span>
                <input type="text" name="display_name" required value=user.display_name.clone() autocomplete="off"/>
                <FieldError error field="display_name"/>
            </label>
            <label class="field">
                <span>{t!(lang, "users-role")}</span>
                <select name="role">
                    {Role::ALL.into_iter().map(|role| view! {
                        <option value=role.as_str() selected=role == user.role>{role.label(lang)}</option>
                    }).collect_view()}
                </select>
            </label>
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>{t!(lang, "users-save-changes")}</button>
            </div>
        </ActionForm>
    }
}

/// A password typed by the admin, or a link mailed to the user.
#[component]
fn Password(user: UserView, mail_ready: bool, actions: UserActions) -> impl IntoView {
    let set_password = actions.set_password;
    let send_link = actions.send_link;
    let set_error = action_error(set_password);
    let link_error = action_error(send_link);
    let password_set = move || matches!(set_password.value().get(), Some(Ok(())));
    let link_sent = move || matches!(send_link.value().get(), Some(Ok(())));
    let user_id = user.id;
    let email = user.email.clone();
    let lang = use_lang();
    view! {
        <h3>{t!(lang, "users-password")}</h3>
        {move || password_set().then(|| view! {
            <div class="banner banner-success" role="status" data-testid="password-set">{t!(lang, "users-password-set")}</div>
        })}
        <ErrorBanner error=set_error/>
        <ActionForm action=set_password attr:class="form form-grid" attr:data-testid="user-set-password">
            <input type="hidden" name="user_id" value=user_id/>
            <label class="field">
                <span>{t!(lang, "users-new-password")}</span>
                <input type="password" name="password" required autocomplete="new-password"/>
                <FieldError error=set_error field="password"/>
                <small class="muted">{t!(lang, "users-new-password-help", count = MIN_PASSWORD_LEN)}</small>
            </label>
            <div class="form-actions">
                <button type="submit" class="button" disabled=move || set_password.pending().get()>{t!(lang, "users-set-password")}</button>
            </div>
        </ActionForm>
        {if mail_ready {
            view! {
                <div class="form" data-testid="user-send-link">
                    <p class="muted">{t!(lang, "users-link-offer", email = &email)}</p>
                    {move || link_sent().then(|| view! {
                        <div class="banner banner-success" role="status" data-testid="link-sent">{t!(lang, "users-link-sent")}</div>
                    })}
                    <ErrorBanner error=link_error/>
                    <button type="button" class="button" disabled=move || send_link.pending().get()
                        on:click=move |_| { send_link.dispatch(SendPasswordLink { user_id }); }>
                        {t!(lang, "users-send-link")}
                    </button>
                </div>
            }.into_any()
        } else {
            view! { <p class="muted" data-testid="link-unavailable">{t!(lang, "users-link-unavailable")}</p> }.into_any()
        }}
    }
}

/// Disable or enable, and delete; each asks first and says what happens.
#[component]
fn Access(user: UserView, is_last_admin: bool, actions: UserActions) -> impl IntoView {
    let set_disabled = actions.set_disabled;
    let delete = actions.delete;
    let toggle_error = action_error(set_disabled);
    let delete_error = action_error(delete);
    let confirm = RwSignal::new(Confirm::Nothing);
    let user_id = user.id;
    let disabled = user.disabled;
    let email = user.email.clone();
    let lang = use_lang();
    let disable_text = t!(lang, "users-confirm-disable", email = &email);
    let delete_text = t!(lang, "users-confirm-delete", email = &email);
    let confirm_disable = t!(lang, "users-disable-named", email = &email);
    let confirm_delete = t!(lang, "users-delete-named", email = &email);
    view! {
        <h3>{t!(lang, "users-access")}</h3>
        <ErrorBanner error=toggle_error/>
        <ErrorBanner error=delete_error/>
        <div class="button-row">
            {if disabled {
                view! {
                    <button type="button" class="button" disabled=move || set_disabled.pending().get()
                        on:click=move |_| { set_disabled.dispatch(SetUserDisabled { user_id, disabled: false }); }>
                        {t!(lang, "users-enable")}
                    </button>
                }.into_any()
            } else {
                view! {
                    <button type="button" class="button button-danger" aria-disabled=is_last_admin.to_string()
                        title=is_last_admin.then(|| t!(lang, "users-last-admin-no-disable"))
                        on:click=move |_| confirm.set(Confirm::Disable)>
                        {t!(lang, "users-disable")}
                    </button>
                }.into_any()
            }}
            <button type="button" class="button button-danger" aria-disabled=is_last_admin.to_string()
                title=is_last_admin.then(|| t!(lang, "users-last-admin-no-delete"))
                on:click=move |_| confirm.set(Confirm::Delete)>
                {t!(lang, "users-delete")}
            </button>
        </div>
        {move || match confirm.get() {
            Confirm::Nothing => None,
            Confirm::Disable => Some(view! {
                <ConfirmBox testid="confirm-disable" text=disable_text.clone() yes=confirm_disable.clone() confirm
                    on_yes=move || { set_disabled.dispatch(SetUserDisabled { user_id, disabled: true }); }/>
            }.into_any()),
            Confirm::Delete => Some(view! {
                <ConfirmBox testid="confirm-delete" text=delete_text.clone() yes=confirm_delete.clone() confirm
                    on_yes=move || { delete.dispatch(DeleteUser { user_id }); }/>
            }.into_any()),
        }}
    }
}

/// A question before an action that cannot be taken back lightly: what
/// will happen, the action named on its button, and "Cancel".
#[component]
fn ConfirmBox(
    testid: &'static str,
    text: String,
    yes: String,
    confirm: RwSignal<Confirm>,
    on_yes: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="banner banner-info" role="alertdialog" aria-label=t!(lang, "users-confirm-label") data-testid=testid>
            <p>{text}</p>
            <div class="button-row">
                <button type="button" class="button button-danger" on:click=move |_| {
                    confirm.set(Confirm::Nothing);
                    on_yes();
                }>{yes}</button>
                <button type="button" class="button" on:click=move |_| confirm.set(Confirm::Nothing)>{t!(lang, "users-cancel")}</button>
            </div>
        </div>
    }
}
