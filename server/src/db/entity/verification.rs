//! The `verifications` table: one run of the integrity check (`tresor verify` or the scheduled
//! job).

use sea_orm::entity::prelude::*;

/// One run of the integrity check (`tresor verify` or the scheduled job).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "verifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    /// `running`, `clean`, `findings` or `failed`.
    pub status: String,
    pub blobs: i64,
    pub bytes: i64,
    pub ledger_entries: i64,
    pub finding_count: i64,
    /// JSON of `ledger::VerifyReport`.
    pub report: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
