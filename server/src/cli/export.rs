use super::Services;
use crate::config::Config;
use crate::db::entity::{message, message_location};
use crate::store::Digest;
use anyhow::{Context, bail};
use clap::Args;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::BTreeSet;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Export every message archived from this mailbox.
    #[arg(long)]
    mailbox: String,
    /// `eml`: one file per message, named by its SHA-256.
    #[arg(long, default_value = "eml")]
    format: String,
    #[arg(long)]
    out: PathBuf,
}

pub async fn run(config: Config, args: ExportArgs) -> anyhow::Result<()> {
    if args.format != "eml" {
        bail!(
            "export format {:?} is not available yet; use eml",
            args.format
        );
    }
    let services = Services::open(&config).await?;
    let mailbox = services.mailboxes.by_name(&args.mailbox).await?;
    let message_ids: Vec<i64> = message_location::Entity::find()
        .select_only()
        .column(message_location::Column::MessageId)
        .filter(message_location::Column::MailboxId.eq(mailbox.id))
        .into_tuple()
        .all(&services.db)
        .await?;
    let message_ids: BTreeSet<i64> = message_ids.into_iter().collect();
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let mut exported = 0;
    for chunk in message_ids.into_iter().collect::<Vec<_>>().chunks(500) {
        let hashes: Vec<String> = message::Entity::find()
            .select_only()
            .column(message::Column::Sha256)
            .filter(message::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(&services.db)
            .await?;
        for hash in hashes {
            let digest: Digest = hash.parse()?;
            let path = args.out.join(format!("{hash}.eml"));
            let store = services.store.clone();
            tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
                // Streamed: a large message never sits in memory whole.
                let mut reader = store.open_reader(&digest)?;
                let mut file = std::fs::File::create(&path)
                    .with_context(|| format!("creating {}", path.display()))?;
                std::io::copy(&mut reader, &mut file)
                    .with_context(|| format!("writing {}", path.display()))?;
                Ok(())
            })
            .await??;
            exported += 1;
        }
    }
    println!(
        "exported {exported} messages of {:?} to {}",
        mailbox.name,
        args.out.display()
    );
    Ok(())
}
