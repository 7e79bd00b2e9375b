//! Duplicate policies (Dr.DOC `Archive_Target_Duplicate`):
//! - `mailboxes.duplicate_match`: `content` (same bytes) or `headers` (same
//!   Message-ID, Date and From) decides what counts as a duplicate.
//! - `messages.identity`: SHA-256 of Message-ID, Date and From, kept for every
//!   message with a Message-ID, so a profile can switch to header matching later.
//! - `messages.supersedes_id`: set on a revision stored by the `replace`
//!   policy; the message it supersedes is kept, never destroyed.
//! - `message_locations.listed`: whether a location shows the message in its
//!   mailbox and folder and adds its labels (`change`, `replace`, first
//!   archiving), or only records where a dropped duplicate was found (`drop`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Mailboxes::Table)
                    .add_column(string_len(Mailboxes::DuplicateMatch, 16).default("content"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(string_len_null(Messages::Identity, 64))
                    .to_owned(),
            )
            .await?;
        // No foreign key: SQLite cannot add one to an existing table. The
        // engine only ever sets it to a message it has just read.
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(big_integer_null(Messages::SupersedesId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_messages_identity")
                    .table(Messages::Table)
                    .col(Messages::Identity)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(MessageLocations::Table)
                    .add_column(boolean(MessageLocations::Listed).default(true))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(MessageLocations::Table)
                    .drop_column(MessageLocations::Listed)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_messages_identity")
                    .table(Messages::Table)
                    .to_owned(),
            )
            .await?;
        for column in [Messages::SupersedesId, Messages::Identity] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Messages::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Mailboxes::Table)
                    .drop_column(Mailboxes::DuplicateMatch)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Mailboxes {
    Table,
    DuplicateMatch,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Identity,
    SupersedesId,
}

#[derive(DeriveIden)]
enum MessageLocations {
    Table,
    Listed,
}
