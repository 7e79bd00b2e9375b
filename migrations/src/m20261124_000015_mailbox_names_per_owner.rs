//! Mailbox names are unique per owner, not across the installation: the
//! global unique constraint on `mailboxes.name` told one user that another
//! had a mailbox of some name ("exists already"), and kept two people from
//! both calling theirs "Inbox archive".
//!
//! Two partial unique indexes replace it: `(owner_id, name)` among owned
//! mailboxes, and `name` among shared ones (`owner_id IS NULL`: NULLs are
//! distinct in a unique index on both SQLite and PostgreSQL, so one index over
//! `(owner_id, name)` would let shared names repeat). Deleted mailboxes keep
//! counting: `Mailboxes::delete` renames them "<name> (deleted #<id>)", which
//! frees the name and stays unique by its id.
//!
//! SQLite cannot drop a column's inline UNIQUE constraint, so there the table
//! is rebuilt (SQLite's documented twelve steps, foreign keys off meanwhile,
//! one transaction); PostgreSQL drops the constraint.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

const OWNED_INDEX: &str = "idx_mailboxes_owner_name";
const SHARED_INDEX: &str = "idx_mailboxes_shared_name";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match db.get_database_backend() {
            DbBackend::Sqlite => rebuild_sqlite_table_without_unique_name(db).await?,
            DbBackend::Postgres => {
                for constraint in postgres_unique_name_constraints(db).await? {
                    db.execute_unprepared(&format!(
                        "ALTER TABLE mailboxes DROP CONSTRAINT \"{constraint}\""
                    ))
                    .await?;
                }
            }
            other => {
                return Err(DbErr::Migration(format!(
                    "mailbox names per owner: {other:?} is not supported"
                )));
            }
        }
        db.execute_unprepared(&format!(
            "CREATE UNIQUE INDEX {OWNED_INDEX} ON mailboxes (owner_id, name) WHERE owner_id IS NOT NULL"
        ))
        .await?;
        db.execute_unprepared(&format!(
            "CREATE UNIQUE INDEX {SHARED_INDEX} ON mailboxes (name) WHERE owner_id IS NULL"
        ))
        .await?;
        Ok(())
    }

    /// Back to one name per installation; fails while two owners share a name.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(&format!("DROP INDEX {OWNED_INDEX}"))
            .await?;
        db.execute_unprepared(&format!("DROP INDEX {SHARED_INDEX}"))
            .await?;
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "ALTER TABLE mailboxes ADD CONSTRAINT mailboxes_name_key UNIQUE (name)",
                )
                .await?;
            }
            _ => {
                db.execute_unprepared("CREATE UNIQUE INDEX idx_mailboxes_name ON mailboxes (name)")
                    .await?;
            }
        }
        Ok(())
    }
}

/// The names of PostgreSQL's unique constraints on `mailboxes.name` alone
/// (`mailboxes_name_key` when created by the first migration).
async fn postgres_unique_name_constraints(
    db: &SchemaManagerConnection<'_>,
) -> Result<Vec<String>, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT con.conname AS name FROM pg_constraint con \
             JOIN pg_class rel ON rel.oid = con.conrelid \
             JOIN pg_attribute att ON att.attrelid = rel.oid AND att.attname = 'name' \
             WHERE rel.relname = 'mailboxes' AND pg_table_is_visible(rel.oid) \
             AND con.contype = 'u' AND con.conkey = ARRAY[att.attnum]",
        ))
        .await?;
    rows.iter()
        .map(|row| row.try_get::<String>("", "name"))
        .collect()
}

/// SQLite's generalized ALTER TABLE: a new table from the stored definition
/// minus the name's UNIQUE, the rows copied, the old table dropped, the new
/// one renamed into its place, its other indexes and its AUTOINCREMENT
/// high-water mark restored. One script on one connection: the foreign-key
/// pragma is per connection and has no effect inside a transaction.
async fn rebuild_sqlite_table_without_unique_name(
    db: &SchemaManagerConnection<'_>,
) -> Result<(), DbErr> {
    let definition = sqlite_scalar(
        db,
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'mailboxes'",
    )
    .await?
    .ok_or_else(|| DbErr::Migration("the mailboxes table is missing".into()))?;
    let new_definition =
        without_unique_name(&definition)?.replacen("\"mailboxes\"", "\"mailboxes_rebuilt\"", 1);
    if !new_definition.contains("\"mailboxes_rebuilt\"") {
        return Err(DbErr::Migration(format!(
            "unexpected definition of mailboxes: {definition}"
        )));
    }
    let indexes: Vec<String> = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'mailboxes' AND sql IS NOT NULL",
        ))
        .await?
        .iter()
        .map(|row| row.try_get::<String>("", "sql"))
        .collect::<Result<_, _>>()?;
    let high_water = sqlite_scalar(
        db,
        "SELECT CAST(seq AS TEXT) FROM sqlite_sequence WHERE name = 'mailboxes'",
    )
    .await?;
    let mut script = vec![
        "PRAGMA foreign_keys = OFF".to_string(),
        "BEGIN IMMEDIATE".to_string(),
        new_definition,
        "INSERT INTO mailboxes_rebuilt SELECT * FROM mailboxes".to_string(),
        "DROP TABLE mailboxes".to_string(),
        "ALTER TABLE mailboxes_rebuilt RENAME TO mailboxes".to_string(),
    ];
    script.extend(indexes);
    if let Some(seq) = high_water.and_then(|seq| seq.parse::<i64>().ok()) {
        script.push(format!(
            "UPDATE sqlite_sequence SET seq = max(seq, {seq}) WHERE name = 'mailboxes'"
        ));
    }
    script.push("COMMIT".into());
    script.push("PRAGMA foreign_keys = ON".into());
    db.execute_unprepared(&script.join(";\n")).await?;
    let violations = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA foreign_key_check",
        ))
        .await?;
    if !violations.is_empty() {
        return Err(DbErr::Migration(format!(
            "rebuilding mailboxes left {} foreign-key violations",
            violations.len()
        )));
    }
    Ok(())
}

async fn sqlite_scalar(
    db: &SchemaManagerConnection<'_>,
    sql: &str,
) -> Result<Option<String>, DbErr> {
    db.query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
        .await?
        .map(|row| row.try_get_by_index::<String>(0))
        .transpose()
}

/// `definition` with the UNIQUE of the `name` column's own definition removed
/// (exactly one: anything else means the schema is not what this expects).
fn without_unique_name(definition: &str) -> Result<String, DbErr> {
    let unexpected =
        || DbErr::Migration(format!("unexpected definition of mailboxes: {definition}"));
    let start = definition.find("\"name\" ").ok_or_else(unexpected)?;
    // The column definition ends at the next comma outside parentheses.
    let mut depth = 0usize;
    let mut end = definition.len();
    for (offset, character) in definition[start..].char_indices() {
        match character {
            '(' => depth += 1,
            ')' if depth == 0 => {
                end = start + offset;
                break;
            }
            ')' => depth -= 1,
            ',' if depth == 0 => {
                end = start + offset;
                break;
            }
            _ => {}
        }
    }
    let column = &definition[start..end];
    let words: Vec<&str> = column.split(' ').collect();
    let unique = words
        .iter()
        .filter(|word| word.eq_ignore_ascii_case("UNIQUE"))
        .count();
    if unique != 1 {
        return Err(unexpected());
    }
    let column: Vec<&str> = words
        .into_iter()
        .filter(|word| !word.eq_ignore_ascii_case("UNIQUE"))
        .collect();
    Ok(format!(
        "{}{}{}",
        &definition[..start],
        column.join(" "),
        &definition[end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_only_the_names_unique() {
        let definition = "CREATE TABLE \"mailboxes\" ( \"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT, \"name\" varchar(255) NOT NULL UNIQUE, \"owner_id\" bigint NULL, \"security\" varchar(16) NOT NULL, FOREIGN KEY (\"owner_id\") REFERENCES \"users\" (\"id\") ON DELETE RESTRICT )";
        let rebuilt = without_unique_name(definition).unwrap();
        assert!(
            rebuilt.contains("\"name\" varchar(255) NOT NULL, \"owner_id\""),
            "{rebuilt}"
        );
        assert!(!rebuilt.contains("UNIQUE"));
        assert!(
            without_unique_name(&rebuilt).is_err(),
            "nothing to remove: not this schema"
        );
    }
}
