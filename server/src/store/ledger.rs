//! The ledger: an append-only, hash-chained record of every message that
//! entered the archive or left it, in the same transaction that records it.
//!
//! Each entry's hash is the SHA-256 of its fields and the previous entry's
//! hash, so a changed, removed or inserted entry breaks the chain from there
//! on; `verify` walks it. An attacker with write access to the database can
//! rewrite the whole chain — which is why the head hash is written daily to a
//! file outside the database (`HeadFile`) for an administrator to note or
//! sign elsewhere, and `verify` checks every head ever written there.
//!
//! Appends are serialised by the `ledger_head` row: the appending transaction
//! updates it first (a row lock on PostgreSQL, the write lock on SQLite, which
//! has been taken already by then), reads the head, writes entries `seq + 1…`
//! and the new head. Two jobs committing at once therefore append one after
//! the other, never from the same head.

use crate::db::entity::{ledger, ledger_head, message, message_location};
use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use sha2::{Digest as _, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The previous hash of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Rows per INSERT: well below SQLite's 32,766 bound parameters at 9 per row.
const ROWS_PER_STATEMENT: usize = 2_000;

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A new message, stored with its first location.
    Archived,
    /// A new revision of a message (the `replace` duplicate policy).
    Revision,
    /// Another location of a message the archive held already.
    Copy,
    /// A location recorded before the ledger existed (its first start).
    Adopted,
    /// A location removed by retention.
    Deleted,
    /// A message removed with its last location (row and blob).
    Purged,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Archived => "archived",
            Action::Revision => "revision",
            Action::Copy => "copy",
            Action::Adopted => "adopted",
            Action::Deleted => "deleted",
            Action::Purged => "purged",
        }
    }

    pub fn parse(text: &str) -> Option<Action> {
        [
            Action::Archived,
            Action::Revision,
            Action::Copy,
            Action::Adopted,
            Action::Deleted,
            Action::Purged,
        ]
        .into_iter()
        .find(|action| action.as_str() == text)
    }
}

/// An entry to append: what happened to which message, where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub action: Action,
    pub message_id: i64,
    pub location_id: Option<i64>,
    pub sha256: String,
    pub mailbox_id: Option<i64>,
    pub folder: String,
}

/// The ledger's last entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Head {
    /// 0 for an empty ledger (its hash is then `GENESIS`).
    pub seq: i64,
    pub hash: String,
    pub updated_at: DateTime<Utc>,
}

/// The hash of an entry: SHA-256 over its fields, one per line, in a fixed
/// order and spelling, ending with the previous entry's hash.
pub fn entry_hash(entry: &ledger::Model) -> String {
    let mut hasher = Sha256::new();
    let text = format!(
        "tresor-ledger-v1\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
        entry.seq,
        // Microseconds: what PostgreSQL keeps, so a read-back hashes the same.
        entry
            .recorded_at
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        entry.action,
        entry.message_id,
        entry
            .location_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
        entry.sha256,
        entry
            .mailbox_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
        entry.folder.escape_default(),
        entry.prev_hash,
    );
    hasher.update(text.as_bytes());
    hex::encode(hasher.finalize())
}

/// Appends `entries` inside `transaction`, after the caller's own writes (so
/// that on SQLite the transaction holds the write lock before it reads the
/// head). Returns the new head.
pub async fn append(
    transaction: &impl ConnectionTrait,
    entries: Vec<NewEntry>,
) -> Result<Head, DbErr> {
    let now = Utc::now().trunc_subsecs(6);
    let head = lock_head(transaction, now).await?;
    if head.seq < 0 {
        return Err(DbErr::Custom(
            "the ledger has not begun: run `tresor migrate` first".into(),
        ));
    }
    let (mut seq, mut prev_hash) = (head.seq, head.hash);
    let mut rows = Vec::with_capacity(entries.len());
    for entry in entries {
        seq += 1;
        let mut row = ledger::Model {
            seq,
            recorded_at: now,
            action: entry.action.as_str().to_string(),
            message_id: entry.message_id,
            location_id: entry.location_id,
            sha256: entry.sha256,
            mailbox_id: entry.mailbox_id,
            folder: entry.folder,
            prev_hash,
            hash: String::new(),
        };
        row.hash = entry_hash(&row);
        prev_hash = row.hash.clone();
        rows.push(row);
    }
    insert(transaction, rows).await?;
    set_head(transaction, seq, &prev_hash, now).await
}

/// Starts the ledger once, right after the migration that created it: every
/// location archived before then becomes an `adopted` entry. A no-op ever
/// after, so a location row slipped into the database later is never adopted
/// (verify reports it as unrecorded).
pub async fn begin(db: &DatabaseConnection) -> Result<(), DbErr> {
    // Every command migrates on start: after the first, this is one read,
    // not a write that would queue behind a running server's batches.
    if head(db).await?.is_some() {
        return Ok(());
    }
    let transaction = db.begin().await?;
    let now = Utc::now().trunc_subsecs(6);
    let head = lock_head(&transaction, now).await?;
    if head.seq >= 0 {
        return transaction.rollback().await;
    }
    set_head(&transaction, 0, GENESIS, now).await?;
    let mut after = 0i64;
    loop {
        let page = message_location::Entity::find()
            .filter(message_location::Column::Id.gt(after))
            .order_by_asc(message_location::Column::Id)
            .limit(5_000)
            .all(&transaction)
            .await?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.id;
        let hashes: std::collections::HashMap<i64, String> = message::Entity::find()
            .select_only()
            .columns([message::Column::Id, message::Column::Sha256])
            .filter(message::Column::Id.is_in(page.iter().map(|location| location.message_id)))
            .into_tuple::<(i64, String)>()
            .all(&transaction)
            .await?
            .into_iter()
            .collect();
        let entries = page
            .into_iter()
            .filter_map(|location| {
                Some(NewEntry {
                    action: Action::Adopted,
                    message_id: location.message_id,
                    location_id: Some(location.id),
                    sha256: hashes.get(&location.message_id)?.clone(),
                    mailbox_id: Some(location.mailbox_id),
                    folder: location.folder,
                })
            })
            .collect();
        append(&transaction, entries).await?;
    }
    transaction.commit().await
}

/// The ledger's head; `None` before `begin`.
pub async fn head(db: &impl ConnectionTrait) -> Result<Option<Head>, DbErr> {
    let row = ledger_head::Entity::find_by_id(1)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("ledger_head".into()))?;
    Ok((row.seq >= 0).then_some(Head {
        seq: row.seq,
        hash: row.hash,
        updated_at: row.updated_at,
    }))
}

/// Updates the head row (taking its lock) and reads it.
async fn lock_head(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Head, DbErr> {
    let updated = ledger_head::Entity::update_many()
        .col_expr(
            ledger_head::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(ledger_head::Column::Id.eq(1))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(DbErr::RecordNotFound("ledger_head".into()));
    }
    let row = ledger_head::Entity::find_by_id(1)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("ledger_head".into()))?;
    Ok(Head {
        seq: row.seq,
        hash: row.hash,
        updated_at: row.updated_at,
    })
}

async fn set_head(
    db: &impl ConnectionTrait,
    seq: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<Head, DbErr> {
    ledger_head::ActiveModel {
        id: Set(1),
        seq: Set(seq),
        hash: Set(hash.to_string()),
        updated_at: Set(now),
    }
    .update(db)
    .await?;
    Ok(Head {
        seq,
        hash: hash.to_string(),
        updated_at: now,
    })
}

async fn insert(db: &impl ConnectionTrait, mut rows: Vec<ledger::Model>) -> Result<(), DbErr> {
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(ROWS_PER_STATEMENT));
        let chunk = std::mem::replace(&mut rows, rest);
        ledger::Entity::insert_many(chunk.into_iter().map(|row| ledger::ActiveModel {
            seq: Set(row.seq),
            recorded_at: Set(row.recorded_at),
            action: Set(row.action),
            message_id: Set(row.message_id),
            location_id: Set(row.location_id),
            sha256: Set(row.sha256),
            mailbox_id: Set(row.mailbox_id),
            folder: Set(row.folder),
            prev_hash: Set(row.prev_hash),
            hash: Set(row.hash),
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// The file outside the database where the head is written once a day:
/// `<data>/ledger/heads.log`, one line per day, only ever appended to.
#[derive(Debug, Clone)]
pub struct HeadFile {
    path: PathBuf,
}

/// One line of the head file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WrittenHead {
    pub written_at: DateTime<Utc>,
    pub seq: i64,
    pub hash: String,
}

impl HeadFile {
    pub fn in_data_dir(data_dir: &Path) -> HeadFile {
        HeadFile {
            path: data_dir.join("ledger").join("heads.log"),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every head written so far, oldest first; lines that do not parse are
    /// returned as errors with their line number.
    pub fn read(&self) -> std::io::Result<Vec<Result<WrittenHead, String>>> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(error),
        };
        Ok(text
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(number, line)| {
                parse_head_line(line).ok_or_else(|| format!("line {}: {line:?}", number + 1))
            })
            .collect())
    }

    /// Appends `head` unless a head was written on the same (UTC) day
    /// already; durable when it returns. Returns whether it wrote.
    pub fn write_daily(&self, head: &Head, now: DateTime<Utc>) -> std::io::Result<bool> {
        let today = now.date_naive();
        let written_today = self
            .read()?
            .iter()
            .flatten()
            .any(|written| written.written_at.date_naive() == today);
        if written_today {
            return Ok(false);
        }
        if let Some(parent) = self.path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        writeln!(
            file,
            "{} seq={} sha256={}",
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            head.seq,
            head.hash
        )?;
        file.sync_all()?;
        Ok(true)
    }
}

fn parse_head_line(line: &str) -> Option<WrittenHead> {
    let mut parts = line.split_whitespace();
    let written_at = DateTime::parse_from_rfc3339(parts.next()?)
        .ok()?
        .with_timezone(&Utc);
    let seq = parts.next()?.strip_prefix("seq=")?.parse().ok()?;
    let hash = parts.next()?.strip_prefix("sha256=")?.to_string();
    (hash.len() == 64 && parts.next().is_none()).then_some(WrittenHead {
        written_at,
        seq,
        hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, prev_hash: &str) -> ledger::Model {
        ledger::Model {
            seq,
            recorded_at: DateTime::parse_from_rfc3339("2026-11-23T10:00:00.123456Z")
                .unwrap()
                .with_timezone(&Utc),
            action: "archived".into(),
            message_id: 7,
            location_id: Some(9),
            sha256: "ab".repeat(32),
            mailbox_id: Some(3),
            folder: "INBOX/Projekt\nX".into(),
            prev_hash: prev_hash.into(),
            hash: String::new(),
        }
    }

    #[test]
    fn every_field_is_covered_by_the_hash() {
        let base = entry(1, GENESIS);
        let hash = entry_hash(&base);
        assert_eq!(hash.len(), 64);
        assert_eq!(entry_hash(&base), hash, "deterministic");
        let changes: [fn(&mut ledger::Model); 9] = [
            |e| e.seq = 2,
            |e| e.recorded_at += chrono::Duration::microseconds(1),
            |e| e.action = "copy".into(),
            |e| e.message_id = 8,
            |e| e.location_id = None,
            |e| e.sha256 = "cd".repeat(32),
            |e| e.mailbox_id = Some(4),
            |e| e.folder = "INBOX/Projekt".into(),
            |e| e.prev_hash = "1".repeat(64),
        ];
        for (index, change) in changes.iter().enumerate() {
            let mut changed = base.clone();
            change(&mut changed);
            assert_ne!(entry_hash(&changed), hash, "change {index}");
        }
        // A newline in a folder name cannot fake a field boundary.
        let mut shifted = base.clone();
        shifted.folder = "INBOX/Projekt".into();
        shifted.prev_hash = format!("X\n{}", base.prev_hash);
        assert_ne!(entry_hash(&shifted), hash);
    }

    #[test]
    fn the_head_file_gets_one_line_a_day_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let file = HeadFile::in_data_dir(dir.path());
        assert!(file.read().unwrap().is_empty());
        let day = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc)
        };
        let head = |seq: i64| Head {
            seq,
            hash: format!("{seq:064}"),
            updated_at: day("2026-11-23T00:00:00Z"),
        };
        assert!(
            file.write_daily(&head(5), day("2026-11-23T02:00:00Z"))
                .unwrap()
        );
        assert!(
            !file
                .write_daily(&head(6), day("2026-11-23T23:59:00Z"))
                .unwrap()
        );
        assert!(
            file.write_daily(&head(9), day("2026-11-24T00:01:00Z"))
                .unwrap()
        );
        let written: Vec<_> = file.read().unwrap().into_iter().flatten().collect();
        assert_eq!(
            written.iter().map(|w| w.seq).collect::<Vec<_>>(),
            [5, 9],
            "one line per day"
        );
        assert_eq!(written[1].hash, format!("{:064}", 9));
        std::fs::write(file.path(), "garbage\n").unwrap();
        assert!(file.read().unwrap()[0].is_err());
    }
}
