//! Tresor's database schema, one sea-orm migration per step.
//!
//! Migrations are append-only: a released migration is never edited, a change
//! to the schema is a new file. Every migration must run on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_accounts;
mod m20261122_000002_archive;
mod m20261122_000003_sources_and_outcomes;
mod m20261122_000004_duplicate_policies;
mod m20261122_000005_sharing_and_templates;
mod m20261123_000006_index_queue;
mod m20261123_000007_ledger;
mod m20261123_000008_retention_and_holds;
mod m20261123_000009_audit_log;
mod m20261123_000010_notifications;
mod m20261123_000011_password_resets;
mod m20261123_000012_job_summaries;
mod m20261123_000013_oauth;
mod m20261123_000014_graph_source;
mod m20261124_000015_mailbox_names_per_owner;
mod m20261124_000016_locations_by_mailbox;
mod m20261203_000017_certificate_pins;
mod m20261203_000018_user_language;
mod m20261204_000019_converted_messages;
mod m20261205_000020_journal;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_accounts::Migration),
            Box::new(m20261122_000002_archive::Migration),
            Box::new(m20261122_000003_sources_and_outcomes::Migration),
            Box::new(m20261122_000004_duplicate_policies::Migration),
            Box::new(m20261122_000005_sharing_and_templates::Migration),
            Box::new(m20261123_000006_index_queue::Migration),
            Box::new(m20261123_000007_ledger::Migration),
            Box::new(m20261123_000008_retention_and_holds::Migration),
            Box::new(m20261123_000009_audit_log::Migration),
            Box::new(m20261123_000010_notifications::Migration),
            Box::new(m20261123_000011_password_resets::Migration),
            Box::new(m20261123_000012_job_summaries::Migration),
            Box::new(m20261123_000013_oauth::Migration),
            Box::new(m20261123_000014_graph_source::Migration),
            Box::new(m20261124_000015_mailbox_names_per_owner::Migration),
            Box::new(m20261124_000016_locations_by_mailbox::Migration),
            Box::new(m20261203_000017_certificate_pins::Migration),
            Box::new(m20261203_000018_user_language::Migration),
            Box::new(m20261204_000019_converted_messages::Migration),
            Box::new(m20261205_000020_journal::Migration),
        ]
    }
}
