//! `tresor verify`: re-hash every blob and walk the ledger; exit 1 on any finding.

use super::Services;
use crate::config::Config;
use crate::store::ledger::HeadFile;
use crate::store::verify::Verifier;
use app::t;
use clap::Args;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Print the report as one JSON object (findings with their ids).
    #[arg(long)]
    json: bool,
}

/// Re-hashes every blob, checks rows against blobs and the ledger chain;
/// fails (exit 1) on any finding. The result is recorded for the dashboard.
pub async fn run(config: Config, args: VerifyArgs) -> anyhow::Result<()> {
    let services = Services::open(&config).await?;
    let verifier = Verifier::new(
        services.db.clone(),
        services.store.clone(),
        Some(HeadFile::in_data_dir(&config.data_dir)),
    );
    let report = verifier.verify_and_record().await?;
    let seconds = (report.finished_at - report.started_at)
        .to_std()
        .unwrap_or_default()
        .as_secs_f64();
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        for finding in &report.findings {
            println!("{finding}");
        }
        let lang = super::language();
        println!(
            "{}",
            t!(
                lang,
                "cli-verify-checked",
                blobs = report.blobs,
                megabytes = format!("{:.1}", report.bytes as f64 / 1e6),
                messages = report.messages,
                locations = report.locations,
                entries = report.ledger_entries,
                seconds = format!("{seconds:.1}"),
                rate = format!("{:.0}", report.bytes as f64 / 1e6 / seconds.max(0.001)),
            )
        );
        if let Some(head) = &report.head {
            println!(
                "{}",
                t!(
                    lang,
                    "cli-verify-head",
                    seq = head.seq.to_string(),
                    hash = head.hash.as_str()
                )
            );
        }
    }
    if report.is_clean() {
        Ok(())
    } else {
        anyhow::bail!(
            "{}",
            t!(
                super::language(),
                "cli-verify-problems",
                count = report.findings.len()
            )
        )
    }
}
