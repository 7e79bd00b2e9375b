//! A stored credential reads only the mail it was given for (issue 15,
//! items 1 and 2): a stored password, master password or OAuth grant is
//! bound to everything that decides whose mail is read and whether the
//! connection is trusted; master users and app-only sign-in apps are the
//! administrators'; Graph's service root is Microsoft's unless configured;
//! the Graph client follows no redirect and reads no answer without end.

use crate::site::{Site, changed_form, editor_form};
use crate::support::databases;
use app::error::ApiError;
use app::model::mailbox::{AuthMethod, MailboxEditor, MailboxInput, Source};
use app::model::mailbox_form::MailboxForm;
use axum::http::StatusCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tresor::graph::{Client, GraphError, TokenSource};
use tresor::mailbox::{Editor, MailboxError};
use tresor::oauth::{AppInput, Flow, SecretChange, Tokens};
use tresor::secrets::Secret;

const USER: &str = "user%40example.com";
const ROOT: &str = "root%40example.com";

/// The field problems of a refusal, by field.
fn problems(body: &str) -> ApiError {
    match serde_json::from_str::<ApiError>(body) {
        Ok(error @ ApiError::Invalid { .. }) => error,
        other => panic!("expected field errors, got {other:?} from {body}"),
    }
}

/// The editor's form of mailbox `id` as `cookie` sees it, field by field.
async fn editor_fields(site: &Site, id: i64, cookie: &str) -> Vec<(String, String)> {
    let (status, body, _) = site
        .call("/api/mailboxes/editor", &format!("id={id}"), Some(cookie))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let editor: MailboxEditor = serde_json::from_str(&body).unwrap();
    form_fields(&editor.form)
}

fn form_fields(form: &MailboxForm) -> Vec<(String, String)> {
    serde_json::to_value(form)
        .unwrap()
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(field, value)| Some((field.clone(), value.as_str()?.to_string())))
        .collect()
}

fn with(fields: &[(String, String)], changes: &[(&str, &str)]) -> String {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(field, value)| (field.as_str(), value.as_str()))
        .collect();
    changed_form(&fields, changes)
}

/// The mailbox a master-user batch creates for user@example.com (owned by
/// them, the master password stored, acting for their address).
async fn master_user_mailbox(site: &Site) -> i64 {
    let admin = site.sign_in(ROOT, "root-password").await;
    let form = editor_form(&[
        ("host", "imap.example.com"),
        ("port", "993"),
        ("security", "tls"),
        ("master_user", "archiver"),
        ("secret", "masterpw"),
        ("identity_kind", "address"),
        ("selection", "only"),
        ("users", "user@example.com"),
    ]);
    let (status, body, _) = site.call("/api/batch/master", &form, Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let row = site.mailboxes.by_name("user@example.com").await.unwrap();
    assert_eq!(row.owner_id, Some(site.user_id));
    assert_eq!(acts_for(site, row.id).await, "user@example.com");
    row.id
}

/// Whom mailbox `id` logs in as (the master user's authzid).
async fn acts_for(site: &Site, id: i64) -> String {
    let row = site.mailboxes.by_id(id).await.unwrap();
    match site.mailboxes.connection(&row).await.unwrap().1 {
        tresor::imap::Credentials::Plain {
            authzid: Some(authzid),
            ..
        } => authzid,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_master_user_mailbox_cannot_be_pointed_elsewhere_without_its_password() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let id = master_user_mailbox(&site).await;
        let user = site.sign_in(USER, "user-password").await;
        let fields = editor_fields(&site, id, &user).await;
        for (field, value) in [
            ("email_address", "root@example.com"),
            ("identity_kind", "localpart"),
            ("accept_invalid_certs", "on"),
            ("expected_cert_name", "mail.attacker.example"),
            ("ca_file", "/etc/ssl/certs/ca-certificates.crt"),
        ] {
            let form = with(&fields, &[("secret", ""), (field, value)]);
            let subscribe = format!("{form}&folder=INBOX&subscribed=true");
            for (path, body) in [
                ("/api/mailboxes/save", &form),
                ("/api/mailboxes/test", &form),
                ("/api/mailboxes/subscribe", &subscribe),
            ] {
                let (status, text, _) = site.call(path, body, Some(&user)).await;
                assert_eq!(
                    status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{}: {path} {field}: {text}",
                    db.name
                );
                let refusal = problems(&text);
                assert!(
                    refusal.field_message(field).is_some(),
                    "{path}: {field} not named: {text}"
                );
                // A user names no CA file at all (connection_policy's test);
                // every other change is refused for want of the password.
                if field != "ca_file" {
                    assert!(refusal.field_message("secret").is_some(), "{path}: {text}");
                }
            }
        }
        let row = site.mailboxes.by_id(id).await.unwrap();
        assert!(!row.accept_invalid_certs && row.expected_cert_name.is_none());
        assert_eq!(acts_for(&site, id).await, "user@example.com");

        // An administrator needs the password typed again as well.
        let admin = site.sign_in(ROOT, "root-password").await;
        let form = with(
            &fields,
            &[("secret", ""), ("email_address", "root@example.com")],
        );
        let (status, text, _) = site.call("/api/mailboxes/save", &form, Some(&admin)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
        assert!(problems(&text).field_message("email_address").is_some());
    }
}

#[tokio::test]
async fn only_an_administrator_sets_up_or_changes_a_master_user() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let id = master_user_mailbox(&site).await;
        let user = site.sign_in(USER, "user-password").await;
        let fields = editor_fields(&site, id, &user).await;
        // Even knowing the master password, the owner cannot change whom it acts for.
        for (field, value) in [
            ("email_address", "root@example.com"),
            ("identity_kind", "username"),
            ("username", "root@example.com"),
            ("master_user", "other-master"),
            ("master_user", ""),
        ] {
            let form = with(&fields, &[("secret", "masterpw"), (field, value)]);
            for path in ["/api/mailboxes/save", "/api/mailboxes/test"] {
                let (status, text, _) = site.call(path, &form, Some(&user)).await;
                assert_eq!(
                    status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{}: {path} {field}={value}: {text}",
                    db.name
                );
                assert!(
                    problems(&text).field_message(field).is_some(),
                    "{path}: {field} not named: {text}"
                );
            }
        }
        assert_eq!(acts_for(&site, id).await, "user@example.com");
        // Other settings stay the owner's (here with the password typed again).
        let form = with(
            &fields,
            &[
                ("secret", "masterpw"),
                ("expected_cert_name", "imap.example.net"),
            ],
        );
        let (status, text, _) = site.call("/api/mailboxes/save", &form, Some(&user)).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let fields = editor_fields(&site, id, &user).await;
        let form = with(&fields, &[("secret", ""), ("schedule", "12h")]);
        let (status, text, _) = site.call("/api/mailboxes/save", &form, Some(&user)).await;
        assert_eq!(status, StatusCode::OK, "{text}");

        // Nor can a user make a master-user mailbox of their own.
        let new = crate::site::valid_mailbox_form("mine", &[("master_user", "archiver")]);
        let (status, text, _) = site.call("/api/mailboxes/save", &new, Some(&user)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
        assert!(problems(&text).field_message("master_user").is_some());

        // An administrator can, with the password.
        let admin = site.sign_in(ROOT, "root-password").await;
        let fields = editor_fields(&site, id, &admin).await;
        let form = with(
            &fields,
            &[("secret", "masterpw"), ("identity_kind", "localpart")],
        );
        let (status, text, _) = site.call("/api/mailboxes/save", &form, Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        assert_eq!(acts_for(&site, id).await, "user");
    }
}

#[tokio::test]
async fn the_services_apply_the_same_rules_for_the_command_line_and_the_web() {
    for db in databases().await {
        let site = Site::new(&db).await;
        let id = master_user_mailbox(&site).await;
        let row = site.mailboxes.by_id(id).await.unwrap();
        let mailboxes = &site.mailboxes;
        let before = mailboxes.input_of(&row).unwrap();
        let password = Secret::new("masterpw");

        let mut elsewhere = before.clone();
        elsewhere.email_address = Some("root@example.com".into());
        for editor in [Editor::Owner, Editor::Admin] {
            let refused = mailboxes
                .update(editor, id, &elsewhere, None)
                .await
                .unwrap_err();
            let MailboxError::Invalid(errors) = refused else {
                panic!("{refused:?}");
            };
            assert!(errors.iter().any(|error| error.field == "email_address"));
            assert!(
                mailboxes
                    .probe_row(editor, row.owner_id, Some(&row), &elsewhere, None)
                    .await
                    .is_err()
            );
        }
        match mailboxes
            .update(Editor::Owner, id, &elsewhere, Some(&password))
            .await
        {
            Err(MailboxError::Invalid(errors)) => {
                assert_eq!(errors[0].field, "email_address", "{errors:?}")
            }
            other => panic!("an owner changed whom a master user acts for: {other:?}"),
        }
        let mut own = MailboxInput::new("own master", "imap.example.com", "someone");
        own.master_user = Some("archiver".into());
        assert!(matches!(
            mailboxes
                .create(Editor::Owner, Some(site.user_id), &own, Some(&password))
                .await,
            Err(MailboxError::Invalid(errors)) if errors[0].field == "master_user"
        ));
        mailboxes
            .update(Editor::Admin, id, &elsewhere, Some(&password))
            .await
            .unwrap();
        assert_eq!(acts_for(&site, id).await, "root@example.com");
    }
}

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
    site.mailboxes
        .oauth()
        .apps()
        .save(None, &input, secret, &tresor::audit::Actor::Operator)
        .await
        .unwrap()
}

fn graph_form(name: &str, root: &str, app_id: i64, changes: &[(&str, &str)]) -> String {
    let app_id = app_id.to_string();
    let valid: Vec<(&str, &str)> = vec![
        ("id", ""),
        ("name", name),
        ("source", "graph"),
        ("host", root),
        ("port", "993"),
        ("security", "tls"),
        ("auth_method", "xoauth2"),
        ("oauth_app", &app_id),
        ("username", "user@contoso.example"),
        ("action", "none"),
        ("success_folder", "Archived"),
        ("duplicate_folder", "Duplicates"),
        ("error_folder", "Archive errors"),
        ("success_tag", "$Archived"),
        ("duplicate_tag", "$ArchivedDuplicate"),
        ("duplicate_policy", "drop"),
        ("duplicate_match", "content"),
        ("max_connections", "2"),
        ("page_size", "25"),
    ];
    changed_form(&valid, changes)
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
            let oauth = site.mailboxes.oauth();
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
            assert!(problems(&text).field_message(field).is_some(), "{text}");
            // Saved, the sign-in is gone: someone signs in for the new settings.
            let (status, text, _) = site.call("/api/mailboxes/save", &form, Some(&user)).await;
            assert_eq!(status, StatusCode::OK, "{field}: {text}");
            let oauth = site.mailboxes.oauth();
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
            site.mailboxes
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
                problems(&text).field_message("oauth_app").is_some(),
                "{text}"
            );
        }
        assert!(site.mailboxes.by_name("ceo").await.is_err());
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
            .mailboxes
            .create(Editor::Admin, Some(site.user_id), &input, None)
            .await
            .unwrap();
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
            problems(&text).field_message("oauth_app").is_some(),
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
            site.mailboxes.by_id(row.id).await.unwrap().username,
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
                assert!(problems(&text).field_message("host").is_some(), "{text}");
            }
        }
        // A root saved before (or no longer configured) gets no token.
        let mut input =
            MailboxInput::new("older", "https://graph.microsoft.com/v1.0", "a@b.example");
        input.source = Source::Graph;
        input.oauth_app_id = Some(app);
        let row = site
            .mailboxes
            .create(Editor::Admin, Some(site.root_id), &input, None)
            .await
            .unwrap();
        site.mailboxes
            .oauth()
            .store(row.id, app, Flow::AuthorizationCode, &tokens())
            .await
            .unwrap();
        let mut moved: tresor::db::entity::mailbox::ActiveModel = row.into();
        moved.host = sea_orm::Set("https://graph.attacker.example/v1.0".into());
        let moved = sea_orm::ActiveModelTrait::update(moved, &site.db)
            .await
            .unwrap();
        let refused = site
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

struct FixedToken;

#[async_trait::async_trait]
impl TokenSource for FixedToken {
    async fn token(&self, _refused: Option<&Secret>) -> Result<Secret, GraphError> {
        Ok(Secret::new("bearer-for-graph-only"))
    }
}

/// Serves `router` on a free local port; its base URL.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{address}")
}

/// A server that counts what reaches it.
async fn bystander() -> (String, Arc<AtomicUsize>) {
    let reached = Arc::new(AtomicUsize::new(0));
    let counter = reached.clone();
    let router = axum::Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            axum::Json(serde_json::json!({ "value": [] }))
        }
    });
    (serve(router).await, reached)
}

#[tokio::test]
async fn the_graph_client_follows_no_redirect_and_no_link_off_its_root() {
    let (elsewhere, reached) = bystander().await;
    let target = format!("{elsewhere}/collect");
    let redirecting = axum::Router::new().fallback(move || {
        let target = target.clone();
        async move { (StatusCode::FOUND, [(axum::http::header::LOCATION, target)]) }
    });
    let graph = serve(redirecting).await;
    let client = Client::new(
        &format!("{graph}/v1.0"),
        "anna@contoso.example",
        Arc::new(FixedToken),
        tresor::connect::Destinations::Any,
    );
    let answer = client
        .get_json::<serde_json::Value>(&client.url("mailFolders"), None)
        .await;
    assert!(answer.is_err(), "{answer:?}");
    assert_eq!(
        reached.load(Ordering::SeqCst),
        0,
        "the redirect was followed"
    );

    // A next link to another origin is not followed either.
    let next = format!("{elsewhere}/v1.0/users/anna/mailFolders/inbox/messages/delta?$skiptoken=1");
    let paging = axum::Router::new().fallback(move || {
        let next = next.clone();
        async move { axum::Json(serde_json::json!({ "value": [], "@odata.nextLink": next })) }
    });
    let graph = serve(paging).await;
    let client = Client::new(
        &format!("{graph}/v1.0"),
        "anna@contoso.example",
        Arc::new(FixedToken),
        tresor::connect::Destinations::Any,
    );
    let round = tresor::graph::delta_round(&client, "inbox", None, 10).await;
    assert!(round.is_err(), "{round:?}");
    assert_eq!(
        reached.load(Ordering::SeqCst),
        0,
        "the token went elsewhere"
    );
}

#[tokio::test]
async fn the_graph_client_refuses_an_oversized_answer() {
    use axum::body::Body;
    use axum::routing::get;
    // A JSON page larger than any Graph sends, streamed without a length.
    let padding = tresor::graph::MAX_JSON_BYTES + 1;
    let chunks = move || {
        let head = futures::stream::once(async {
            Ok::<_, std::io::Error>(b"{\"value\":[],\"pad\":\"".to_vec())
        });
        let body =
            futures::stream::iter((0..padding.div_ceil(65536)).map(|_| Ok(vec![b'a'; 65536])));
        let tail = futures::stream::once(async { Ok(b"\"}".to_vec()) });
        Body::from_stream(futures::StreamExt::chain(
            futures::StreamExt::chain(head, body),
            tail,
        ))
    };
    // A message longer than Exchange can hold, with its length said.
    let mime = tresor::graph::MAX_MIME_BYTES + 1;
    let message = move || {
        let body = futures::stream::iter(
            (0..mime.div_ceil(1 << 20)).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 1 << 20])),
        );
        axum::response::Response::builder()
            .header("content-length", (mime.div_ceil(1 << 20) << 20).to_string())
            .body(Body::from_stream(body))
            .unwrap()
    };
    let router = axum::Router::new()
        .route(
            "/v1.0/users/{user}/mailFolders",
            get(move || async move { chunks() }),
        )
        .route(
            "/v1.0/users/{user}/messages/{id}/$value",
            get(move || async move { message() }),
        );
    let graph = serve(router).await;
    let client = Client::new(
        &format!("{graph}/v1.0"),
        "anna@contoso.example",
        Arc::new(FixedToken),
        tresor::connect::Destinations::Any,
    );
    let page = client
        .get_json::<serde_json::Value>(&client.url("mailFolders"), None)
        .await;
    assert!(
        matches!(&page, Err(GraphError::BadAnswer { reason, .. }) if reason.contains("larger than")),
        "{page:?}"
    );
    let bytes = client.get_bytes(&client.url("messages/m1/$value")).await;
    assert!(
        matches!(&bytes, Err(GraphError::BadAnswer { reason, .. }) if reason.contains("larger than")),
        "{:?}",
        bytes.as_ref().map(Vec::len)
    );
}
