//! The retention plan: every location judged against the policies that cover
//! it and the holds.

use super::{Basis, Hold, HoldScope, HoldSearch, Policy, PolicyScope, RetentionError};
use crate::db::entity::{message, message_location};
use chrono::{DateTime, Months, Utc};
use sea_orm::{DatabaseConnection, EntityTrait, QuerySelect};
use std::collections::{HashMap, HashSet};

/// A location that may be deleted now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Deletable {
    pub location_id: i64,
    pub message_id: i64,
    pub mailbox_id: i64,
    pub folder: String,
    pub sha256: String,
    /// When the last policy covering it ran out.
    pub expired_at: DateTime<Utc>,
}

/// What may go, and how much is kept for which reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Plan {
    pub computed_at: DateTime<Utc>,
    pub deletable: Vec<Deletable>,
    /// Messages that lose their last location (row and blob go).
    pub messages_to_delete: u64,
    /// Past every policy, but under a legal hold.
    pub held: u64,
    /// Covered, but a policy still keeps them.
    pub kept: u64,
    /// No policy covers them: kept for good.
    pub uncovered: u64,
}

/// The locations and messages active holds keep.
pub(super) struct HeldSet {
    mailboxes: HashSet<i64>,
    messages: HashSet<i64>,
}

impl HeldSet {
    pub(super) async fn resolve(
        holds: &[Hold],
        search: Option<&dyn HoldSearch>,
    ) -> Result<HeldSet, RetentionError> {
        let mut held = HeldSet {
            mailboxes: HashSet::new(),
            messages: HashSet::new(),
        };
        for hold in holds {
            match &hold.scope {
                HoldScope::Mailbox { mailbox_id } => {
                    held.mailboxes.insert(*mailbox_id);
                }
                HoldScope::Messages { message_ids } => held.messages.extend(message_ids),
                HoldScope::Query { query } => {
                    // A query hold is only as good as the index: with mail
                    // still waiting to be indexed it could miss some.
                    let search = search.ok_or_else(|| {
                        RetentionError::IndexNotReady("the index is not open".into())
                    })?;
                    if let Some(reason) = search.not_ready().await {
                        return Err(RetentionError::IndexNotReady(reason));
                    }
                    let ids = search.matching(query).await.map_err(|error| {
                        RetentionError::HoldQuery {
                            hold: hold.id,
                            error,
                        }
                    })?;
                    held.messages.extend(ids);
                }
            }
        }
        Ok(held)
    }
}

/// When a location covered by `policy` may go.
fn expiry(
    policy: &Policy,
    message_date: Option<DateTime<Utc>>,
    archived_at: DateTime<Utc>,
) -> DateTime<Utc> {
    let start = match policy.basis {
        Basis::MessageDate => message_date.unwrap_or(archived_at),
        Basis::ArchivedAt => archived_at,
    };
    start
        .checked_add_months(Months::new(policy.keep_years * 12))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn covers(policy: &Policy, location: &message_location::Model) -> bool {
    match &policy.scope {
        PolicyScope::All => true,
        PolicyScope::Mailbox { mailbox_id } => location.mailbox_id == *mailbox_id,
        PolicyScope::Folder { mailbox_id, folder } => {
            location.mailbox_id == *mailbox_id
                && (location.folder == *folder
                    || location
                        .folder
                        .strip_prefix(folder.as_str())
                        .is_some_and(|rest| rest.starts_with('/')))
        }
        PolicyScope::Label { key, value } => {
            serde_json::from_str::<HashMap<String, String>>(&location.labels)
                .is_ok_and(|labels| labels.get(key) == Some(value))
        }
    }
}

pub(super) async fn compute(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    policies: &[Policy],
    held: &HeldSet,
) -> Result<Plan, RetentionError> {
    let messages: HashMap<i64, (String, Option<DateTime<Utc>>)> = message::Entity::find()
        .select_only()
        .columns([
            message::Column::Id,
            message::Column::Sha256,
            message::Column::Date,
        ])
        .into_tuple::<(i64, String, Option<DateTime<Utc>>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, sha256, date)| (id, (sha256, date)))
        .collect();
    let locations = message_location::Entity::find().all(db).await?;

    let mut plan = Plan {
        computed_at: now,
        deletable: Vec::new(),
        messages_to_delete: 0,
        held: 0,
        kept: 0,
        uncovered: 0,
    };
    let mut remaining: HashMap<i64, u32> = HashMap::new();
    for location in &locations {
        *remaining.entry(location.message_id).or_default() += 1;
    }
    for location in locations {
        let Some((sha256, date)) = messages.get(&location.message_id) else {
            continue;
        };
        let expiries: Vec<DateTime<Utc>> = policies
            .iter()
            .filter(|policy| covers(policy, &location))
            .map(|policy| expiry(policy, *date, location.archived_at))
            .collect();
        let Some(expired_at) = expiries.iter().max().copied() else {
            plan.uncovered += 1;
            continue;
        };
        if expired_at > now {
            plan.kept += 1;
            continue;
        }
        if held.mailboxes.contains(&location.mailbox_id)
            || held.messages.contains(&location.message_id)
        {
            plan.held += 1;
            continue;
        }
        let left = remaining.get_mut(&location.message_id).expect("counted");
        *left -= 1;
        if *left == 0 {
            plan.messages_to_delete += 1;
        }
        plan.deletable.push(Deletable {
            location_id: location.id,
            message_id: location.message_id,
            mailbox_id: location.mailbox_id,
            folder: location.folder,
            sha256: sha256.clone(),
            expired_at,
        });
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(scope: PolicyScope, keep_years: u32, basis: Basis) -> Policy {
        Policy {
            id: 1,
            name: "p".into(),
            scope,
            keep_years,
            basis,
            created_at: Utc::now(),
            created_by: "admin".into(),
        }
    }

    fn location(mailbox_id: i64, folder: &str, labels: &str) -> message_location::Model {
        message_location::Model {
            id: 1,
            message_id: 1,
            mailbox_id,
            folder: folder.into(),
            uid_validity: 1,
            uid: 1,
            flags: "[]".into(),
            internal_date: None,
            labels: labels.into(),
            archived_at: Utc::now(),
            duplicate: false,
            listed: true,
            remote_id: None,
            converted_from: None,
            envelope: None,
        }
    }

    #[test]
    fn folders_cover_their_subfolders_only() {
        let finance = policy(
            PolicyScope::Folder {
                mailbox_id: 1,
                folder: "Finance".into(),
            },
            10,
            Basis::MessageDate,
        );
        assert!(covers(&finance, &location(1, "Finance", "{}")));
        assert!(covers(&finance, &location(1, "Finance/2019", "{}")));
        assert!(!covers(&finance, &location(1, "Finances", "{}")));
        assert!(!covers(&finance, &location(2, "Finance", "{}")));
        let labelled = policy(
            PolicyScope::Label {
                key: "dept".into(),
                value: "hr".into(),
            },
            6,
            Basis::ArchivedAt,
        );
        assert!(covers(&labelled, &location(1, "INBOX", r#"{"dept":"hr"}"#)));
        assert!(!covers(
            &labelled,
            &location(1, "INBOX", r#"{"dept":"it"}"#)
        ));
    }

    #[test]
    fn expiry_counts_whole_years_from_the_basis() {
        let date = DateTime::parse_from_rfc3339("2016-02-29T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let archived = DateTime::parse_from_rfc3339("2020-05-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let by_date = policy(PolicyScope::All, 10, Basis::MessageDate);
        assert_eq!(
            expiry(&by_date, Some(date), archived).to_rfc3339(),
            "2026-02-28T12:00:00+00:00"
        );
        assert_eq!(
            expiry(&by_date, None, archived).to_rfc3339(),
            "2030-05-01T00:00:00+00:00"
        );
        let by_archive = policy(PolicyScope::All, 6, Basis::ArchivedAt);
        assert_eq!(
            expiry(&by_archive, Some(date), archived).to_rfc3339(),
            "2026-05-01T00:00:00+00:00"
        );
    }
}
