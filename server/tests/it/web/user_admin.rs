//! What administrators do to users (`app::api::users`): edit, set a
//! password or mail a set-password link, invite, disable, delete; the last
//! active administrator kept; every change audited with before → after.

use crate::harness::{Site, databases, plain_form, sign_in_form};
use app::model::audit::{AuditEntryView, AuditPage};
use app::model::{Role, UserEdit, UserView};
use axum::http::StatusCode;
use tresor::audit::Actor;
use tresor::auth::AuthError;

/// The audit log's entries of `action`, newest first, as an admin reads them.
async fn entries(site: &Site, admin: &str, action: &str) -> Vec<AuditEntryView> {
    let form = format!("filter[action]={action}");
    let (status, body, _) = site.call("/api/admin/audit_log", &form, Some(admin)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str::<AuditPage>(&body).unwrap().entries
}

fn edit_form(user_id: i64, email: &str, name: &str, role: &str) -> String {
    plain_form(&[
        ("user_id", &user_id.to_string()),
        ("email", email),
        ("display_name", name),
        ("role", role),
    ])
}

#[tokio::test]
async fn an_admin_edits_a_user_and_the_change_is_audited_before_and_after() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let admin = site.sign_in("root@example.com", "root-password").await;
        let form = edit_form(site.user_id, "Renamed@Example.com", "User", "auditor");
        let (status, body, _) = site.call("/api/users/edit", &form, Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.name);
        let user: UserView = serde_json::from_str(&body).unwrap();
        assert_eq!(user.email, "renamed@example.com");
        assert_eq!(user.role, Role::Auditor);

        let changed = entries(&site, &admin, "user_changed").await;
        let details: serde_json::Value = serde_json::from_str(&changed[0].details).unwrap();
        assert_eq!(changed[0].target, "user user@example.com");
        assert_eq!(
            details,
            serde_json::json!({
                "before": { "email": "user@example.com", "role": "user" },
                "after": { "email": "renamed@example.com", "role": "auditor" },
            }),
            "only what changed, before and after"
        );

        // An address another user has is a field error.
        let form = edit_form(site.user_id, "root@example.com", "User", "user");
        let (status, body, _) = site.call("/api/users/edit", &form, Some(&admin)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("exists already"), "{body}");
    }
}

/// The server's rule, whoever asks (the web, the command line): someone
/// can always administer the instance.
#[tokio::test]
async fn the_last_active_admin_is_never_demoted_disabled_or_deleted() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let admin = site.sign_in("root@example.com", "root-password").await;
        let demote = edit_form(site.root_id, "root@example.com", "Root", "user");
        let (status, body, _) = site.call("/api/users/edit", &demote, Some(&admin)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{}: {body}", db.name);
        assert!(body.contains("last active administrator"), "{body}");

        let accounts = &site.state.accounts;
        let disabled = accounts
            .set_user_disabled(site.root_id, true, &Actor::Operator)
            .await;
        assert!(
            matches!(disabled, Err(AuthError::LastAdmin(_))),
            "{disabled:?}"
        );
        let deleted = accounts.delete_user(site.root_id, &Actor::Operator).await;
        assert!(
            matches!(deleted, Err(AuthError::LastAdmin(_))),
            "{deleted:?}"
        );

        // With a second, active admin, the first may step down; a disabled
        // admin does not count as the second.
        let second = site.sign_in("root@example.com", "root-password").await;
        let make_admin = edit_form(site.user_id, "user@example.com", "User", "admin");
        let (status, body, _) = site
            .call("/api/users/edit", &make_admin, Some(&second))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        accounts
            .set_user_disabled(site.user_id, true, &Actor::Operator)
            .await
            .unwrap();
        let (status, _, _) = site.call("/api/users/edit", &demote, Some(&admin)).await;
        assert_eq!(status, StatusCode::CONFLICT, "a disabled admin is no admin");
        accounts
            .set_user_disabled(site.user_id, false, &Actor::Operator)
            .await
            .unwrap();
        let (status, body, _) = site.call("/api/users/edit", &demote, Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

/// Two administrators stepping down at the same moment (each demoting or
/// disabling themselves while the other does): at most one succeeds, on
/// SQLite and on PostgreSQL. Checking first and writing afterwards outside
/// one transaction let both pass the check and left nobody.
#[tokio::test]
async fn two_admins_stepping_down_at_once_leave_one() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let accounts = &site.state.accounts;
        let edit = |email: &str, role: Role| UserEdit {
            email: email.into(),
            display_name: "Admin".into(),
            role,
        };
        let demote_root = edit("root@example.com", Role::User);
        let demote_user = edit("user@example.com", Role::Auditor);
        for round in 0..20 {
            accounts
                .edit_user(
                    site.user_id,
                    &edit("user@example.com", Role::Admin),
                    &Actor::Operator,
                )
                .await
                .unwrap();
            let (first, second) = if round % 2 == 0 {
                tokio::join!(
                    accounts.edit_user(site.root_id, &demote_root, &Actor::Operator),
                    accounts.edit_user(site.user_id, &demote_user, &Actor::Operator),
                )
            } else {
                tokio::join!(
                    accounts.set_user_disabled(site.root_id, true, &Actor::Operator),
                    accounts.set_user_disabled(site.user_id, true, &Actor::Operator),
                )
            };
            let succeeded = [first.is_ok(), second.is_ok()];
            assert_ne!(
                succeeded,
                [true, true],
                "{}, round {round}: both stepped down",
                db.name
            );
            // Put both back as active admins for the next round.
            for id in [site.root_id, site.user_id] {
                accounts
                    .set_user_disabled(id, false, &Actor::Operator)
                    .await
                    .unwrap();
            }
            accounts
                .edit_user(
                    site.root_id,
                    &edit("root@example.com", Role::Admin),
                    &Actor::Operator,
                )
                .await
                .unwrap();
        }
    }
}

#[tokio::test]
async fn a_disabled_user_is_signed_out_and_told_why_only_with_the_right_password() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let admin = site.sign_in("root@example.com", "root-password").await;
        let user = site.sign_in("user@example.com", "user-password").await;
        let form = format!("user_id={}&disabled=true", site.user_id);
        let (status, body, _) = site
            .call("/api/users/set_disabled", &form, Some(&admin))
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.name);

        let (status, _, _) = site.call("/api/mailboxes/list", "", Some(&user)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "the session ended");
        let (status, body, _) = site
            .call(
                "/api/auth/sign_in",
                &sign_in_form("user@example.com", "user-password"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body.contains("This account is disabled"), "{body}");
        let (status, body, _) = site
            .call(
                "/api/auth/sign_in",
                &sign_in_form("user@example.com", "a-wrong-guess"),
                None,
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "a guesser learns nothing: {body}"
        );
        assert!(!body.contains("disabled"), "{body}");

        let changed = entries(&site, &admin, "user_changed").await;
        assert!(
            changed[0].details.contains(r#""disabled":true"#),
            "{}",
            changed[0].details
        );
    }
}

#[tokio::test]
async fn a_user_who_owns_mailboxes_is_not_deleted_one_who_does_not_is() {
    for db in databases().await {
        let site = Site::new(&db).await;
        site.archive_for(site.user_id, "user-mail", &[("own", super::OWN_MAIL)])
            .await;
        let admin = site.sign_in("root@example.com", "root-password").await;
        let form = format!("user_id={}", site.user_id);
        let (status, body, _) = site.call("/api/users/delete", &form, Some(&admin)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{}: {body}", db.name);
        assert!(body.contains("owns 1 mailbox"), "{body}");

        let (status, _, _) = site
            .call(
                "/api/users/delete",
                &format!("user_id={}", site.root_id),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "never oneself");

        let gone = site
            .state
            .accounts
            .create_user("gone@example.com", "Gone", Role::User, "gone-password")
            .await
            .unwrap();
        let session = site.sign_in("gone@example.com", "gone-password").await;
        let form = format!("user_id={}", gone.id);
        let (status, body, _) = site.call("/api/users/delete", &form, Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, _, _) = site.call("/api/mailboxes/list", "", Some(&session)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let deleted = entries(&site, &admin, "user_deleted").await;
        assert_eq!(deleted[0].target, "user gone@example.com");
        assert!(
            deleted[0].details.contains(r#""role":"user""#),
            "{}",
            deleted[0].details
        );
    }
}

#[tokio::test]
async fn an_admin_sets_a_password_and_the_users_sessions_end() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let admin = site.sign_in("root@example.com", "root-password").await;
        let user = site.sign_in("user@example.com", "user-password").await;
        let short = format!("user_id={}&password=short", site.user_id);
        let (status, body, _) = site
            .call("/api/users/set_password", &short, Some(&admin))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {body}",
            db.name
        );
        let form = format!("user_id={}&password=chosen-by-admin", site.user_id);
        let (status, body, _) = site
            .call("/api/users/set_password", &form, Some(&admin))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, _, _) = site.call("/api/mailboxes/list", "", Some(&user)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        site.sign_in("user@example.com", "chosen-by-admin").await;
        let changed = entries(&site, &admin, "password_changed").await;
        assert_eq!(changed[0].actor, "root@example.com");
        assert!(!changed[0].details.contains("chosen-by-admin"));
    }
}

#[tokio::test]
async fn without_mail_settings_no_link_or_invitation_is_sent_and_nothing_is_created() {
    let db = crate::harness::sqlite().await;
    let site = Site::new(&db).await;
    let admin = site.sign_in("root@example.com", "root-password").await;
    let (status, body, _) = site
        .call("/api/users/password_mail_ready", "", Some(&admin))
        .await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "false"));
    let form = format!("user_id={}", site.user_id);
    let (status, body, _) = site
        .call("/api/users/send_password_link", &form, Some(&admin))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("cannot send mail"), "{body}");
    let invite = "email=invited%40example.com&display_name=Invited&role=user&invite=true";
    let (status, _, _) = site.call("/api/users/create", invite, Some(&admin)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let users = site.state.accounts.list_users().await.unwrap();
    assert!(users.iter().all(|user| user.email != "invited@example.com"));
}

#[tokio::test]
async fn an_invited_user_and_a_reset_user_choose_their_password_by_the_mailed_link() {
    let db = crate::harness::sqlite().await;
    let (site, mut sink) = Site::with_mail_sink(&db).await;
    let admin = site.sign_in("root@example.com", "root-password").await;
    let (status, body, _) = site
        .call("/api/users/password_mail_ready", "", Some(&admin))
        .await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "true"));

    let invite = "email=invited%40example.com&display_name=Invited&role=user&invite=true";
    let (status, body, _) = site.call("/api/users/create", invite, Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (to, token) = sink.next_reset().await;
    assert_eq!(to, "invited@example.com");
    let form =
        crate::harness::reset_password_form(&token, "invited-own-password", "invited-own-password");
    let (status, body, _) = site.call("/api/auth/reset_password", &form, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    site.sign_in("invited@example.com", "invited-own-password")
        .await;

    // A reset link: the old password works until the link is used.
    let form = format!("user_id={}", site.user_id);
    let (status, body, _) = site
        .call("/api/users/send_password_link", &form, Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (to, token) = sink.next_reset().await;
    assert_eq!(to, "user@example.com");
    site.sign_in("user@example.com", "user-password").await;
    let form =
        crate::harness::reset_password_form(&token, "user-new-password", "user-new-password");
    let (status, _, _) = site.call("/api/auth/reset_password", &form, None).await;
    assert_eq!(status, StatusCode::OK);
    site.sign_in("user@example.com", "user-new-password").await;

    let sent = entries(&site, &admin, "password_reset_requested").await;
    let links: Vec<&str> = sent.iter().map(|entry| entry.details.as_str()).collect();
    assert!(links[0].contains(r#""link":"reset""#), "{links:?}");
    assert!(links[1].contains(r#""link":"invitation""#), "{links:?}");
    assert!(links.iter().all(|details| !details.contains(&token)));
}
