//! OAuth sign-in for mailboxes from the browser (`app::api::oauth` and
//! `/oauth/*`) against the test bed's authorization server.

use crate::harness::{Site, databases, service_env, struct_form, urlencode};
use axum::http::{StatusCode, header};

/// OAuth from the browser's side, against the test bed's authorization
/// server: sign-in apps are for admins and never give their secret back; a
/// mailbox's manager signs it in with a code (polled by the server) or
/// app-only, and out again; the dashboard says who must sign in; the
/// authorization-code routes send the browser to the provider with PKCE and
/// take a refusal back as a message; every step is audit-logged.
#[tokio::test]
async fn mailboxes_sign_in_with_oauth_through_the_browser_functions() {
    use app::model::DashboardView;
    use app::model::oauth::{
        DeviceProgress, DeviceSignIn, MailboxSignIn, SignInAppsView, SignInState,
    };
    let Some(oauth_url) = service_env("TRESOR_TEST_OAUTH_URL", "the OAuth2 test server") else {
        return;
    };
    for db in databases().await {
        let site = Site::new(&db).await;
        let admin = site.sign_in("root@example.com", "root-password").await;
        let user = site.sign_in("user@example.com", "user-password").await;
        // `client`: the test server's clients; "short" ones get 30-second tokens,
        // which Tresor renews at every use (its margin is two minutes).
        let app_form = |name: &str, client: &str, secret: &str| {
            let fields = [
                ("name", name),
                ("provider", "microsoft"),
                ("tenant", "contoso.example"),
                ("authority", oauth_url.as_str()),
                ("client_id", client),
                ("client_secret", secret),
                (
                    "scopes",
                    "https://outlook.office.com/IMAP.AccessAsUser.All\noffline_access",
                ),
            ];
            struct_form("form", &fields)
        };

        for (path, body) in [
            ("/api/oauth/apps", String::new()),
            ("/api/oauth/save_app", app_form("Nope", "tresor-public", "")),
            ("/api/oauth/remove_app", "id=1".to_string()),
        ] {
            let (status, _, _) = site.call(path, &body, Some(&user)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        }
        let (status, body, _) = site
            .call(
                "/api/oauth/save_app",
                &app_form("Contoso", "tresor-short-public", ""),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body, _) = site.call("/api/oauth/apps", "", Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(!body.contains("tresor-client-secret"), "write-only: {body}");
        let apps: SignInAppsView = serde_json::from_str(&body).unwrap();
        assert!(!apps.apps[0].has_secret, "a public client");
        assert!(apps.default_redirect_url.ends_with("/oauth/callback"));
        let app_id = apps.apps[0].id;

        let mailbox = site
            .add_oauth_mailbox("M365 Vertrieb", "localhost", "user3", app_id)
            .await;
        let id = format!("id={}", mailbox.id);
        let sign_in_state = || async {
            let (status, body, _) = site.call("/api/mailboxes/sign_in", &id, Some(&user)).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            serde_json::from_str::<Option<MailboxSignIn>>(&body)
                .unwrap()
                .unwrap()
        };
        let state = sign_in_state().await;
        assert_eq!(state.state, SignInState::NotSignedIn);
        assert!(state.interactive && state.device_flow && !state.app_only);
        let (_, body, _) = site.call("/api/dashboard/summary", "", Some(&user)).await;
        let dashboard: DashboardView = serde_json::from_str(&body).unwrap();
        assert!(
            dashboard
                .attention
                .iter()
                .any(|item| item.mailbox_id == mailbox.id && item.problem.contains("Not signed in")),
            "{body}"
        );
        // With a code: shown, entered at the provider, polled by the server.
        let (status, body, _) = site
            .call("/api/mailboxes/device_sign_in", &id, Some(&user))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let code: DeviceSignIn = serde_json::from_str(&body).unwrap();
        assert!(code.message.unwrap().contains(&code.user_code));
        let entered = reqwest::get(format!(
            "{oauth_url}/device?user_code={}&user=user3",
            code.user_code
        ))
        .await
        .unwrap();
        assert!(entered.status().is_success());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let (_, body, _) = site
                .call("/api/mailboxes/device_sign_in_progress", &id, Some(&user))
                .await;
            match serde_json::from_str::<DeviceProgress>(&body).unwrap() {
                DeviceProgress::SignedIn => break,
                DeviceProgress::Failed { message } => panic!("{message}"),
                _ if std::time::Instant::now() > deadline => panic!("still waiting: {body}"),
                _ => tokio::time::sleep(std::time::Duration::from_millis(300)).await,
            }
        }
        let state = sign_in_state().await;
        assert_eq!(state.state, SignInState::SignedIn);
        assert_eq!(state.flow.as_deref(), Some("device_code"));
        let token = site
            .services
            .mailboxes
            .oauth()
            .access_token(mailbox.id, "M365 Vertrieb", app_id)
            .await;
        assert!(token.is_ok(), "{token:?}");

        // The user's sessions are revoked at the provider: at the next renewal
        // the mailbox needs a sign-in, and the dashboard says so.
        let revoked = reqwest::Client::new()
            .post(format!("{oauth_url}/test/revoke"))
            .form(&[("user", "user3")])
            .send()
            .await
            .unwrap();
        assert!(revoked.status().is_success());
        let refused = site
            .services
            .mailboxes
            .oauth()
            .access_token(mailbox.id, "M365 Vertrieb", app_id)
            .await;
        assert!(refused.is_err(), "{refused:?}");
        let state = sign_in_state().await;
        assert_eq!(state.state, SignInState::NeedsSignIn);
        assert!(state.error.unwrap().contains("invalid_grant"));
        let (_, body, _) = site.call("/api/dashboard/summary", "", Some(&user)).await;
        let dashboard: DashboardView = serde_json::from_str(&body).unwrap();
        assert!(
            dashboard
                .attention
                .iter()
                .any(|item| item.mailbox_id == mailbox.id
                    && item.problem.starts_with("Needs a new sign-in")
                    && item.problem.contains("invalid_grant")),
            "{body}"
        );

        // App-only is the administrators' (its token reads the whole
        // organisation) and needs an app for it (a resource's /.default
        // scope), then signed out.
        let (status, body, _) = site
            .call("/api/mailboxes/app_only_sign_in", &id, Some(&user))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, body, _) = site
            .call("/api/mailboxes/app_only_sign_in", &id, Some(&admin))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "delegated scopes: {body}");
        let app_only = app_form(
            "Contoso app-only",
            "tresor-confidential",
            "tresor-client-secret",
        )
        .replace(
            &urlencode("https://outlook.office.com/IMAP.AccessAsUser.All\noffline_access"),
            &urlencode("https://outlook.office365.com/.default"),
        );
        let (status, body, _) = site
            .call("/api/oauth/save_app", &app_only, Some(&admin))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, body, _) = site.call("/api/oauth/apps", "", Some(&admin)).await;
        let apps: SignInAppsView = serde_json::from_str(&body).unwrap();
        assert!(!body.contains("tresor-client-secret"), "write-only: {body}");
        let app_only_app = apps
            .apps
            .iter()
            .find(|app| app.form.name == "Contoso app-only")
            .unwrap();
        assert!(app_only_app.has_secret);
        let app_only_id = app_only_app.id;
        site.services
            .mailboxes
            .set_oauth_app(mailbox.id, Some(app_only_id))
            .await
            .unwrap();
        let state = sign_in_state().await;
        assert!(state.app_only && !state.interactive && !state.device_flow);
        let (status, body, _) = site
            .call("/api/mailboxes/app_only_sign_in", &id, Some(&admin))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            sign_in_state().await.flow.as_deref(),
            Some("client_credentials")
        );
        // Signed out, the grant is gone.
        let (status, _, _) = site.call("/api/mailboxes/sign_out", &id, Some(&user)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(sign_in_state().await.state, SignInState::NotSignedIn);
        // A grant from the app the mailbox used before goes with the app.
        let (status, body, _) = site
            .call("/api/mailboxes/app_only_sign_in", &id, Some(&admin))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        site.services
            .mailboxes
            .set_oauth_app(mailbox.id, Some(app_id))
            .await
            .unwrap();
        assert_eq!(sign_in_state().await.state, SignInState::NotSignedIn);
        let other_app = site
            .services
            .mailboxes
            .oauth()
            .access_token(mailbox.id, "M365 Vertrieb", app_only_id)
            .await
            .unwrap_err()
            .to_string();
        assert!(other_app.contains("needs a new sign-in"), "{other_app}");

        site.services
            .mailboxes
            .set_oauth_app(mailbox.id, Some(app_id))
            .await
            .unwrap();
        // An app in use cannot go.
        let (status, body, _) = site
            .call(
                "/api/oauth/remove_app",
                &format!("id={app_id}"),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body.contains("M365 Vertrieb"), "{body}");

        // The authorization code: to the provider with PKCE …
        let (status, location) = site.start_oauth(mailbox.id, &user).await;
        assert_eq!(status, StatusCode::OK);
        let location = location.expect("on to the provider");
        assert!(
            location.starts_with(&format!(
                "{oauth_url}/contoso.example/oauth2/v2.0/authorize?"
            )),
            "{location}"
        );
        assert!(
            location.contains("code_challenge_method=S256"),
            "{location}"
        );
        assert!(location.contains("login_hint=user3"), "{location}");
        let state = location
            .split(['?', '&'])
            .find_map(|pair| pair.strip_prefix("state="))
            .unwrap()
            .to_string();
        // … another user cannot start it or finish it …
        let (status, location) = site.start_oauth(mailbox.id, &admin).await;
        assert!(
            status == StatusCode::OK && location.is_some(),
            "admins manage it"
        );
        let (status, _, _) = site
            .get("/oauth/callback?state=bogus&code=x", Some(&user))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // … and a refusal at the provider comes back as a message.
        let (status, headers, _) = site
            .get(
                &format!("/oauth/callback?state={state}&error=access_denied&error_description=AADSTS65004%3A+User+declined"),
                Some(&user),
            )
            .await;
        assert!(status.is_redirection());
        let back = headers[header::LOCATION].to_str().unwrap();
        assert!(
            back.starts_with(&format!("/mailboxes/{}?sign_in_error=", mailbox.id)),
            "{back}"
        );
        // Used once.
        let (status, _, _) = site
            .get(
                &format!("/oauth/callback?state={state}&code=x"),
                Some(&user),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _, _) = site
            .call(&format!("/oauth/start/{}", mailbox.id), "", None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        use tresor::db::entity::audit_entry;
        let entries = audit_entry::Entity::find()
            .filter(audit_entry::Column::Action.is_in([
                "sign_in_app_saved",
                "mailbox_signed_in",
                "mailbox_signed_out",
            ]))
            .all(&db.connection)
            .await
            .unwrap();
        assert!(entries.len() >= 4, "{}: {entries:?}", db.name);
        assert!(
            entries
                .iter()
                .all(|entry| !entry.details.contains("tresor-client-secret"))
        );
    }
}

/// Gmail's way: a Google sign-in app (authorization code + PKCE with offline
/// access; Google has no device flow for mail) against the Google-shaped
/// endpoints of the test bed's authorization server, the provider's page
/// answered as a person would, back through `/oauth/callback`.
#[tokio::test]
async fn a_gmail_mailbox_signs_in_through_googles_authorization_code_flow() {
    use app::model::oauth::{MailboxSignIn, SignInState};
    let Some(oauth_url) = service_env("TRESOR_TEST_OAUTH_URL", "the OAuth2 test server") else {
        return;
    };
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for db in databases().await {
        let site = Site::new(&db).await;
        let admin = site.sign_in("root@example.com", "root-password").await;
        let user = site.sign_in("user@example.com", "user-password").await;
        let apps = site
            .save_sign_in_app(
                &admin,
                &[
                    ("name", "Google Workspace"),
                    ("provider", "google"),
                    ("authority", oauth_url.as_str()),
                    ("client_id", "tresor-public"),
                    ("scopes", "https://mail.google.com/"),
                ],
            )
            .await;
        let mailbox = site
            .add_oauth_mailbox("Gmail", "localhost", "user1", apps.apps[0].id)
            .await;
        let id = format!("id={}", mailbox.id);
        let state = || async {
            let (_, body, _) = site.call("/api/mailboxes/sign_in", &id, Some(&user)).await;
            serde_json::from_str::<Option<MailboxSignIn>>(&body)
                .unwrap()
                .unwrap()
        };
        let before = state().await;
        assert!(before.interactive && !before.device_flow, "{before:?}");
        let (status, body, _) = site
            .call("/api/mailboxes/device_sign_in", &id, Some(&user))
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body.contains("Google refuses the Gmail scope"), "{body}");

        let (status, authorize) = site.start_oauth(mailbox.id, &user).await;
        assert_eq!(status, StatusCode::OK);
        let authorize = authorize.expect("on to the provider");
        assert!(
            authorize.starts_with(&format!("{oauth_url}/o/oauth2/v2/auth?")),
            "{authorize}"
        );
        for part in [
            "access_type=offline",
            "prompt=consent",
            "code_challenge_method=S256",
        ] {
            assert!(authorize.contains(part), "{part} in {authorize}");
        }
        // The person at Google's page: the page's hidden request, accepted.
        let page = browser
            .get(&authorize)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let request = page
            .split("name=\"request\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the sign-in page's form")
            .to_string();
        let answered = browser
            .post(format!("{oauth_url}/o/oauth2/v2/auth"))
            .form(&[
                ("request", request.as_str()),
                ("user", "user1"),
                ("answer", "accept"),
            ])
            .send()
            .await
            .unwrap();
        let back = answered.headers()[reqwest::header::LOCATION]
            .to_str()
            .unwrap()
            .to_string();
        let callback = &back[back.find("/oauth/callback").expect("back to Tresor")..];
        let (status, headers, _) = site.get(callback, Some(&user)).await;
        assert!(status.is_redirection(), "{status}");
        assert_eq!(
            headers[header::LOCATION].to_str().unwrap(),
            format!("/mailboxes/{}?signed_in=1", mailbox.id)
        );
        let after = state().await;
        assert_eq!(after.state, SignInState::SignedIn);
        assert_eq!(after.flow.as_deref(), Some("authorization_code"));
        let token = site
            .services
            .mailboxes
            .oauth()
            .access_token(mailbox.id, "Gmail", apps.apps[0].id)
            .await;
        assert!(token.is_ok(), "{token:?}");
    }
}
