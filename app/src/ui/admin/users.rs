//! Admin → Users: who may sign in to Tresor and with which role; adding a
//! user, disabling and enabling one.

use crate::api::users::{CreateUser, SetUserDisabled, list_users};
use crate::model::{MIN_PASSWORD_LEN, Role, UserView};
use crate::ui::admin::tabs::AdminTabs;
use crate::ui::components::{
    ErrorAlert, ErrorBanner, FieldError, action_error, reset_form_after_success,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn UsersPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let set_disabled = ServerAction::<SetUserDisabled>::new();
    let users = Resource::new(
        move || (create.version().get(), set_disabled.version().get()),
        |_| list_users(),
    );
    let create_error = action_error(create);
    let toggle_error = action_error(set_disabled);
    let form = NodeRef::<leptos::html::Form>::new();
    let created = move || create.value().get().and_then(|result| result.ok());
    reset_form_after_success(form, move || created().is_some());

    view! {
        <Title text="Users"/>
        <AdminTabs/>
        <div class="page-header">
            <h1>"Users"</h1>
            <p class="muted">"Who may sign in to Tresor, and with which role."</p>
        </div>
        <ErrorBanner error=toggle_error/>
        <Transition fallback=|| view! { <p class="muted">"Loading users…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(users) => view! { <UserTable users set_disabled/> }.into_any(),
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                }
            })}
        </Transition>

        <section class="panel">
            <h2>"Add a user"</h2>
            {move || created().map(|user| view! {
                <div class="banner banner-success" role="status">
                    {format!("{} can now sign in as {}.", user.display_name, user.email)}
                </div>
            })}
            <ErrorBanner error=create_error/>
            <ActionForm action=create node_ref=form attr:class="form form-grid">
                <label class="field">
                    <span>"E-mail address"</span>
                    <input type="email" name="email" required autocomplete="off"/>
                    <FieldError error=create_error field="email"/>
                </label>
                <label class="field">
                    <span>"Name"</span>
                    <input type="text" name="display_name" required autocomplete="off"/>
                    <FieldError error=create_error field="display_name"/>
                </label>
                <label class="field">
                    <span>"Role"</span>
                    <select name="role">
                        {Role::ALL.into_iter().map(|role| view! {
                            <option value=role.as_str() selected=role == Role::User>{role.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>"Initial password"</span>
                    <input type="password" name="password" required autocomplete="new-password"/>
                    <FieldError error=create_error field="password"/>
                    <small class="muted">{format!("At least {MIN_PASSWORD_LEN} characters.")}</small>
                </label>
                <div class="form-actions">
                    <button type="submit" class="button button-primary" disabled=move || create.pending().get()>
                        "Add user"
                    </button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn UserTable(users: Vec<UserView>, set_disabled: ServerAction<SetUserDisabled>) -> impl IntoView {
    view! {
        <table class="table" data-testid="user-table">
            <thead>
                <tr>
                    <th>"Name"</th>
                    <th>"E-mail address"</th>
                    <th>"Role"</th>
                    <th>"Status"</th>
                    <th>"Created"</th>
                    <th class="actions-column"><span class="sr-only">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {users.into_iter().map(|user| {
                    let user_id = user.id;
                    let disabled = user.disabled;
                    view! {
                        <tr class:row-disabled=disabled>
                            <td>{user.display_name}</td>
                            <td>{user.email}</td>
                            <td><span class="role-badge">{user.role.label()}</span></td>
                            <td>
                                {if disabled {
                                    view! { <span class="status status-off">"Disabled"</span> }
                                } else {
                                    view! { <span class="status status-on">"Active"</span> }
                                }}
                            </td>
                            <td class="muted">{user.created_at.format("%Y-%m-%d %H:%M UTC").to_string()}</td>
                            <td class="actions-column">
                                <button
                                    class="button button-small"
                                    on:click=move |_| {
                                        set_disabled.dispatch(SetUserDisabled { user_id, disabled: !disabled });
                                    }
                                >
                                    {if disabled { "Enable" } else { "Disable" }}
                                </button>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
