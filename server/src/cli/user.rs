//! `tresor user`: add and list Tresor users (audited like the web's changes).

use crate::audit::Actor;
use crate::auth::Accounts;
use crate::config::Config;
use anyhow::Context;
use app::model::Role;
use clap::Subcommand;
use std::time::Duration;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user. The password is read from standard input (one line).
    Add {
        #[arg(long)]
        email: String,
        /// admin, user or auditor
        #[arg(long, default_value = "user")]
        role: Role,
        /// Display name; defaults to the part of the address before the @.
        #[arg(long, default_value = "")]
        name: String,
        /// Required: passwords are never taken from the command line, where
        /// other users of the machine could see them.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List users.
    List {
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(config: Config, command: UserCommand) -> anyhow::Result<()> {
    let db = crate::db::connect_and_migrate(&config.database_url()).await?;
    let accounts = Accounts::new(db, Duration::from_secs(config.session_hours * 3600));
    match command {
        UserCommand::Add {
            email,
            role,
            name,
            password_stdin,
        } => {
            debug_assert!(password_stdin);
            let password = super::read_password_from_stdin()?;
            let user = accounts
                .add_user(&email, &name, role, &password, &Actor::Operator)
                .await
                .with_context(|| format!("creating user {email}"))?;
            println!("created {} ({}) with id {}", user.email, user.role, user.id);
        }
        UserCommand::List { json } => {
            let users = accounts.list_users().await?;
            let views = users
                .iter()
                .map(|row| row.to_view())
                .collect::<Result<Vec<_>, _>>()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&views)?);
            } else {
                println!(
                    "{:<6} {:<36} {:<9} {:<9} NAME",
                    "ID", "E-MAIL", "ROLE", "STATUS"
                );
                for user in views {
                    let status = if user.disabled { "disabled" } else { "active" };
                    println!(
                        "{:<6} {:<36} {:<9} {:<9} {}",
                        user.id, user.email, user.role, status, user.display_name
                    );
                }
            }
        }
    }
    Ok(())
}
