//! SMTP settings for notifications (the instance's, and a mailbox's own,
//! which wins), and the state of failure notices per failing mailbox.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SmtpSettings::Table)
                    .if_not_exists()
                    .col(big_pk_auto(SmtpSettings::Id))
                    // NULL: the instance's settings; else this mailbox's.
                    .col(big_integer_null(SmtpSettings::MailboxId).unique_key())
                    .col(string(SmtpSettings::Host))
                    .col(integer(SmtpSettings::Port))
                    // `tls` (implicit, 465), `starttls` (587) or `none`.
                    .col(string_len(SmtpSettings::Security, 16))
                    .col(string_null(SmtpSettings::Username))
                    // Sealed with the master key; never plain.
                    .col(text_null(SmtpSettings::SecretSealed))
                    .col(string(SmtpSettings::FromAddress))
                    .col(string(SmtpSettings::FromName))
                    .col(string_null(SmtpSettings::CaFile))
                    // Who gets failure notices besides the administrators.
                    .col(text(SmtpSettings::ExtraRecipients))
                    .col(timestamp_with_time_zone(SmtpSettings::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FailureNotices::Table)
                    .if_not_exists()
                    .col(big_integer(FailureNotices::MailboxId).primary_key())
                    .col(timestamp_with_time_zone(FailureNotices::FailingSince))
                    .col(timestamp_with_time_zone_null(FailureNotices::LastSentAt))
                    .col(integer(FailureNotices::SentCount))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(FailureNotices::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(SmtpSettings::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SmtpSettings {
    Table,
    Id,
    MailboxId,
    Host,
    Port,
    Security,
    Username,
    SecretSealed,
    FromAddress,
    FromName,
    CaFile,
    ExtraRecipients,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FailureNotices {
    Table,
    MailboxId,
    FailingSince,
    LastSentAt,
    SentCount,
}
