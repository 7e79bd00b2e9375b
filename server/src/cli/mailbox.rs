//! `tresor mailbox`: add, list, test, list folders of and authorize mailbox profiles (audited like the web's changes).

use crate::config::Config;
use crate::connect::Disclosure;
use crate::engine::probe::{ProbeReport, probe};
use crate::mailbox::profile::{
    Action, AuthMethod, DuplicateMatch, DuplicatePolicy, IdentityKind, Security, Source,
    parse_label,
};
use crate::mailbox::{Author, MailboxInput, Mailboxes};
use crate::secrets::Secret;
use app::model::mailbox::GRAPH_SERVICE_ROOT;
use clap::{Args, Subcommand};
use std::sync::Arc;

#[derive(Debug, Subcommand)]
pub enum MailboxCommand {
    /// Add a mailbox profile. The password is read from standard input.
    Add(Box<AddArgs>),
    /// List mailbox profiles (never their secrets).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Log in as an archive run would and report capabilities, certificate and
    /// folders with message counts, or why it failed. Changes nothing.
    Test {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// The server's folders, and which of them the mailbox's rules archive.
    Folders {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Sign an OAuth mailbox in: shows a code to enter at the provider's
    /// page and waits for it (or, with --app-only, asks for app-only access).
    Authorize(super::oauth::AuthorizeArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The Tresor user who owns it; without it the mailbox is shared (admin-managed).
    #[arg(long)]
    owner: Option<String>,
    #[arg(long)]
    name: String,
    #[arg(long)]
    email: Option<String>,
    /// `imap`; `pop3` (its inbox only; --action none leaves the mail on the
    /// server, delete removes it once archived; --auth plain, login for
    /// USER/PASS, or apop); or `graph` for Microsoft 365 through Microsoft
    /// Graph (needs --oauth-app; --username is the mailbox's address).
    #[arg(long, default_value = "imap")]
    source: Source,
    /// The IMAP or POP3 server; for Graph its service root (default
    /// https://graph.microsoft.com/v1.0).
    #[arg(long)]
    host: Option<String>,
    /// Graph: messages per page of a delta round (default 25).
    #[arg(long)]
    page_size: Option<u32>,
    /// Default: 993 for tls, 143 otherwise; POP3: 995 for tls, 110 otherwise.
    #[arg(long)]
    port: Option<u16>,
    #[arg(long, default_value = "tls")]
    security: Security,
    #[arg(long, default_value = "plain")]
    auth: AuthMethod,
    #[arg(long)]
    username: String,
    /// Read the password (one line) from standard input.
    #[arg(long)]
    password_stdin: bool,
    /// Log in as this master user on behalf of the mailbox's user (SASL PLAIN authzid).
    #[arg(long)]
    master_user: Option<String>,
    #[arg(long)]
    identity: Option<IdentityKind>,
    /// Extra trusted CA certificates (PEM).
    #[arg(long)]
    ca_file: Option<String>,
    /// Accept any certificate (self-signed, expired, other name). The mailbox
    /// is marked with a warning: the connection is encrypted, not authenticated.
    #[arg(long)]
    accept_invalid_certs: bool,
    /// Check the certificate against this name instead of the host.
    #[arg(long)]
    expected_cert_name: Option<String>,
    /// Archive only folders the user subscribed to (and INBOX).
    #[arg(long)]
    subscribed_only: bool,
    /// Archive only messages older than this many days; younger ones wait.
    #[arg(long)]
    older_than_days: Option<u32>,
    /// Skip (and report) messages larger than this many bytes. Default:
    /// 150 MiB (157286400); at most 512 MiB.
    #[arg(long)]
    max_size: Option<u64>,
    /// With `--action delete`: delete only messages older than this many days.
    #[arg(long)]
    delete_older_than_days: Option<u32>,
    /// When `tresor serve` archives it unattended: an interval (30m, 6h, 1d)
    /// or a cron expression in UTC ("0 2 * * *").
    #[arg(long)]
    schedule: Option<String>,
    /// Parallel IMAP connections (archive jobs) to this server at most.
    #[arg(long)]
    max_connections: Option<u32>,
    /// Source-folder rules, one per line (`*` wildcard, `&` and, `!` exclude).
    #[arg(long, default_value = "")]
    folders: String,
    #[arg(long, default_value = "none")]
    action: Action,
    #[arg(long)]
    success_folder: Option<String>,
    #[arg(long)]
    duplicate_folder: Option<String>,
    #[arg(long)]
    error_folder: Option<String>,
    #[arg(long)]
    success_tag: Option<String>,
    #[arg(long)]
    duplicate_tag: Option<String>,
    /// A message the archive has already: `drop` (only counted), `change`
    /// (also listed under this mailbox and folder, with this profile's
    /// labels) or `replace` (a header match with other bytes is stored as a
    /// new revision that supersedes the old one, which is kept).
    #[arg(long, default_value = "drop")]
    duplicates: DuplicatePolicy,
    /// What counts as the same message: `content` (the same bytes) or
    /// `headers` (the same Message-ID, Date and From; with `drop` or `change`
    /// the altered copy's bytes are not kept).
    #[arg(long, default_value = "content")]
    duplicate_match: DuplicateMatch,
    /// With --auth xoauth2/oauthbearer: the sign-in app (see `tresor oauth-app list`);
    /// then sign in with `tresor mailbox authorize NAME`.
    #[arg(long)]
    oauth_app: Option<String>,
    /// key=value, attached to every archived message; repeatable.
    #[arg(long = "label", value_parser = parse_label)]
    labels: Vec<(String, String)>,
}

pub async fn run(config: Config, command: MailboxCommand) -> anyhow::Result<()> {
    let services = super::Services::open(&config).await?;
    match command {
        MailboxCommand::Add(args) => add(&config, &services, *args).await,
        MailboxCommand::List { json } => list(&services.mailboxes, json).await,
        MailboxCommand::Test { name, json } => test(&services.mailboxes, &name, json).await,
        MailboxCommand::Folders { name, json } => folders(&services.mailboxes, &name, json).await,
        MailboxCommand::Authorize(args) => super::oauth::authorize(&services, args).await,
    }
}

async fn test(mailboxes: &Arc<Mailboxes>, name: &str, json: bool) -> anyhow::Result<()> {
    let row = mailboxes.by_name(name).await?;
    let report = probe(mailboxes, &row, Disclosure::Full).await;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_probe(&report);
        if row.source == Source::Pop3.as_str()
            && let Some(maildrop) = report.folders.first()
        {
            let count = maildrop.messages.unwrap_or_default();
            println!("  messages on the server: {count}");
        }
    }
    if !report.ok {
        anyhow::bail!("the connection test of {name:?} failed");
    }
    Ok(())
}

fn print_probe(report: &ProbeReport) {
    match &report.error {
        None => println!(
            "mailbox {:?}: connection OK ({} ms)",
            report.mailbox, report.elapsed_ms
        ),
        Some(error) => println!("mailbox {:?}: FAILED: {error}", report.mailbox),
    }
    if report.insecure_tls {
        println!("  warning: certificate checks are weakened for this mailbox");
    }
    if let Some(certificate) = &report.certificate {
        println!("  certificate: {}", certificate.subject);
        println!("    issuer:    {}", certificate.issuer);
        println!(
            "    valid:     {} – {}",
            certificate.not_before, certificate.not_after
        );
        println!("    sha256:    {}", certificate.sha256);
    }
    if !report.capabilities.is_empty() {
        println!("  capabilities: {}", report.capabilities.join(" "));
    }
    if report.ok {
        let selected = report
            .folders
            .iter()
            .filter(|folder| folder.selected)
            .count();
        println!(
            "  folders: {} on the server, {selected} selected by the rules",
            report.folders.len()
        );
    }
}

async fn folders(mailboxes: &Arc<Mailboxes>, name: &str, json: bool) -> anyhow::Result<()> {
    let row = mailboxes.by_name(name).await?;
    let report = probe(mailboxes, &row, Disclosure::Full).await;
    if let Some(error) = &report.error {
        anyhow::bail!("cannot list the folders of {name:?}: {error}");
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&report.folders)?);
        return Ok(());
    }
    println!(
        "{:<44} {:>8}  {:<8} {:<10} ARCHIVED",
        "FOLDER", "MESSAGES", "SPECIAL", "SUBSCRIBED"
    );
    for folder in &report.folders {
        println!(
            "{:<44} {:>8}  {:<8} {:<10} {}",
            folder.path,
            folder
                .messages
                .map(|count| count.to_string())
                .unwrap_or_else(|| "-".into()),
            folder.special_use.as_deref().unwrap_or(""),
            if folder.subscribed { "yes" } else { "no" },
            if folder.selected { "yes" } else { "no" }
        );
    }
    Ok(())
}

async fn add(config: &Config, services: &super::Services, args: AddArgs) -> anyhow::Result<()> {
    let owner_id = services.owner_id(config, args.owner.as_deref()).await?;
    let secret = if args.password_stdin {
        Some(Secret::new(super::read_password_from_stdin()?))
    } else {
        None
    };
    let host = match (&args.host, args.source) {
        (Some(host), _) => host.clone(),
        (None, Source::Graph) => GRAPH_SERVICE_ROOT.to_string(),
        (None, _) => String::new(),
    };
    let defaults = MailboxInput::new(&args.name, &host, &args.username);
    let profile = MailboxInput {
        email_address: args.email,
        source: args.source,
        page_size: args.page_size.unwrap_or(defaults.page_size),
        port: args
            .port
            .unwrap_or(args.security.default_port_for(args.source)),
        security: args.security,
        auth_method: args.auth,
        master_user: args.master_user,
        identity_kind: args.identity,
        ca_file: args.ca_file,
        accept_invalid_certs: args.accept_invalid_certs,
        expected_cert_name: args.expected_cert_name,
        subscribed_only: args.subscribed_only,
        older_than_days: args.older_than_days,
        max_message_size: args.max_size,
        delete_older_than_days: args.delete_older_than_days,
        max_connections: args.max_connections.unwrap_or(defaults.max_connections),
        schedule: args.schedule,
        folder_rules: args.folders,
        action: args.action,
        success_folder: args
            .success_folder
            .unwrap_or(defaults.success_folder.clone()),
        duplicate_folder: args
            .duplicate_folder
            .unwrap_or(defaults.duplicate_folder.clone()),
        error_folder: args.error_folder.unwrap_or(defaults.error_folder.clone()),
        success_tag: args.success_tag.unwrap_or(defaults.success_tag.clone()),
        duplicate_tag: args.duplicate_tag.unwrap_or(defaults.duplicate_tag.clone()),
        duplicate_policy: args.duplicates,
        duplicate_match: args.duplicate_match,
        labels: args.labels.into_iter().collect(),
        ..defaults
    };
    // The app is looked up first: a wrong name must not leave a half-made mailbox.
    let app = match &args.oauth_app {
        Some(name) => Some(services.mailboxes.oauth().apps().by_name(name).await?),
        None => None,
    };
    let profile = MailboxInput {
        oauth_app_id: app.map(|app| app.id),
        ..profile
    };
    let row = services
        .mailboxes
        .add(&Author::operator(), owner_id, &profile, secret.as_ref())
        .await?;
    println!(
        "added mailbox {:?} (id {}) for {}:{}",
        row.name, row.id, row.host, row.port
    );
    for warning in crate::mailbox::warnings(&row) {
        println!("  warning: {warning}");
    }
    if row.oauth_app_id.is_some() {
        println!("sign it in with `tresor mailbox authorize {:?}`", row.name);
    }
    Ok(())
}

async fn list(mailboxes: &Mailboxes, json: bool) -> anyhow::Result<()> {
    let rows = mailboxes.list().await?;
    let oauth_mailboxes: Vec<(i64, i64)> = rows
        .iter()
        .filter_map(|row| row.oauth_app_id.map(|app_id| (row.id, app_id)))
        .collect();
    let oauth_states: std::collections::HashMap<i64, &str> = mailboxes
        .oauth()
        .sign_ins(&oauth_mailboxes)
        .await?
        .into_iter()
        .map(|(id, sign_in)| {
            let state = match sign_in {
                crate::oauth::SignIn::NotSignedIn => "not_signed_in",
                crate::oauth::SignIn::SignedIn => "signed_in",
                crate::oauth::SignIn::NeedsSignIn(_) => "needs_sign_in",
            };
            (id, state)
        })
        .collect();
    if json {
        let views: Vec<_> = rows
            .iter()
            .map(|row| {
                serde_json::json!({
                    "id": row.id,
                    "name": row.name,
                    "owner_id": row.owner_id,
                    "shared": row.owner_id.is_none(),
                    "enabled": row.enabled,
                    "host": row.host,
                    "port": row.port,
                    "security": row.security,
                    "auth": row.auth_method,
                    "username": row.username,
                    "folders": row.folder_rules,
                    "action": row.action,
                    "duplicates": row.duplicate_policy,
                    "duplicate_match": row.duplicate_match,
                    "accept_invalid_certs": row.accept_invalid_certs,
                    "expected_cert_name": row.expected_cert_name,
                    "pinned_cert_sha256": row.pinned_cert_sha256,
                    "insecure_tls": row.accept_invalid_certs || row.expected_cert_name.is_some(),
                    "has_secret": row.secret_sealed.is_some(),
                    "oauth_app_id": row.oauth_app_id,
                    "oauth": oauth_states.get(&row.id),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&views)?);
    } else {
        println!(
            "{:<6} {:<28} {:<36} {:<9} ACTION",
            "ID", "NAME", "SERVER", "SECURITY"
        );
        for row in rows {
            println!(
                "{:<6} {:<28} {:<36} {:<9} {}",
                row.id,
                row.name,
                format!("{}:{}", row.host, row.port),
                row.security,
                row.action
            );
        }
    }
    Ok(())
}
