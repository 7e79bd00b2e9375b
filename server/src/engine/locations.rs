//! What the archive knows about one folder of a source: which of its
//! messages it records (by IMAP UID, or by the source's own id such as a
//! Graph message id), how many, and how far a run got (the folder's
//! checkpoint and, for Graph, its delta link).
//!
//! Every source asks here and nowhere else, so "archived already" means the
//! same for IMAP, Graph and a file import. It lives in `engine/`, not in
//! `store/`: folders, UIDs and checkpoints are the engine's bookkeeping of
//! its sources, while `store/` keeps content-addressed bytes and the ledger
//! and knows no source. The rows themselves are written by `batch`, in the
//! transaction that records a batch.

use super::action::{Outcome, Settled};
use crate::db::entity::{folder_checkpoint, message_location};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect, Set,
};
use std::collections::HashMap;

/// UIDs or ids per lookup: far below SQLite's and PostgreSQL's limits on
/// parameters per statement.
const LOOKUP_CHUNK: usize = 500;

/// How far a folder's runs got, as its checkpoint row says.
pub type Checkpoint = folder_checkpoint::Model;

/// A folder of a source as the archive records it. Its checkpoint is kept
/// per mailbox and folder name; its locations also per UIDVALIDITY, so a
/// folder made anew (another UIDVALIDITY) starts afresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFolder {
    pub mailbox_id: i64,
    /// The folder's name as the source spells it (IMAP's raw name, a Graph
    /// folder's path, an import's folder).
    pub name: String,
    pub uid_validity: i64,
}

/// A location as the lookups read it: UID, duplicate, date, remote id.
type KnownRow = (i64, bool, Option<DateTime<Utc>>, Option<String>);

impl SourceFolder {
    /// The folder's checkpoint row, whatever UIDVALIDITY it was saved under
    /// (the caller compares it with the folder's).
    pub async fn checkpoint(&self, db: &impl ConnectionTrait) -> Result<Option<Checkpoint>, DbErr> {
        folder_checkpoint::Entity::find()
            .filter(folder_checkpoint::Column::MailboxId.eq(self.mailbox_id))
            .filter(folder_checkpoint::Column::Folder.eq(self.name.as_str()))
            .one(db)
            .await
    }

    /// Every UID up to `last_uid` in the folder is settled (archived, or
    /// skipped for good); the next run starts above it. `highest_modseq` is
    /// set only when the whole folder was settled as of that CONDSTORE
    /// state. The delta link is left as it is.
    pub async fn save_checkpoint(
        &self,
        db: &impl ConnectionTrait,
        last_uid: u32,
        highest_modseq: Option<i64>,
    ) -> Result<(), DbErr> {
        let now = Utc::now();
        match self.checkpoint(db).await? {
            Some(row) => {
                let mut active: folder_checkpoint::ActiveModel = row.into();
                active.uid_validity = Set(self.uid_validity);
                active.last_uid = Set(i64::from(last_uid));
                active.highest_modseq = Set(highest_modseq);
                active.updated_at = Set(now);
                active.update(db).await?;
            }
            None => {
                folder_checkpoint::ActiveModel {
                    mailbox_id: Set(self.mailbox_id),
                    folder: Set(self.name.clone()),
                    uid_validity: Set(self.uid_validity),
                    last_uid: Set(i64::from(last_uid)),
                    highest_modseq: Set(highest_modseq),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(db)
                .await?;
            }
        }
        Ok(())
    }

    /// Sets the delta link on the folder's checkpoint row (written by the
    /// batches and `save_checkpoint`, which leave the link alone).
    pub async fn save_delta_link(
        &self,
        db: &impl ConnectionTrait,
        delta_link: Option<String>,
    ) -> Result<(), DbErr> {
        folder_checkpoint::Entity::update_many()
            .col_expr(
                folder_checkpoint::Column::DeltaLink,
                Expr::value(delta_link),
            )
            .col_expr(
                folder_checkpoint::Column::UpdatedAt,
                Expr::value(Utc::now()),
            )
            .filter(folder_checkpoint::Column::MailboxId.eq(self.mailbox_id))
            .filter(folder_checkpoint::Column::Folder.eq(self.name.as_str()))
            .exec(db)
            .await?;
        Ok(())
    }

    /// Messages of this folder (as of its UIDVALIDITY) the archive records.
    pub async fn archived_count(&self, db: &impl ConnectionTrait) -> Result<u64, DbErr> {
        message_location::Entity::find()
            .filter(message_location::Column::MailboxId.eq(self.mailbox_id))
            .filter(message_location::Column::Folder.eq(self.name.as_str()))
            .filter(message_location::Column::UidValidity.eq(self.uid_validity))
            .count(db)
            .await
    }

    /// Which of `uids` this folder's locations record, and how.
    pub async fn known_by_uid(
        &self,
        db: &impl ConnectionTrait,
        uids: &[u32],
    ) -> Result<Vec<Settled>, DbErr> {
        let mut settled = Vec::new();
        for chunk in uids.chunks(LOOKUP_CHUNK) {
            let uids = chunk.iter().map(|uid| i64::from(*uid));
            let rows = self
                .locations(db, message_location::Column::Uid.is_in(uids))
                .await?;
            settled.extend(rows.into_iter().filter_map(|row| as_settled(&row)));
        }
        Ok(settled)
    }

    /// Which of the source's `ids` this folder's locations record (as
    /// `remote_id`), and how, by id.
    pub async fn known_by_remote_id(
        &self,
        db: &impl ConnectionTrait,
        ids: &[&str],
    ) -> Result<HashMap<String, Settled>, DbErr> {
        let mut known = HashMap::new();
        for chunk in ids.chunks(LOOKUP_CHUNK) {
            let ids = chunk.iter().copied();
            let rows = self
                .locations(db, message_location::Column::RemoteId.is_in(ids))
                .await?;
            for row in rows {
                if let Some(message) = as_settled(&row)
                    && let (_, _, _, Some(remote_id)) = row
                {
                    known.insert(remote_id, message);
                }
            }
        }
        Ok(known)
    }

    /// The folder's locations that `condition` picks, as `KnownRow`s.
    async fn locations(
        &self,
        db: &impl ConnectionTrait,
        condition: SimpleExpr,
    ) -> Result<Vec<KnownRow>, DbErr> {
        message_location::Entity::find()
            .select_only()
            .column(message_location::Column::Uid)
            .column(message_location::Column::Duplicate)
            .column(message_location::Column::InternalDate)
            .column(message_location::Column::RemoteId)
            .filter(message_location::Column::MailboxId.eq(self.mailbox_id))
            .filter(message_location::Column::Folder.eq(self.name.as_str()))
            .filter(message_location::Column::UidValidity.eq(self.uid_validity))
            .filter(condition)
            .into_tuple()
            .all(db)
            .await
    }
}

/// A recorded location as a settled message: archived, or a duplicate.
fn as_settled(row: &KnownRow) -> Option<Settled> {
    let (uid, duplicate, internal_date, _) = row;
    Some(Settled {
        uid: u32::try_from(*uid).ok()?,
        outcome: if *duplicate {
            Outcome::Duplicate
        } else {
            Outcome::Archived
        },
        internal_date: *internal_date,
    })
}
