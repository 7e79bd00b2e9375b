//! Retention policies and legal holds: which archived mail may go, and the
//! explicit, logged job that deletes it.
//!
//! Policies and holds work on *locations* (a message found in a mailbox and
//! folder), because that is what they name. A location is deletable when at
//! least one policy covers it, every policy that covers it has run out, and
//! no hold covers it; mail no policy covers is kept. A message goes (row and
//! blob) only when its last location goes: the same bytes still held by
//! another mailbox stay. Every deletion is a ledger entry in the transaction
//! that deletes, so `verify` accounts for what left.
//!
//! Nothing is deleted unless an administrator runs `tresor retention apply`;
//! `--dry-run` shows the same plan without touching anything.

mod hold_search;
mod plan;
mod rules;

pub use hold_search::{HoldSearch, ViewerSearch};
pub use plan::{Deletable, Plan};
pub use rules::{Basis, Hold, HoldScope, Policy, PolicyScope};
use rules::{hold_of, policy_of};

use crate::audit::{Action as AuditAction, Actor, AuditLog, Outcome};
use crate::db::entity::{legal_hold, message, message_location, retention_policy};
use crate::store::ledger::{self, Action, NewEntry};
use crate::store::{BlobStore, Digest};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set, TransactionTrait,
};
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Locations deleted per transaction.
const LOCATIONS_PER_TRANSACTION: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("{0}")]
    Invalid(String),
    /// Input an administrator can correct, with the field it is about.
    #[error("{message}")]
    Field {
        field: &'static str,
        message: String,
    },
    #[error("the audit log cannot be written: {0}")]
    Audit(DbErr),
    #[error("a legal hold by search query needs the search index, and {0}")]
    IndexNotReady(String),
    #[error("the search for hold {hold}: {error}")]
    HoldQuery { hold: i64, error: String },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// What `apply` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Applied {
    pub locations_deleted: u64,
    pub messages_deleted: u64,
    pub blobs_deleted: u64,
}

/// Policies, holds and deletions; every change it makes is in the audit log,
/// by whoever `by` names (a signed-in admin or the command line).
pub struct Retention {
    db: DatabaseConnection,
    store: Arc<BlobStore>,
    audit: AuditLog,
}

impl Retention {
    pub fn new(db: DatabaseConnection, store: Arc<BlobStore>) -> Retention {
        Retention {
            audit: AuditLog::new(db.clone()),
            db,
            store,
        }
    }

    async fn record(
        &self,
        by: &Actor,
        action: AuditAction,
        target: &str,
        details: serde_json::Value,
    ) -> Result<(), RetentionError> {
        self.audit
            .record(by, None, action, target, details, Outcome::Ok)
            .await
            .map_err(RetentionError::Audit)
    }

    pub async fn policies(&self) -> Result<Vec<Policy>, RetentionError> {
        retention_policy::Entity::find()
            .order_by_asc(retention_policy::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(policy_of)
            .collect()
    }

    pub async fn add_policy(
        &self,
        name: &str,
        scope: PolicyScope,
        keep_years: u32,
        basis: Basis,
        by: &Actor,
    ) -> Result<Policy, RetentionError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(RetentionError::Field {
                field: "name",
                message: "a policy needs a name".into(),
            });
        }
        if !(1..=100).contains(&keep_years) {
            return Err(RetentionError::Field {
                field: "years",
                message: "keep mail between 1 and 100 years".into(),
            });
        }
        let (kind, mailbox_id, folder, label_key, label_value) = match &scope {
            PolicyScope::All => ("all", None, None, None, None),
            PolicyScope::Mailbox { mailbox_id } => ("mailbox", Some(*mailbox_id), None, None, None),
            PolicyScope::Folder { mailbox_id, folder } => (
                "folder",
                Some(*mailbox_id),
                Some(folder.trim_matches('/').to_string()),
                None,
                None,
            ),
            PolicyScope::Label { key, value } => {
                ("label", None, None, Some(key.clone()), Some(value.clone()))
            }
        };
        let row = retention_policy::ActiveModel {
            name: Set(name.to_string()),
            scope: Set(kind.into()),
            mailbox_id: Set(mailbox_id),
            folder: Set(folder),
            label_key: Set(label_key),
            label_value: Set(label_value),
            keep_years: Set(keep_years as i32),
            basis: Set(basis.as_str().into()),
            created_at: Set(Utc::now()),
            created_by: Set(by.name()),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|error| match error.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => RetentionError::Field {
                field: "name",
                message: format!("a policy named {name:?} exists already"),
            },
            _ => RetentionError::Db(error),
        })?;
        let policy = policy_of(row)?;
        let target = format!("retention policy {} ({})", policy.id, policy.name);
        self.record(
            by,
            AuditAction::PolicyAdded,
            &target,
            json!({ "after": policy }),
        )
        .await?;
        Ok(policy)
    }

    pub async fn remove_policy(&self, id: i64, by: &Actor) -> Result<Policy, RetentionError> {
        let row = retention_policy::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| RetentionError::Invalid(format!("no retention policy {id}")))?;
        retention_policy::Entity::delete_by_id(id)
            .exec(&self.db)
            .await?;
        let policy = policy_of(row)?;
        let target = format!("retention policy {id} ({})", policy.name);
        self.record(
            by,
            AuditAction::PolicyRemoved,
            &target,
            json!({ "before": policy }),
        )
        .await?;
        Ok(policy)
    }

    /// Every hold, active and released.
    pub async fn holds(&self) -> Result<Vec<Hold>, RetentionError> {
        legal_hold::Entity::find()
            .order_by_asc(legal_hold::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(hold_of)
            .collect()
    }

    pub async fn place_hold(
        &self,
        scope: HoldScope,
        reason: &str,
        by: &Actor,
    ) -> Result<Hold, RetentionError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(RetentionError::Field {
                field: "reason",
                message: "say why: a legal hold needs a reason".into(),
            });
        }
        let (kind, mailbox_id, query, message_ids) = match &scope {
            HoldScope::Mailbox { mailbox_id } => ("mailbox", Some(*mailbox_id), None, None),
            HoldScope::Query { query } => {
                crate::index::Query::parse(query).map_err(|error| RetentionError::Field {
                    field: "query",
                    message: error.0,
                })?;
                ("query", None, Some(query.clone()), None)
            }
            HoldScope::Messages { message_ids } => {
                if message_ids.is_empty() {
                    return Err(RetentionError::Field {
                        field: "message_ids",
                        message: "name the messages to hold".into(),
                    });
                }
                (
                    "messages",
                    None,
                    None,
                    Some(serde_json::to_string(message_ids).expect("ids serialise")),
                )
            }
        };
        let row = legal_hold::ActiveModel {
            reason: Set(reason.into()),
            scope: Set(kind.into()),
            mailbox_id: Set(mailbox_id),
            query: Set(query),
            message_ids: Set(message_ids),
            created_at: Set(Utc::now()),
            created_by: Set(by.name()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        let hold = hold_of(row)?;
        let details = json!({ "scope": hold.scope, "reason": hold.reason });
        let target = format!("legal hold {}", hold.id);
        self.record(by, AuditAction::HoldPlaced, &target, details)
            .await?;
        Ok(hold)
    }

    pub async fn release_hold(
        &self,
        id: i64,
        reason: &str,
        by: &Actor,
    ) -> Result<Hold, RetentionError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(RetentionError::Field {
                field: "reason",
                message: "say why: releasing a hold needs a reason".into(),
            });
        }
        let row = legal_hold::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| RetentionError::Invalid(format!("no legal hold {id}")))?;
        if row.released_at.is_some() {
            return Err(RetentionError::Invalid(format!(
                "hold {id} was released already"
            )));
        }
        let mut active: legal_hold::ActiveModel = row.into();
        active.released_at = Set(Some(Utc::now()));
        active.released_by = Set(Some(by.name()));
        active.release_reason = Set(Some(reason.into()));
        let hold = hold_of(active.update(&self.db).await?)?;
        let details = json!({ "scope": hold.scope, "reason": reason });
        self.record(
            by,
            AuditAction::HoldReleased,
            &format!("legal hold {id}"),
            details,
        )
        .await?;
        Ok(hold)
    }

    /// What `apply` would delete now, and what it keeps and why.
    pub async fn plan(
        &self,
        now: DateTime<Utc>,
        search: Option<&dyn HoldSearch>,
    ) -> Result<Plan, RetentionError> {
        let policies = self.policies().await?;
        let holds: Vec<Hold> = self
            .holds()
            .await?
            .into_iter()
            .filter(|hold| hold.released_at.is_none())
            .collect();
        let held = plan::HeldSet::resolve(&holds, search).await?;
        plan::compute(&self.db, now, &policies, &held).await
    }

    /// Deletes what the plan made now says may go: locations, then messages
    /// left without one, with a ledger entry each, in transactions of a few
    /// hundred; then the blobs of the messages deleted.
    pub async fn apply(
        &self,
        now: DateTime<Utc>,
        search: Option<&dyn HoldSearch>,
        by: &Actor,
    ) -> Result<(Plan, Applied), RetentionError> {
        let plan = self.plan(now, search).await?;
        let mut applied = Applied::default();
        for chunk in plan.deletable.chunks(LOCATIONS_PER_TRANSACTION) {
            let purged = self.delete_chunk(chunk).await?;
            applied.locations_deleted += chunk.len() as u64;
            applied.messages_deleted += purged.len() as u64;
            // After the commit: a blob is only ever removed once no row
            // refers to it (a crash in between leaves an extra blob, which
            // verify reports and the next apply removes).
            let store = self.store.clone();
            applied.blobs_deleted += tokio::task::spawn_blocking(move || {
                let mut removed = 0;
                for digest in purged {
                    if store.remove(&digest)? {
                        removed += 1;
                    }
                }
                Ok::<_, crate::store::StoreError>(removed)
            })
            .await
            .map_err(|error| RetentionError::Invalid(format!("deleting blobs: {error}")))??;
        }
        let deleted: Vec<(i64, i64)> = plan
            .deletable
            .iter()
            .map(|item| (item.message_id, item.location_id))
            .collect();
        let details = json!({ "applied": applied, "message_and_location_ids": deleted });
        self.record(by, AuditAction::RetentionApplied, "archive", details)
            .await?;
        Ok((plan, applied))
    }

    async fn delete_chunk(&self, chunk: &[Deletable]) -> Result<Vec<Digest>, RetentionError> {
        let transaction = self.db.begin().await?;
        let location_ids: Vec<i64> = chunk.iter().map(|item| item.location_id).collect();
        message_location::Entity::delete_many()
            .filter(message_location::Column::Id.is_in(location_ids))
            .exec(&transaction)
            .await?;
        let touched: BTreeSet<i64> = chunk.iter().map(|item| item.message_id).collect();
        // Messages with no location left go too (decided again here, inside
        // the transaction, not trusted from the plan).
        let still_held: BTreeSet<i64> = message_location::Entity::find()
            .filter(message_location::Column::MessageId.is_in(touched.iter().copied()))
            .all(&transaction)
            .await?
            .into_iter()
            .map(|location| location.message_id)
            .collect();
        let orphans: Vec<i64> = touched.difference(&still_held).copied().collect();
        let purged_rows = message::Entity::find()
            .filter(message::Column::Id.is_in(orphans.iter().copied()))
            .all(&transaction)
            .await?;
        if !orphans.is_empty() {
            message::Entity::update_many()
                .col_expr(message::Column::SupersedesId, Expr::value(None::<i64>))
                .filter(message::Column::SupersedesId.is_in(orphans.iter().copied()))
                .exec(&transaction)
                .await?;
            message::Entity::delete_many()
                .filter(message::Column::Id.is_in(orphans.iter().copied()))
                .exec(&transaction)
                .await?;
        }
        // The index forgets them (or re-checks who may still see them).
        crate::index::queue(&transaction, touched.iter().copied().collect()).await?;

        let mut entries: Vec<NewEntry> = chunk
            .iter()
            .map(|item| NewEntry {
                action: Action::Deleted,
                message_id: item.message_id,
                location_id: Some(item.location_id),
                sha256: item.sha256.clone(),
                mailbox_id: Some(item.mailbox_id),
                folder: item.folder.clone(),
            })
            .collect();
        entries.extend(purged_rows.iter().map(|row| NewEntry {
            action: Action::Purged,
            message_id: row.id,
            location_id: None,
            sha256: row.sha256.clone(),
            mailbox_id: None,
            folder: String::new(),
        }));
        ledger::append(&transaction, entries).await?;
        transaction.commit().await?;
        purged_rows
            .iter()
            .map(|row| {
                row.sha256
                    .parse::<Digest>()
                    .map_err(|error| RetentionError::Invalid(error.to_string()))
            })
            .collect()
    }
}
