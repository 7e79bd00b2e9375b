//! Whether a location's message was new to the archive or a duplicate when it
//! was found there. The after-archive action needs it (success vs duplicate
//! tag or folder), also when it is applied by a later run after a crash.

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
                    .add_column(boolean(MessageLocations::Duplicate).default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(MessageLocations::Table)
                    .drop_column(MessageLocations::Duplicate)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum MessageLocations {
    Table,
    Duplicate,
}
