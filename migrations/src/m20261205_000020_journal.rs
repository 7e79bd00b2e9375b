//! Journal mailboxes (SMTP journaling): the recipient addresses each takes
//! (`*` for the catch-all), and per location the envelope a message came
//! with — its sender and recipients (Bcc and expanded lists included), from
//! an Exchange journal report or the SMTP envelope — as JSON; NULL for mail
//! from every other source.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(JournalAddresses::Table)
                    .if_not_exists()
                    .col(big_pk_auto(JournalAddresses::Id))
                    .col(big_integer(JournalAddresses::MailboxId))
                    // Lower-case; one journal mailbox per address.
                    .col(string(JournalAddresses::Address).unique_key())
                    .foreign_key(
                        ForeignKey::create()
                            .from(JournalAddresses::Table, JournalAddresses::MailboxId)
                            .to(Mailboxes::Table, Mailboxes::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(MessageLocations::Table)
                    .add_column(text_null(MessageLocations::Envelope))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(MessageLocations::Table)
                    .drop_column(MessageLocations::Envelope)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(JournalAddresses::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum JournalAddresses {
    Table,
    Id,
    MailboxId,
    Address,
}

#[derive(DeriveIden)]
enum Mailboxes {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum MessageLocations {
    Table,
    Envelope,
}
