//! The audit log: who did what, when, from where. Rows are only ever
//! inserted; nothing in Tresor updates or deletes them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .if_not_exists()
                    .col(big_pk_auto(AuditLog::Id))
                    .col(timestamp_with_time_zone(AuditLog::At))
                    .col(big_integer_null(AuditLog::ActorId))
                    // An e-mail address, "operator (command line)" or "Tresor".
                    .col(text(AuditLog::Actor))
                    .col(text_null(AuditLog::Client))
                    .col(string_len(AuditLog::Action, 32))
                    .col(text(AuditLog::Target))
                    // JSON; secrets masked before they get here.
                    .col(text(AuditLog::Details))
                    // `ok`, `denied` or `failed`.
                    .col(string_len(AuditLog::Outcome, 16))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_log_at")
                    .table(AuditLog::Table)
                    .col(AuditLog::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    ActorId,
    Actor,
    Client,
    Action,
    Target,
    Details,
    Outcome,
}
