//! `tresor export`: write archived messages out byte for byte (.eml files, zip or mbox).

use super::Services;
use crate::config::Config;
use crate::viewer::{Selection, export};
use anyhow::{Context, bail};
use app::model::archive::ExportFormat;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Export every message archived from this mailbox.
    #[arg(long, required_unless_present = "query", conflicts_with = "query")]
    mailbox: Option<String>,
    /// Export every message this search finds (see `tresor search`).
    #[arg(long)]
    query: Option<String>,
    /// Only what this Tresor user may see (default: everything).
    #[arg(long)]
    user: Option<String>,
    /// `eml`: a directory with one file per message, named by its SHA-256;
    /// `zip`: the same as one zip file; `mbox`: one mbox file (mboxrd).
    #[arg(long, default_value = "eml")]
    format: String,
    #[arg(long)]
    out: PathBuf,
}

pub async fn run(config: Config, args: ExportArgs) -> anyhow::Result<()> {
    let services = Services::open(&config).await?;
    let reader = services.reader_for(&config, args.user.as_deref()).await?;
    let selection = match (&args.mailbox, &args.query) {
        (Some(name), _) => Selection::Mailbox(services.mailboxes.by_name(name).await?.id),
        (None, Some(query)) => Selection::Query(query.clone()),
        (None, None) => bail!("say what to export: --mailbox NAME or --query 'Q'"),
    };
    // A mailbox export needs no index; a query does.
    let viewer = std::sync::Arc::new(services.viewer(&config)?);
    let plan = viewer.plan_export(reader, &selection).await?;
    let count = plan.count;
    crate::audit::AuditLog::new(services.db.clone())
        .record(
            &crate::audit::Actor::Operator,
            None,
            crate::audit::Action::Export,
            "export",
            serde_json::json!({
                "mailbox": args.mailbox,
                "query": args.query,
                "as_user": args.user,
                "format": args.format,
                "out": args.out.display().to_string(),
                "messages": count,
            }),
            crate::audit::Outcome::Ok,
        )
        .await
        .context("writing the audit log")?;
    let store = services.store.clone();
    let out = args.out.clone();
    let format = args.format.clone();
    // Read a page at a time while written.
    let items = crate::viewer::ExportItems::new(viewer, plan);
    let summary = tokio::task::spawn_blocking(move || -> anyhow::Result<export::ExportSummary> {
        match format.as_str() {
            "eml" => write_directory(&store, items, &out),
            "zip" | "mbox" => {
                let file = std::fs::File::create(&out)
                    .with_context(|| format!("creating {}", out.display()))?;
                let writer = std::io::BufWriter::new(file);
                let summary = if ExportFormat::parse(&format) == Some(ExportFormat::Mbox) {
                    export::write_mbox(&store, items, writer)?
                } else {
                    export::write_zip(&store, items, writer)?
                };
                Ok(summary)
            }
            other => bail!("export format {other:?} is not known; use eml, zip or mbox"),
        }
    })
    .await??;
    println!(
        "exported {} messages ({count} selected, {:.1} MB) to {}",
        summary.messages,
        summary.bytes as f64 / 1_000_000.0,
        args.out.display()
    );
    if summary.line_break_added > 0 {
        println!(
            "note: {} messages did not end with a line break; mbox adds one (the eml and zip formats are exact)",
            summary.line_break_added
        );
    }
    Ok(())
}

/// One `<sha256>.eml` per message, streamed from the store.
fn write_directory(
    store: &crate::store::BlobStore,
    items: crate::viewer::ExportItems,
    out: &std::path::Path,
) -> anyhow::Result<export::ExportSummary> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut summary = export::ExportSummary::default();
    for item in items {
        let item = item?;
        let path = out.join(format!("{}.eml", item.digest));
        let mut reader = store.open_reader(&item.digest)?;
        let mut file =
            std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        summary.bytes += std::io::copy(&mut reader, &mut file)
            .with_context(|| format!("writing {}", path.display()))?;
        summary.messages += 1;
    }
    Ok(summary)
}
