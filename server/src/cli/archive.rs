//! `tresor archive`: archive one mailbox (or all) now and print the job log.

use super::Services;
use crate::config::Config;
use crate::engine::{JobLog, JobStatus, Progress, progress};
use anyhow::bail;
use app::t;
use clap::Args;
use std::io::IsTerminal;
use std::time::Duration;

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
    let indexing = services.start_indexing(&config).await;
    let mut logs = Vec::new();
    for name in &names {
        logs.push(archive_showing_progress(&services, name).await?);
    }
    indexing.finish().await?;
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

/// Runs one job; on a terminal, a progress line on stderr is refreshed every second.
async fn archive_showing_progress(services: &Services, name: &str) -> anyhow::Result<JobLog> {
    let (sender, mut receiver) = progress::channel(name);
    let job = services.engine.archive_reporting(name, &sender);
    if !std::io::stderr().is_terminal() {
        return Ok(job.await?);
    }
    tokio::pin!(job);
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    let log = loop {
        tokio::select! {
            log = &mut job => break log?,
            _ = ticker.tick() => {
                let progress = receiver.borrow_and_update().clone();
                eprint!("\r\x1b[K{}", progress_line(&progress));
            }
        }
    };
    eprint!("\r\x1b[K");
    Ok(log)
}

fn progress_line(progress: &Progress) -> String {
    match &progress.folder {
        None => format!("{}: connecting…", progress.mailbox),
        Some(folder) => format!(
            "{}: folder {}/{} {folder}: {}/{} messages · {} new · {:.0} msg/s · {:.1} MB",
            progress.mailbox,
            progress.folders_done + 1,
            progress.folders_total,
            progress.folder_done,
            progress.folder_total,
            progress.archived,
            progress.rate(),
            progress.bytes as f64 / 1_000_000.0
        ),
    }
}

pub(super) fn print_log(log: &JobLog) {
    let lang = super::language();
    let line = |text: String| println!("{text}");
    line(t!(
        lang,
        "cli-run-mailbox",
        mailbox = format!("{:?}", log.mailbox),
        status = log.status.as_str()
    ));
    if let Some(error) = &log.error {
        line(format!(
            "  {}",
            t!(lang, "cli-run-error", error = error.as_str())
        ));
    }
    println!(
        "  {:<32} {:>8} {:>8} {:>8} {:>10} {:>7}",
        t!(lang, "cli-run-col-folder"),
        t!(lang, "cli-run-col-server"),
        t!(lang, "cli-run-col-archive"),
        t!(lang, "cli-run-col-new"),
        t!(lang, "cli-run-col-duplicate"),
        t!(lang, "cli-run-col-failed"),
    );
    for folder in &log.folders {
        let mark = if folder.is_reconciled() {
            String::new()
        } else {
            format!("  {}", t!(lang, "cli-run-not-all-archived"))
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
            let uid = failure.uid.to_string();
            line(format!(
                "    {}",
                t!(
                    lang,
                    "cli-run-failed-uid",
                    uid = uid,
                    reason = failure.reason.as_str()
                )
            ));
        }
        for skip in &folder.skips {
            let uid = skip.uid.to_string();
            line(format!(
                "    {}",
                t!(
                    lang,
                    "cli-run-skipped-uid",
                    uid = uid,
                    reason = skip.reason.as_str()
                )
            ));
        }
        if folder.tagged + folder.moved + folder.deleted > 0 {
            line(format!(
                "    {}",
                t!(
                    lang,
                    "cli-run-on-server",
                    tagged = folder.tagged,
                    moved = folder.moved,
                    deleted = folder.deleted
                )
            ));
        }
        if let Some(error) = &folder.error {
            line(format!(
                "    {}",
                t!(lang, "cli-run-error", error = error.as_str())
            ));
        }
    }
    line(format!(
        "  {}",
        t!(
            lang,
            "cli-run-total",
            archived = log.archived,
            duplicates = log.duplicates,
            skipped = log.skipped,
            failed = log.failed
        )
    ));
}
