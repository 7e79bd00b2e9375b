//! Mailbox profiles as stored: the `Mailboxes` service, its errors, who
//! edits (`Editor`), and reading profiles back. The secret is sealed with the
//! master key, bound to the row (`mailbox:<id>:secret`), and only opened to
//! log in (`connection`). What a profile must pass is `checks`, writing it
//! `changes`, who else reads it `sharing`, its template `templates`, and
//! the changes people make, with their rules and audit entries, `editing`.

use super::profile::{AuthMethod, FieldError, GraphRoots, MailboxInput, Source};
use crate::audit::{Action, Actor, AuditLog};
use crate::connect::ConnectionPolicy;
use crate::db::entity::{mailbox, user};
use crate::oauth::Grants;
use crate::secrets::{SecretBox, SecretError};
use app::i18n::Lang;
use app::model::mailbox::DEFAULT_PAGE_SIZE;
use app::model::mailbox_form::FormError;
use chrono::Utc;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, Set,
    SqlErr,
};
use std::sync::Arc;

pub type MailboxRow = mailbox::Model;

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
        "the mailbox {0:?} is read through {1}, not IMAP: folder subscriptions and restoring need an IMAP mailbox"
    )]
    NotImap(String, &'static str),
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
    #[error("the audit log cannot be written: {0}")]
    Audit(DbErr),
}

impl MailboxError {
    /// One field's problem.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> MailboxError {
        MailboxError::Invalid(vec![FieldError {
            field,
            message: message.into(),
        }])
    }
}

impl From<FormError> for MailboxError {
    fn from(error: FormError) -> Self {
        MailboxError::invalid(error.field, error.message(Lang::En))
    }
}

pub(super) fn secret_context(mailbox_id: i64) -> String {
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

pub struct Mailboxes {
    pub(super) db: DatabaseConnection,
    pub(super) secrets: Arc<SecretBox>,
    /// OAuth mailboxes' tokens.
    pub(super) oauth: Arc<Grants>,
    /// Where users' mailboxes may connect.
    pub(super) connection_policy: ConnectionPolicy,
    /// Where Graph mailboxes may send their tokens.
    pub(super) graph_roots: GraphRoots,
    /// Where the changes people make are recorded (`editing`).
    pub(super) audit: AuditLog,
}

impl Mailboxes {
    /// With the strict connection policy (users' mailboxes reach public
    /// addresses only) and Microsoft's Graph service roots only;
    /// `with_connection_policy` and `with_graph_roots` set the configured ones.
    pub fn new(db: DatabaseConnection, secrets: Arc<SecretBox>) -> Self {
        Mailboxes {
            oauth: Arc::new(Grants::new(db.clone(), secrets.clone())),
            audit: AuditLog::new(db.clone()),
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

    /// The OAuth grants (and sign-in apps) behind OAuth mailboxes.
    pub fn oauth(&self) -> &Arc<Grants> {
        &self.oauth
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
            let owner = self.user_by_email(owner).await?.ok_or_else(not_found)?;
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

    /// Records `by`'s change of mailboxes or templates; a change that cannot
    /// be recorded fails (the caller answers with the error).
    pub(super) async fn record(
        &self,
        by: &Actor,
        action: Action,
        target: &str,
        details: serde_json::Value,
    ) -> Result<(), MailboxError> {
        self.audit
            .record_change(by, action, target, details)
            .await
            .map_err(MailboxError::Audit)
    }

    /// The Tresor user with the address `email` (in any case), if any.
    pub(super) async fn user_by_email(
        &self,
        email: &str,
    ) -> Result<Option<user::Model>, MailboxError> {
        Ok(user::Entity::find()
            .filter(user::Column::Email.eq(email.to_lowercase()))
            .one(&self.db)
            .await?)
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
            pinned_cert_sha256: row.pinned_cert_sha256.clone(),
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
}

/// The row for a new mailbox from `profile`; its secret is sealed separately
/// (the context needs the row's id).
pub(super) fn new_row(
    owner_id: Option<i64>,
    profile: &MailboxInput,
    source: Source,
) -> mailbox::ActiveModel {
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
        pinned_cert_sha256: Set(profile.pinned_cert_sha256.clone()),
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
pub(super) fn live() -> sea_orm::Select<mailbox::Entity> {
    mailbox::Entity::find().filter(mailbox::Column::DeletedAt.is_null())
}

/// The mailboxes of `owner_id`; `None`: the shared ones. Names are unique
/// within each such group (the indexes of migration 15).
pub(super) fn owned_by(owner_id: Option<i64>) -> Condition {
    match owner_id {
        Some(owner_id) => Condition::all().add(mailbox::Column::OwnerId.eq(owner_id)),
        None => Condition::all().add(mailbox::Column::OwnerId.is_null()),
    }
}

/// A unique-index violation on saving a mailbox means its owner (or the
/// shared mailboxes) has one of that name.
pub(super) fn name_taken(name: &str) -> impl FnOnce(DbErr) -> MailboxError + '_ {
    move |error| match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => MailboxError::NameTaken(name.to_string()),
        _ => MailboxError::Db(error),
    }
}
