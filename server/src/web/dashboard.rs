//! The dashboard's figures: totals over the mailboxes the caller may see,
//! and the mailboxes that need attention (failing, or with weakened TLS).

use super::backend::WebBackend;
use super::error::internal;
use super::state::AppState;
use crate::db::entity::{job, message, message_location};
use crate::mailbox::{MailboxRow, warnings};
use crate::oauth::SignIn;
use app::api::backend::DashboardBackend;
use app::error::ApiError;
use app::model::access::Capability;
use app::model::{
    Attention, DashboardView, IntegrityView, SessionUser, VerificationSummary, VerifyStart,
};
use chrono::{Duration, Utc};
use sea_orm::sea_query::{Alias, Expr, Func, Query};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// How many recent runs tell since when a mailbox fails.
const RECENT_RUNS: u64 = 50;

#[async_trait::async_trait]
impl DashboardBackend for WebBackend {
    async fn verify_now(&self, caller: &SessionUser) -> Result<VerifyStart, ApiError> {
        if !caller.may(Capability::Administer) {
            return Err(ApiError::Forbidden);
        }
        let state = &self.state;
        let Some(verifier) = &state.verifier else {
            return Err(ApiError::Conflict(
                "This server does not check the archive; run `tresor verify` on it.".into(),
            ));
        };
        if !verifier.start() {
            return Ok(VerifyStart::AlreadyRunning);
        }
        super::caller::audit(
            state,
            caller,
            crate::audit::Action::VerificationStarted,
            "archive",
            serde_json::json!({}),
        )
        .await?;
        Ok(VerifyStart::Started)
    }

    async fn dashboard(&self, caller: &SessionUser) -> Result<DashboardView, ApiError> {
        let state = &self.state;
        let mailboxes = state.access.visible_mailboxes(caller).await?;
        let administers = caller.may(Capability::Administer);
        let ids: Vec<i64> = mailboxes.iter().map(|row| row.id).collect();
        let user_count = if administers {
            Some(state.accounts.count_users().await?)
        } else {
            None
        };
        let (message_count, message_bytes) = totals(&state.db, &ids, None).await?;
        let (archived_last_day, _) =
            totals(&state.db, &ids, Some(Utc::now() - Duration::hours(24))).await?;
        // One query finds the mailboxes whose latest run failed; only those are
        // looked at more closely (batches create hundreds of mailboxes).
        let latest_failed = latest_failed(&state.db, &ids).await?;
        // OAuth mailboxes nobody (or nobody lately) signed in for come first:
        // only a person can mend them, and their runs fail until then.
        let mut attention = Vec::new();
        let oauth_mailboxes: Vec<(i64, i64)> = mailboxes
            .iter()
            .filter_map(|row| row.oauth_app_id.map(|app_id| (row.id, app_id)))
            .collect();
        let mut sign_ins = state.mailboxes.oauth().sign_ins(&oauth_mailboxes).await?;
        for row in &mailboxes {
            let problem = match sign_ins.remove(&row.id) {
                None | Some(SignIn::SignedIn) => None,
                Some(SignIn::NotSignedIn) => Some(
                    "Not signed in yet: sign in on the mailbox's page before it can be archived."
                        .to_string(),
                ),
                Some(SignIn::NeedsSignIn(reason)) => Some(format!(
                    "Needs a new sign-in: {}",
                    reason.unwrap_or_else(|| "the provider refused the stored grant".into())
                )),
            };
            if let Some(problem) = problem {
                attention.push(Attention {
                    mailbox_id: row.id,
                    mailbox: row.name.clone(),
                    problem,
                    failing_since: None,
                });
            }
        }
        let signing_in: Vec<i64> = attention.iter().map(|item| item.mailbox_id).collect();
        let mut failing_list = Vec::new();
        for row in mailboxes
            .iter()
            .filter(|row| latest_failed.contains(&row.id) && !signing_in.contains(&row.id))
        {
            if let Some(failing) = failing(&state.db, row).await? {
                failing_list.push(failing);
            }
        }
        // The longest-failing first; then the TLS warnings.
        failing_list.sort_by_key(|item| item.failing_since);
        attention.extend(failing_list);
        for row in &mailboxes {
            for problem in warnings(row) {
                attention.push(Attention {
                    mailbox_id: row.id,
                    mailbox: row.name.clone(),
                    problem,
                    failing_since: None,
                });
            }
        }
        let integrity = if administers {
            Some(integrity(state).await?)
        } else {
            None
        };
        Ok(DashboardView {
            user_count,
            mailbox_count: mailboxes.len() as u64,
            message_count,
            message_bytes,
            archived_last_day,
            attention,
            integrity,
        })
    }
}

/// Findings shown on the dashboard; `tresor verify` lists them all.
const SHOWN_FINDINGS: usize = 5;

async fn integrity(state: &AppState) -> Result<IntegrityView, ApiError> {
    use crate::store::verify::{self, Finding};
    let (last, last_clean_at) = verify::history(&state.db)
        .await
        .map_err(|error| internal(&error))?;
    let head = crate::store::ledger::head(&state.db)
        .await
        .map_err(|error| internal(&error))?;
    let file = crate::store::ledger::HeadFile::in_data_dir(&state.config.data_dir);
    let head_written_at = file
        .read()
        .map_err(|error| internal(&error))?
        .into_iter()
        .flatten()
        .next_back()
        .map(|written| written.written_at);
    let last_check = last.map(|row| {
        let report: serde_json::Value = serde_json::from_str(&row.report).unwrap_or_default();
        let first_findings = match report.get("error").and_then(|error| error.as_str()) {
            Some(error) => vec![format!("The check could not finish: {error}")],
            None => report
                .get("findings")
                .and_then(|findings| findings.as_array())
                .into_iter()
                .flatten()
                .take(SHOWN_FINDINGS)
                .filter_map(|finding| serde_json::from_value::<Finding>(finding.clone()).ok())
                .map(|finding| finding.to_string())
                .collect(),
        };
        VerificationSummary {
            started_at: row.started_at,
            finished_at: row.finished_at,
            status: row.status,
            blobs: row.blobs.max(0) as u64,
            bytes: row.bytes.max(0) as u64,
            finding_count: row.finding_count.max(0) as u64,
            first_findings,
        }
    });
    let since = last_check.as_ref().map(|check| check.started_at);
    let next_check_at = match (since, state.config.verify_interval_hours) {
        (_, 0) => None,
        (Some(since), hours) => Some(since + Duration::hours(hours as i64)),
        // The routine looks within minutes of starting.
        (None, _) => Some(Utc::now()),
    };
    let archived_since_check = match since {
        Some(since) => archived_since(&state.db, since).await?,
        None => 0,
    };
    Ok(IntegrityView {
        next_check_at,
        archived_since_check,
        last_check,
        last_clean_at,
        head_seq: head.as_ref().map(|head| head.seq),
        head_hash: head.map(|head| head.hash),
        head_written_at,
        head_file: file.path().display().to_string(),
    })
}

/// Messages stored since `since` (a check that began before them did not
/// cover them).
async fn archived_since(
    db: &DatabaseConnection,
    since: chrono::DateTime<Utc>,
) -> Result<u64, ApiError> {
    use sea_orm::PaginatorTrait;
    message::Entity::find()
        .filter(message::Column::ArchivedAt.gt(since))
        .count(db)
        .await
        .map_err(|error| internal(&error))
}

/// Distinct messages found in `mailbox_ids` (archived since `since`, if
/// given) and their original size.
async fn totals(
    db: &DatabaseConnection,
    mailbox_ids: &[i64],
    since: Option<chrono::DateTime<Utc>>,
) -> Result<(u64, u64), ApiError> {
    if mailbox_ids.is_empty() {
        return Ok((0, 0));
    }
    let in_mailboxes = Query::select()
        .column(message_location::Column::MessageId)
        .from(message_location::Entity)
        .and_where(message_location::Column::MailboxId.is_in(mailbox_ids.iter().copied()))
        .to_owned();
    let mut query = message::Entity::find()
        .select_only()
        .column_as(message::Column::Id.count(), "count")
        // SUM of a BIGINT is NUMERIC on PostgreSQL: cast back for one type on both.
        .column_as(
            Expr::expr(Func::cast_as(
                Func::coalesce([
                    Expr::from(Func::sum(Expr::col(message::Column::Size))),
                    Expr::val(0),
                ]),
                Alias::new("BIGINT"),
            )),
            "bytes",
        )
        .filter(message::Column::Id.in_subquery(in_mailboxes));
    if let Some(since) = since {
        query = query.filter(message::Column::ArchivedAt.gte(since));
    }
    let (count, bytes): (i64, i64) = query
        .into_tuple()
        .one(db)
        .await
        .map_err(|error| internal(&error))?
        .unwrap_or((0, 0));
    Ok((count.max(0) as u64, bytes.max(0) as u64))
}

/// The mailboxes among `mailbox_ids` whose latest finished run failed.
async fn latest_failed(
    db: &DatabaseConnection,
    mailbox_ids: &[i64],
) -> Result<std::collections::HashSet<i64>, ApiError> {
    if mailbox_ids.is_empty() {
        return Ok(Default::default());
    }
    let latest = Query::select()
        .expr(Func::max(Expr::col(job::Column::Id)))
        .from(job::Entity)
        .and_where(job::Column::MailboxId.is_in(mailbox_ids.iter().copied()))
        .and_where(job::Column::Status.ne("running"))
        .group_by_col(job::Column::MailboxId)
        .to_owned();
    let failed: Vec<i64> = job::Entity::find()
        .select_only()
        .column(job::Column::MailboxId)
        .filter(job::Column::Id.in_subquery(latest))
        .filter(job::Column::Status.eq("failed"))
        .into_tuple()
        .all(db)
        .await
        .map_err(|error| internal(&error))?;
    Ok(failed.into_iter().collect())
}

/// The mailbox's trouble if its latest run failed: the last error, and when
/// the failures in a row began.
async fn failing(db: &DatabaseConnection, row: &MailboxRow) -> Result<Option<Attention>, ApiError> {
    let recent = job::Entity::find()
        .filter(job::Column::MailboxId.eq(row.id))
        .filter(job::Column::Status.ne("running"))
        .order_by_desc(job::Column::Id)
        .limit(RECENT_RUNS)
        .all(db)
        .await
        .map_err(|error| internal(&error))?;
    let failed: Vec<&job::Model> = recent
        .iter()
        .take_while(|job| job.status == "failed")
        .collect();
    let (Some(latest), Some(first)) = (failed.first(), failed.last()) else {
        return Ok(None);
    };
    Ok(Some(Attention {
        mailbox_id: row.id,
        mailbox: row.name.clone(),
        problem: latest
            .error
            .clone()
            .unwrap_or_else(|| "the last run failed".to_string()),
        failing_since: Some(first.started_at),
    }))
}
