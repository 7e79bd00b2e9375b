//! Retention policies and legal holds.
//!
//! A policy covers locations (all, a mailbox, a folder of a mailbox, or those
//! archived with a label) and keeps them for a number of years from the
//! message's date or from when it was archived. A hold covers a mailbox, the
//! messages a search query finds, or listed messages; a released hold keeps
//! its row (who, when, why) — holds are never deleted.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RetentionPolicies::Table)
                    .if_not_exists()
                    .col(big_pk_auto(RetentionPolicies::Id))
                    .col(string_uniq(RetentionPolicies::Name))
                    // `all`, `mailbox`, `folder` or `label`.
                    .col(string_len(RetentionPolicies::Scope, 16))
                    .col(big_integer_null(RetentionPolicies::MailboxId))
                    .col(text_null(RetentionPolicies::Folder))
                    .col(text_null(RetentionPolicies::LabelKey))
                    .col(text_null(RetentionPolicies::LabelValue))
                    .col(integer(RetentionPolicies::KeepYears))
                    // `message_date` or `archived_at`.
                    .col(string_len(RetentionPolicies::Basis, 16))
                    .col(timestamp_with_time_zone(RetentionPolicies::CreatedAt))
                    .col(text(RetentionPolicies::CreatedBy))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LegalHolds::Table)
                    .if_not_exists()
                    .col(big_pk_auto(LegalHolds::Id))
                    .col(text(LegalHolds::Reason))
                    // `mailbox`, `query` or `messages`.
                    .col(string_len(LegalHolds::Scope, 16))
                    .col(big_integer_null(LegalHolds::MailboxId))
                    .col(text_null(LegalHolds::Query))
                    // JSON array of message ids, for `messages`.
                    .col(text_null(LegalHolds::MessageIds))
                    .col(timestamp_with_time_zone(LegalHolds::CreatedAt))
                    .col(text(LegalHolds::CreatedBy))
                    .col(timestamp_with_time_zone_null(LegalHolds::ReleasedAt))
                    .col(text_null(LegalHolds::ReleasedBy))
                    .col(text_null(LegalHolds::ReleaseReason))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LegalHolds::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(RetentionPolicies::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum RetentionPolicies {
    Table,
    Id,
    Name,
    Scope,
    MailboxId,
    Folder,
    LabelKey,
    LabelValue,
    KeepYears,
    Basis,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum LegalHolds {
    Table,
    Id,
    Reason,
    Scope,
    MailboxId,
    Query,
    MessageIds,
    CreatedAt,
    CreatedBy,
    ReleasedAt,
    ReleasedBy,
    ReleaseReason,
}
