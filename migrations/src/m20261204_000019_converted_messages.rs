//! Converted messages: a location whose bytes Tresor made from an item that
//! was not RFC 5322 (an Outlook PST/MSG item) records where it came from —
//! file name, file SHA-256, folder, entry id — as JSON; NULL for every
//! message stored as its source held it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(MessageLocations::Table)
                    .add_column(text_null(MessageLocations::ConvertedFrom))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(MessageLocations::Table)
                    .drop_column(MessageLocations::ConvertedFrom)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum MessageLocations {
    Table,
    ConvertedFrom,
}
