//! The batch's statements on `messages`: a message's row from its
//! metadata, new rows inserted in as few statements as the parameter limits
//! allow, and ids looked up by hash or by identity.

use crate::db::entity::message;
use crate::engine::message::StoredMessage;
use crate::metadata::Mailbox;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, QueryTrait, Set,
};
use std::collections::HashMap;

/// Rows per INSERT or hashes per lookup: ~15 parameters a row stays far below
/// SQLite's 32,766 and PostgreSQL's 65,535 parameters per statement.
const ROWS_PER_STATEMENT: usize = 500;

/// The newest revision (highest id) of each identity the archive holds.
pub(super) async fn latest_revisions(
    db: &impl ConnectionTrait,
    identities: &[String],
) -> Result<HashMap<String, i64>, DbErr> {
    let mut latest = HashMap::new();
    for chunk in identities.chunks(ROWS_PER_STATEMENT) {
        let found: Vec<(String, i64)> = message::Entity::find()
            .select_only()
            .column(message::Column::Identity)
            .column_as(message::Column::Id.max(), "id")
            .filter(message::Column::Identity.is_in(chunk.iter().map(String::as_str)))
            .group_by(message::Column::Identity)
            .into_tuple()
            .all(db)
            .await?;
        latest.extend(found);
    }
    Ok(latest)
}

/// The ids of the messages with these hashes that the archive holds.
pub(super) async fn message_ids(
    db: &impl ConnectionTrait,
    hashes: &[String],
) -> Result<HashMap<String, i64>, DbErr> {
    let mut ids = HashMap::with_capacity(hashes.len());
    for chunk in hashes.chunks(ROWS_PER_STATEMENT) {
        let found = message::Entity::find()
            .select_only()
            .column(message::Column::Sha256)
            .column(message::Column::Id)
            .filter(message::Column::Sha256.is_in(chunk.iter().map(String::as_str)))
            .into_tuple::<(String, i64)>()
            .all(db)
            .await?;
        ids.extend(found);
    }
    Ok(ids)
}

/// Inserts the rows in as few statements as the parameter limits allow and
/// returns the ids of those actually inserted, by hash. A hash another job
/// stored meanwhile is skipped (ON CONFLICT DO NOTHING) instead of failing the
/// batch on the unique index, and is missing from the answer.
pub(super) async fn insert_new_messages(
    db: &impl ConnectionTrait,
    mut rows: Vec<message::ActiveModel>,
) -> Result<HashMap<String, i64>, DbErr> {
    let mut inserted = HashMap::with_capacity(rows.len());
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(ROWS_PER_STATEMENT));
        let mut statement = message::Entity::insert_many(std::mem::replace(&mut rows, rest))
            .on_conflict(
                OnConflict::column(message::Column::Sha256)
                    .do_nothing()
                    .to_owned(),
            )
            .into_query();
        statement
            .returning(Query::returning().columns([message::Column::Id, message::Column::Sha256]));
        for row in db.query_all(&statement).await? {
            let id: i64 = row.try_get("", "id")?;
            let sha256: String = row.try_get("", "sha256")?;
            inserted.insert(sha256, id);
        }
    }
    Ok(inserted)
}

pub(super) fn message_row(
    stored: &StoredMessage,
    sha256: String,
    supersedes: Option<i64>,
    now: DateTime<Utc>,
) -> message::ActiveModel {
    let metadata = &stored.metadata;
    let json = |value: &Vec<String>| serde_json::to_string(value).expect("strings serialise");
    message::ActiveModel {
        sha256: Set(sha256),
        size: Set(metadata.size as i64),
        message_id_header: Set(metadata.message_id.clone()),
        date: Set(metadata.date),
        subject: Set(metadata.subject.clone()),
        from_text: Set(address_text(&metadata.from)),
        to_text: Set(address_text(&metadata.to)),
        cc_text: Set(address_text(&metadata.cc)),
        attachment_names: Set(json(&metadata.attachment_names)),
        has_attachments: Set(metadata.has_attachments),
        in_reply_to: Set(metadata.in_reply_to.clone()),
        references: Set(json(&metadata.references)),
        defects: Set((!metadata.defects.is_empty()).then(|| json(&metadata.defects))),
        archived_at: Set(now),
        identity: Set(stored.identity.clone()),
        supersedes_id: Set(supersedes),
        ..Default::default()
    }
}

/// `Name <address>, …` for display and search.
fn address_text(mailboxes: &[Mailbox]) -> String {
    mailboxes
        .iter()
        .map(|mailbox| match (&mailbox.name, &mailbox.address) {
            (Some(name), Some(address)) => format!("{name} <{address}>"),
            (None, Some(address)) => address.clone(),
            (Some(name), None) => name.clone(),
            (None, None) => String::new(),
        })
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_read_as_a_person_writes_them() {
        let mailboxes = [
            Mailbox {
                name: Some("Doe, John".into()),
                address: Some("john@example.com".into()),
            },
            Mailbox {
                name: None,
                address: Some("a@example.com".into()),
            },
            Mailbox {
                name: None,
                address: None,
            },
        ];
        assert_eq!(
            address_text(&mailboxes),
            "Doe, John <john@example.com>, a@example.com"
        );
    }
}
