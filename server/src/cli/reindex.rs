//! `tresor reindex`: rebuild the search index from the database and the blob store.

use super::Services;
use crate::config::Config;
use crate::index::{IndexError, Indexer};
use anyhow::Context;

/// Rebuilds the search index from the database and the blob store.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let services = Services::open(&config).await?;
    let indexer = match Indexer::open(
        &config.data_dir,
        services.db.clone(),
        services.store.clone(),
    )
    .await
    {
        Ok(indexer) => indexer,
        Err(IndexError::Busy) => {
            // The server holds the writer: queue everything, it does the rest.
            let queued = crate::index::queue_all(&services.db).await?;
            println!(
                "tresor serve is running and writes the index: queued {queued} messages; it re-indexes them now"
            );
            return Ok(());
        }
        Err(error) => return Err(error).context("opening the search index"),
    };
    let queued = indexer.rebuild().await?;
    let started = std::time::Instant::now();
    let indexed = indexer
        .drain(|progress| {
            eprint!(
                "\r\x1b[Kindexed {} · {} to go",
                progress.indexed, progress.queued
            );
        })
        .await?;
    eprint!("\r\x1b[K");
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "re-indexed {queued} messages ({indexed} queue entries) in {seconds:.1} s ({:.0} messages/s)",
        queued as f64 / seconds.max(0.001)
    );
    Ok(())
}
