//! `tresor smtp`: the SMTP server for notifications, and a test mail.

use super::Services;
use crate::audit::Actor;
use crate::config::Config;
use crate::notify::{Notifier, PasswordChange, SmtpInput, SmtpSecurity, SystemClock};
use crate::secrets::Secret;
use anyhow::Context;
use app::t;
use clap::{Args, Subcommand};
use std::io::BufRead;
use std::sync::Arc;

#[derive(Debug, Subcommand)]
pub enum SmtpCommand {
    /// Set the SMTP server notifications go through (the instance's, or
    /// one mailbox's own with --mailbox).
    Set(SetSmtp),
    /// Send a test mail with the settings that apply (to --mailbox, or the instance's).
    Test {
        #[arg(long)]
        to: String,
        #[arg(long)]
        mailbox: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct SetSmtp {
    #[arg(long)]
    host: String,
    /// Default: 465 with --security tls, else 587.
    #[arg(long)]
    port: Option<u16>,
    /// `tls` (implicit, port 465), `starttls` (587) or `none`.
    #[arg(long, default_value = "starttls")]
    security: String,
    #[arg(long)]
    username: Option<String>,
    /// Read the SMTP password from the first line of standard input.
    #[arg(long, requires = "username")]
    password_stdin: bool,
    /// The sender address, e.g. archive@example.com.
    #[arg(long)]
    from: String,
    #[arg(long, default_value = "Tresor")]
    from_name: String,
    /// A CA certificate (PEM) to trust besides the public ones.
    #[arg(long)]
    ca_file: Option<String>,
    /// Who gets failure notices besides the administrators (comma-separated).
    #[arg(long, value_delimiter = ',')]
    notify: Vec<String>,
    /// Who gets a summary of the day's runs (comma-separated; instance only).
    #[arg(long, value_delimiter = ',', conflicts_with = "mailbox")]
    summary_to: Vec<String>,
    /// These settings for this mailbox only (by name).
    #[arg(long)]
    mailbox: Option<String>,
}

pub async fn run(config: Config, command: SmtpCommand) -> anyhow::Result<()> {
    let services = Services::open(&config).await?;
    let notifier = Notifier::new(
        services.db.clone(),
        services.secrets.clone(),
        Arc::new(SystemClock),
        config.public_url.clone(),
    );
    match command {
        SmtpCommand::Set(args) => {
            let security = SmtpSecurity::parse(&args.security).with_context(|| {
                format!("--security {}: use tls, starttls or none", args.security)
            })?;
            let password = if args.password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .context("reading the password from standard input")?;
                PasswordChange::Set(Secret::new(line.trim_end_matches(['\r', '\n'])))
            } else {
                PasswordChange::Keep
            };
            let input = SmtpInput {
                host: args.host,
                port: args.port.unwrap_or(match security {
                    SmtpSecurity::Tls => 465,
                    _ => 587,
                }),
                security,
                username: args.username,
                from_address: args.from,
                from_name: args.from_name,
                ca_file: args.ca_file,
                extra_recipients: args.notify,
                summary_recipients: args.summary_to,
            };
            let mailbox = match &args.mailbox {
                Some(name) => Some(services.mailboxes.by_name(name).await?),
                None => None,
            };
            let scope = mailbox.as_ref().map(|row| (row.id, row.name.as_str()));
            notifier
                .change_settings(scope, &input, password, &Actor::Operator)
                .await?;
            println!(
                "SMTP settings saved ({}:{} {}); try them with `tresor smtp test --to ADDRESS`",
                input.host,
                input.port,
                input.security.as_str()
            );
        }
        SmtpCommand::Test { to, mailbox } => {
            let mailbox = match mailbox {
                Some(name) => Some(services.mailboxes.by_name(&name).await?),
                None => None,
            };
            let via = notifier
                .send_test(
                    mailbox.as_ref().map(|row| (row.id, row.name.as_str())),
                    &to,
                    super::language(),
                )
                .await?;
            println!(
                "{}",
                t!(
                    super::language(),
                    "cli-test-mail-sent",
                    to = to.as_str(),
                    server = via
                )
            );
        }
    }
    Ok(())
}
