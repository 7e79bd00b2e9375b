//! Retention and legal holds for the admin page: the server side of
//! `app::api::retention`, over `crate::retention`, every change audit-logged.

use super::AppState;
use super::backend::{audit, internal};
use crate::audit::Action;
use crate::retention::{
    Basis, Hold, HoldScope, Policy, PolicyScope, Retention, RetentionError, ViewerSearch,
};
use app::error::ApiError;
use app::model::SessionUser;
use app::model::retention::{
    HoldInput, HoldView, PolicyInput, PolicyView, RetentionOverview, RetentionSummary,
};
use serde_json::json;
use std::collections::HashMap;

impl From<RetentionError> for ApiError {
    fn from(error: RetentionError) -> Self {
        match error {
            RetentionError::Invalid(message) => ApiError::Conflict(message),
            RetentionError::IndexNotReady(_) | RetentionError::HoldQuery { .. } => {
                ApiError::Conflict(error.to_string())
            }
            other => internal(&other),
        }
    }
}

fn retention(state: &AppState) -> Retention {
    Retention::new(state.db.clone(), state.viewer.store().clone())
}

async fn mailbox_names(state: &AppState) -> Result<HashMap<i64, String>, ApiError> {
    Ok(state
        .mailboxes
        .visible_to(0, true)
        .await?
        .into_iter()
        .map(|row| (row.id, row.name))
        .collect())
}

pub(super) async fn overview(state: &AppState) -> Result<RetentionOverview, ApiError> {
    let names = mailbox_names(state).await?;
    let name = |id: &i64| names.get(id).cloned().unwrap_or_else(|| format!("#{id}"));
    let retention = retention(state);
    let policies = retention
        .policies()
        .await?
        .into_iter()
        .map(|policy: Policy| PolicyView {
            id: policy.id,
            covers: match &policy.scope {
                PolicyScope::All => "All mail".into(),
                PolicyScope::Mailbox { mailbox_id } => format!("Mailbox {}", name(mailbox_id)),
                PolicyScope::Folder { mailbox_id, folder } => {
                    format!("Folder {folder} of {}", name(mailbox_id))
                }
                PolicyScope::Label { key, value } => format!("Label {key}={value}"),
            },
            name: policy.name,
            keep_years: policy.keep_years,
            from: match policy.basis {
                Basis::MessageDate => "message date".into(),
                Basis::ArchivedAt => "archive date".into(),
            },
            created_at: policy.created_at,
            created_by: policy.created_by,
        })
        .collect();
    let holds = retention
        .holds()
        .await?
        .into_iter()
        .rev()
        .map(|hold: Hold| HoldView {
            id: hold.id,
            holds: match &hold.scope {
                HoldScope::Mailbox { mailbox_id } => format!("Mailbox {}", name(mailbox_id)),
                HoldScope::Query { query } => format!("Search: {query}"),
                HoldScope::Messages { message_ids } => format!(
                    "Messages {}",
                    message_ids
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
            reason: hold.reason,
            created_at: hold.created_at,
            created_by: hold.created_by,
            released_at: hold.released_at,
            released_by: hold.released_by,
            release_reason: hold.release_reason,
        })
        .collect();
    let mut mailboxes: Vec<(i64, String)> = names.into_iter().collect();
    mailboxes.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(RetentionOverview {
        policies,
        holds,
        mailboxes,
    })
}

fn mailbox_id(text: &str, field: &'static str) -> Result<Option<i64>, ApiError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    text.trim()
        .parse()
        .map(Some)
        .map_err(|_| ApiError::invalid(field, "Choose a mailbox from the list."))
}

pub(super) async fn add_policy(
    state: &AppState,
    caller: &SessionUser,
    input: PolicyInput,
) -> Result<(), ApiError> {
    let years: u32 = input
        .years
        .trim()
        .parse()
        .map_err(|_| ApiError::invalid("years", "Write the years as a number, e.g. 10."))?;
    let basis = Basis::parse(&input.basis).ok_or_else(|| {
        ApiError::invalid("basis", "Count from the message date or the archive date.")
    })?;
    let scope = match (
        mailbox_id(&input.mailbox_id, "mailbox_id")?,
        input.label.trim(),
    ) {
        (Some(mailbox_id), _) if !input.folder.trim().is_empty() => PolicyScope::Folder {
            mailbox_id,
            folder: input.folder.trim().to_string(),
        },
        (Some(mailbox_id), _) => PolicyScope::Mailbox { mailbox_id },
        (None, "") if input.folder.trim().is_empty() => PolicyScope::All,
        (None, "") => {
            return Err(ApiError::invalid(
                "mailbox_id",
                "A folder belongs to a mailbox: choose one.",
            ));
        }
        (None, label) => {
            let (key, value) = label
                .split_once('=')
                .ok_or_else(|| ApiError::invalid("label", "Write the label as key=value."))?;
            PolicyScope::Label {
                key: key.trim().into(),
                value: value.trim().into(),
            }
        }
    };
    let policy = retention(state)
        .add_policy(&input.name, scope, years, basis, &caller.email)
        .await
        .map_err(|error| match error {
            RetentionError::Invalid(message) => ApiError::invalid("name", message),
            other => other.into(),
        })?;
    let target = format!("retention policy {} ({})", policy.id, policy.name);
    audit(
        state,
        caller,
        Action::PolicyAdded,
        &target,
        json!({ "after": policy }),
    )
    .await
}

pub(super) async fn remove_policy(
    state: &AppState,
    caller: &SessionUser,
    id: i64,
) -> Result<(), ApiError> {
    let policy = retention(state).remove_policy(id).await?;
    let target = format!("retention policy {id} ({})", policy.name);
    audit(
        state,
        caller,
        Action::PolicyRemoved,
        &target,
        json!({ "before": policy }),
    )
    .await
}

pub(super) async fn place_hold(
    state: &AppState,
    caller: &SessionUser,
    input: HoldInput,
) -> Result<(), ApiError> {
    let scope = match input.kind.as_str() {
        "mailbox" => HoldScope::Mailbox {
            mailbox_id: mailbox_id(&input.mailbox_id, "mailbox_id")?
                .ok_or_else(|| ApiError::invalid("mailbox_id", "Choose the mailbox to hold."))?,
        },
        "query" => HoldScope::Query {
            query: input.query.trim().to_string(),
        },
        "messages" => HoldScope::Messages {
            message_ids: input
                .message_ids
                .split([',', ' ', '\n'])
                .filter(|id| !id.trim().is_empty())
                .map(|id| id.trim().parse())
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    ApiError::invalid("message_ids", "Message ids are numbers, e.g. 12, 15.")
                })?,
        },
        _ => {
            return Err(ApiError::invalid(
                "kind",
                "Hold a mailbox, a search or messages.",
            ));
        }
    };
    let field = match input.kind.as_str() {
        "query" => "query",
        "messages" => "message_ids",
        _ => "reason",
    };
    let hold = retention(state)
        .place_hold(scope, &input.reason, &caller.email)
        .await
        .map_err(|error| match error {
            RetentionError::Invalid(message) if message.contains("reason") => {
                ApiError::invalid("reason", message)
            }
            RetentionError::Invalid(message) => ApiError::invalid(field, message),
            other => other.into(),
        })?;
    let details = json!({ "scope": hold.scope, "reason": hold.reason });
    audit(
        state,
        caller,
        Action::HoldPlaced,
        &format!("legal hold {}", hold.id),
        details,
    )
    .await
}

pub(super) async fn release_hold(
    state: &AppState,
    caller: &SessionUser,
    id: i64,
    reason: &str,
) -> Result<(), ApiError> {
    let hold = retention(state)
        .release_hold(id, reason, &caller.email)
        .await?;
    let details = json!({ "scope": hold.scope, "reason": reason });
    audit(
        state,
        caller,
        Action::HoldReleased,
        &format!("legal hold {id}"),
        details,
    )
    .await
}

pub(super) async fn run(
    state: &AppState,
    applied_by: Option<&SessionUser>,
) -> Result<RetentionSummary, ApiError> {
    let retention = retention(state);
    let search = ViewerSearch::new(&state.viewer, &state.db);
    let now = chrono::Utc::now();
    let Some(caller) = applied_by else {
        let plan = retention.plan(now, Some(&search)).await?;
        return Ok(RetentionSummary {
            deletable: plan.deletable.len() as u64,
            messages_to_delete: plan.messages_to_delete,
            held: plan.held,
            kept: plan.kept,
            uncovered: plan.uncovered,
            deleted_messages: None,
            deleted_copies: None,
        });
    };
    let (plan, applied) = retention.apply(now, Some(&search)).await?;
    let deleted: Vec<_> = plan
        .deletable
        .iter()
        .map(|item| (item.message_id, item.location_id))
        .collect();
    let details = json!({ "applied": applied, "message_and_location_ids": deleted });
    audit(state, caller, Action::RetentionApplied, "archive", details).await?;
    Ok(RetentionSummary {
        deletable: plan.deletable.len() as u64,
        messages_to_delete: plan.messages_to_delete,
        held: plan.held,
        kept: plan.kept,
        uncovered: plan.uncovered,
        deleted_messages: Some(applied.messages_deleted),
        deleted_copies: Some(applied.locations_deleted),
    })
}
