//! OAuth2 sign-in for mailboxes: the sign-in apps an administrator
//! registers (Entra ID or Google app registrations), each mailbox's grant
//! (tokens sealed with the master key), and authorization-code flows under
//! way (their PKCE verifier, until the provider sends the browser back).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OauthApps::Table)
                    .if_not_exists()
                    .col(big_pk_auto(OauthApps::Id))
                    .col(string_uniq(OauthApps::Name))
                    // `microsoft`, `google` or `generic` (URLs given).
                    .col(string_len(OauthApps::Provider, 16))
                    // Microsoft: common, organizations, consumers, a tenant id or domain.
                    .col(string(OauthApps::Tenant))
                    // Where the provider lives; empty: the provider's public one.
                    .col(string(OauthApps::Authority))
                    .col(string(OauthApps::AuthorizeUrl))
                    .col(string(OauthApps::TokenUrl))
                    .col(string(OauthApps::DeviceUrl))
                    .col(string(OauthApps::ClientId))
                    // Sealed with the master key; write-only in the UI.
                    .col(text_null(OauthApps::SecretSealed))
                    // One scope per line.
                    .col(text(OauthApps::Scopes))
                    // Empty: `<public URL>/oauth/callback`.
                    .col(string(OauthApps::RedirectUrl))
                    .col(timestamp_with_time_zone(OauthApps::CreatedAt))
                    .col(timestamp_with_time_zone(OauthApps::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Mailboxes::Table)
                    // The sign-in app of an OAuth mailbox.
                    .add_column(big_integer_null(Mailboxes::OauthAppId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OauthGrants::Table)
                    .if_not_exists()
                    .col(big_integer(OauthGrants::MailboxId).primary_key())
                    .col(big_integer(OauthGrants::AppId))
                    // `authorization_code`, `device_code` or `client_credentials`.
                    .col(string_len(OauthGrants::Flow, 32))
                    .col(text_null(OauthGrants::RefreshSealed))
                    .col(text_null(OauthGrants::AccessSealed))
                    .col(timestamp_with_time_zone_null(OauthGrants::AccessExpiresAt))
                    .col(text(OauthGrants::Scope))
                    // `active`, or `needs_sign_in` once the provider refused it.
                    .col(string_len(OauthGrants::Status, 16))
                    .col(text_null(OauthGrants::Error))
                    .col(timestamp_with_time_zone(OauthGrants::SignedInAt))
                    .col(timestamp_with_time_zone(OauthGrants::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_oauth_grants_mailbox")
                            .from(OauthGrants::Table, OauthGrants::MailboxId)
                            .to(Mailboxes::Table, Mailboxes::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OauthFlows::Table)
                    .if_not_exists()
                    // The `state` sent to the provider: random, single use.
                    .col(string_len(OauthFlows::State, 64).primary_key())
                    .col(big_integer(OauthFlows::MailboxId))
                    .col(big_integer(OauthFlows::UserId))
                    .col(text(OauthFlows::VerifierSealed))
                    .col(string(OauthFlows::RedirectUrl))
                    .col(timestamp_with_time_zone(OauthFlows::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OauthFlows::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(OauthGrants::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Mailboxes::Table)
                    .drop_column(Mailboxes::OauthAppId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(OauthApps::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum OauthApps {
    Table,
    Id,
    Name,
    Provider,
    Tenant,
    Authority,
    AuthorizeUrl,
    TokenUrl,
    DeviceUrl,
    ClientId,
    SecretSealed,
    Scopes,
    RedirectUrl,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OauthGrants {
    Table,
    MailboxId,
    AppId,
    Flow,
    RefreshSealed,
    AccessSealed,
    AccessExpiresAt,
    Scope,
    Status,
    Error,
    SignedInAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OauthFlows {
    Table,
    State,
    MailboxId,
    UserId,
    VerifierSealed,
    RedirectUrl,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Mailboxes {
    Table,
    Id,
    OauthAppId,
}
