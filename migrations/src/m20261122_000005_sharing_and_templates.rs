//! Shared mailboxes, templates and deletion:
//! - `mailbox_grants`: users who may read a mailbox they do not own (a shared,
//!   organisation-owned one has `owner_id` NULL).
//! - `mailbox_templates`: defaults a mailbox can inherit (Dr.DOC's prototype);
//!   `settings` is the template's profile as JSON.
//! - `mailboxes.template_id` and `mailboxes.inherited` (JSON list of the form
//!   fields taken from the template). The mailbox's own columns always hold
//!   the effective values, so a run never needs the template; saving a
//!   template rewrites the inherited columns of its mailboxes.
//! - `mailboxes.deleted_at`: a deleted mailbox stops running and disappears
//!   from lists; the mail it archived stays (an archive never loses mail
//!   because a profile went away).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MailboxGrants::Table)
                    .if_not_exists()
                    .col(big_pk_auto(MailboxGrants::Id))
                    .col(big_integer(MailboxGrants::MailboxId))
                    .col(big_integer(MailboxGrants::UserId))
                    .col(timestamp_with_time_zone(MailboxGrants::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_grants_mailbox")
                            .from(MailboxGrants::Table, MailboxGrants::MailboxId)
                            .to(Mailboxes::Table, Mailboxes::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_grants_user")
                            .from(MailboxGrants::Table, MailboxGrants::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_grants_mailbox_user")
                    .table(MailboxGrants::Table)
                    .col(MailboxGrants::MailboxId)
                    .col(MailboxGrants::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_grants_user")
                    .table(MailboxGrants::Table)
                    .col(MailboxGrants::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MailboxTemplates::Table)
                    .if_not_exists()
                    .col(big_pk_auto(MailboxTemplates::Id))
                    .col(string_uniq(MailboxTemplates::Name))
                    .col(text(MailboxTemplates::Settings))
                    .col(timestamp_with_time_zone(MailboxTemplates::CreatedAt))
                    .col(timestamp_with_time_zone(MailboxTemplates::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        // No foreign key for template_id: SQLite cannot add one to an existing
        // table; a template in use cannot be deleted (checked in code).
        for column in [
            big_integer_null(Mailboxes::TemplateId),
            text(Mailboxes::Inherited).default("[]").to_owned(),
            timestamp_with_time_zone_null(Mailboxes::DeletedAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Mailboxes::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Mailboxes::DeletedAt,
            Mailboxes::Inherited,
            Mailboxes::TemplateId,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Mailboxes::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(MailboxTemplates::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(MailboxGrants::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Mailboxes {
    Table,
    Id,
    TemplateId,
    Inherited,
    DeletedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum MailboxGrants {
    Table,
    Id,
    MailboxId,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MailboxTemplates {
    Table,
    Id,
    Name,
    Settings,
    CreatedAt,
    UpdatedAt,
}
