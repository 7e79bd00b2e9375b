//! `tresor retention` and `tresor hold`: policies, legal holds and the job that deletes what policies release.

use super::Services;
use crate::audit::Actor;
use crate::config::Config;
use crate::retention::{Basis, HoldScope, PolicyScope, Retention, ViewerSearch};
use anyhow::Context;
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// List the retention policies.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add a policy: keep what it covers N years from the message date or
    /// from when it was archived. Without --mailbox/--label it covers all mail.
    Add(AddPolicy),
    /// Remove a policy (the mail it covered is then kept unless another covers it).
    Remove { id: i64 },
    /// Delete the mail every covering policy has released and no hold keeps.
    /// Each deletion is a ledger entry; blobs go only with their last copy.
    Apply {
        /// Show what would be deleted, delete nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct AddPolicy {
    #[arg(long)]
    name: String,
    /// Years to keep, e.g. 10.
    #[arg(long)]
    years: u32,
    /// `message-date` (default) or `archive-date`.
    #[arg(long, default_value = "message-date")]
    from: String,
    /// Only this mailbox (by name).
    #[arg(long)]
    mailbox: Option<String>,
    /// Only this folder (and its subfolders) of --mailbox.
    #[arg(long, requires = "mailbox")]
    folder: Option<String>,
    /// Only mail archived with this label, as key=value.
    #[arg(long, conflicts_with = "mailbox")]
    label: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum HoldCommand {
    /// List the legal holds, active and released.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Place a hold: held mail is never deleted, whatever the policies say.
    Add(AddHold),
    /// Release a hold (it stays on record with who, when and why).
    Release {
        id: i64,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Args)]
pub struct AddHold {
    /// Why (a case number, a request): recorded with the hold.
    #[arg(long)]
    reason: String,
    /// Every message of this mailbox (by name).
    #[arg(long, group = "scope")]
    mailbox: Option<String>,
    /// Every message this search finds, now and later.
    #[arg(long, group = "scope")]
    query: Option<String>,
    /// These message ids, separated by commas.
    #[arg(long, group = "scope", value_delimiter = ',')]
    messages: Vec<i64>,
}

pub async fn run(config: Config, command: RetentionCommand) -> anyhow::Result<()> {
    let services = Services::open(&config).await?;
    let retention = Retention::new(services.db.clone(), services.store.clone());
    match command {
        RetentionCommand::List { json } => {
            let policies = retention.policies().await?;
            if json {
                println!("{}", serde_json::to_string(&policies)?);
            } else if policies.is_empty() {
                println!("no retention policies: all mail is kept");
            } else {
                for policy in policies {
                    println!(
                        "{}\t{}\t{} years from {}\t{:?}",
                        policy.id,
                        policy.name,
                        policy.keep_years,
                        policy.basis.as_str(),
                        policy.scope
                    );
                }
            }
        }
        RetentionCommand::Add(args) => {
            let basis = Basis::parse(&args.from).with_context(|| {
                format!("--from {}: use message-date or archive-date", args.from)
            })?;
            let mailbox_id = match &args.mailbox {
                Some(name) => Some(services.mailboxes.by_name(name).await?.id),
                None => None,
            };
            let scope = PolicyScope::from_parts(
                mailbox_id,
                args.folder.as_deref().unwrap_or_default(),
                args.label.as_deref().unwrap_or_default(),
            )?;
            let policy = retention
                .add_policy(&args.name, scope, args.years, basis, &Actor::Operator)
                .await?;
            println!("added retention policy {} ({})", policy.id, policy.name);
        }
        RetentionCommand::Remove { id } => {
            let policy = retention.remove_policy(id, &Actor::Operator).await?;
            println!("removed retention policy {id} ({})", policy.name);
        }
        RetentionCommand::Apply { dry_run, json } => {
            let viewer = services.viewer(&config)?;
            let search = ViewerSearch::new(&viewer, &services.db);
            let now = chrono::Utc::now();
            let (plan, applied) = if dry_run {
                (retention.plan(now, Some(&search)).await?, None)
            } else {
                // The index forgets deleted mail as part of the job (or the
                // running server's indexer does).
                let indexing = services.start_indexing(&config).await;
                let (plan, applied) = retention
                    .apply(now, Some(&search), &Actor::Operator)
                    .await?;
                indexing.finish().await?;
                (plan, Some(applied))
            };
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "dry_run": dry_run, "plan": plan, "applied": applied })
                );
            } else {
                for item in &plan.deletable {
                    println!(
                        "{} message {} location {} mailbox {} folder {:?} (expired {})",
                        if dry_run { "would delete" } else { "deleted" },
                        item.message_id,
                        item.location_id,
                        item.mailbox_id,
                        item.folder,
                        item.expired_at.format("%Y-%m-%d")
                    );
                }
                println!(
                    "{} copies {}deleted ({} messages entirely); kept: {} under legal hold, {} still within retention, {} not covered by any policy",
                    plan.deletable.len(),
                    if dry_run { "would be " } else { "" },
                    plan.messages_to_delete,
                    plan.held,
                    plan.kept,
                    plan.uncovered
                );
            }
        }
    }
    Ok(())
}

pub async fn run_hold(config: Config, command: HoldCommand) -> anyhow::Result<()> {
    let services = Services::open(&config).await?;
    let retention = Retention::new(services.db.clone(), services.store.clone());
    match command {
        HoldCommand::List { json } => {
            let holds = retention.holds().await?;
            if json {
                println!("{}", serde_json::to_string(&holds)?);
            } else if holds.is_empty() {
                println!("no legal holds");
            } else {
                for hold in holds {
                    let state = match &hold.released_at {
                        Some(at) => format!("released {}", at.format("%Y-%m-%d")),
                        None => "active".into(),
                    };
                    println!("{}\t{state}\t{:?}\t{}", hold.id, hold.scope, hold.reason);
                }
            }
        }
        HoldCommand::Add(args) => {
            let scope = match (args.mailbox, args.query, args.messages) {
                (Some(name), _, _) => HoldScope::Mailbox {
                    mailbox_id: services.mailboxes.by_name(&name).await?.id,
                },
                (None, Some(query), _) => HoldScope::Query { query },
                (None, None, message_ids) if !message_ids.is_empty() => {
                    HoldScope::Messages { message_ids }
                }
                _ => anyhow::bail!("say what to hold: --mailbox, --query or --messages"),
            };
            let hold = retention
                .place_hold(scope, &args.reason, &Actor::Operator)
                .await?;
            println!("placed legal hold {}", hold.id);
        }
        HoldCommand::Release { id, reason } => {
            retention
                .release_hold(id, &reason, &Actor::Operator)
                .await?;
            println!("released legal hold {id}");
        }
    }
    Ok(())
}
