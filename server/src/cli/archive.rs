use super::Services;
use crate::config::Config;
use crate::engine::{JobLog, JobStatus};
use anyhow::bail;
use clap::Args;

#[derive(Debug, Args)]
pub struct ArchiveArgs {
    /// The mailbox to archive now.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    name: Option<String>,
    /// Every enabled mailbox, one after another.
    #[arg(long)]
    all: bool,
    /// Print the job logs as JSON (one object, or an array with --all).
    #[arg(long)]
    json: bool,
}

pub async fn run(config: Config, args: ArchiveArgs) -> anyhow::Result<()> {
    let services = Services::open(&config).await?;
    let names = match &args.name {
        Some(name) => vec![name.clone()],
        None => services
            .mailboxes
            .list()
            .await?
            .into_iter()
            .filter(|mailbox| mailbox.enabled)
            .map(|mailbox| mailbox.name)
            .collect(),
    };
    let mut logs = Vec::new();
    for name in &names {
        logs.push(services.engine.archive(name).await?);
    }
    if args.json {
        let json = if args.all {
            serde_json::to_string_pretty(&logs)?
        } else {
            serde_json::to_string_pretty(&logs[0])?
        };
        println!("{json}");
    } else {
        logs.iter().for_each(print_log);
    }
    let failed = logs
        .iter()
        .filter(|log| log.status == JobStatus::Failed)
        .count();
    if failed > 0 {
        bail!("{failed} of {} archive jobs failed", logs.len());
    }
    Ok(())
}

fn print_log(log: &JobLog) {
    println!("mailbox {:?}: {}", log.mailbox, log.status.as_str());
    if let Some(error) = &log.error {
        println!("  error: {error}");
    }
    println!(
        "  {:<32} {:>8} {:>8} {:>8} {:>10} {:>7}",
        "FOLDER", "SERVER", "ARCHIVE", "NEW", "DUPLICATE", "FAILED"
    );
    for folder in &log.folders {
        let mark = if folder.is_reconciled() {
            ""
        } else {
            "  ← not all archived"
        };
        println!(
            "  {:<32} {:>8} {:>8} {:>8} {:>10} {:>7}{mark}",
            folder.name,
            folder.server_count,
            folder.archived_total,
            folder.archived,
            folder.duplicates,
            folder.failed
        );
        for failure in &folder.failures {
            println!("    UID {}: {}", failure.uid, failure.reason);
        }
        if let Some(error) = &folder.error {
            println!("    error: {error}");
        }
    }
    println!(
        "  total: {} new, {} duplicates, {} failed",
        log.archived, log.duplicates, log.failed
    );
}
