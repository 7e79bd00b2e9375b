//! Each OAuth mailbox's grant: the tokens its sign-in produced, sealed with
//! the master key, and the access token IMAP (or Graph) gets — refreshed a
//! little before it expires. When the provider refuses a refresh (revoked,
//! expired, consent withdrawn), the grant is marked "needs sign-in": runs
//! fail with that reason, the dashboard shows it and the failure notice goes
//! out, instead of a silent retry loop.

use super::flows::{self, Tokens};
use super::{OAuthError, SignInApps};
use crate::db::entity::{oauth_flow, oauth_grant};
use crate::secrets::{Secret, SecretBox};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Refreshed when it has less than this left: a login or a Graph page
/// started with it still finds it valid.
const REFRESH_BEFORE: chrono::Duration = chrono::Duration::minutes(2);

/// An authorization-code flow must come back within this.
const FLOW_LIFETIME: chrono::Duration = chrono::Duration::minutes(15);

/// An authorization-code flow waiting for the browser to come back.
#[derive(Debug)]
pub struct PendingFlow {
    pub mailbox_id: i64,
    pub verifier: Secret,
    pub redirect_url: String,
}

fn flow_context(state: &str) -> String {
    format!("oauth_flows:{state}:verifier")
}

/// Whether an access token expiring at `expires_at` should be renewed now.
pub fn expires_soon(expires_at: Option<DateTime<Utc>>) -> bool {
    expires_at.is_some_and(|expires| expires - Utc::now() <= REFRESH_BEFORE)
}

/// How the grant was obtained, which decides how it is renewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    AuthorizationCode,
    DeviceCode,
    /// App-only: renewed by asking again, never refreshed.
    ClientCredentials,
}

impl Flow {
    pub fn as_str(self) -> &'static str {
        match self {
            Flow::AuthorizationCode => "authorization_code",
            Flow::DeviceCode => "device_code",
            Flow::ClientCredentials => "client_credentials",
        }
    }

    fn parse(text: &str) -> Flow {
        match text {
            "device_code" => Flow::DeviceCode,
            "client_credentials" => Flow::ClientCredentials,
            _ => Flow::AuthorizationCode,
        }
    }
}

/// Where a mailbox stands with its sign-in app, in short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    NotSignedIn,
    SignedIn,
    /// The provider refused; why, if it said.
    NeedsSignIn(Option<String>),
}

/// A grant as the dashboard and the editor show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantState {
    /// The sign-in app it came from.
    pub app_id: i64,
    pub flow: Flow,
    pub needs_sign_in: bool,
    /// Why the provider refused, when it did.
    pub error: Option<String>,
    pub signed_in_at: DateTime<Utc>,
    pub access_expires_at: Option<DateTime<Utc>>,
    pub scope: String,
}

impl GrantState {
    fn of(row: oauth_grant::Model) -> GrantState {
        GrantState {
            app_id: row.app_id,
            flow: Flow::parse(&row.flow),
            needs_sign_in: row.status == "needs_sign_in",
            error: row.error,
            signed_in_at: row.signed_in_at,
            access_expires_at: row.access_expires_at,
            scope: row.scope,
        }
    }
}

pub struct Grants {
    pub(super) db: DatabaseConnection,
    /// Where sign-ins and sign-outs are recorded (`sign_ins`).
    pub(super) audit: crate::audit::AuditLog,
    secrets: Arc<SecretBox>,
    apps: SignInApps,
    http: reqwest::Client,
    /// One renewal per mailbox at a time: a second caller waits and then
    /// finds the fresh token (a rotated refresh token must not be used twice).
    renewing: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
}

fn access_context(mailbox_id: i64) -> String {
    format!("oauth_grants:{mailbox_id}:access")
}

fn refresh_context(mailbox_id: i64) -> String {
    format!("oauth_grants:{mailbox_id}:refresh")
}

impl Grants {
    pub fn new(db: DatabaseConnection, secrets: Arc<SecretBox>) -> Grants {
        Grants {
            apps: SignInApps::new(db.clone(), secrets.clone()),
            audit: crate::audit::AuditLog::new(db.clone()),
            db,
            secrets,
            http: flows::http_client(),
            renewing: Mutex::new(HashMap::new()),
        }
    }

    pub fn apps(&self) -> &SignInApps {
        &self.apps
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Keeps what a sign-in gave for `mailbox_id` (replacing any earlier grant).
    pub async fn store(
        &self,
        mailbox_id: i64,
        app_id: i64,
        flow: Flow,
        tokens: &Tokens,
    ) -> Result<(), OAuthError> {
        let now = Utc::now();
        let existing = oauth_grant::Entity::find_by_id(mailbox_id)
            .one(&self.db)
            .await?;
        let mut row = match &existing {
            Some(row) => oauth_grant::ActiveModel::from(row.clone()),
            None => oauth_grant::ActiveModel {
                mailbox_id: Set(mailbox_id),
                ..Default::default()
            },
        };
        row.app_id = Set(app_id);
        row.flow = Set(flow.as_str().into());
        row.signed_in_at = Set(now);
        self.fill(&mut row, mailbox_id, tokens, now, true);
        match existing {
            Some(_) => row.update(&self.db).await?,
            None => row.insert(&self.db).await?,
        };
        Ok(())
    }

    /// Writes `tokens` into `row`; a refresh that brought no new refresh
    /// token keeps the old one (Google's way), unless `replace_refresh`.
    fn fill(
        &self,
        row: &mut oauth_grant::ActiveModel,
        mailbox_id: i64,
        tokens: &Tokens,
        now: DateTime<Utc>,
        replace_refresh: bool,
    ) {
        row.access_sealed = Set(Some(
            self.secrets
                .seal(&tokens.access, &access_context(mailbox_id)),
        ));
        row.access_expires_at = Set(tokens
            .expires_in
            .and_then(|lifetime| chrono::Duration::from_std(lifetime).ok())
            .map(|lifetime| now + lifetime));
        match &tokens.refresh {
            Some(refresh) => {
                row.refresh_sealed = Set(Some(
                    self.secrets.seal(refresh, &refresh_context(mailbox_id)),
                ))
            }
            None if replace_refresh => row.refresh_sealed = Set(None),
            None => {}
        }
        row.scope = Set(tokens.scope.clone());
        row.status = Set("active".into());
        row.error = Set(None);
        row.updated_at = Set(now);
    }

    /// The mailbox's grant, if it has one from `app_id` (a grant from
    /// another app, the mailbox's before, does not count).
    pub async fn state(
        &self,
        mailbox_id: i64,
        app_id: i64,
    ) -> Result<Option<GrantState>, OAuthError> {
        Ok(oauth_grant::Entity::find_by_id(mailbox_id)
            .one(&self.db)
            .await?
            .filter(|row| row.app_id == app_id)
            .map(GrantState::of))
    }

    /// The sign-in of many mailboxes in one query: for each (mailbox id,
    /// its sign-in app), its state; lists and the dashboard show hundreds.
    pub async fn sign_ins(
        &self,
        mailboxes: &[(i64, i64)],
    ) -> Result<HashMap<i64, SignIn>, OAuthError> {
        let ids: Vec<i64> = mailboxes
            .iter()
            .map(|(mailbox_id, _)| *mailbox_id)
            .collect();
        let mut grants: HashMap<i64, oauth_grant::Model> = HashMap::new();
        for chunk in ids.chunks(500) {
            for row in oauth_grant::Entity::find()
                .filter(oauth_grant::Column::MailboxId.is_in(chunk.iter().copied()))
                .all(&self.db)
                .await?
            {
                grants.insert(row.mailbox_id, row);
            }
        }
        Ok(mailboxes
            .iter()
            .map(|(mailbox_id, app_id)| {
                let sign_in = match grants.remove(mailbox_id) {
                    Some(row) if row.app_id == *app_id && row.status == "needs_sign_in" => {
                        SignIn::NeedsSignIn(row.error)
                    }
                    Some(row) if row.app_id == *app_id => SignIn::SignedIn,
                    _ => SignIn::NotSignedIn,
                };
                (*mailbox_id, sign_in)
            })
            .collect())
    }

    /// Keeps a started authorization-code flow (its PKCE verifier sealed)
    /// until the provider sends the browser back; drops stale ones.
    pub async fn remember_flow(
        &self,
        state: &str,
        mailbox_id: i64,
        user_id: i64,
        verifier: &Secret,
        redirect_url: &str,
    ) -> Result<(), OAuthError> {
        let now = Utc::now();
        oauth_flow::Entity::delete_many()
            .filter(oauth_flow::Column::CreatedAt.lt(now - FLOW_LIFETIME))
            .exec(&self.db)
            .await?;
        oauth_flow::ActiveModel {
            state: Set(state.to_string()),
            mailbox_id: Set(mailbox_id),
            user_id: Set(user_id),
            verifier_sealed: Set(self.secrets.seal(verifier, &flow_context(state))),
            redirect_url: Set(redirect_url.to_string()),
            created_at: Set(now),
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// The flow `state` names, once: only for the user who started it and
    /// within its lifetime.
    pub async fn take_flow(
        &self,
        state: &str,
        user_id: i64,
    ) -> Result<Option<PendingFlow>, OAuthError> {
        let Some(row) = oauth_flow::Entity::find_by_id(state.to_string())
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        oauth_flow::Entity::delete_by_id(row.state.clone())
            .exec(&self.db)
            .await?;
        if row.user_id != user_id || Utc::now() - row.created_at >= FLOW_LIFETIME {
            return Ok(None);
        }
        let verifier = self
            .secrets
            .open(&row.verifier_sealed, &flow_context(state))
            .map_err(|error| OAuthError::Secret(error.to_string()))?;
        Ok(Some(PendingFlow {
            mailbox_id: row.mailbox_id,
            verifier,
            redirect_url: row.redirect_url,
        }))
    }

    /// An access token for `mailbox_id` valid for at least a little while,
    /// renewed if needed. `NeedsSignIn` when there is no usable grant — also
    /// when it came from another sign-in app than `app_id`, the mailbox's now.
    pub async fn access_token(
        &self,
        mailbox_id: i64,
        mailbox: &str,
        app_id: i64,
    ) -> Result<Secret, OAuthError> {
        self.current_token(mailbox_id, mailbox, app_id, None).await
    }

    /// An access token other than `refused`, which the service turned away
    /// (401) before it expired: renewed, unless another request renewed it
    /// meanwhile — four requests refused at once renew it once.
    pub async fn token_instead_of(
        &self,
        mailbox_id: i64,
        mailbox: &str,
        app_id: i64,
        refused: &Secret,
    ) -> Result<Secret, OAuthError> {
        self.current_token(mailbox_id, mailbox, app_id, Some(refused))
            .await
    }

    async fn current_token(
        &self,
        mailbox_id: i64,
        mailbox: &str,
        app_id: i64,
        refused: Option<&Secret>,
    ) -> Result<Secret, OAuthError> {
        let lock = self
            .renewing
            .lock()
            .expect("the renewal map is never poisoned")
            .entry(mailbox_id)
            .or_default()
            .clone();
        let _renewing = lock.lock().await;
        let needs_sign_in = |reason: Option<String>| OAuthError::NeedsSignIn {
            mailbox: mailbox.to_string(),
            reason,
        };
        let Some(row) = oauth_grant::Entity::find_by_id(mailbox_id)
            .one(&self.db)
            .await?
        else {
            return Err(needs_sign_in(None));
        };
        if row.status == "needs_sign_in" {
            return Err(needs_sign_in(row.error.clone()));
        }
        if row.app_id != app_id {
            return Err(needs_sign_in(Some(
                "the mailbox signs in with another app now".into(),
            )));
        }
        let now = Utc::now();
        if !expires_soon(row.access_expires_at)
            && let Some(sealed) = &row.access_sealed
        {
            let current = self
                .secrets
                .open(sealed, &access_context(mailbox_id))
                .map_err(|error| OAuthError::Secret(error.to_string()))?;
            if refused.is_none_or(|refused| refused.expose() != current.expose()) {
                return Ok(current);
            }
        }
        let app = self.apps.app(row.app_id).await?;
        let renewed = match Flow::parse(&row.flow) {
            Flow::ClientCredentials => flows::client_credentials(&self.http, &app).await,
            Flow::AuthorizationCode | Flow::DeviceCode => {
                let Some(sealed) = &row.refresh_sealed else {
                    return Err(self
                        .mark_needs_sign_in(
                            row,
                            "the provider gave no refresh token (is offline_access among the scopes?)",
                        )
                        .await
                        .map(|reason| needs_sign_in(Some(reason)))?);
                };
                let refresh = self
                    .secrets
                    .open(sealed, &refresh_context(mailbox_id))
                    .map_err(|error| OAuthError::Secret(error.to_string()))?;
                flows::refresh(&self.http, &app, &refresh).await
            }
        };
        match renewed {
            Ok(tokens) => {
                let mut active = oauth_grant::ActiveModel::from(row);
                self.fill(&mut active, mailbox_id, &tokens, now, false);
                active.update(&self.db).await?;
                tracing::info!(mailbox, "OAuth access token renewed");
                Ok(tokens.access)
            }
            Err(error) if error.needs_sign_in() => {
                let reason = self.mark_needs_sign_in(row, &error.to_string()).await?;
                tracing::warn!(
                    mailbox,
                    reason,
                    "OAuth grant refused: the mailbox needs a new sign-in"
                );
                Err(needs_sign_in(Some(reason)))
            }
            Err(error) => Err(error),
        }
    }

    async fn mark_needs_sign_in(
        &self,
        row: oauth_grant::Model,
        reason: &str,
    ) -> Result<String, OAuthError> {
        let mut row = oauth_grant::ActiveModel::from(row);
        row.status = Set("needs_sign_in".into());
        row.error = Set(Some(reason.to_string()));
        row.access_sealed = Set(None);
        row.updated_at = Set(Utc::now());
        row.update(&self.db).await?;
        Ok(reason.to_string())
    }
}
