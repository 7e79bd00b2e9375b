//! The optional daily job summary: who gets it (instance settings only),
//! and when the last one went out, so a restart neither repeats nor skips one.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(SmtpSettings::Table)
                    // Addresses separated by commas; empty: no summary.
                    .add_column(text(SmtpSettings::SummaryRecipients).default(""))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SmtpSettings::Table)
                    .add_column(timestamp_with_time_zone_null(SmtpSettings::SummarySentAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(SmtpSettings::Table)
                    .drop_column(SmtpSettings::SummarySentAt)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SmtpSettings::Table)
                    .drop_column(SmtpSettings::SummaryRecipients)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum SmtpSettings {
    Table,
    SummaryRecipients,
    SummarySentAt,
}
