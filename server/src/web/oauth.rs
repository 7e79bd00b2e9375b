//! OAuth sign-in from the browser: the server side of `app::api::oauth`
//! (sign-in apps for admins; a mailbox's sign-in state, sign-in with a code,
//! app-only access for administrators) and the two routes of the
//! authorization-code flow, `POST /oauth/start/{mailbox}` (to the provider,
//! with PKCE) and `/oauth/callback` (back from it; a GET from the provider's
//! site by design, accepted only with the `state` of a flow the same user
//! started here).

use super::backend::WebBackend;
use super::caller::{actor, managed_mailbox, session_caller};
use super::error::internal;
use super::refusal::Refusal;
use super::state::AppState;
use crate::oauth::{AppInput, Flow, OAuthError, SecretChange, flows};
use crate::secrets::Secret;
use app::api::backend::OAuthBackend;
use app::error::ApiError;
use app::model::SessionUser;
use app::model::oauth::{
    DeviceProgress, DeviceSignIn, MailboxSignIn, SignInAppForm, SignInAppView, SignInAppsView,
    SignInState,
};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::HashMap;

#[async_trait::async_trait]
impl OAuthBackend for WebBackend {
    async fn sign_in_apps(&self) -> Result<SignInAppsView, ApiError> {
        let state = &self.state;
        let apps = state.mailboxes.oauth().apps();
        let mut users: HashMap<i64, Vec<String>> = HashMap::new();
        for row in state.mailboxes.list().await? {
            if let Some(app_id) = row.oauth_app_id {
                users.entry(app_id).or_default().push(row.name);
            }
        }
        let views = apps
            .list()
            .await?
            .into_iter()
            .map(|row| SignInAppView {
                form: SignInAppForm {
                    id: row.id.to_string(),
                    name: row.name,
                    provider: row.provider,
                    tenant: row.tenant,
                    authority: row.authority,
                    authorize_url: row.authorize_url,
                    token_url: row.token_url,
                    device_url: row.device_url,
                    client_id: row.client_id,
                    client_secret: String::new(),
                    forget_secret: None,
                    scopes: row.scopes,
                    redirect_url: row.redirect_url.clone(),
                },
                redirect_url: state.oauth_redirect_url(&row.redirect_url),
                used_by: users.remove(&row.id).unwrap_or_default(),
                id: row.id,
                has_secret: row.secret_sealed.is_some(),
            })
            .collect();
        Ok(SignInAppsView {
            apps: views,
            default_redirect_url: state.oauth_redirect_url(""),
        })
    }

    async fn save_sign_in_app(
        &self,
        caller: &SessionUser,
        form: SignInAppForm,
    ) -> Result<(), ApiError> {
        let state = &self.state;
        let id = match form.id.trim() {
            "" => None,
            id => Some(id.parse::<i64>().map_err(|_| ApiError::NotFound)?),
        };
        let secret = if form.forget_secret.is_some() {
            SecretChange::Remove
        } else if form.client_secret.is_empty() {
            SecretChange::Keep
        } else {
            SecretChange::Set(Secret::new(&form.client_secret))
        };
        let input = AppInput {
            name: form.name,
            provider: form.provider,
            tenant: form.tenant,
            authority: form.authority,
            authorize_url: form.authorize_url,
            token_url: form.token_url,
            device_url: form.device_url,
            client_id: form.client_id,
            scopes: form.scopes,
            redirect_url: form.redirect_url,
        };
        let apps = state.mailboxes.oauth().apps();
        apps.save(id, &input, secret, &actor(caller)).await?;
        Ok(())
    }

    async fn remove_sign_in_app(&self, caller: &SessionUser, id: i64) -> Result<(), ApiError> {
        let apps = self.state.mailboxes.oauth().apps();
        Ok(apps.remove(id, &actor(caller)).await?)
    }

    /// The apps' names, for the mailbox editor's choice.
    async fn sign_in_app_names(&self) -> Result<Vec<(i64, String)>, ApiError> {
        let state = &self.state;
        Ok(state
            .mailboxes
            .oauth()
            .apps()
            .list()
            .await?
            .into_iter()
            .map(|row| (row.id, row.name))
            .collect())
    }

    async fn mailbox_sign_in(
        &self,
        caller: &SessionUser,
        mailbox_id: i64,
    ) -> Result<Option<MailboxSignIn>, ApiError> {
        let state = &self.state;
        let row = managed_mailbox(state, caller, mailbox_id).await?;
        let Some(app_id) = row.oauth_app_id else {
            return Ok(None);
        };
        let oauth = state.mailboxes.oauth();
        let app = oauth.apps().app(app_id).await?;
        let grant = oauth.state(mailbox_id, app_id).await?;
        // Nobody signs in for an app-only app; an administrator grants it.
        let app_only = app.is_app_only();
        Ok(Some(MailboxSignIn {
            app_name: app.name,
            provider: app.provider.as_str().into(),
            state: match &grant {
                None => SignInState::NotSignedIn,
                Some(grant) if grant.needs_sign_in => SignInState::NeedsSignIn,
                Some(_) => SignInState::SignedIn,
            },
            error: grant.as_ref().and_then(|grant| grant.error.clone()),
            signed_in_at: grant.as_ref().map(|grant| grant.signed_in_at),
            flow: grant.as_ref().map(|grant| grant.flow.as_str().to_string()),
            device_flow: app.endpoints.device.is_some() && !app_only,
            interactive: !app_only,
            app_only,
        }))
    }

    /// Starts a sign-in with a code; a task polls until it ends and keeps the tokens.
    async fn start_device_sign_in(
        &self,
        caller: &SessionUser,
        mailbox_id: i64,
    ) -> Result<DeviceSignIn, ApiError> {
        let state = &self.state;
        let (row, app) = managed_mailbox_app(state, caller, mailbox_id).await?;
        let oauth = state.mailboxes.oauth().clone();
        let device = flows::start_device(oauth.http(), &app).await?;
        let shown = DeviceSignIn {
            user_code: device.user_code.clone(),
            verification_uri: device.verification_uri.clone(),
            message: device.message.clone(),
            expires_in_secs: device.expires_in.as_secs(),
        };
        state.device_sign_ins.set(
            mailbox_id,
            DeviceProgress::Waiting {
                sign_in: shown.clone(),
            },
        );
        let sign_ins = state.device_sign_ins.clone();
        let actor = actor(caller);
        let mailbox_name = row.name.clone();
        tokio::spawn(async move {
            let outcome = match flows::finish_device(oauth.http(), &app, &device).await {
                Ok(tokens) => oauth
                    .store(mailbox_id, app.id, Flow::DeviceCode, &tokens)
                    .await
                    .map(|()| DeviceProgress::SignedIn),
                Err(error) => Err(error),
            };
            let progress = outcome.unwrap_or_else(|error| DeviceProgress::Failed {
                message: error.to_string(),
            });
            let signed_in = progress == DeviceProgress::SignedIn;
            let recorded = oauth
                .record_sign_in(&mailbox_name, Flow::DeviceCode, signed_in, &actor)
                .await;
            if let Err(error) = recorded {
                tracing::error!(%error, "the sign-in could not be audit-logged");
            }
            sign_ins.set(mailbox_id, progress);
        });
        Ok(shown)
    }

    async fn device_sign_in_progress(
        &self,
        caller: &SessionUser,
        mailbox_id: i64,
    ) -> Result<DeviceProgress, ApiError> {
        let state = &self.state;
        managed_mailbox(state, caller, mailbox_id).await?;
        Ok(state.device_sign_ins.get(mailbox_id))
    }

    /// App-only access: the app's own token (client credentials). Only for
    /// administrators: the token reads every mailbox the app was granted, not
    /// one person's.
    async fn app_only_sign_in(
        &self,
        caller: &SessionUser,
        mailbox_id: i64,
    ) -> Result<(), ApiError> {
        let state = &self.state;
        if !caller.is_admin() {
            return Err(ApiError::Forbidden);
        }
        let (row, app) = managed_mailbox_app(state, caller, mailbox_id).await?;
        let oauth = state.mailboxes.oauth();
        let tokens = flows::client_credentials(oauth.http(), &app).await?;
        let mailbox = (mailbox_id, row.name.as_str());
        let flow = Flow::ClientCredentials;
        oauth
            .sign_in(mailbox, app.id, flow, &tokens, &actor(caller))
            .await?;
        Ok(())
    }

    async fn sign_out_mailbox(
        &self,
        caller: &SessionUser,
        mailbox_id: i64,
    ) -> Result<(), ApiError> {
        let state = &self.state;
        let row = managed_mailbox(state, caller, mailbox_id).await?;
        let oauth = state.mailboxes.oauth();
        oauth
            .sign_out((mailbox_id, &row.name), &actor(caller))
            .await?;
        Ok(())
    }
}

/// A mailbox `caller` manages, with its sign-in app (secret opened).
async fn managed_mailbox_app(
    state: &AppState,
    caller: &SessionUser,
    mailbox_id: i64,
) -> Result<(crate::mailbox::MailboxRow, crate::oauth::App), ApiError> {
    let row = managed_mailbox(state, caller, mailbox_id).await?;
    let app_id = row
        .oauth_app_id
        .ok_or_else(|| ApiError::Conflict("Choose a sign-in app for this mailbox first.".into()))?;
    let app = state.mailboxes.oauth().apps().app(app_id).await?;
    Ok((row, app))
}

// --- the authorization-code routes ---

pub fn routes<S: Clone + Send + Sync + 'static>(state: AppState) -> Router<S> {
    Router::new()
        // A POST from the mailbox page's form: starting a sign-in changes
        // state (a flow is remembered, and the provider may sign in without
        // asking), so another site's link must not be able to start it.
        .route("/oauth/start/{mailbox_id}", post(start))
        .route("/oauth/callback", get(callback))
        .with_state(state)
}

/// Back to the mailbox's page, saying how the sign-in went.
fn back_to(mailbox_id: i64, error: Option<&str>) -> Response {
    let location = match error {
        None => format!("/mailboxes/{mailbox_id}?signed_in=1"),
        Some(error) => {
            let query =
                reqwest::Url::parse_with_params("http://tresor/", [("sign_in_error", error)])
                    .ok()
                    .and_then(|url| url.query().map(str::to_string))
                    .unwrap_or_default();
            format!("/mailboxes/{mailbox_id}?{query}")
        }
    };
    Redirect::to(&location).into_response()
}

async fn start(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(mailbox_id): Path<i64>,
) -> Result<Response, Refusal> {
    let caller = session_caller(&state, &headers).await?;
    let row = managed_mailbox(&state, &caller, mailbox_id)
        .await
        .map_err(|_| Refusal(axum::http::StatusCode::NOT_FOUND, "Not found."))?;
    let Some(app_id) = row.oauth_app_id else {
        return Ok(back_to(
            mailbox_id,
            Some("Choose a sign-in app for this mailbox first."),
        ));
    };
    let begun = async {
        let oauth = state.mailboxes.oauth();
        let app = oauth.apps().app(app_id).await?;
        let redirect = state.oauth_redirect_url(&app.redirect_url);
        let hint = row.email_address.clone().unwrap_or(row.username.clone());
        let start = flows::start_authorization(&app, &redirect, Some(&hint))?;
        oauth
            .remember_flow(
                &start.state,
                mailbox_id,
                caller.id,
                &start.verifier,
                &redirect,
            )
            .await?;
        Ok::<_, OAuthError>(start.url)
    }
    .await;
    Ok(match begun {
        Ok(url) => continue_to_provider(&url),
        Err(error) => back_to(mailbox_id, Some(&error.to_string())),
    })
}

/// A page that sends the browser on to the provider. Not a redirect: the
/// app's pages allow forms to post only to Tresor (`form-action 'self'`),
/// and browsers hold a form's redirect elsewhere to that too; a page's
/// refresh is a navigation of its own.
fn continue_to_provider(url: &str) -> Response {
    let url = html_escape(url);
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"0; url={url}\">\
         <title>Signing in · Tresor</title></head>\
         <body><p><a href=\"{url}\">Continue to the sign-in</a></p></body></html>"
    );
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            ),
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        page,
    )
        .into_response()
}

fn html_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[derive(Deserialize)]
struct Callback {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(answer): Query<Callback>,
) -> Result<Response, Refusal> {
    let caller = session_caller(&state, &headers).await?;
    let unknown = Refusal(
        axum::http::StatusCode::BAD_REQUEST,
        "This sign-in is unknown or took too long. Start it again from the mailbox's page.",
    );
    let Some(flow_state) = answer.state.as_deref() else {
        return Err(unknown);
    };
    // Single use, by the person who started it, within its lifetime.
    let flow = state
        .mailboxes
        .oauth()
        .take_flow(flow_state, caller.id)
        .await
        .map_err(|error| {
            internal(&error);
            Refusal(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "Sign-ins cannot be checked right now.",
            )
        })?;
    let Some(flow) = flow else {
        return Err(unknown);
    };
    let mailbox_id = flow.mailbox_id;
    if let Some(error) = &answer.error {
        let description = answer
            .error_description
            .as_deref()
            .and_then(|text| text.lines().next())
            .unwrap_or("");
        let text = match error.as_str() {
            "access_denied" => format!("The sign-in was cancelled or declined. {description}"),
            other => format!("The provider refused the sign-in: {other}. {description}"),
        };
        return Ok(back_to(mailbox_id, Some(text.trim())));
    }
    let Some(code) = answer.code.as_deref() else {
        return Err(unknown);
    };
    let finished = async {
        let row = managed_mailbox(&state, &caller, mailbox_id)
            .await
            .map_err(|_| OAuthError::Settings("the mailbox is gone".into()))?;
        let app_id = row
            .oauth_app_id
            .ok_or_else(|| OAuthError::Settings("the mailbox has no sign-in app".into()))?;
        let oauth = state.mailboxes.oauth();
        let app = oauth.apps().app(app_id).await?;
        let tokens =
            flows::redeem_code(oauth.http(), &app, code, &flow.verifier, &flow.redirect_url)
                .await?;
        oauth
            .store(mailbox_id, app.id, Flow::AuthorizationCode, &tokens)
            .await?;
        Ok::<_, OAuthError>(row.name)
    }
    .await;
    let recorded = match &finished {
        Ok(name) => state
            .mailboxes
            .oauth()
            .record_sign_in(name, Flow::AuthorizationCode, true, &actor(&caller))
            .await
            .map_err(|error| {
                internal(&error);
            }),
        Err(_) => Ok(()),
    };
    Ok(match (finished, recorded) {
        (Ok(_), Ok(())) => back_to(mailbox_id, None),
        (Ok(_), Err(())) => back_to(mailbox_id, Some("The sign-in could not be recorded.")),
        (Err(error), _) => back_to(mailbox_id, Some(&error.to_string())),
    })
}
