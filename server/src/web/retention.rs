//! Retention and legal holds for the admin page: the server side of
//! `app::api::retention`, over `crate::retention` (which writes its own
//! audit entries).

use super::backend::WebBackend;
use super::caller::actor;
use super::state::AppState;
use crate::retention::{Basis, Hold, HoldScope, Policy, PolicyScope, Retention, ViewerSearch};
use app::api::backend::RetentionBackend;
use app::error::ApiError;
use app::model::SessionUser;
use app::model::retention::{
    HoldInput, HoldView, PolicyInput, PolicyView, RetentionOverview, RetentionSummary,
};
use std::collections::HashMap;

#[async_trait::async_trait]
impl RetentionBackend for WebBackend {
    async fn retention_overview(&self) -> Result<RetentionOverview, ApiError> {
        let state = &self.state;
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

    async fn add_policy(&self, caller: &SessionUser, input: PolicyInput) -> Result<(), ApiError> {
        let state = &self.state;
        let years: u32 = input
            .years
            .trim()
            .parse()
            .map_err(|_| ApiError::invalid("years", "Write the years as a number, e.g. 10."))?;
        let basis = Basis::parse(&input.basis).ok_or_else(|| {
            ApiError::invalid("basis", "Count from the message date or the archive date.")
        })?;
        let scope =
            PolicyScope::from_parts(mailbox_id(&input.mailbox_id)?, &input.folder, &input.label)?;
        retention(state)
            .add_policy(&input.name, scope, years, basis, &actor(caller))
            .await?;
        Ok(())
    }

    async fn remove_policy(&self, caller: &SessionUser, id: i64) -> Result<(), ApiError> {
        let state = &self.state;
        retention(state).remove_policy(id, &actor(caller)).await?;
        Ok(())
    }

    async fn place_hold(&self, caller: &SessionUser, input: HoldInput) -> Result<(), ApiError> {
        let state = &self.state;
        let scope = match input.kind.as_str() {
            "mailbox" => HoldScope::Mailbox {
                mailbox_id: mailbox_id(&input.mailbox_id)?.ok_or_else(|| {
                    ApiError::invalid("mailbox_id", "Choose the mailbox to hold.")
                })?,
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
        retention(state)
            .place_hold(scope, &input.reason, &actor(caller))
            .await?;
        Ok(())
    }

    async fn release_hold(
        &self,
        caller: &SessionUser,
        id: i64,
        reason: &str,
    ) -> Result<(), ApiError> {
        let state = &self.state;
        retention(state)
            .release_hold(id, reason, &actor(caller))
            .await?;
        Ok(())
    }

    async fn retention_run(
        &self,
        applied_by: Option<&SessionUser>,
    ) -> Result<RetentionSummary, ApiError> {
        let state = &self.state;
        let retention = retention(state);
        let search = ViewerSearch::new(&state.viewer, &state.db);
        let now = chrono::Utc::now();
        let (plan, applied) = match applied_by {
            None => (retention.plan(now, Some(&search)).await?, None),
            Some(caller) => {
                let (plan, applied) = retention.apply(now, Some(&search), &actor(caller)).await?;
                (plan, Some(applied))
            }
        };
        Ok(RetentionSummary {
            deletable: plan.deletable.len() as u64,
            messages_to_delete: plan.messages_to_delete,
            held: plan.held,
            kept: plan.kept,
            uncovered: plan.uncovered,
            deleted_messages: applied.as_ref().map(|applied| applied.messages_deleted),
            deleted_copies: applied.as_ref().map(|applied| applied.locations_deleted),
        })
    }
}

fn retention(state: &AppState) -> Retention {
    Retention::new(state.db.clone(), state.viewer.store().clone())
}

async fn mailbox_names(state: &AppState) -> Result<HashMap<i64, String>, ApiError> {
    Ok(state
        .mailboxes
        .list()
        .await?
        .into_iter()
        .map(|row| (row.id, row.name))
        .collect())
}

fn mailbox_id(text: &str) -> Result<Option<i64>, ApiError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    text.trim()
        .parse()
        .map(Some)
        .map_err(|_| ApiError::invalid("mailbox_id", "Choose a mailbox from the list."))
}
