//! The ledger: an append-only, hash-chained record of everything that entered
//! or left the archive, and the results of integrity checks.
//!
//! `ledger` rows are never updated or deleted. Each row's `hash` covers its
//! fields and the previous row's hash, so changing any row breaks the chain
//! from there on. `ledger_head` is one row (id 1) holding the last sequence
//! number and hash: appending transactions lock it first, which puts all
//! appends in one order on PostgreSQL as on SQLite. It starts at seq -1,
//! "not begun": the server's first start records the locations archived
//! before the ledger existed and sets it to the real head — once, so a row
//! slipped in later is never adopted.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Ledger::Table)
                    .if_not_exists()
                    // Assigned by the appender (head + 1), not by the database:
                    // the chain needs them without gaps.
                    .col(big_integer(Ledger::Seq).primary_key())
                    .col(timestamp_with_time_zone(Ledger::RecordedAt))
                    .col(string_len(Ledger::Action, 16))
                    .col(big_integer(Ledger::MessageId))
                    .col(big_integer_null(Ledger::LocationId))
                    .col(string_len(Ledger::Sha256, 64))
                    .col(big_integer_null(Ledger::MailboxId))
                    .col(text(Ledger::Folder))
                    .col(string_len(Ledger::PrevHash, 64))
                    .col(string_len(Ledger::Hash, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_ledger_message")
                    .table(Ledger::Table)
                    .col(Ledger::MessageId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LedgerHead::Table)
                    .if_not_exists()
                    .col(big_integer(LedgerHead::Id).primary_key())
                    .col(big_integer(LedgerHead::Seq))
                    .col(string_len(LedgerHead::Hash, 64))
                    .col(timestamp_with_time_zone(LedgerHead::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(LedgerHead::Table)
                    .columns([
                        LedgerHead::Id,
                        LedgerHead::Seq,
                        LedgerHead::Hash,
                        LedgerHead::UpdatedAt,
                    ])
                    .values_panic([1.into(), (-1).into(), "".into(), Expr::current_timestamp()])
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Verifications::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Verifications::Id))
                    .col(timestamp_with_time_zone(Verifications::StartedAt))
                    .col(timestamp_with_time_zone_null(Verifications::FinishedAt))
                    // `running`, `clean`, `findings` or `failed` (could not finish).
                    .col(string_len(Verifications::Status, 16))
                    .col(big_integer(Verifications::Blobs))
                    .col(big_integer(Verifications::Bytes))
                    .col(big_integer(Verifications::LedgerEntries))
                    .col(big_integer(Verifications::FindingCount))
                    // JSON: the report (findings capped; the count is complete).
                    .col(text(Verifications::Report))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Verifications::Table.into_iden(),
            LedgerHead::Table.into_iden(),
            Ledger::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Ledger {
    Table,
    Seq,
    RecordedAt,
    Action,
    MessageId,
    LocationId,
    Sha256,
    MailboxId,
    Folder,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum LedgerHead {
    Table,
    Id,
    Seq,
    Hash,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Verifications {
    Table,
    Id,
    StartedAt,
    FinishedAt,
    Status,
    Blobs,
    Bytes,
    LedgerEntries,
    FindingCount,
    Report,
}
