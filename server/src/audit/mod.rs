//! The audit log: sign-ins, configuration changes, what auditors searched,
//! which mail was viewed, downloaded, exported or restored, holds and
//! deletions — who, when, from where, with what outcome.
//!
//! Append-only: `record` inserts, nothing updates or deletes. Details are
//! JSON passed through `mask` first, so a key that names a secret never
//! carries its value (mailbox secrets travel outside the input types anyway;
//! this is the second line). An access that cannot be recorded does not
//! happen: callers propagate `record`'s error.

mod csv;

use crate::db::entity::audit_entry;
use app::model::audit::{AUDIT_PAGE_SIZE, AuditFilter};
use chrono::{NaiveDate, Utc};
use futures::StreamExt;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, Set,
};

/// What was done; the names are `app::model::audit::AUDIT_ACTIONS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignIn,
    SignInFailed,
    SignOut,
    PasswordChanged,
    PasswordResetRequested,
    UserCreated,
    UserChanged,
    UserDeleted,
    MailboxCreated,
    MailboxChanged,
    MailboxDeleted,
    TemplateSaved,
    TemplateDeleted,
    BatchCreated,
    Search,
    MessageViewed,
    MessageDownloaded,
    AttachmentDownloaded,
    Export,
    Restore,
    HoldPlaced,
    HoldReleased,
    PolicyAdded,
    PolicyRemoved,
    RetentionApplied,
    AuditExported,
    SmtpChanged,
    SmtpRemoved,
    SignInAppSaved,
    SignInAppRemoved,
    MailboxSignedIn,
    MailboxSignedOut,
    VerificationStarted,
    ImportUploaded,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::SignIn => "sign_in",
            Action::SignInFailed => "sign_in_failed",
            Action::SignOut => "sign_out",
            Action::PasswordChanged => "password_changed",
            Action::PasswordResetRequested => "password_reset_requested",
            Action::UserCreated => "user_created",
            Action::UserChanged => "user_changed",
            Action::UserDeleted => "user_deleted",
            Action::MailboxCreated => "mailbox_created",
            Action::MailboxChanged => "mailbox_changed",
            Action::MailboxDeleted => "mailbox_deleted",
            Action::TemplateSaved => "template_saved",
            Action::TemplateDeleted => "template_deleted",
            Action::BatchCreated => "batch_created",
            Action::Search => "search",
            Action::MessageViewed => "message_viewed",
            Action::MessageDownloaded => "message_downloaded",
            Action::AttachmentDownloaded => "attachment_downloaded",
            Action::Export => "export",
            Action::Restore => "restore",
            Action::HoldPlaced => "hold_placed",
            Action::HoldReleased => "hold_released",
            Action::PolicyAdded => "policy_added",
            Action::PolicyRemoved => "policy_removed",
            Action::RetentionApplied => "retention_applied",
            Action::AuditExported => "audit_exported",
            Action::SmtpChanged => "smtp_changed",
            Action::SmtpRemoved => "smtp_removed",
            Action::SignInAppSaved => "sign_in_app_saved",
            Action::SignInAppRemoved => "sign_in_app_removed",
            Action::MailboxSignedIn => "mailbox_signed_in",
            Action::MailboxSignedOut => "mailbox_signed_out",
            Action::VerificationStarted => "verification_started",
            Action::ImportUploaded => "import_uploaded",
        }
    }
}

/// Who did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    User {
        id: i64,
        email: String,
    },
    /// Someone with a sign-in attempt for this address (not signed in).
    Anonymous {
        email: String,
    },
    /// The command line on the server.
    Operator,
}

impl Actor {
    fn id(&self) -> Option<i64> {
        match self {
            Actor::User { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// How the log (and records that name who did something) spell them.
    pub fn name(&self) -> String {
        match self {
            Actor::User { email, .. } | Actor::Anonymous { email } => email.clone(),
            Actor::Operator => "operator (command line)".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// Refused: not allowed, or a wrong password.
    Denied,
    Failed,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }
}

/// Keys whose values are never written: they name secrets.
const SECRET_KEYS: [&str; 5] = ["password", "secret", "token", "api_key", "master_key"];

/// `value` with every secret-named key's value replaced by "(masked)",
/// at any depth.
pub fn mask(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let lower = key.to_ascii_lowercase();
                    if SECRET_KEYS
                        .iter()
                        .any(|secret| lower == *secret || lower.ends_with(&format!("_{secret}")))
                        && !value.is_boolean()
                    {
                        (key, Value::String("(masked)".into()))
                    } else {
                        (key, mask(value))
                    }
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(mask).collect()),
        other => other,
    }
}

/// Entries per page of the CSV export: one query and that many rows in
/// memory at a time, however long the log.
pub const CSV_PAGE_SIZE: u64 = 500;

#[derive(Debug, Clone)]
pub struct AuditLog {
    db: DatabaseConnection,
    csv_page_size: u64,
}

/// A CSV export of the log, resolved (`AuditLog::csv_export`): which
/// entries, and how many there are.
#[derive(Debug, Clone)]
pub struct CsvExport {
    filter: AuditFilter,
    /// The highest entry id when it was resolved: entries written while
    /// the export runs (its own record among them) are not in it.
    through: i64,
    pub count: u64,
}

impl AuditLog {
    pub fn new(db: DatabaseConnection) -> AuditLog {
        AuditLog {
            db,
            csv_page_size: CSV_PAGE_SIZE,
        }
    }

    /// The same log exporting `size` entries per CSV page (tests use tiny
    /// pages to cross many page boundaries).
    pub fn with_csv_page_size(mut self, size: u64) -> AuditLog {
        self.csv_page_size = size.max(1);
        self
    }

    pub async fn record(
        &self,
        actor: &Actor,
        client: Option<&str>,
        action: Action,
        target: &str,
        details: serde_json::Value,
        outcome: Outcome,
    ) -> Result<(), DbErr> {
        audit_entry::ActiveModel {
            at: Set(Utc::now()),
            actor_id: Set(actor.id()),
            actor: Set(actor.name()),
            client: Set(client.map(str::to_string)),
            action: Set(action.as_str().into()),
            target: Set(target.into()),
            details: Set(mask(details).to_string()),
            outcome: Set(outcome.as_str().into()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// A change `by` made that went through (`Outcome::Ok`), recorded by the
    /// service that made it, so the web and the command line leave the same
    /// entry; no client address (the service does not know the request).
    pub async fn record_change(
        &self,
        by: &Actor,
        action: Action,
        target: &str,
        details: serde_json::Value,
    ) -> Result<(), DbErr> {
        self.record(by, None, action, target, details, Outcome::Ok)
            .await
    }

    /// A page of entries matching `filter`, newest first, and how many match.
    pub async fn page(
        &self,
        filter: &AuditFilter,
    ) -> Result<(Vec<audit_entry::Model>, u64), AuditError> {
        let query = filtered(filter)?;
        let total = query.clone().count(&self.db).await?;
        let entries = query
            .order_by_desc(audit_entry::Column::Id)
            .offset(filter.offset as u64)
            .limit(AUDIT_PAGE_SIZE as u64)
            .all(&self.db)
            .await?;
        Ok((entries, total))
    }

    /// The CSV export of the entries matching `filter` as they are now;
    /// checks the filter (`AuditError::Filter`) before anything is written.
    pub async fn csv_export(&self, filter: &AuditFilter) -> Result<CsvExport, AuditError> {
        let through: i64 = audit_entry::Entity::find()
            .select_only()
            .column_as(audit_entry::Column::Id.max(), "through")
            .into_tuple::<Option<i64>>()
            .one(&self.db)
            .await?
            .flatten()
            .unwrap_or(0);
        let count = filtered(filter)?
            .filter(audit_entry::Column::Id.lte(through))
            .count(&self.db)
            .await?;
        Ok(CsvExport {
            filter: filter.clone(),
            through,
            count,
        })
    }

    /// The entries of `export` after id `after`, oldest first, one page.
    async fn csv_page(
        &self,
        export: &CsvExport,
        after: i64,
    ) -> Result<Vec<audit_entry::Model>, AuditError> {
        Ok(filtered(&export.filter)?
            .filter(audit_entry::Column::Id.gt(after))
            .filter(audit_entry::Column::Id.lte(export.through))
            .order_by_asc(audit_entry::Column::Id)
            .limit(self.csv_page_size)
            .all(&self.db)
            .await?)
    }

    /// `export` as CSV (RFC 4180), oldest entry first: the header, then one
    /// chunk per page, each page read when the one before is taken.
    pub fn csv_stream(
        &self,
        export: CsvExport,
    ) -> impl futures::Stream<Item = Result<Vec<u8>, AuditError>> + Send + 'static {
        let log = self.clone();
        let mut header = Vec::new();
        csv::write_header(&mut header).expect("writing to memory");
        let rows = futures::stream::try_unfold(Some(0i64), move |after| {
            let log = log.clone();
            let export = export.clone();
            async move {
                let Some(after) = after else {
                    return Ok(None);
                };
                let entries = log.csv_page(&export, after).await?;
                let Some(last) = entries.last().map(|entry| entry.id) else {
                    return Ok(None);
                };
                let mut chunk = Vec::new();
                csv::write_rows(&entries, &mut chunk).expect("writing to memory");
                let next = (entries.len() as u64 == log.csv_page_size).then_some(last);
                Ok(Some((chunk, next)))
            }
        });
        futures::stream::once(futures::future::ready(Ok(header))).chain(rows)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("{0}")]
    Filter(String),
}

fn filtered(filter: &AuditFilter) -> Result<Select<audit_entry::Entity>, AuditError> {
    let mut query = audit_entry::Entity::find();
    if !filter.action.trim().is_empty() {
        query = query.filter(audit_entry::Column::Action.eq(filter.action.trim()));
    }
    if !filter.actor.trim().is_empty() {
        query = query.filter(audit_entry::Column::Actor.contains(filter.actor.trim()));
    }
    let day = |text: &str, name: &str| {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| AuditError::Filter(format!("{name}: write a date as 2026-03-31")))
    };
    if !filter.from.trim().is_empty() {
        let start = day(&filter.from, "From")?
            .and_hms_opt(0, 0, 0)
            .expect("midnight");
        query = query.filter(audit_entry::Column::At.gte(start.and_utc()));
    }
    if !filter.to.trim().is_empty() {
        let end = day(&filter.to, "To")?
            .succ_opt()
            .and_then(|next| next.and_hms_opt(0, 0, 0))
            .ok_or_else(|| AuditError::Filter("To: too far in the future".into()))?;
        query = query.filter(audit_entry::Column::At.lt(end.and_utc()));
    }
    Ok(query)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_masked_at_any_depth_and_flags_kept() {
        let masked = mask(json!({
            "name": "sales",
            "password": "hunter2",
            "nested": {"client_secret": "abc", "token": "t", "host": "imap"},
            "list": [{"master_password": "x"}],
            "has_secret": true,
            "api_key": "k",
        }));
        let text = masked.to_string();
        for secret in ["hunter2", "\"abc\"", "\"t\"", "\"x\"", "\"k\""] {
            assert!(!text.contains(secret), "{text}");
        }
        assert_eq!(masked["nested"]["host"], "imap");
        assert_eq!(masked["has_secret"], true);
        assert_eq!(masked["password"], "(masked)");
    }
}
