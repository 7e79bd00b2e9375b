//! A mailbox may trust one server certificate by its SHA-256 fingerprint
//! (pinned after the person saw it in "Test connection"), as SSH trusts a
//! host key: runs accept exactly that certificate, and a changed one fails
//! the run naming both fingerprints.

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
                    // Lower-case hex of the leaf certificate's DER, 64 characters.
                    .add_column(string_null(Mailboxes::PinnedCertSha256))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Mailboxes::Table)
                    .drop_column(Mailboxes::PinnedCertSha256)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Mailboxes {
    Table,
    PinnedCertSha256,
}
