//! `tresor import`: .eml files, mbox files, Maildir folders and Outlook files
//! (.pst/.ost, .msg; recognised by their first bytes) into an import mailbox.

use super::Services;
use crate::config::Config;
use crate::engine::JobStatus;
use crate::import::Importer;
use anyhow::bail;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The Tresor user who owns the imported mail; without it the mailbox is shared.
    #[arg(long)]
    owner: Option<String>,
    /// The mailbox to import into; created on first use.
    #[arg(long)]
    name: String,
    /// Print the job log as JSON.
    #[arg(long)]
    json: bool,
    /// `.eml` files, mbox files, Maildir folders, Outlook `.pst`/`.ost`/`.msg` files, or
    /// directories holding them.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

pub async fn run(config: Config, args: ImportArgs) -> anyhow::Result<()> {
    let services = Services::open(&config).await?;
    let owner_id = services.owner_id(&config, args.owner.as_deref()).await?;
    let importer = Importer::new(
        services.db.clone(),
        services.store.clone(),
        services.mailboxes.clone(),
    );
    let indexing = services.start_indexing(&config).await;
    let log = importer.import(owner_id, &args.name, &args.paths).await?;
    indexing.finish().await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&log)?);
    } else {
        super::archive::print_log(&log);
    }
    if log.status == JobStatus::Failed {
        bail!("the import into {:?} failed", args.name);
    }
    Ok(())
}
