//! The OAuth2 grants Tresor takes part in, over the `oauth2` crate: the
//! authorization code with PKCE (a browser signs in), the device code (the
//! code is shown, someone enters it elsewhere; RFC 8628 polling, `slow_down`
//! obeyed), client credentials (app-only) and refreshing. Each answers with
//! `Tokens` or an `OAuthError` that says whether signing in again helps.

use super::OAuthError;
use super::apps::App;
use crate::secrets::Secret;
use oauth2::basic::{BasicClient, BasicErrorResponse};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    DeviceAuthorizationUrl, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken,
    RequestTokenError, Scope, TokenResponse, TokenUrl,
};
use std::time::Duration;

/// What a successful grant gives.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access: Secret,
    /// Only where `offline_access` (or Google's offline access) was granted.
    pub refresh: Option<Secret>,
    pub expires_in: Option<Duration>,
    pub scope: String,
}

/// Microsoft adds a ready-made sentence to its device authorization.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
struct DeviceFields {
    #[serde(default)]
    message: Option<String>,
}

impl oauth2::ExtraDeviceAuthorizationFields for DeviceFields {}

type DeviceDetails = oauth2::DeviceAuthorizationResponse<DeviceFields>;

/// A device authorization under way: what to show, and what to poll with.
#[derive(Debug, Clone)]
pub struct DeviceAuthorization {
    pub user_code: String,
    pub verification_uri: String,
    /// The provider's own sentence, e.g. "To sign in, use a web browser …".
    pub message: Option<String>,
    pub expires_in: Duration,
    details: DeviceDetails,
}

/// An authorization-code flow about to start: send the browser to `url`;
/// keep `state` and `verifier` until it comes back.
pub struct AuthorizationStart {
    pub url: String,
    pub state: String,
    pub verifier: Secret,
}

/// The HTTP client for token endpoints: never follows redirects (a
/// redirected token request could leak the code or secret).
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("the HTTP client builds with rustls")
}

fn url_error(what: &str, url: &str) -> OAuthError {
    OAuthError::Settings(format!("the {what} address {url:?} is not a valid URL"))
}

type Client = oauth2::Client<
    BasicErrorResponse,
    oauth2::basic::BasicTokenResponse,
    oauth2::basic::BasicTokenIntrospectionResponse,
    oauth2::StandardRevocableToken,
    oauth2::basic::BasicRevocationErrorResponse,
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

/// The app as an `oauth2` client: authorize and token endpoints set, the
/// client credentials sent in the request body as Microsoft and Google document.
fn client(app: &App) -> Result<Client, OAuthError> {
    let mut client = BasicClient::new(ClientId::new(app.client_id.clone()))
        .set_auth_uri(
            AuthUrl::new(app.endpoints.authorize.clone())
                .map_err(|_| url_error("sign-in", &app.endpoints.authorize))?,
        )
        .set_token_uri(
            TokenUrl::new(app.endpoints.token.clone())
                .map_err(|_| url_error("token", &app.endpoints.token))?,
        )
        .set_auth_type(AuthType::RequestBody);
    if let Some(secret) = &app.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.expose().to_string()));
    }
    Ok(client)
}

fn scopes(app: &App) -> impl Iterator<Item = Scope> + '_ {
    app.scopes.iter().cloned().map(Scope::new)
}

/// The provider's refusal or the transport's failure, in words; Microsoft's
/// descriptions carry trace ids after the first line, which people need not read.
fn token_error<RE, T>(error: RequestTokenError<RE, oauth2::StandardErrorResponse<T>>) -> OAuthError
where
    RE: std::error::Error + 'static,
    T: oauth2::ErrorResponseType + std::fmt::Display,
{
    match error {
        RequestTokenError::ServerResponse(response) => OAuthError::Refused {
            error: response.error().to_string(),
            description: response
                .error_description()
                .and_then(|text| text.lines().next())
                .unwrap_or_default()
                .to_string(),
        },
        RequestTokenError::Request(error) => {
            let mut text = error.to_string();
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                text = format!("{text}: {cause}");
                source = cause.source();
            }
            OAuthError::Unreachable(text)
        }
        RequestTokenError::Parse(error, _) => OAuthError::BadAnswer(error.to_string()),
        RequestTokenError::Other(text) => OAuthError::BadAnswer(text),
    }
}

fn tokens_of(response: &oauth2::basic::BasicTokenResponse, asked: &App) -> Tokens {
    Tokens {
        access: Secret::new(response.access_token().secret()),
        refresh: response
            .refresh_token()
            .map(|token| Secret::new(token.secret())),
        expires_in: response.expires_in(),
        scope: response
            .scopes()
            .map(|scopes| {
                scopes
                    .iter()
                    .map(|scope| scope.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_else(|| asked.scopes.join(" ")),
    }
}

/// Step one of the authorization-code flow: where to send the browser.
pub fn start_authorization(
    app: &App,
    redirect_url: &str,
    login_hint: Option<&str>,
) -> Result<AuthorizationStart, OAuthError> {
    let client = client(app)?.set_redirect_uri(
        RedirectUrl::new(redirect_url.to_string())
            .map_err(|_| url_error("redirect", redirect_url))?,
    );
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(scopes(app))
        .set_pkce_challenge(challenge);
    if let Some(hint) = login_hint.filter(|hint| !hint.is_empty()) {
        request = request.add_extra_param("login_hint", hint);
    }
    if app.provider == super::Provider::Google {
        // Google hands out a refresh token only with offline access.
        request = request
            .add_extra_param("access_type", "offline")
            .add_extra_param("prompt", "consent");
    }
    let (url, state) = request.url();
    Ok(AuthorizationStart {
        url: url.to_string(),
        state: state.secret().clone(),
        verifier: Secret::new(verifier.secret()),
    })
}

/// Step two: the code the provider sent the browser back with, redeemed
/// with the PKCE verifier.
pub async fn redeem_code(
    http: &reqwest::Client,
    app: &App,
    code: &str,
    verifier: &Secret,
    redirect_url: &str,
) -> Result<Tokens, OAuthError> {
    let client = client(app)?.set_redirect_uri(
        RedirectUrl::new(redirect_url.to_string())
            .map_err(|_| url_error("redirect", redirect_url))?,
    );
    let response = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.expose().to_string()))
        .request_async(http)
        .await
        .map_err(token_error)?;
    Ok(tokens_of(&response, app))
}

/// Asks for a device code to show.
pub async fn start_device(
    http: &reqwest::Client,
    app: &App,
) -> Result<DeviceAuthorization, OAuthError> {
    let Some(device_url) = app.endpoints.device.clone() else {
        return Err(OAuthError::Settings(
            "this provider has no device sign-in for mail (Google refuses the Gmail scope there); use \"Sign in\" in the browser".into(),
        ));
    };
    let client = client(app)?.set_device_authorization_url(
        DeviceAuthorizationUrl::new(device_url.clone())
            .map_err(|_| url_error("device sign-in", &device_url))?,
    );
    let details: DeviceDetails = client
        .exchange_device_code()
        .add_scopes(scopes(app))
        .request_async(http)
        .await
        .map_err(token_error)?;
    Ok(DeviceAuthorization {
        user_code: details.user_code().secret().clone(),
        verification_uri: details.verification_uri().to_string(),
        message: details.extra_fields().message.clone(),
        expires_in: details.expires_in(),
        details,
    })
}

/// Polls until the code is entered and granted, declined or expired;
/// `authorization_pending` waits the interval, `slow_down` adds five seconds
/// to it for good (RFC 8628 §3.5).
pub async fn finish_device(
    http: &reqwest::Client,
    app: &App,
    device: &DeviceAuthorization,
) -> Result<Tokens, OAuthError> {
    let device_url = app.endpoints.device.clone().unwrap_or_default();
    let client = client(app)?.set_device_authorization_url(
        DeviceAuthorizationUrl::new(device_url.clone())
            .map_err(|_| url_error("device sign-in", &device_url))?,
    );
    let response = client
        .exchange_device_access_token(&device.details)
        .request_async(http, tokio::time::sleep, Some(device.expires_in))
        .await
        .map_err(|error| match token_error(error) {
            // The server's answer, or the crate's own at the code's lifetime.
            OAuthError::Refused { error, .. } if error == "expired_token" => {
                OAuthError::DeviceCodeExpired
            }
            OAuthError::Refused { error, .. }
                if error == "authorization_declined" || error == "access_denied" =>
            {
                OAuthError::Declined
            }
            other => other,
        })?;
    Ok(tokens_of(&response, app))
}

/// App-only: a token for the app itself (no refresh token; asked anew).
pub async fn client_credentials(http: &reqwest::Client, app: &App) -> Result<Tokens, OAuthError> {
    if app.client_secret.is_none() {
        return Err(OAuthError::Settings(
            "app-only access needs the app's client secret".into(),
        ));
    }
    let response = client(app)?
        .exchange_client_credentials()
        .add_scopes(scopes(app))
        .request_async(http)
        .await
        .map_err(token_error)?;
    Ok(tokens_of(&response, app))
}

/// A new access token for a refresh token (and, usually, a new refresh token).
pub async fn refresh(
    http: &reqwest::Client,
    app: &App,
    refresh_token: &Secret,
) -> Result<Tokens, OAuthError> {
    let response = client(app)?
        .exchange_refresh_token(&RefreshToken::new(refresh_token.expose().to_string()))
        .request_async(http)
        .await
        .map_err(token_error)?;
    Ok(tokens_of(&response, app))
}
