//! Message locations by mailbox in message order, so an export of a mailbox
//! (or one of its folders) pages through its messages by id, a few hundred at
//! a time, without reading every location of the mailbox for each page.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "idx_locations_mailbox_message";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(MessageLocations::Table)
                    .col(MessageLocations::MailboxId)
                    .col(MessageLocations::MessageId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(MessageLocations::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum MessageLocations {
    Table,
    MailboxId,
    MessageId,
}
