//! The search index's work list: a row per message whose index document must
//! be (re)built — a new message, a new location of a known one (who may see
//! it changed), a message superseded by a revision. The engine adds rows in
//! the same transaction that records the messages; the indexer removes them
//! only after the index has committed their documents, so a crash in between
//! indexes them again (re-indexing a message is idempotent) instead of losing
//! them. A message may be queued more than once; each row is removed by its
//! own id, so a row added while the indexer works is never lost.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IndexQueue::Table)
                    .if_not_exists()
                    .col(big_pk_auto(IndexQueue::Id))
                    .col(big_integer(IndexQueue::MessageId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IndexQueue::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum IndexQueue {
    Table,
    Id,
    MessageId,
}
