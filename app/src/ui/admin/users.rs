//! Admin → Users: who may sign in to Tresor and with which role; adding a
//! user (with a password, or an invitation by mail) and, per user, the
//! panel to edit, reset, disable or delete them (`user_panel`).

use super::user_panel::{UserActions, UserPanel};
use crate::CurrentUser;
use crate::api::users::{CreateUser, list_users, password_mail_ready};
use crate::i18n::{format, use_lang};
use crate::model::{MIN_PASSWORD_LEN, Role, UserView};
use crate::t;
use crate::ui::admin::tabs::AdminPage;
use crate::ui::components::{
    ErrorAlert, ErrorBanner, FieldError, action_error, reset_form_after_success,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn UsersPage() -> impl IntoView {
    view! { <AdminPage><Users/></AdminPage> }
}

#[component]
fn Users() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let actions = UserActions::new();
    let users = Resource::new(
        move || (create.version().get(), actions.version()),
        |_| list_users(),
    );
    let mail_ready = Resource::new(|| (), |_| password_mail_ready());
    let selected = RwSignal::new(None::<i64>);
    let me = expect_context::<CurrentUser>().known().map(|user| user.id);
    let lang = use_lang();

    view! {
        <Title text=t!(lang, "users-title")/>
        <div class="page-header">
            <h1>{t!(lang, "users-title")}</h1>
            <p class="muted">
                {t!(lang, "users-intro-before")}
                <strong>{t!(lang, "users-intro-manage")}</strong>
                {t!(lang, "users-intro-after")}
            </p>
        </div>
        {move || actions.deleted().map(|()| view! {
            <div class="banner banner-success" role="status" data-testid="user-deleted">{t!(lang, "users-deleted")}</div>
        })}
        <Transition fallback=move || view! { <p class="muted">{t!(lang, "users-loading")}</p> }>
            {move || Suspend::new(async move {
                let ready = mail_ready.await.unwrap_or(false);
                match users.await {
                    Ok(users) => {
                        let last_admin = last_active_admin(&users);
                        let listed = users.clone();
                        // The chosen user's panel follows `selected` (read
                        // here, in a closure of its own, so a click re-renders it).
                        let panel = move || {
                            let user = selected.get().and_then(|id| listed.iter().find(|user| user.id == id).cloned())?;
                            let is_last_admin = last_admin == Some(user.id);
                            let is_me = me == Some(user.id);
                            Some(view! { <UserPanel user is_last_admin is_me mail_ready=ready actions selected/> })
                        };
                        view! {
                            <UserTable users selected/>
                            {panel}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let ready = mail_ready.await.unwrap_or(false);
                view! { <AddUser create mail_ready=ready/> }
            })}
        </Transition>
    }
}

/// The one active administrator, when there is only one: the user the
/// server keeps in that role (the page says so before anyone tries).
fn last_active_admin(users: &[UserView]) -> Option<i64> {
    let mut admins = users
        .iter()
        .filter(|user| user.role == Role::Admin && !user.disabled);
    match (admins.next(), admins.next()) {
        (Some(only), None) => Some(only.id),
        _ => None,
    }
}

/// "Add a user": a password typed here, or — when Tresor can send mail —
/// an invitation with a link to choose one.
#[component]
fn AddUser(create: ServerAction<CreateUser>, mail_ready: bool) -> impl IntoView {
    let lang = use_lang();
    let create_error = action_error(create);
    let form = NodeRef::<leptos::html::Form>::new();
    let invite = RwSignal::new(false);
    // What the last submission asked for, for the banner once it is done.
    let invited = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(input) = create.input().get() {
            invited.set(input.invite == Some(true));
        }
    });
    let created = move || create.value().get().and_then(|result| result.ok());
    reset_form_after_success(form, move || created().is_some());
    Effect::new(move |_| {
        if created().is_some() {
            invite.set(false);
        }
    });
    view! {
        <section class="panel" data-testid="add-user">
            <h2>{t!(lang, "users-add-title")}</h2>
            {move || created().map(|user| {
                let text = if invited.get() {
                    t!(lang, "users-invited", name = user.display_name, email = user.email)
                } else {
                    t!(lang, "users-created", name = user.display_name, email = user.email)
                };
                view! { <div class="banner banner-success" role="status" data-testid="user-created">{text}</div> }
            })}
            <ErrorBanner error=create_error/>
            <ActionForm action=create node_ref=form attr:class="form form-grid">
                <label class="field">
                    <span>{t!(lang, "users-email")}</span>
                    <input type="email" name="email" required autocomplete="off"/>
                    <FieldError error=create_error field="email"/>
                </label>
                <label class="field">
                    <span>{t!(lang, "users-name")}</span>
                    <input type="text" name="display_name" required autocomplete="off"/>
                    <FieldError error=create_error field="display_name"/>
                </label>
                <label class="field">
                    <span>{t!(lang, "users-role")}</span>
                    <select name="role">
                        {Role::ALL.into_iter().map(|role| view! {
                            <option value=role.as_str() selected=role == Role::User>{role.label(lang)}</option>
                        }).collect_view()}
                    </select>
                </label>
                {if mail_ready {
                    view! {
                        <label class="field field-check">
                            <input type="checkbox" name="invite" value="true"
                                prop:checked=move || invite.get()
                                on:change=move |event| invite.set(event_target_checked(&event))/>
                            <span>{t!(lang, "users-invite")}</span>
                        </label>
                    }.into_any()
                } else {
                    view! {
                        <p class="muted" data-testid="invite-unavailable">{t!(lang, "users-invite-unavailable")}</p>
                    }.into_any()
                }}
                <label class="field" hidden=move || invite.get()>
                    <span>{t!(lang, "users-initial-password")}</span>
                    <input type="password" name="password" required=move || !invite.get()
                        disabled=move || invite.get() autocomplete="new-password"/>
                    <FieldError error=create_error field="password"/>
                    <small class="muted">{t!(lang, "users-initial-password-help", count = MIN_PASSWORD_LEN)}</small>
                </label>
                <div class="form-actions">
                    <button type="submit" class="button button-primary" disabled=move || create.pending().get()>
                        {move || if invite.get() { t!(lang, "users-add-and-invite") } else { t!(lang, "users-add") }}
                    </button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn UserTable(users: Vec<UserView>, selected: RwSignal<Option<i64>>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <table class="table" data-testid="user-table">
            <thead>
                <tr>
                    <th>{t!(lang, "users-name")}</th>
                    <th>{t!(lang, "users-email")}</th>
                    <th>{t!(lang, "users-role")}</th>
                    <th>{t!(lang, "users-column-status")}</th>
                    <th>{t!(lang, "users-column-created")}</th>
                    <th class="actions-column"><span class="sr-only">{t!(lang, "users-column-actions")}</span></th>
                </tr>
            </thead>
            <tbody>
                {users.into_iter().map(|user| {
                    let user_id = user.id;
                    let disabled = user.disabled;
                    let label = t!(lang, "users-manage-label", email = &user.email);
                    view! {
                        <tr class:row-disabled=disabled>
                            <td>{user.display_name}</td>
                            <td>{user.email}</td>
                            <td><span class="role-badge">{user.role.label(lang)}</span></td>
                            <td>
                                {if disabled {
                                    view! { <span class="status status-off">{t!(lang, "users-disabled")}</span> }
                                } else {
                                    view! { <span class="status status-on">{t!(lang, "users-active")}</span> }
                                }}
                            </td>
                            <td class="muted">{format::date_time(lang, user.created_at)}</td>
                            <td class="actions-column">
                                <button
                                    class="button button-small"
                                    aria-label=label
                                    aria-pressed=move || (selected.get() == Some(user_id)).to_string()
                                    on:click=move |_| selected.set(Some(user_id))
                                >
                                    {t!(lang, "users-manage")}
                                </button>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn user(id: i64, role: Role, disabled: bool) -> UserView {
        UserView {
            id,
            email: format!("u{id}@example.com"),
            display_name: format!("U{id}"),
            role,
            disabled,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn the_last_active_admin_is_the_only_enabled_one() {
        let users = [
            user(1, Role::Admin, false),
            user(2, Role::Admin, true),
            user(3, Role::User, false),
        ];
        assert_eq!(last_active_admin(&users), Some(1));
        let two = [user(1, Role::Admin, false), user(2, Role::Admin, false)];
        assert_eq!(last_active_admin(&two), None);
    }
}
