//! `tresor oauth-app …` (sign-in apps) and `tresor mailbox authorize`: the
//! device-code sign-in (Dr.DOC's "Variante A") or app-only access for an
//! OAuth mailbox, from a terminal.

use super::Services;
use crate::audit::Actor;
use crate::config::Config;
use crate::oauth::{AppInput, Flow, OAuthError, SecretChange, flows};
use crate::secrets::Secret;
use anyhow::Context;
use clap::{Args, Subcommand};
use std::io::BufRead;

#[derive(Debug, Subcommand)]
pub enum OAuthAppCommand {
    /// Register a sign-in app (an Entra ID app registration, a Google OAuth client).
    Add(Box<AddApp>),
    /// List the sign-in apps (never their secrets).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a sign-in app no mailbox uses.
    Remove { name: String },
}

#[derive(Debug, Args)]
pub struct AddApp {
    #[arg(long)]
    name: String,
    /// `microsoft`, `google` or `generic`.
    #[arg(long)]
    provider: String,
    /// Microsoft: common, organizations, consumers (Outlook.com), a tenant id or domain.
    #[arg(long, default_value = "")]
    tenant: String,
    /// Where the provider lives, if not its public address (national clouds, a stand-in).
    #[arg(long, default_value = "")]
    authority: String,
    #[arg(long, default_value = "")]
    authorize_url: String,
    #[arg(long, default_value = "")]
    token_url: String,
    #[arg(long, default_value = "")]
    device_url: String,
    /// The client (application) id.
    #[arg(long)]
    client_id: String,
    /// Read the client secret from the first line of standard input.
    #[arg(long)]
    client_secret_stdin: bool,
    /// Scopes separated by spaces, e.g.
    /// "https://outlook.office.com/IMAP.AccessAsUser.All offline_access".
    #[arg(long)]
    scopes: String,
    /// Empty: <public URL>/oauth/callback.
    #[arg(long, default_value = "")]
    redirect_url: String,
}

pub async fn run(config: Config, command: OAuthAppCommand) -> anyhow::Result<()> {
    let services = Services::open(&config).await?;
    let apps = services.mailboxes.oauth().apps();
    match command {
        OAuthAppCommand::Add(args) => {
            let secret = if args.client_secret_stdin {
                SecretChange::Set(read_line("the client secret")?)
            } else {
                SecretChange::Keep
            };
            let input = AppInput {
                name: args.name,
                provider: args.provider,
                tenant: args.tenant,
                authority: args.authority,
                authorize_url: args.authorize_url,
                token_url: args.token_url,
                device_url: args.device_url,
                client_id: args.client_id,
                scopes: args.scopes,
                redirect_url: args.redirect_url,
            };
            apps.save(None, &input, secret, &Actor::Operator).await?;
            println!("sign-in app {:?} added", input.name);
        }
        OAuthAppCommand::List { json } => {
            for row in apps.list().await? {
                if json {
                    let line = serde_json::json!({
                        "id": row.id,
                        "name": row.name,
                        "provider": row.provider,
                        "tenant": row.tenant,
                        "client_id": row.client_id,
                        "has_secret": row.secret_sealed.is_some(),
                        "scopes": row.scopes.lines().collect::<Vec<_>>(),
                    });
                    println!("{line}");
                } else {
                    println!(
                        "{}\t{}\t{}\t{}",
                        row.name,
                        row.provider,
                        row.client_id,
                        row.scopes.replace('\n', " ")
                    );
                }
            }
        }
        OAuthAppCommand::Remove { name } => {
            let row = apps.by_name(&name).await?;
            apps.remove(row.id, &Actor::Operator).await?;
            println!("sign-in app {name:?} removed");
        }
    }
    Ok(())
}

fn read_line(what: &str) -> anyhow::Result<Secret> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .with_context(|| format!("reading {what} from standard input"))?;
    Ok(Secret::new(line.trim_end_matches(['\r', '\n'])))
}

#[derive(Debug, Args)]
pub struct AuthorizeArgs {
    name: String,
    /// Use this sign-in app from now on.
    #[arg(long)]
    app: Option<String>,
    /// App-only access (client credentials) instead of a person signing in:
    /// for shared or admin-consented mailboxes.
    #[arg(long)]
    app_only: bool,
}

/// Signs a mailbox in: shows the device code and waits until someone
/// entered it (or it expired or was declined), then keeps the tokens.
pub async fn authorize(services: &Services, args: AuthorizeArgs) -> anyhow::Result<()> {
    let mailboxes = &services.mailboxes;
    let grants = mailboxes.oauth();
    let mut row = mailboxes.by_name(&args.name).await?;
    if let Some(app) = &args.app {
        let app = grants.apps().by_name(app).await?;
        mailboxes.set_oauth_app(row.id, Some(app.id)).await?;
        row = mailboxes.by_name(&args.name).await?;
    }
    let app_id = row.oauth_app_id.with_context(|| {
        format!(
            "the mailbox {:?} has no sign-in app: name one with --app (see `tresor oauth-app list`)",
            row.name
        )
    })?;
    let app = grants.apps().app(app_id).await?;
    let (flow, tokens) = if args.app_only {
        (
            Flow::ClientCredentials,
            flows::client_credentials(grants.http(), &app).await?,
        )
    } else {
        let device = flows::start_device(grants.http(), &app).await?;
        match &device.message {
            Some(message) => println!("{message}"),
            None => println!(
                "To sign in, open {} in a browser and enter the code {}",
                device.verification_uri, device.user_code
            ),
        }
        println!("code: {}", device.user_code);
        println!(
            "Waiting for the sign-in (the code is valid for {} minutes)…",
            device.expires_in.as_secs().div_ceil(60)
        );
        let tokens = match flows::finish_device(grants.http(), &app, &device).await {
            Ok(tokens) => tokens,
            Err(error) => {
                // Recorded as the browser's sign-in with a code is: it ended without tokens.
                grants
                    .record_sign_in(&row.name, Flow::DeviceCode, false, &Actor::Operator)
                    .await?;
                return Err(match error {
                    OAuthError::DeviceCodeExpired => anyhow::anyhow!(
                        "the code expired before anyone signed in; run `tresor mailbox authorize {}` again",
                        row.name
                    ),
                    other => other.into(),
                });
            }
        };
        (Flow::DeviceCode, tokens)
    };
    if tokens.refresh.is_none() && flow != Flow::ClientCredentials {
        eprintln!(
            "warning: the provider gave no refresh token; add offline_access to the app's scopes or the mailbox needs a sign-in again within the hour"
        );
    }
    grants
        .sign_in((row.id, &row.name), app.id, flow, &tokens, &Actor::Operator)
        .await?;
    println!(
        "signed in: the mailbox {:?} can be archived now (scope: {})",
        row.name, tokens.scope
    );
    Ok(())
}
