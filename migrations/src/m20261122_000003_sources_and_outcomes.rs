//! - `message_locations.duplicate`: whether a location's message was new to the
//!   archive or a duplicate when it was found there. The after-archive action
//!   needs it (success vs duplicate tag or folder), also when a later run
//!   applies it after a crash.
//! - `mailboxes.source`: where a mailbox's mail comes from — `imap`, or
//!   `import` for mail imported from files (no server, never scheduled).

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
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Mailboxes::Table)
                    .add_column(string(Mailboxes::Source).default("imap"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Mailboxes::Table)
                    .drop_column(Mailboxes::Source)
                    .to_owned(),
            )
            .await?;
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
enum Mailboxes {
    Table,
    Source,
}

#[derive(DeriveIden)]
enum MessageLocations {
    Table,
    Duplicate,
}
