//! `tresor migrate`: create or upgrade the database schema, then exit.

use crate::config::Config;
use anyhow::Context;

pub async fn run(config: Config) -> anyhow::Result<()> {
    let url = config.database_url();
    crate::db::connect_and_migrate(&url)
        .await
        .with_context(|| format!("migrating {}", crate::db::redact(&url)))?;
    println!("database is up to date: {}", crate::db::redact(&url));
    Ok(())
}
