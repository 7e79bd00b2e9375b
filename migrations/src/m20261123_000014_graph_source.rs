//! Microsoft Graph as a mailbox source: the page size of its delta rounds,
//! each folder's delta link beside its checkpoint (Graph's counterpart of
//! "every UID up to here"), and the Graph id of an archived copy, so a round
//! that lists a message again recognises it without fetching it.

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
                    .table(Mailboxes::Table)
                    // Messages per delta page (ArchivistaBox's default).
                    .add_column(integer(Mailboxes::PageSize).default(25))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(FolderCheckpoints::Table)
                    .add_column(text_null(FolderCheckpoints::DeltaLink))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(MessageLocations::Table)
                    .add_column(text_null(MessageLocations::RemoteId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_message_locations_remote_id")
                    .table(MessageLocations::Table)
                    .col(MessageLocations::MailboxId)
                    .col(MessageLocations::RemoteId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_message_locations_remote_id")
                    .table(MessageLocations::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(MessageLocations::Table)
                    .drop_column(MessageLocations::RemoteId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(FolderCheckpoints::Table)
                    .drop_column(FolderCheckpoints::DeltaLink)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Mailboxes::Table)
                    .drop_column(Mailboxes::PageSize)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Mailboxes {
    Table,
    PageSize,
}

#[derive(DeriveIden)]
enum FolderCheckpoints {
    Table,
    DeltaLink,
}

#[derive(DeriveIden)]
enum MessageLocations {
    Table,
    MailboxId,
    RemoteId,
}
