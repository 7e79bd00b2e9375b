//! Storing and loading mailbox profiles. The secret is sealed with the master
//! key, bound to the row (`mailbox:<id>:secret`), and only opened to log in.

use super::profile::{
    AuthMethod, FieldError, IdentityKind, MailboxInput, Security, Source, Validation,
};
use crate::db::entity::{mailbox, mailbox_grant, user};
use crate::imap;
use crate::oauth::{Grants, OAuthError};
use crate::secrets::{Secret, SecretBox, SecretError};
use app::model::mailbox::DEFAULT_PAGE_SIZE;
use app::model::mailbox_form::FormField;
use chrono::Utc;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QueryOrder, Set, SqlErr, TransactionTrait, TryIntoModel,
};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub type MailboxRow = mailbox::Model;

/// How long each IMAP step may take before the run fails with a timeout.
const STEP_TIMEOUT: Duration = Duration::from_secs(60);

/// The owner part of a shared mailbox's qualified name (`shared/Name`):
/// mailbox names are unique per owner, so the command line names a mailbox
/// as `owner@example.com/Name` when its bare name is not unique.
pub const SHARED_OWNER: &str = "shared";

#[derive(Debug, thiserror::Error)]
pub enum MailboxError {
    #[error("the mailbox profile is not valid: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    #[error("a mailbox named {0:?} exists already")]
    NameTaken(String),
    #[error("no mailbox named {0:?}")]
    NotFound(String),
    /// Names are unique per owner: a bare name can fit several mailboxes.
    #[error("{} mailboxes are named {name:?}; name one as OWNER-EMAIL/NAME (\"{SHARED_OWNER}/NAME\" for a shared one): {}", .candidates.len(), .candidates.join(", "))]
    Ambiguous {
        name: String,
        /// Each one's qualified name, `owner@example.com/Name`.
        candidates: Vec<String>,
    },
    #[error("the stored mailbox {name:?} is damaged: {reason}")]
    Corrupt { name: String, reason: String },
    #[error("the mailbox {0:?} holds imported mail and has no server to archive from")]
    NoServer(String),
    #[error(
        "the mailbox {0:?} is read through Microsoft Graph, not IMAP: folder subscriptions and restoring need an IMAP mailbox"
    )]
    NotImap(String),
    /// No usable OAuth grant: nobody signed in yet, or the provider refused
    /// to renew it (revoked, expired, consent withdrawn).
    #[error("the mailbox {name:?} needs a sign-in{}", .reason.as_deref().map(|reason| format!(": {reason}")).unwrap_or_else(|| ": nobody has signed in for it yet".into()))]
    NeedsSignIn {
        name: String,
        reason: Option<String>,
    },
    #[error("the OAuth token of the mailbox {name:?} cannot be renewed now: {reason}")]
    OAuth { name: String, reason: String },
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

fn secret_context(mailbox_id: i64) -> String {
    format!("mailbox:{mailbox_id}:secret")
}

pub struct Mailboxes {
    db: DatabaseConnection,
    secrets: Arc<SecretBox>,
    /// OAuth mailboxes' tokens.
    oauth: Arc<Grants>,
}

impl Mailboxes {
    pub fn new(db: DatabaseConnection, secrets: Arc<SecretBox>) -> Self {
        Mailboxes {
            oauth: Arc::new(Grants::new(db.clone(), secrets.clone())),
            db,
            secrets,
        }
    }

    /// The OAuth grants (and sign-in apps) behind OAuth mailboxes.
    pub fn oauth(&self) -> &Arc<Grants> {
        &self.oauth
    }

    pub async fn create(
        &self,
        owner_id: Option<i64>,
        profile: &MailboxInput,
        secret: Option<&Secret>,
    ) -> Result<MailboxRow, MailboxError> {
        let errors = profile.validate(secret.is_some());
        if !errors.is_empty() {
            return Err(MailboxError::Invalid(errors));
        }
        self.check_oauth_app(profile).await?;
        let transaction = self.db.begin().await?;
        // Names are unique per owner (and among shared mailboxes), so a
        // taken name says only that the same owner has one of that name.
        let row = new_row(owner_id, profile, profile.source)
            .insert(&transaction)
            .await
            .map_err(name_taken(&profile.name))?;
        let row = match secret {
            Some(secret) => {
                let sealed = self.secrets.seal(secret, &secret_context(row.id));
                let mut active: mailbox::ActiveModel = row.into();
                active.secret_sealed = Set(Some(sealed));
                active.update(&transaction).await?
            }
            None => row,
        };
        transaction.commit().await?;
        Ok(row)
    }

    /// The mailbox `name` of `owner_id` that imported mail goes into, created
    /// on first use. It has no server and is never scheduled.
    pub async fn import_target(
        &self,
        owner_id: Option<i64>,
        name: &str,
    ) -> Result<MailboxRow, MailboxError> {
        // Only the owner's own names count: another owner's mailbox of the
        // same name is neither found nor reported.
        if let Some(existing) = mailbox::Entity::find()
            .filter(mailbox::Column::Name.eq(name))
            .filter(owned_by(owner_id))
            .one(&self.db)
            .await?
        {
            if existing.source != Source::Import.as_str() {
                return Err(MailboxError::NameTaken(name.to_string()));
            }
            return Ok(existing);
        }
        // No server: port 0, never enabled for scheduled runs.
        let mut row = new_row(owner_id, &MailboxInput::new(name, "", ""), Source::Import);
        row.port = Set(0);
        row.enabled = Set(false);
        row.insert(&self.db).await.map_err(name_taken(name))
    }

    /// Every mailbox that is not deleted.
    pub async fn list(&self) -> Result<Vec<MailboxRow>, MailboxError> {
        Ok(live()
            .order_by_asc(mailbox::Column::Name)
            .all(&self.db)
            .await?)
    }

    /// The live mailbox `name` names, for the command line: a bare name
    /// when exactly one mailbox has it, else the qualified
    /// `owner@example.com/Name` (`shared/Name` for a shared one). A bare
    /// name several owners use is `Ambiguous`, listing the qualified names.
    pub async fn by_name(&self, name: &str) -> Result<MailboxRow, MailboxError> {
        let mut named = live()
            .filter(mailbox::Column::Name.eq(name))
            .order_by_asc(mailbox::Column::Id)
            .all(&self.db)
            .await?;
        if named.len() > 1 {
            let mut candidates = Vec::with_capacity(named.len());
            for row in &named {
                candidates.push(self.qualified_name(row).await?);
            }
            return Err(MailboxError::Ambiguous {
                name: name.to_string(),
                candidates,
            });
        }
        if let Some(row) = named.pop() {
            return Ok(row);
        }
        let not_found = || MailboxError::NotFound(name.to_string());
        let (owner, bare) = name.split_once('/').ok_or_else(not_found)?;
        let owner_id = if owner.eq_ignore_ascii_case(SHARED_OWNER) {
            None
        } else {
            let owner = user::Entity::find()
                .filter(user::Column::Email.eq(owner.to_lowercase()))
                .one(&self.db)
                .await?
                .ok_or_else(not_found)?;
            Some(owner.id)
        };
        live()
            .filter(mailbox::Column::Name.eq(bare))
            .filter(owned_by(owner_id))
            .one(&self.db)
            .await?
            .ok_or_else(not_found)
    }

    /// `owner@example.com/Name`, or `shared/Name`: what `by_name` always finds.
    pub async fn qualified_name(&self, row: &MailboxRow) -> Result<String, MailboxError> {
        let owner = match row.owner_id {
            None => SHARED_OWNER.to_string(),
            Some(owner_id) => user::Entity::find_by_id(owner_id)
                .one(&self.db)
                .await?
                .map_or_else(|| format!("user #{owner_id}"), |owner| owner.email),
        };
        Ok(format!("{owner}/{}", row.name))
    }

    pub async fn by_id(&self, id: i64) -> Result<MailboxRow, MailboxError> {
        live()
            .filter(mailbox::Column::Id.eq(id))
            .one(&self.db)
            .await?
            .ok_or_else(|| MailboxError::NotFound(format!("#{id}")))
    }

    /// The mailboxes `user_id` may see: their own and those granted to
    /// them; an admin sees every one. The archive's visibility follows this.
    pub async fn visible_to(
        &self,
        user_id: i64,
        is_admin: bool,
    ) -> Result<Vec<MailboxRow>, MailboxError> {
        let mut query = live().order_by_asc(mailbox::Column::Name);
        if !is_admin {
            let granted = Query::select()
                .column(mailbox_grant::Column::MailboxId)
                .from(mailbox_grant::Entity)
                .and_where(mailbox_grant::Column::UserId.eq(user_id))
                .to_owned();
            query = query.filter(
                Condition::any()
                    .add(mailbox::Column::OwnerId.eq(user_id))
                    .add(mailbox::Column::Id.in_subquery(granted)),
            );
        }
        Ok(query.all(&self.db).await?)
    }

    /// Whether `user_id` was granted mailbox `id`.
    pub async fn is_granted(&self, id: i64, user_id: i64) -> Result<bool, MailboxError> {
        Ok(mailbox_grant::Entity::find()
            .filter(mailbox_grant::Column::MailboxId.eq(id))
            .filter(mailbox_grant::Column::UserId.eq(user_id))
            .one(&self.db)
            .await?
            .is_some())
    }

    /// The users granted mailbox `id`.
    pub async fn grants(&self, id: i64) -> Result<Vec<i64>, MailboxError> {
        Ok(mailbox_grant::Entity::find()
            .filter(mailbox_grant::Column::MailboxId.eq(id))
            .order_by_asc(mailbox_grant::Column::UserId)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|grant| grant.user_id)
            .collect())
    }

    /// Who owns mailbox `id` (`None`: the organisation, a shared mailbox)
    /// and who else may read it; replaces the previous grants.
    pub async fn set_sharing(
        &self,
        id: i64,
        owner_id: Option<i64>,
        granted: &BTreeSet<i64>,
    ) -> Result<(), MailboxError> {
        let existing = self.by_id(id).await?;
        let name = existing.name.clone();
        let mut row: mailbox::ActiveModel = existing.into();
        let transaction = self.db.begin().await?;
        row.owner_id = Set(owner_id);
        row.updated_at = Set(Utc::now());
        // The new owner may have a mailbox of this name already.
        row.update(&transaction).await.map_err(name_taken(&name))?;
        mailbox_grant::Entity::delete_many()
            .filter(mailbox_grant::Column::MailboxId.eq(id))
            .exec(&transaction)
            .await?;
        let now = Utc::now();
        let grants = granted.iter().map(|user_id| mailbox_grant::ActiveModel {
            mailbox_id: Set(id),
            user_id: Set(*user_id),
            created_at: Set(now),
            ..Default::default()
        });
        if !granted.is_empty() {
            mailbox_grant::Entity::insert_many(grants)
                .exec(&transaction)
                .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Links mailbox `id` to a template and records which fields it takes
    /// from there (`None`: its values are all its own).
    pub async fn set_template(
        &self,
        id: i64,
        template: Option<(i64, &BTreeSet<FormField>)>,
    ) -> Result<(), MailboxError> {
        let mut row: mailbox::ActiveModel = self.by_id(id).await?.into();
        let fields: Vec<&str> = template
            .map(|(_, fields)| fields.iter().map(|field| field.as_str()).collect())
            .unwrap_or_default();
        row.template_id = Set(template.map(|(template_id, _)| template_id));
        row.inherited = Set(serde_json::to_string(&fields).expect("names serialise"));
        row.updated_at = Set(Utc::now());
        row.update(&self.db).await?;
        Ok(())
    }

    /// The template of `row` and the fields it inherits.
    pub fn inheritance_of(
        &self,
        row: &MailboxRow,
    ) -> Result<Option<(i64, BTreeSet<FormField>)>, MailboxError> {
        let Some(template_id) = row.template_id else {
            return Ok(None);
        };
        let names: Vec<String> =
            serde_json::from_str(&row.inherited).map_err(|error| MailboxError::Corrupt {
                name: row.name.clone(),
                reason: format!("inherited fields: {error}"),
            })?;
        let fields = names
            .iter()
            .map(|name| name.parse::<FormField>())
            .collect::<Result<_, _>>()
            .map_err(|reason| MailboxError::Corrupt {
                name: row.name.clone(),
                reason,
            })?;
        Ok(Some((template_id, fields)))
    }

    /// The mailboxes inheriting from template `template_id`.
    pub async fn inheriting_from(&self, template_id: i64) -> Result<Vec<MailboxRow>, MailboxError> {
        Ok(live()
            .filter(mailbox::Column::TemplateId.eq(template_id))
            .order_by_asc(mailbox::Column::Name)
            .all(&self.db)
            .await?)
    }

    /// Deletes the profile: it stops running and leaves every list, and its
    /// name becomes free. The mail it archived, its locations and job logs
    /// stay (retention decides about mail, never the deletion of a profile).
    pub async fn delete(&self, id: i64) -> Result<MailboxRow, MailboxError> {
        let existing = self.by_id(id).await?;
        let mut row: mailbox::ActiveModel = existing.clone().into();
        let now = Utc::now();
        row.name = Set(format!("{} (deleted #{id})", existing.name));
        row.enabled = Set(false);
        row.deleted_at = Set(Some(now));
        row.updated_at = Set(now);
        Ok(row.update(&self.db).await?)
    }

    /// Replaces the profile of mailbox `id`; `secret: None` keeps the stored
    /// one. The owner, source and archive are untouched. Takes effect from
    /// the next run.
    pub async fn update(
        &self,
        id: i64,
        profile: &MailboxInput,
        secret: Option<&Secret>,
    ) -> Result<MailboxRow, MailboxError> {
        let existing = self.by_id(id).await?;
        self.check_update(&existing, profile, secret)?;
        self.check_oauth_app(profile).await?;
        let mut row = new_row(existing.owner_id, profile, profile.source);
        row.id = Set(id);
        row.enabled = Set(existing.enabled);
        row.created_at = Set(existing.created_at);
        row.template_id = Set(existing.template_id);
        row.inherited = Set(existing.inherited);
        row.secret_sealed = Set(match secret {
            Some(secret) => Some(self.secrets.seal(secret, &secret_context(id))),
            None => existing.secret_sealed,
        });
        row.update(&self.db)
            .await
            .map_err(name_taken(&profile.name))
    }

    /// Whether `existing` may be replaced by `profile` (and `secret`): what
    /// `update` checks before it writes.
    pub fn check_update(
        &self,
        existing: &MailboxRow,
        profile: &MailboxInput,
        secret: Option<&Secret>,
    ) -> Result<(), MailboxError> {
        if !existing
            .source
            .parse::<Source>()
            .is_ok_and(|source| source.is_server())
        {
            return Err(MailboxError::NoServer(existing.name.clone()));
        }
        check_stored_secret_use(existing, profile, secret)?;
        let errors = profile.validate(secret.is_some() || existing.secret_sealed.is_some());
        if !errors.is_empty() {
            return Err(MailboxError::Invalid(errors));
        }
        Ok(())
    }

    /// The row a run of `profile` would use, without saving it: "test
    /// connection" for the editor's current values. Without a new secret the
    /// stored one of `existing` is used (only for the same server and user).
    pub fn probe_row(
        &self,
        owner_id: Option<i64>,
        existing: Option<&MailboxRow>,
        profile: &MailboxInput,
        secret: Option<&Secret>,
    ) -> Result<MailboxRow, MailboxError> {
        if let Some(existing) = existing {
            check_stored_secret_use(existing, profile, secret)?;
        }
        let stored = existing.and_then(|row| row.secret_sealed.clone());
        let errors = profile.validate(secret.is_some() || stored.is_some());
        if !errors.is_empty() {
            return Err(MailboxError::Invalid(errors));
        }
        let id = existing.map_or(0, |row| row.id);
        let mut row = new_row(owner_id, profile, profile.source);
        row.id = Set(id);
        row.secret_sealed = Set(match secret {
            Some(secret) => Some(self.secrets.seal(secret, &secret_context(id))),
            None => stored,
        });
        Ok(row.try_into_model()?)
    }

    /// Switches scheduled runs on or off; manual runs stay possible.
    pub async fn set_enabled(&self, id: i64, enabled: bool) -> Result<MailboxRow, MailboxError> {
        let mut row: mailbox::ActiveModel = self.by_id(id).await?.into();
        row.enabled = Set(enabled);
        row.updated_at = Set(Utc::now());
        Ok(row.update(&self.db).await?)
    }

    /// Whether `row` logs in with an OAuth grant whose access token expires
    /// soon (a session opened with it should be renewed).
    pub async fn oauth_token_expiring(&self, row: &MailboxRow) -> Result<bool, MailboxError> {
        let oauth = matches!(row.auth_method.as_str(), "xoauth2" | "oauthbearer");
        let Some(app_id) = row.oauth_app_id.filter(|_| oauth) else {
            return Ok(false);
        };
        let state =
            self.oauth
                .state(row.id, app_id)
                .await
                .map_err(|error| MailboxError::OAuth {
                    name: row.name.clone(),
                    reason: error.to_string(),
                })?;
        Ok(state.is_some_and(|state| crate::oauth::expires_soon(state.access_expires_at)))
    }

    /// A current access token from `row`'s grant with its sign-in app; with
    /// `refused`, one other than that (the service turned it away).
    pub async fn oauth_access_token(
        &self,
        row: &MailboxRow,
        refused: Option<&Secret>,
    ) -> Result<Secret, MailboxError> {
        let Some(app_id) = row.oauth_app_id else {
            return Err(MailboxError::NeedsSignIn {
                name: row.name.clone(),
                reason: Some("no sign-in app is chosen for it".into()),
            });
        };
        let token = match refused {
            None => self.oauth.access_token(row.id, &row.name, app_id).await,
            Some(refused) => {
                self.oauth
                    .token_instead_of(row.id, &row.name, app_id, refused)
                    .await
            }
        };
        token.map_err(|error| match error {
            OAuthError::NeedsSignIn { reason, .. } => MailboxError::NeedsSignIn {
                name: row.name.clone(),
                reason,
            },
            other => MailboxError::OAuth {
                name: row.name.clone(),
                reason: other.to_string(),
            },
        })
    }

    /// The profile's sign-in app must exist.
    async fn check_oauth_app(&self, profile: &MailboxInput) -> Result<(), MailboxError> {
        let Some(app_id) = profile.oauth_app_id else {
            return Ok(());
        };
        if self.oauth.apps().row(app_id).await.is_err() {
            return Err(MailboxError::Invalid(vec![FieldError {
                field: "oauth_app",
                message: "There is no such sign-in app (any more); choose another.".into(),
            }]));
        }
        Ok(())
    }

    /// Chooses the sign-in app an OAuth mailbox logs in with (`None`: a
    /// stored token is used as it is).
    pub async fn set_oauth_app(
        &self,
        id: i64,
        app_id: Option<i64>,
    ) -> Result<MailboxRow, MailboxError> {
        let mut row: mailbox::ActiveModel = self.by_id(id).await?.into();
        row.oauth_app_id = Set(app_id);
        row.updated_at = Set(Utc::now());
        Ok(row.update(&self.db).await?)
    }

    /// The stored profile as the editor shows it (without the secret).
    pub fn input_of(&self, row: &MailboxRow) -> Result<MailboxInput, MailboxError> {
        let corrupt = |reason: String| MailboxError::Corrupt {
            name: row.name.clone(),
            reason,
        };
        Ok(MailboxInput {
            oauth_app_id: row.oauth_app_id,
            name: row.name.clone(),
            email_address: row.email_address.clone(),
            source: row.source.parse().map_err(corrupt)?,
            host: row.host.clone(),
            port: u16::try_from(row.port).unwrap_or(0),
            security: row.security.parse().map_err(corrupt)?,
            auth_method: row.auth_method.parse().map_err(corrupt)?,
            username: row.username.clone(),
            master_user: row.master_user.clone(),
            identity_kind: row
                .identity_kind
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(corrupt)?,
            ca_file: row.ca_file.clone(),
            accept_invalid_certs: row.accept_invalid_certs,
            expected_cert_name: row.expected_cert_name.clone(),
            folder_rules: row.folder_rules.clone(),
            subscribed_only: row.subscribed_only,
            older_than_days: row
                .older_than_days
                .and_then(|days| u32::try_from(days).ok()),
            max_message_size: row
                .max_message_size
                .and_then(|size| u64::try_from(size).ok()),
            action: row.action.parse().map_err(corrupt)?,
            success_folder: row.success_folder.clone(),
            duplicate_folder: row.duplicate_folder.clone(),
            error_folder: row.error_folder.clone(),
            success_tag: row.success_tag.clone(),
            duplicate_tag: row.duplicate_tag.clone(),
            delete_older_than_days: row
                .delete_older_than_days
                .and_then(|days| u32::try_from(days).ok()),
            duplicate_policy: row.duplicate_policy.parse().map_err(corrupt)?,
            duplicate_match: row.duplicate_match.parse().map_err(corrupt)?,
            labels: serde_json::from_str(&row.labels)
                .map_err(|error| corrupt(format!("labels: {error}")))?,
            schedule: row.schedule.clone(),
            max_connections: u32::try_from(row.max_connections).unwrap_or(1),
            page_size: u32::try_from(row.page_size).unwrap_or(DEFAULT_PAGE_SIZE),
        })
    }

    /// Where and how to log in for `row`: opens the sealed secret, or for
    /// an OAuth mailbox with a sign-in app gets a current access token
    /// (renewed when it is about to expire).
    pub async fn connection(
        &self,
        row: &MailboxRow,
    ) -> Result<(imap::Endpoint, imap::Credentials), MailboxError> {
        let corrupt = |reason: String| MailboxError::Corrupt {
            name: row.name.clone(),
            reason,
        };
        match row.source.parse::<Source>().map_err(corrupt)? {
            Source::Imap => {}
            Source::Graph => return Err(MailboxError::NotImap(row.name.clone())),
            Source::Import => return Err(MailboxError::NoServer(row.name.clone())),
        }
        let security: Security = row.security.parse().map_err(corrupt)?;
        let auth_method: AuthMethod = row.auth_method.parse().map_err(corrupt)?;
        let endpoint = imap::Endpoint {
            host: row.host.clone(),
            port: u16::try_from(row.port).map_err(|_| corrupt(format!("port {}", row.port)))?,
            security: match security {
                Security::Tls => imap::Security::ImplicitTls,
                Security::StartTls => imap::Security::StartTls,
                Security::Plain => imap::Security::Plain,
            },
            tls: imap::TlsOptions {
                ca_file: row.ca_file.as_ref().map(PathBuf::from),
                accept_invalid_certs: row.accept_invalid_certs,
                expected_name: row.expected_cert_name.clone(),
            },
            timeout: STEP_TIMEOUT,
        };
        let oauth = matches!(auth_method, AuthMethod::XOAuth2 | AuthMethod::OAuthBearer);
        let secret = match (&row.secret_sealed, row.oauth_app_id) {
            (_, Some(_)) if oauth => self.oauth_access_token(row, None).await?,
            // Without a sign-in app, a stored token is used as it is.
            (Some(sealed), _) => self.secrets.open(sealed, &secret_context(row.id))?,
            (None, _) if oauth => {
                return Err(MailboxError::NeedsSignIn {
                    name: row.name.clone(),
                    reason: None,
                });
            }
            (None, _) => return Err(corrupt("no password is stored".into())),
        };
        let secret = secret.expose().to_string();
        let user = row.username.clone();
        let credentials = match (auth_method, &row.master_user) {
            // A master user always logs in with SASL PLAIN, naming the user it acts for.
            (_, Some(master_user)) => imap::Credentials::Plain {
                authzid: Some(self.identity(row)?),
                user: master_user.clone(),
                password: secret,
            },
            (AuthMethod::Plain, None) => imap::Credentials::Plain {
                authzid: None,
                user,
                password: secret,
            },
            (AuthMethod::Login, None) => imap::Credentials::Login {
                user,
                password: secret,
            },
            (AuthMethod::CramMd5, None) => imap::Credentials::CramMd5 {
                user,
                password: secret,
            },
            (AuthMethod::XOAuth2, None) => imap::Credentials::XOAuth2 {
                user,
                token: secret,
            },
            (AuthMethod::OAuthBearer, None) => imap::Credentials::OAuthBearer {
                user,
                token: secret,
            },
        };
        Ok((endpoint, credentials))
    }

    /// The user a master user acts as: the address, its local part, or the user name.
    fn identity(&self, row: &MailboxRow) -> Result<String, MailboxError> {
        let kind: IdentityKind = row
            .identity_kind
            .as_deref()
            .unwrap_or("address")
            .parse()
            .map_err(|reason| MailboxError::Corrupt {
                name: row.name.clone(),
                reason,
            })?;
        let address = || {
            row.email_address
                .clone()
                .unwrap_or_else(|| row.username.clone())
        };
        Ok(match kind {
            IdentityKind::Address => address(),
            IdentityKind::LocalPart => address().split('@').next().unwrap_or_default().to_string(),
            IdentityKind::Username => row.username.clone(),
        })
    }
}

/// A stored password is only ever sent to the server and user it was entered
/// for: whoever may edit a mailbox (its owner, an admin) must not be able to
/// point it at a server of their own and collect the password from there.
fn check_stored_secret_use(
    existing: &MailboxRow,
    profile: &MailboxInput,
    secret: Option<&Secret>,
) -> Result<(), MailboxError> {
    let same_target = existing.source == profile.source.as_str()
        && existing.host == profile.host.trim()
        && existing.port == i32::from(profile.port)
        && existing.security == profile.security.as_str()
        && existing.username == profile.username
        && existing.master_user == profile.master_user;
    if secret.is_none() && existing.secret_sealed.is_some() && !same_target {
        return Err(MailboxError::Invalid(vec![FieldError {
            field: "secret",
            message: "Enter the password again: the server or user changed, and a stored password is only sent to the server it was entered for.".into(),
        }]));
    }
    Ok(())
}

/// The row for a new mailbox from `profile`; its secret is sealed separately
/// (the context needs the row's id).
fn new_row(owner_id: Option<i64>, profile: &MailboxInput, source: Source) -> mailbox::ActiveModel {
    let now = Utc::now();
    mailbox::ActiveModel {
        name: Set(profile.name.trim().to_string()),
        owner_id: Set(owner_id),
        enabled: Set(true),
        email_address: Set(profile.email_address.clone()),
        host: Set(profile.host.trim().to_string()),
        port: Set(i32::from(profile.port)),
        security: Set(profile.security.as_str().into()),
        // Graph takes only bearer tokens, whatever the form said.
        auth_method: Set(match source {
            Source::Graph => AuthMethod::XOAuth2.as_str().into(),
            _ => profile.auth_method.as_str().into(),
        }),
        oauth_app_id: Set(profile.oauth_app_id),
        username: Set(profile.username.clone()),
        secret_sealed: Set(None),
        master_user: Set(profile.master_user.clone()),
        identity_kind: Set(profile.identity_kind.map(|kind| kind.as_str().into())),
        ca_file: Set(profile.ca_file.clone()),
        accept_invalid_certs: Set(profile.accept_invalid_certs),
        expected_cert_name: Set(profile.expected_cert_name.clone()),
        folder_rules: Set(profile.folder_rules.clone()),
        subscribed_only: Set(profile.subscribed_only),
        older_than_days: Set(profile.older_than_days.map(|days| days as i32)),
        max_message_size: Set(profile.max_message_size.map(|size| size as i64)),
        action: Set(profile.action.as_str().into()),
        success_folder: Set(profile.success_folder.clone()),
        duplicate_folder: Set(profile.duplicate_folder.clone()),
        error_folder: Set(profile.error_folder.clone()),
        success_tag: Set(profile.success_tag.clone()),
        duplicate_tag: Set(profile.duplicate_tag.clone()),
        delete_older_than_days: Set(profile.delete_older_than_days.map(|days| days as i32)),
        duplicate_policy: Set(profile.duplicate_policy.as_str().into()),
        duplicate_match: Set(profile.duplicate_match.as_str().into()),
        labels: Set(serde_json::to_string(&profile.labels).expect("labels serialise")),
        schedule: Set(profile.schedule.clone()),
        max_connections: Set(profile.max_connections as i32),
        page_size: Set(profile.page_size as i32),
        source: Set(source.as_str().into()),
        created_at: Set(now),
        updated_at: Set(now),
        template_id: Set(None),
        inherited: Set("[]".into()),
        deleted_at: Set(None),
        ..Default::default()
    }
}

/// Mailboxes that are not deleted.
fn live() -> sea_orm::Select<mailbox::Entity> {
    mailbox::Entity::find().filter(mailbox::Column::DeletedAt.is_null())
}

/// The mailboxes of `owner_id`; `None`: the shared ones. Names are unique
/// within each such group (the indexes of migration 15).
fn owned_by(owner_id: Option<i64>) -> Condition {
    match owner_id {
        Some(owner_id) => Condition::all().add(mailbox::Column::OwnerId.eq(owner_id)),
        None => Condition::all().add(mailbox::Column::OwnerId.is_null()),
    }
}

/// A unique-index violation on saving a mailbox means its owner (or the
/// shared mailboxes) has one of that name.
fn name_taken(name: &str) -> impl FnOnce(DbErr) -> MailboxError + '_ {
    move |error| match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => MailboxError::NameTaken(name.to_string()),
        _ => MailboxError::Db(error),
    }
}
