//! An OAuth sign-in reads the mail it was given for: it goes when the
//! settings it was given for change, app-only sign-in apps are the
//! administrators', and Graph's service root is Microsoft's unless configured.

use super::{ROOT, USER};
use crate::harness::{Site, databases, field_errors, graph_mailbox_form};
use app::model::mailbox::{AuthMethod, MailboxInput, Source};
use axum::http::StatusCode;
use tresor::mailbox::{Editor, MailboxError};
use tresor::oauth::{AppInput, Flow, SecretChange, Tokens};
use tresor::secrets::Secret;

/// A sign-in app: app-only (a secret and `/.default`) or delegated.
async fn sign_in_app(site: &Site, name: &str, app_only: bool) -> i64 {
    let input = AppInput {
        name: name.into(),
        provider: "microsoft".into(),
        tenant: "contoso.example".into(),
        // Nothing listens here: a flow that starts fails, it does not hang.
        authority: "http://127.0.0.1:9".into(),
        client_id: format!("{name}-client"),
        scopes: if app_only {
            "https://graph.microsoft.com/.default".into()
        } else {
            "offline_access https://graph.microsoft.com/Mail.ReadWrite".into()
        },
        ..AppInput::default()
    };
    let secret = if app_only {
        SecretChange::Set(Secret::new("client-secret"))
    } else {
        SecretChange::Keep
    };
    site.services
        .mailboxes
        .oauth()
        .apps()
        .save(None, &input, secret, &tresor::audit::Actor::Operator)
        .await
        .unwrap()
}

/// The editor's form of a Graph mailbox `name` at `root` signed in through `app_id`.
fn graph_form(name: &str, root: &str, app_id: i64, changes: &[(&str, &str)]) -> String {
    let app_id = app_id.to_string();
    graph_mailbox_form(root, &app_id, &[&[("name", name)], changes].concat())
}

fn tokens() -> Tokens {
    Tokens {
        access: Secret::new("access-token"),
        refresh: Some(Secret::new("refresh-token")),
        expires_in: Some(std::time::Duration::from_secs(3600)),
        scope: "Mail.ReadWrite".into(),
    }
}

#[tokio::test]
async fn a_sign_in_goes_when_what_it_was_given_for_changes() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let app = sign_in_app(&site, "delegated", false).await;
        let other_app = sign_in_app(&site, "delegated too", false).await;
        let user = site.sign_in(USER, "user-password").await;
        let root = "https://graph.microsoft.com/v1.0";
        let (status, body, _) = site
            .call(
                "/api/mailboxes/save",
                &graph_form("my graph", root, app, &[]),
                Some(&user),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.name);
        let id: i64 = serde_json::from_str(&body).unwrap();
        let signed_in = || async {
            let oauth = site.services.mailboxes.oauth();
            oauth
                .store(id, app, Flow::AuthorizationCode, &tokens())
                .await
                .unwrap();
            assert!(oauth.state(id, app).await.unwrap().is_some());
        };
        let id_field = id.to_string();
        for (field, value) in [
            ("host", "https://graph.microsoft.us/v1.0"),
            ("username", "ceo@contoso.example"),
            ("oauth_app", &other_app.to_string()),
        ] {
            signed_in().await;
            let form = graph_form("my graph", root, app, &[("id", &id_field), (field, value)]);
            // A test with the changed settings would use the sign-in: refused.
            let (status, text, _) = site.call("/api/mailboxes/test", &form, Some(&user)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {text}");
            assert!(
                field_errors(status, &text).field_message(field).is_some(),
                "{text}"
            );
            // Saved, the sign-in is gone: someone signs in for the new settings.
            let (status, text, _) = site.call("/api/mailboxes/save", &form, Some(&user)).await;
            assert_eq!(status, StatusCode::OK, "{field}: {text}");
            let oauth = site.services.mailboxes.oauth();
            assert!(
                oauth.state(id, app).await.unwrap().is_none(),
                "{field}: the grant survived"
            );
            assert!(
                oauth.sign_ins(&[(id, app)]).await.unwrap()[&id]
                    == tresor::oauth::SignIn::NotSignedIn
            );
            // Back to the settings of the sign-in (as the next round starts from).
            let back = graph_form("my graph", root, app, &[("id", &id_field)]);
            let (status, text, _) = site.call("/api/mailboxes/save", &back, Some(&user)).await;
            assert_eq!(status, StatusCode::OK, "{text}");
        }
        // Other changes keep it.
        signed_in().await;
        let form = graph_form(
            "my graph",
            root,
            app,
            &[("id", &id_field), ("schedule", "12h")],
        );
        let (status, text, _) = site.call("/api/mailboxes/save", &form, Some(&user)).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        assert!(
            site.services
                .mailboxes
                .oauth()
                .state(id, app)
                .await
                .unwrap()
                .is_some()
        );

        // A token stored without a sign-in app is a stored secret like a password.
        let mut imap = MailboxInput::new("token mailbox", "imap.example.com", "someone");
        imap.auth_method = AuthMethod::XOAuth2;
        let row = site
            .services
            .mailboxes
            .create(
                Editor::Owner,
                Some(site.user_id),
                &imap,
                Some(&Secret::new("stored-token")),
            )
            .await
            .unwrap();
        let mut with_app = imap.clone();
        with_app.oauth_app_id = Some(app);
        match site
            .services
            .mailboxes
            .update(Editor::Owner, row.id, &with_app, None)
            .await
        {
            Err(MailboxError::Invalid(errors)) => {
                assert!(
                    errors.iter().any(|error| error.field == "oauth_app"),
                    "{errors:?}"
                )
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn app_only_sign_in_apps_are_the_administrators() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let app_only = sign_in_app(&site, "tenant-wide", true).await;
        let delegated = sign_in_app(&site, "people sign in", false).await;
        let user = site.sign_in(USER, "user-password").await;
        let admin = site.sign_in(ROOT, "root-password").await;
        let root = "https://graph.microsoft.com/v1.0";

        // A user cannot pick it, test with it or save a mailbox using it.
        let ceo = graph_form(
            "ceo",
            root,
            app_only,
            &[("username", "ceo@contoso.example")],
        );
        for path in ["/api/mailboxes/save", "/api/mailboxes/test"] {
            let (status, text, _) = site.call(path, &ceo, Some(&user)).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}: {path}: {text}",
                db.name
            );
            assert!(
                field_errors(status, &text)
                    .field_message("oauth_app")
                    .is_some(),
                "{text}"
            );
        }
        assert!(site.services.mailboxes.by_name("ceo").await.is_err());
        // With an app people sign in to, they can.
        let own = graph_form("own", root, delegated, &[]);
        let (status, text, _) = site.call("/api/mailboxes/save", &own, Some(&user)).await;
        assert_eq!(status, StatusCode::OK, "{text}");

        // A Graph mailbox an administrator set up with it for the user:
        // the user can neither change it nor sign it in app-only.
        let mut input = MailboxInput::new("admin made", root, "user@contoso.example");
        input.source = Source::Graph;
        input.oauth_app_id = Some(app_only);
        let row = site
            .services
            .add_mailbox(Some(site.user_id), &input, None)
            .await;
        let id = row.id.to_string();
        let form = graph_form(
            "admin made",
            root,
            app_only,
            &[("id", &id), ("username", "ceo@contoso.example")],
        );
        let (status, text, _) = site.call("/api/mailboxes/save", &form, Some(&user)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
        assert!(
            field_errors(status, &text)
                .field_message("oauth_app")
                .is_some(),
            "{text}"
        );
        let sign_in = format!("id={id}");
        let (status, text, _) = site
            .call("/api/mailboxes/app_only_sign_in", &sign_in, Some(&user))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
        // The administrator gets through to the provider (none listens here).
        let (status, text, _) = site
            .call("/api/mailboxes/app_only_sign_in", &sign_in, Some(&admin))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{text}");
        assert_eq!(
            site.services
                .mailboxes
                .by_id(row.id)
                .await
                .unwrap()
                .username,
            "user@contoso.example"
        );
    }
}

#[tokio::test]
async fn a_graph_service_root_must_be_microsofts_or_configured() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let app = sign_in_app(&site, "delegated", false).await;
        let admin = site.sign_in(ROOT, "root-password").await;
        for root in [
            "https://graph.attacker.example/v1.0",
            "http://127.0.0.1:18080/v1.0",
            "https://graph.microsoft.com.attacker.example/v1.0",
        ] {
            let form = graph_form("elsewhere", root, app, &[]);
            for path in ["/api/mailboxes/save", "/api/mailboxes/test"] {
                let (status, text, _) = site.call(path, &form, Some(&admin)).await;
                assert_eq!(
                    status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{}: {root} {path}: {text}",
                    db.name
                );
                assert!(
                    field_errors(status, &text).field_message("host").is_some(),
                    "{text}"
                );
            }
        }
        // A root saved before (or no longer configured) gets no token.
        let mut input =
            MailboxInput::new("older", "https://graph.microsoft.com/v1.0", "a@b.example");
        input.source = Source::Graph;
        input.oauth_app_id = Some(app);
        let row = site
            .services
            .add_mailbox(Some(site.root_id), &input, None)
            .await;
        site.services
            .mailboxes
            .oauth()
            .store(row.id, app, Flow::AuthorizationCode, &tokens())
            .await
            .unwrap();
        let mut moved: tresor::db::entity::mailbox::ActiveModel = row.into();
        moved.host = sea_orm::Set("https://graph.attacker.example/v1.0".into());
        let moved = sea_orm::ActiveModelTrait::update(moved, &site.services.db)
            .await
            .unwrap();
        let refused = site
            .services
            .mailboxes
            .oauth_access_token(&moved, None)
            .await
            .expect_err("a token for a root off the list");
        assert!(
            refused.to_string().contains("not an allowed service root"),
            "{refused}"
        );
    }
}

#[tokio::test]
async fn a_configured_graph_root_is_allowed() {
    for db in databases().await {
        let site = Site::allowing_graph_roots(&db, &["http://127.0.0.1:18080".to_string()]).await;
        let app = sign_in_app(&site, "delegated", false).await;
        let admin = site.sign_in(ROOT, "root-password").await;
        let form = graph_form("test bed", "http://127.0.0.1:18080/v1.0", app, &[]);
        let (status, text, _) = site.call("/api/mailboxes/save", &form, Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{}: {text}", db.name);
        let form = graph_form("next port", "http://127.0.0.1:18081/v1.0", app, &[]);
        let (status, text, _) = site.call("/api/mailboxes/save", &form, Some(&admin)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    }
}
