//! `tresor journal`: journal mailboxes, which take the journal copies
//! Postfix, Exchange or Microsoft 365 deliver over SMTP (`journal_listen`).

use super::Services;
use crate::config::Config;
use crate::journal::{self, addresses::CATCH_ALL};
use anyhow::bail;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Create a shared journal mailbox (or add to the one of that name) and
    /// the recipient addresses it takes.
    Add {
        /// The journal mailbox's name.
        #[arg(long)]
        name: String,
        /// A recipient address it takes (the journal address the MTA sends
        /// to); repeat for several.
        #[arg(long = "address")]
        addresses: Vec<String>,
        /// Also take every address no other journal mailbox names.
        #[arg(long)]
        catch_all: bool,
    },
    /// List the journal mailboxes and the addresses each takes.
    List,
}

pub async fn run(config: Config, command: JournalCommand) -> anyhow::Result<()> {
    let services = Services::open(&config).await?;
    match command {
        JournalCommand::Add {
            name,
            mut addresses,
            catch_all,
        } => {
            if catch_all {
                addresses.push(CATCH_ALL.to_string());
            }
            if addresses.is_empty() {
                bail!("a journal mailbox needs an --address or --catch-all");
            }
            let mailbox =
                journal::add_mailbox(&services.db, &services.mailboxes, &name, &addresses).await?;
            println!(
                "journal mailbox {:?} (id {}) takes: {}",
                mailbox.name,
                mailbox.id,
                addresses.join(", ")
            );
        }
        JournalCommand::List => {
            for (mailbox, taken) in
                journal::list_mailboxes(&services.db, &services.mailboxes).await?
            {
                let taken = if taken.is_empty() {
                    "(no address)".to_string()
                } else {
                    taken.join(", ")
                };
                println!("{}\t{}", mailbox.name, taken);
            }
        }
    }
    Ok(())
}
