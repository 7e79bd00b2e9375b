//! Storing and loading mailbox profiles. The secret is sealed with the master
//! key, bound to the row (`mailbox:<id>:secret`), and only opened to log in.

use super::profile::{
    AuthMethod, FieldError, GraphRoots, IdentityKind, MailboxInput, Security, Source, Validation,
};
use crate::connect::{self, ConnectionPolicy, Destinations, MailboxOwner};
use crate::db::entity::{mailbox, mailbox_grant, oauth_flow, oauth_grant, user};
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
use std::collections::{BTreeMap, BTreeSet};
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
    /// Saved before the service root was refused (or the configuration
    /// changed since): its token is not sent there.
    #[error(
        "the mailbox {name:?} reads Microsoft Graph at {root}, which is not an allowed service root; an administrator can change the mailbox or allow the root in the configuration (graph_roots)"
    )]
    GraphRootNotAllowed { name: String, root: String },
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

fn secret_context(mailbox_id: i64) -> String {
    format!("mailbox:{mailbox_id}:secret")
}

/// Who saves or tests a profile, which decides what they may set: how a
/// master user logs in and app-only sign-in apps reach other people's mail,
/// so only administrators choose them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Editor {
    /// An administrator, or the command line (run by whoever holds the
    /// data directory and its master key).
    Admin,
    /// Anyone else who manages a mailbox: its owner.
    Owner,
}

impl Editor {
    pub fn of(role: app::model::Role) -> Editor {
        match role {
            app::model::Role::Admin => Editor::Admin,
            app::model::Role::User | app::model::Role::Auditor => Editor::Owner,
        }
    }
}

/// Whether a profile is saved or only tried ("test connection", folder
/// subscriptions): a change that invalidates the OAuth grant drops it on
/// saving, but a test must not use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Save,
    Test,
}

/// What a checked change of a saved mailbox does to its sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckedChange {
    /// Something a stored credential was given for changed: the OAuth grant
    /// and any sign-in under way go (the mailbox needs a sign-in).
    pub drops_grant: bool,
}

pub struct Mailboxes {
    db: DatabaseConnection,
    secrets: Arc<SecretBox>,
    /// OAuth mailboxes' tokens.
    oauth: Arc<Grants>,
    /// Where users' mailboxes may connect.
    connection_policy: ConnectionPolicy,
    /// Where Graph mailboxes may send their tokens.
    graph_roots: GraphRoots,
}

impl Mailboxes {
    /// With the strict connection policy (users' mailboxes reach public
    /// addresses only) and Microsoft's Graph service roots only;
    /// `with_connection_policy` and `with_graph_roots` set the configured ones.
    pub fn new(db: DatabaseConnection, secrets: Arc<SecretBox>) -> Self {
        Mailboxes {
            oauth: Arc::new(Grants::new(db.clone(), secrets.clone())),
            db,
            secrets,
            connection_policy: ConnectionPolicy::default(),
            graph_roots: GraphRoots::default(),
        }
    }

    /// The same, with the Graph service roots an administrator configured.
    pub fn with_graph_roots(mut self, graph_roots: GraphRoots) -> Self {
        self.graph_roots = graph_roots;
        self
    }

    pub fn with_connection_policy(mut self, policy: ConnectionPolicy) -> Self {
        self.connection_policy = policy;
        self
    }

    /// Where connections for `row` may go: decided by who manages it
    /// (`connect::destinations_for`), looked up at each connection.
    pub async fn destinations(&self, row: &MailboxRow) -> Result<Destinations, MailboxError> {
        let owner = match row.owner_id {
            None => MailboxOwner::Shared,
            Some(owner_id) => user::Entity::find_by_id(owner_id)
                .one(&self.db)
                .await?
                .and_then(|owner| owner.role.parse().ok())
                .map_or(MailboxOwner::Unknown, MailboxOwner::Role),
        };
        Ok(connect::destinations_for(owner, &self.connection_policy))
    }

    /// The OAuth grants (and sign-in apps) behind OAuth mailboxes.
    pub fn oauth(&self) -> &Arc<Grants> {
        &self.oauth
    }

    /// Creates a mailbox of `owner_id` (`None`: the organisation's), as
    /// `editor` may: see `check_profile`.
    pub async fn create(
        &self,
        editor: Editor,
        owner_id: Option<i64>,
        profile: &MailboxInput,
        secret: Option<&Secret>,
    ) -> Result<MailboxRow, MailboxError> {
        self.check_profile(editor, None, profile, secret, Purpose::Save)
            .await?;
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
    /// the next run. A change of anything the OAuth grant was given for
    /// (`credential_binding`) drops the grant: the mailbox needs a sign-in.
    pub async fn update(
        &self,
        editor: Editor,
        id: i64,
        profile: &MailboxInput,
        secret: Option<&Secret>,
    ) -> Result<MailboxRow, MailboxError> {
        let existing = self.by_id(id).await?;
        let change = self
            .check_update(editor, &existing, profile, secret)
            .await?;
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
        let transaction = self.db.begin().await?;
        if change.drops_grant {
            forget_sign_in(&transaction, id).await?;
        }
        let row = row
            .update(&transaction)
            .await
            .map_err(name_taken(&profile.name))?;
        transaction.commit().await?;
        Ok(row)
    }

    /// Whether `existing` may be replaced by `profile` (and `secret`) by
    /// `editor`: what `update` checks before it writes.
    pub async fn check_update(
        &self,
        editor: Editor,
        existing: &MailboxRow,
        profile: &MailboxInput,
        secret: Option<&Secret>,
    ) -> Result<CheckedChange, MailboxError> {
        self.check_profile(editor, Some(existing), profile, secret, Purpose::Save)
            .await
    }

    /// The row a run of `profile` would use, without saving it: "test
    /// connection" for the editor's current values. Without a new secret the
    /// stored one of `existing` is used, and its OAuth grant, only where
    /// nothing they were given for changed (`credential_binding`).
    pub async fn probe_row(
        &self,
        editor: Editor,
        owner_id: Option<i64>,
        existing: Option<&MailboxRow>,
        profile: &MailboxInput,
        secret: Option<&Secret>,
    ) -> Result<MailboxRow, MailboxError> {
        self.check_profile(editor, existing, profile, secret, Purpose::Test)
            .await?;
        let stored = existing.and_then(|row| row.secret_sealed.clone());
        let id = existing.map_or(0, |row| row.id);
        let mut row = new_row(owner_id, profile, profile.source);
        row.id = Set(id);
        row.secret_sealed = Set(match secret {
            Some(secret) => Some(self.secrets.seal(secret, &secret_context(id))),
            None => stored,
        });
        Ok(row.try_into_model()?)
    }

    /// Every check a profile passes before it is saved or tried, every
    /// problem with its field:
    /// - a stored password or token, and an OAuth grant, only go where they
    ///   were given for: a change of `credential_binding` needs the password
    ///   typed again; the grant is dropped on saving and not used by a test;
    /// - only administrators set up master users (a master user logs in as
    ///   anyone) or use app-only sign-in apps (they read every mailbox of
    ///   the organisation);
    /// - the profile is valid, its sign-in app exists, its Graph root is allowed.
    async fn check_profile(
        &self,
        editor: Editor,
        existing: Option<&MailboxRow>,
        profile: &MailboxInput,
        secret: Option<&Secret>,
        purpose: Purpose,
    ) -> Result<CheckedChange, MailboxError> {
        if let Some(existing) = existing
            && !existing
                .source
                .parse::<Source>()
                .is_ok_and(|source| source.is_server())
        {
            return Err(MailboxError::NoServer(existing.name.clone()));
        }
        let before = existing.map(|row| self.input_of(row)).transpose()?;
        let mut errors = Vec::new();
        let mut drops_grant = false;
        if let (Some(existing), Some(before)) = (existing, &before) {
            let changed = binding_changes(before, profile);
            if !changed.is_empty() {
                if secret.is_none() && existing.secret_sealed.is_some() {
                    errors.extend(secret_needed(&changed));
                }
                match purpose {
                    Purpose::Save => drops_grant = true,
                    Purpose::Test if uses_grant(profile) && self.has_grant(existing.id).await? => {
                        errors.extend(changed.iter().map(|field| FieldError {
                            field,
                            message: "Save the mailbox and sign in again to test this: its sign-in was given for the settings before.".into(),
                        }));
                    }
                    Purpose::Test => {}
                }
            }
        }
        if editor == Editor::Owner {
            errors.extend(master_user_changes(before.as_ref(), profile));
        }
        let has_secret =
            secret.is_some() || existing.is_some_and(|row| row.secret_sealed.is_some());
        errors.extend(self.problems(profile, has_secret));
        errors.extend(self.oauth_app_problems(editor, profile).await?);
        if !errors.is_empty() {
            return Err(MailboxError::Invalid(errors));
        }
        Ok(CheckedChange { drops_grant })
    }

    /// The profile's own problems (`Validation`) and, for Graph, whether
    /// its service root is allowed.
    pub fn problems(&self, profile: &MailboxInput, has_secret: bool) -> Vec<FieldError> {
        let mut errors = profile.validate(has_secret);
        if profile.source == Source::Graph
            && errors.iter().all(|error| error.field != "host")
            && let Some(message) = self.graph_roots.problem(&profile.host)
        {
            errors.push(FieldError {
                field: "host",
                message,
            });
        }
        errors
    }

    /// Whether mailbox `id` has an OAuth grant (from whichever app).
    async fn has_grant(&self, id: i64) -> Result<bool, MailboxError> {
        Ok(oauth_grant::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .is_some())
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
        // Checked again here, where the token leaves: a row saved before
        // the allow-list, or a root the configuration no longer allows.
        if row.source == Source::Graph.as_str() && !self.graph_roots.allows(&row.host) {
            return Err(MailboxError::GraphRootNotAllowed {
                name: row.name.clone(),
                root: row.host.clone(),
            });
        }
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

    /// The profile's sign-in app must exist, and only an administrator
    /// uses an app-only one (its token reads any mailbox of the organisation).
    async fn oauth_app_problems(
        &self,
        editor: Editor,
        profile: &MailboxInput,
    ) -> Result<Vec<FieldError>, MailboxError> {
        let Some(app_id) = profile.oauth_app_id else {
            return Ok(Vec::new());
        };
        let message = match self.oauth.apps().row(app_id).await {
            Err(OAuthError::Db(error)) => return Err(error.into()),
            Err(_) => "There is no such sign-in app (any more); choose another.",
            Ok(app) if editor == Editor::Owner && crate::oauth::is_app_only(&app) => {
                "Only an administrator uses an app-only sign-in app: it reads every mailbox of the organisation. Choose an app you sign in to yourself."
            }
            Ok(_) => return Ok(Vec::new()),
        };
        Ok(vec![FieldError {
            field: "oauth_app",
            message: message.into(),
        }])
    }

    /// Chooses the sign-in app an OAuth mailbox logs in with (`None`: a
    /// stored token is used as it is).
    /// A grant from another app goes with the change.
    pub async fn set_oauth_app(
        &self,
        id: i64,
        app_id: Option<i64>,
    ) -> Result<MailboxRow, MailboxError> {
        let existing = self.by_id(id).await?;
        let changed = existing.oauth_app_id != app_id;
        let mut row: mailbox::ActiveModel = existing.into();
        row.oauth_app_id = Set(app_id);
        row.updated_at = Set(Utc::now());
        let transaction = self.db.begin().await?;
        if changed {
            forget_sign_in(&transaction, id).await?;
        }
        let row = row.update(&transaction).await?;
        transaction.commit().await?;
        Ok(row)
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
            destinations: self.destinations(row).await?,
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

    /// The user a master user acts as: the address, its local part, or the
    /// user name — always from the mailbox's own columns, fixed when it was
    /// saved (a batch copies the owner's address then), never from the
    /// owner's account at run time: neither a new owner nor a changed
    /// account address redirects it. Only administrators change them.
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
        Ok(master_identity(
            kind,
            row.email_address.as_deref(),
            &row.username,
        ))
    }
}

/// Who a master user logs in as (the authzid it sends).
fn master_identity(kind: IdentityKind, email_address: Option<&str>, username: &str) -> String {
    let address = email_address.unwrap_or(username);
    match kind {
        IdentityKind::Address => address.to_string(),
        IdentityKind::LocalPart => address.split('@').next().unwrap_or_default().to_string(),
        IdentityKind::Username => username.to_string(),
    }
}

/// Everything that decides whose mail a stored password, token or OAuth
/// grant reads and whether the connection is trusted, each under the form
/// field it comes from. Whoever may edit a mailbox (its owner, an admin)
/// must not be able to point a stored credential at a server of their own,
/// another user, an untrusted connection or another sign-in app.
fn credential_binding(profile: &MailboxInput) -> BTreeMap<&'static str, String> {
    let mut binding = BTreeMap::from([
        ("source", profile.source.as_str().to_string()),
        // Graph: the service root the bearer token is sent to.
        ("host", profile.host.trim().to_string()),
        // Graph: the mailbox read.
        ("username", profile.username.clone()),
        (
            "auth_method",
            stored_auth_method(profile).as_str().to_string(),
        ),
        ("oauth_app", format!("{:?}", profile.oauth_app_id)),
    ]);
    // Graph is reached over the public web PKI only.
    if profile.source != Source::Graph {
        binding.extend([
            ("port", profile.port.to_string()),
            ("security", profile.security.as_str().to_string()),
            ("ca_file", format!("{:?}", profile.ca_file)),
            (
                "accept_invalid_certs",
                profile.accept_invalid_certs.to_string(),
            ),
            (
                "expected_cert_name",
                format!("{:?}", profile.expected_cert_name),
            ),
            ("master_user", format!("{:?}", profile.master_user)),
        ]);
        if profile.master_user.is_some() {
            let kind = profile.identity_kind.unwrap_or(IdentityKind::Address);
            binding.insert("identity_kind", kind.as_str().to_string());
            // The identity actually sent, under the field it is mostly taken from.
            binding.insert(
                "email_address",
                master_identity(kind, profile.email_address.as_deref(), &profile.username),
            );
        }
    }
    binding
}

/// The fields of `credential_binding` that differ between `before` and `after`.
fn binding_changes(before: &MailboxInput, after: &MailboxInput) -> Vec<&'static str> {
    let before = credential_binding(before);
    let after = credential_binding(after);
    let fields: BTreeSet<&'static str> = before.keys().chain(after.keys()).copied().collect();
    fields
        .into_iter()
        .filter(|field| before.get(field) != after.get(field))
        .collect()
}

/// A stored password used for changed settings: the password field and
/// every changed one say so.
fn secret_needed(changed: &[&'static str]) -> Vec<FieldError> {
    let names = changed.join(", ");
    std::iter::once(FieldError {
        field: "secret",
        message: format!(
            "Enter the password again: {names} changed, and a stored password is only used with the server, user and connection settings it was entered for."
        ),
    })
    .chain(changed.iter().map(|field| FieldError {
        field,
        message: "Changing this needs the password typed again.".into(),
    }))
    .collect()
}

/// For someone other than an administrator: a master user and whom it acts
/// for are not theirs to set or change (it logs in as anyone).
fn master_user_changes(before: Option<&MailboxInput>, after: &MailboxInput) -> Vec<FieldError> {
    let is_master = |profile: &MailboxInput| profile.master_user.is_some();
    if !is_master(after) && !before.is_some_and(is_master) {
        return Vec::new();
    }
    let message =
        "Only an administrator sets up how a master user logs in: it can read anyone's mail.";
    let Some(before) = before else {
        return vec![FieldError {
            field: "master_user",
            message: message.into(),
        }];
    };
    [
        ("master_user", before.master_user != after.master_user),
        (
            "identity_kind",
            before.identity_kind.unwrap_or(IdentityKind::Address)
                != after.identity_kind.unwrap_or(IdentityKind::Address),
        ),
        ("email_address", before.email_address != after.email_address),
        ("username", before.username != after.username),
    ]
    .into_iter()
    .filter(|(_, changed)| *changed)
    .map(|(field, _)| FieldError {
        field,
        message: message.into(),
    })
    .collect()
}

/// Whether a run of `profile` logs in with the mailbox's OAuth grant.
fn uses_grant(profile: &MailboxInput) -> bool {
    profile.oauth_app_id.is_some()
        && matches!(
            stored_auth_method(profile),
            AuthMethod::XOAuth2 | AuthMethod::OAuthBearer
        )
}

/// The method a saved `profile` logs in with: Graph takes only bearer tokens,
/// whatever the form said.
fn stored_auth_method(profile: &MailboxInput) -> AuthMethod {
    match profile.source {
        Source::Graph => AuthMethod::XOAuth2,
        _ => profile.auth_method,
    }
}

/// Drops mailbox `id`'s OAuth grant and the sign-ins under way for it.
async fn forget_sign_in(transaction: &sea_orm::DatabaseTransaction, id: i64) -> Result<(), DbErr> {
    oauth_grant::Entity::delete_by_id(id)
        .exec(transaction)
        .await?;
    oauth_flow::Entity::delete_many()
        .filter(oauth_flow::Column::MailboxId.eq(id))
        .exec(transaction)
        .await?;
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
