//! Mailbox profiles, per-folder sync checkpoints, archived messages and where
//! they were found, and job logs.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Mailboxes::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Mailboxes::Id))
                    .col(string_uniq(Mailboxes::Name))
                    // NULL for a shared mailbox, owned by the organisation.
                    .col(big_integer_null(Mailboxes::OwnerId))
                    .col(boolean(Mailboxes::Enabled).default(true))
                    .col(string_null(Mailboxes::EmailAddress))
                    .col(string(Mailboxes::Host))
                    .col(integer(Mailboxes::Port))
                    .col(string_len(Mailboxes::Security, 16))
                    .col(string_len(Mailboxes::AuthMethod, 16))
                    .col(string(Mailboxes::Username))
                    // Sealed with the master key (see server::secrets); never plain.
                    .col(text_null(Mailboxes::SecretSealed))
                    .col(string_null(Mailboxes::MasterUser))
                    .col(string_len_null(Mailboxes::IdentityKind, 16))
                    .col(string_null(Mailboxes::CaFile))
                    .col(boolean(Mailboxes::AcceptInvalidCerts).default(false))
                    .col(string_null(Mailboxes::ExpectedCertName))
                    .col(text(Mailboxes::FolderRules))
                    .col(boolean(Mailboxes::SubscribedOnly).default(false))
                    .col(integer_null(Mailboxes::OlderThanDays))
                    .col(big_integer_null(Mailboxes::MaxMessageSize))
                    .col(string_len(Mailboxes::Action, 16))
                    .col(string(Mailboxes::SuccessFolder))
                    .col(string(Mailboxes::DuplicateFolder))
                    .col(string(Mailboxes::ErrorFolder))
                    .col(string(Mailboxes::SuccessTag))
                    .col(string(Mailboxes::DuplicateTag))
                    .col(integer_null(Mailboxes::DeleteOlderThanDays))
                    .col(string_len(Mailboxes::DuplicatePolicy, 16))
                    // JSON object of key=value presets.
                    .col(text(Mailboxes::Labels))
                    .col(string_null(Mailboxes::Schedule))
                    .col(integer(Mailboxes::MaxConnections))
                    .col(timestamp_with_time_zone(Mailboxes::CreatedAt))
                    .col(timestamp_with_time_zone(Mailboxes::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mailboxes_owner")
                            .from(Mailboxes::Table, Mailboxes::OwnerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FolderCheckpoints::Table)
                    .if_not_exists()
                    .col(big_pk_auto(FolderCheckpoints::Id))
                    .col(big_integer(FolderCheckpoints::MailboxId))
                    .col(string(FolderCheckpoints::Folder))
                    .col(big_integer(FolderCheckpoints::UidValidity))
                    // Every UID up to this one is archived (or recorded as failed).
                    .col(big_integer(FolderCheckpoints::LastUid))
                    .col(big_integer_null(FolderCheckpoints::HighestModseq))
                    .col(timestamp_with_time_zone(FolderCheckpoints::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_checkpoints_mailbox")
                            .from(FolderCheckpoints::Table, FolderCheckpoints::MailboxId)
                            .to(Mailboxes::Table, Mailboxes::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_checkpoints_mailbox_folder")
                    .table(FolderCheckpoints::Table)
                    .col(FolderCheckpoints::MailboxId)
                    .col(FolderCheckpoints::Folder)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Messages::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Messages::Id))
                    // The blob's address; one row per distinct byte sequence.
                    .col(string_len_uniq(Messages::Sha256, 64))
                    .col(big_integer(Messages::Size))
                    .col(text_null(Messages::MessageIdHeader))
                    .col(timestamp_with_time_zone_null(Messages::Date))
                    .col(text_null(Messages::Subject))
                    .col(text(Messages::FromText))
                    .col(text(Messages::ToText))
                    .col(text(Messages::CcText))
                    .col(text(Messages::AttachmentNames))
                    .col(boolean(Messages::HasAttachments))
                    .col(text_null(Messages::InReplyTo))
                    .col(text(Messages::References))
                    .col(text_null(Messages::Defects))
                    .col(timestamp_with_time_zone(Messages::ArchivedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_messages_message_id")
                    .table(Messages::Table)
                    .col(Messages::MessageIdHeader)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MessageLocations::Table)
                    .if_not_exists()
                    .col(big_pk_auto(MessageLocations::Id))
                    .col(big_integer(MessageLocations::MessageId))
                    .col(big_integer(MessageLocations::MailboxId))
                    .col(string(MessageLocations::Folder))
                    .col(big_integer(MessageLocations::UidValidity))
                    .col(big_integer(MessageLocations::Uid))
                    .col(text(MessageLocations::Flags))
                    .col(timestamp_with_time_zone_null(
                        MessageLocations::InternalDate,
                    ))
                    .col(text(MessageLocations::Labels))
                    .col(timestamp_with_time_zone(MessageLocations::ArchivedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_locations_message")
                            .from(MessageLocations::Table, MessageLocations::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_locations_mailbox")
                            .from(MessageLocations::Table, MessageLocations::MailboxId)
                            .to(Mailboxes::Table, Mailboxes::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_locations_unique_uid")
                    .table(MessageLocations::Table)
                    .col(MessageLocations::MailboxId)
                    .col(MessageLocations::Folder)
                    .col(MessageLocations::UidValidity)
                    .col(MessageLocations::Uid)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_locations_message")
                    .table(MessageLocations::Table)
                    .col(MessageLocations::MessageId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Jobs::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Jobs::Id))
                    .col(big_integer(Jobs::MailboxId))
                    .col(string_len(Jobs::Status, 16))
                    .col(timestamp_with_time_zone(Jobs::StartedAt))
                    .col(timestamp_with_time_zone_null(Jobs::FinishedAt))
                    .col(text_null(Jobs::Error))
                    // The job log (per-folder counts and reconciliation) as JSON.
                    .col(text(Jobs::Log))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_jobs_mailbox")
                            .from(Jobs::Table, Jobs::MailboxId)
                            .to(Mailboxes::Table, Mailboxes::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Jobs::Table.into_iden(),
            MessageLocations::Table.into_iden(),
            Messages::Table.into_iden(),
            FolderCheckpoints::Table.into_iden(),
            Mailboxes::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Mailboxes {
    Table,
    Id,
    Name,
    OwnerId,
    Enabled,
    EmailAddress,
    Host,
    Port,
    Security,
    AuthMethod,
    Username,
    SecretSealed,
    MasterUser,
    IdentityKind,
    CaFile,
    AcceptInvalidCerts,
    ExpectedCertName,
    FolderRules,
    SubscribedOnly,
    OlderThanDays,
    MaxMessageSize,
    Action,
    SuccessFolder,
    DuplicateFolder,
    ErrorFolder,
    SuccessTag,
    DuplicateTag,
    DeleteOlderThanDays,
    DuplicatePolicy,
    Labels,
    Schedule,
    MaxConnections,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FolderCheckpoints {
    Table,
    Id,
    MailboxId,
    Folder,
    UidValidity,
    LastUid,
    HighestModseq,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    Sha256,
    Size,
    MessageIdHeader,
    Date,
    Subject,
    FromText,
    ToText,
    CcText,
    AttachmentNames,
    HasAttachments,
    InReplyTo,
    References,
    Defects,
    ArchivedAt,
}

#[derive(DeriveIden)]
enum MessageLocations {
    Table,
    Id,
    MessageId,
    MailboxId,
    Folder,
    UidValidity,
    Uid,
    Flags,
    InternalDate,
    Labels,
    ArchivedAt,
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    MailboxId,
    Status,
    StartedAt,
    FinishedAt,
    Error,
    Log,
}
