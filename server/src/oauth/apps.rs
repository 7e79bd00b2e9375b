//! Sign-in apps: the OAuth2 client registrations an administrator makes
//! once per provider (an Entra ID app registration, a Google OAuth client)
//! and mailboxes or templates then use. The client secret is sealed and
//! never leaves the server.

use super::OAuthError;
use crate::audit::{Action, Actor, AuditLog};
use crate::db::entity::oauth_app;
use crate::secrets::{Secret, SecretBox};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use std::sync::Arc;

/// Who runs the authorization server, which decides its URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// Microsoft identity platform v2 (Entra ID, Microsoft 365, Outlook.com).
    Microsoft,
    Google,
    /// Any other: the three URLs are given.
    Generic,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Microsoft => "microsoft",
            Provider::Google => "google",
            Provider::Generic => "generic",
        }
    }

    pub fn parse(text: &str) -> Option<Provider> {
        match text {
            "microsoft" => Some(Provider::Microsoft),
            "google" => Some(Provider::Google),
            "generic" => Some(Provider::Generic),
            _ => None,
        }
    }

    fn default_authority(self) -> &'static str {
        match self {
            Provider::Microsoft => "https://login.microsoftonline.com",
            Provider::Google => "https://accounts.google.com",
            Provider::Generic => "",
        }
    }
}

/// The endpoints of an app's provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub authorize: String,
    pub token: String,
    /// `None` where the provider has no device flow for mail (Google refuses
    /// the Gmail scope there).
    pub device: Option<String>,
}

/// A registered app, as the flows use it (the secret opened).
#[derive(Debug, Clone)]
pub struct App {
    pub id: i64,
    pub name: String,
    pub provider: Provider,
    pub tenant: String,
    pub authority: String,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub scopes: Vec<String>,
    /// Empty: `<public URL>/oauth/callback`.
    pub redirect_url: String,
    pub endpoints: Endpoints,
}

/// What an administrator enters; the secret travels separately.
#[derive(Debug, Clone, Default)]
pub struct AppInput {
    pub name: String,
    pub provider: String,
    pub tenant: String,
    pub authority: String,
    pub authorize_url: String,
    pub token_url: String,
    pub device_url: String,
    pub client_id: String,
    /// One per line (Dr.DOC style), or separated by spaces.
    pub scopes: String,
    pub redirect_url: String,
}

/// What saving does to the stored client secret.
#[derive(Debug, Clone)]
pub enum SecretChange {
    Keep,
    Set(Secret),
    Remove,
}

fn secret_context(id: i64) -> String {
    format!("oauth_apps:{id}:secret")
}

/// The endpoints an app's settings give.
pub fn endpoints(
    provider: Provider,
    tenant: &str,
    authority: &str,
    given: (&str, &str, &str),
) -> Endpoints {
    let authority = match authority.trim().trim_end_matches('/') {
        "" => provider.default_authority().to_string(),
        other => other.to_string(),
    };
    let tenant = match tenant.trim() {
        "" => "common",
        other => other,
    };
    match provider {
        Provider::Microsoft => {
            let base = format!("{authority}/{tenant}/oauth2/v2.0");
            Endpoints {
                authorize: format!("{base}/authorize"),
                token: format!("{base}/token"),
                device: Some(format!("{base}/devicecode")),
            }
        }
        // Google's token endpoint lives on another host than its sign-in
        // page; a non-default authority (a stand-in) serves both.
        Provider::Google if authority == Provider::Google.default_authority() => Endpoints {
            authorize: format!("{authority}/o/oauth2/v2/auth"),
            token: "https://oauth2.googleapis.com/token".into(),
            device: None,
        },
        Provider::Google => Endpoints {
            authorize: format!("{authority}/o/oauth2/v2/auth"),
            token: format!("{authority}/token"),
            device: None,
        },
        Provider::Generic => Endpoints {
            authorize: given.0.trim().to_string(),
            token: given.1.trim().to_string(),
            device: Some(given.2.trim().to_string()).filter(|url| !url.is_empty()),
        },
    }
}

/// Whether the app is for app-only access (client credentials): it has a
/// client secret and asks only for resources' `/.default` scopes, which is
/// how Microsoft grants an app itself the permissions an administrator
/// consented to — for every mailbox of the organisation. (Google has no
/// client-credentials grant for mail.) Nobody signs in for such an app.
pub fn is_app_only(row: &oauth_app::Model) -> bool {
    app_only(
        row.secret_sealed.is_some(),
        Provider::parse(&row.provider).unwrap_or(Provider::Generic),
        &scopes_of(&row.scopes),
    )
}

fn app_only(has_secret: bool, provider: Provider, scopes: &[String]) -> bool {
    has_secret
        && provider != Provider::Google
        && scopes.iter().all(|scope| scope.ends_with("/.default"))
}

impl App {
    /// See `is_app_only`.
    pub fn is_app_only(&self) -> bool {
        app_only(self.client_secret.is_some(), self.provider, &self.scopes)
    }
}

pub fn scopes_of(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

/// The sign-in apps; every change to them is recorded in the audit log, by
/// whoever `by` names (an administrator in the browser, or the command line).
pub struct SignInApps {
    db: DatabaseConnection,
    secrets: Arc<SecretBox>,
    audit: AuditLog,
}

impl SignInApps {
    pub fn new(db: DatabaseConnection, secrets: Arc<SecretBox>) -> SignInApps {
        SignInApps {
            audit: AuditLog::new(db.clone()),
            db,
            secrets,
        }
    }

    pub async fn list(&self) -> Result<Vec<oauth_app::Model>, OAuthError> {
        Ok(oauth_app::Entity::find()
            .order_by_asc(oauth_app::Column::Name)
            .all(&self.db)
            .await?)
    }

    pub async fn row(&self, id: i64) -> Result<oauth_app::Model, OAuthError> {
        oauth_app::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(OAuthError::UnknownApp(id.to_string()))
    }

    pub async fn by_name(&self, name: &str) -> Result<oauth_app::Model, OAuthError> {
        oauth_app::Entity::find()
            .filter(oauth_app::Column::Name.eq(name))
            .one(&self.db)
            .await?
            .ok_or_else(|| OAuthError::UnknownApp(name.to_string()))
    }

    /// The app with its secret opened, for a flow.
    pub async fn app(&self, id: i64) -> Result<App, OAuthError> {
        let row = self.row(id).await?;
        let client_secret = row
            .secret_sealed
            .as_deref()
            .map(|sealed| self.secrets.open(sealed, &secret_context(row.id)))
            .transpose()
            .map_err(|error| OAuthError::Secret(error.to_string()))?;
        let provider = Provider::parse(&row.provider).unwrap_or(Provider::Generic);
        Ok(App {
            endpoints: endpoints(
                provider,
                &row.tenant,
                &row.authority,
                (&row.authorize_url, &row.token_url, &row.device_url),
            ),
            id: row.id,
            name: row.name,
            provider,
            tenant: row.tenant,
            authority: row.authority,
            client_id: row.client_id,
            client_secret,
            scopes: scopes_of(&row.scopes),
            redirect_url: row.redirect_url,
        })
    }

    /// Creates (`id` None) or changes an app, as `by`'s recorded change;
    /// every field problem at once. The secret is never recorded, only
    /// whether it was kept, changed or removed.
    pub async fn save(
        &self,
        id: Option<i64>,
        input: &AppInput,
        secret: SecretChange,
        by: &Actor,
    ) -> Result<i64, OAuthError> {
        let secret_change = match &secret {
            SecretChange::Keep => "kept",
            SecretChange::Set(_) => "changed",
            SecretChange::Remove => "removed",
        };
        let saved = self.write(id, input, secret).await?;
        let details = json!({
            "id": saved,
            "provider": input.provider,
            "tenant": input.tenant,
            "client_id": input.client_id,
            "scopes": input.scopes,
            "secret_change": secret_change,
        });
        let target = format!("sign-in app {}", input.name.trim());
        self.audit
            .record_change(by, Action::SignInAppSaved, &target, details)
            .await
            .map_err(OAuthError::Audit)?;
        Ok(saved)
    }

    async fn write(
        &self,
        id: Option<i64>,
        input: &AppInput,
        secret: SecretChange,
    ) -> Result<i64, OAuthError> {
        let provider = validate(input)?;
        let now = Utc::now();
        let existing = match id {
            Some(id) => Some(self.row(id).await?),
            None => None,
        };
        if let Ok(other) = self.by_name(input.name.trim()).await
            && Some(other.id) != id
        {
            return Err(OAuthError::invalid(
                "name",
                format!("There is already a sign-in app called {}.", other.name),
            ));
        }
        let mut row = match &existing {
            Some(row) => oauth_app::ActiveModel::from(row.clone()),
            None => oauth_app::ActiveModel {
                created_at: Set(now),
                secret_sealed: Set(None),
                ..Default::default()
            },
        };
        row.name = Set(input.name.trim().to_string());
        row.provider = Set(provider.as_str().into());
        row.tenant = Set(input.tenant.trim().to_string());
        row.authority = Set(input.authority.trim().to_string());
        row.authorize_url = Set(input.authorize_url.trim().to_string());
        row.token_url = Set(input.token_url.trim().to_string());
        row.device_url = Set(input.device_url.trim().to_string());
        row.client_id = Set(input.client_id.trim().to_string());
        row.scopes = Set(scopes_of(&input.scopes).join("\n"));
        row.redirect_url = Set(input.redirect_url.trim().to_string());
        row.updated_at = Set(now);
        if matches!(secret, SecretChange::Remove) {
            row.secret_sealed = Set(None);
        }
        let saved = match existing {
            Some(_) => row.update(&self.db).await?,
            None => row.insert(&self.db).await?,
        };
        if let SecretChange::Set(secret) = secret {
            // Sealed to its row, so it needs the id first.
            let mut row = oauth_app::ActiveModel::from(saved.clone());
            row.secret_sealed = Set(Some(self.secrets.seal(&secret, &secret_context(saved.id))));
            row.update(&self.db).await?;
        }
        Ok(saved.id)
    }

    /// Removes an app no mailbox uses, as `by`'s recorded change.
    pub async fn remove(&self, id: i64, by: &Actor) -> Result<(), OAuthError> {
        use crate::db::entity::mailbox;
        let row = self.row(id).await?;
        let users = mailbox::Entity::find()
            .filter(mailbox::Column::OauthAppId.eq(id))
            .filter(mailbox::Column::DeletedAt.is_null())
            .all(&self.db)
            .await?;
        if !users.is_empty() {
            let names: Vec<String> = users.into_iter().map(|row| row.name).collect();
            return Err(OAuthError::InUse(names.join(", ")));
        }
        oauth_app::Entity::delete_by_id(id).exec(&self.db).await?;
        let target = format!("sign-in app {}", row.name);
        self.audit
            .record_change(by, Action::SignInAppRemoved, &target, json!({ "id": id }))
            .await
            .map_err(OAuthError::Audit)
    }
}

fn validate(input: &AppInput) -> Result<Provider, OAuthError> {
    let mut problems = Vec::new();
    let provider = Provider::parse(input.provider.trim());
    if provider.is_none() {
        problems.push((
            "provider",
            "Choose Microsoft, Google or another provider.".to_string(),
        ));
    }
    if input.name.trim().is_empty() {
        problems.push((
            "name",
            "Give the app a name, e.g. \"Contoso Entra ID\".".into(),
        ));
    }
    if input.client_id.trim().is_empty() {
        problems.push((
            "client_id",
            "Copy the client (application) id from the provider's app registration.".into(),
        ));
    }
    if scopes_of(&input.scopes).is_empty() {
        problems.push(("scopes", "Name at least one scope.".into()));
    }
    let url_fields = [
        ("authority", input.authority.as_str()),
        ("redirect_url", input.redirect_url.as_str()),
        ("authorize_url", input.authorize_url.as_str()),
        ("token_url", input.token_url.as_str()),
        ("device_url", input.device_url.as_str()),
    ];
    for (field, value) in url_fields {
        let value = value.trim();
        let is_web_address = value.starts_with("https://") || value.starts_with("http://");
        if !value.is_empty() && !is_web_address {
            problems.push((field, format!("{value} is not a web address.")));
        }
    }
    if provider == Some(Provider::Generic) {
        for (field, value) in [
            ("authorize_url", &input.authorize_url),
            ("token_url", &input.token_url),
        ] {
            if value.trim().is_empty() {
                problems.push((field, "Another provider needs this address.".into()));
            }
        }
    }
    match (provider, problems.is_empty()) {
        (Some(provider), true) => Ok(provider),
        _ => Err(OAuthError::Fields(
            problems
                .into_iter()
                .map(|(field, message)| (field.to_string(), message))
                .collect(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_give_the_documented_endpoints() {
        let microsoft = endpoints(
            Provider::Microsoft,
            "contoso.onmicrosoft.com",
            "",
            ("", "", ""),
        );
        assert_eq!(
            microsoft.token,
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
        assert_eq!(
            microsoft.device.as_deref(),
            Some(
                "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/devicecode"
            )
        );
        assert_eq!(
            endpoints(Provider::Microsoft, "", "", ("", "", "")).authorize,
            "https://login.microsoftonline.com/common/oauth2/v2.0/authorize"
        );
        let google = endpoints(Provider::Google, "", "", ("", "", ""));
        assert_eq!(
            google.authorize,
            "https://accounts.google.com/o/oauth2/v2/auth"
        );
        assert_eq!(google.token, "https://oauth2.googleapis.com/token");
        assert_eq!(
            google.device, None,
            "Google refuses the Gmail scope in the device flow"
        );
        let stand_in = endpoints(
            Provider::Microsoft,
            "organizations",
            "http://127.0.0.1:18080/",
            ("", "", ""),
        );
        assert_eq!(
            stand_in.token,
            "http://127.0.0.1:18080/organizations/oauth2/v2.0/token"
        );
    }

    #[test]
    fn every_problem_of_an_app_is_named() {
        let input = AppInput {
            provider: "generic".into(),
            authority: "login.example.com".into(),
            ..AppInput::default()
        };
        let Err(OAuthError::Fields(problems)) = validate(&input) else {
            panic!("refused");
        };
        let fields: Vec<&str> = problems.iter().map(|(field, _)| field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "client_id",
                "scopes",
                "authority",
                "authorize_url",
                "token_url"
            ]
        );
    }
}
