//! The `tresor` command line. One file per subcommand; this is the edge where
//! errors become `anyhow` reports and an exit code.

mod archive;
mod export;
mod import;
mod journal;
mod mailbox;
mod migrate;
mod oauth;
mod reindex;
mod retention;
mod search;
mod serve;
mod smtp;
mod user;
mod verify;

use crate::config::{Config, Overrides};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "tresor",
    version,
    about = "Tresor: the audit-proof e-mail archive"
)]
pub struct Cli {
    /// Data directory (database, blobs, index, keys). Default: ./data
    #[arg(long, global = true, env = "TRESOR_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Configuration file (TOML); every key can also be set as TRESOR_<KEY>.
    #[arg(long, global = true, env = "TRESOR_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server and the scheduler.
    Serve(serve::ServeArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Manage users.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Manage mailbox profiles.
    #[command(subcommand)]
    Mailbox(mailbox::MailboxCommand),
    /// Archive a mailbox (or all) now and print the job log.
    Archive(archive::ArchiveArgs),
    /// Write archived messages out, byte for byte.
    Export(export::ExportArgs),
    /// Import .eml files, mbox files and Maildir folders into a mailbox.
    Import(import::ImportArgs),
    /// Journal mailboxes: what arrives over SMTP from Postfix, Exchange, Microsoft 365.
    #[command(subcommand)]
    Journal(journal::JournalCommand),
    /// Search the archive; prints the hits (or JSON, one object per line).
    Search(search::SearchArgs),
    /// Rebuild the search index from the database and the blob store.
    Reindex,
    /// Check the archive: re-hash every blob, compare rows, blobs and the
    /// ledger chain; exit 1 on any finding.
    Verify(verify::VerifyArgs),
    /// Retention policies, and the job that deletes what they release.
    #[command(subcommand)]
    Retention(retention::RetentionCommand),
    /// Legal holds: mail under hold is never deleted.
    #[command(subcommand)]
    Hold(retention::HoldCommand),
    /// The SMTP server for notifications, and a test mail.
    #[command(subcommand)]
    Smtp(smtp::SmtpCommand),
    /// Sign-in apps (OAuth2 client registrations) for Microsoft 365, Outlook.com, Gmail.
    #[command(subcommand, name = "oauth-app")]
    OAuthApp(oauth::OAuthAppCommand),
}

pub fn main() -> ExitCode {
    // Before any file is created: nothing of the archive is for other users.
    crate::data_dir::restrict_umask();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("tresor: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tresor: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let listen = match &cli.command {
        Command::Serve(args) => args.listen,
        _ => None,
    };
    let overrides = Overrides {
        data_dir: cli.data_dir.clone(),
        listen,
    };
    let config = Config::load(cli.config.as_deref(), &overrides)?;
    crate::telemetry::init(config.log_format);
    match cli.command {
        Command::Serve(_) => serve::run(config).await,
        Command::Migrate => migrate::run(config).await,
        Command::User(command) => user::run(config, command).await,
        Command::Mailbox(command) => mailbox::run(config, command).await,
        Command::Archive(args) => archive::run(config, args).await,
        Command::Export(args) => export::run(config, args).await,
        Command::Import(args) => import::run(config, args).await,
        Command::Journal(command) => journal::run(config, command).await,
        Command::Search(args) => search::run(config, args).await,
        Command::Reindex => reindex::run(config).await,
        Command::Verify(args) => verify::run(config, args).await,
        Command::Retention(command) => retention::run(config, command).await,
        Command::Hold(command) => retention::run_hold(config, command).await,
        Command::Smtp(command) => smtp::run(config, command).await,
        Command::OAuthApp(command) => oauth::run(config, command).await,
    }
}

/// The database, blob store, mailbox profiles and engine, opened for one command.
struct Services {
    db: sea_orm::DatabaseConnection,
    store: std::sync::Arc<crate::store::BlobStore>,
    mailboxes: std::sync::Arc<crate::mailbox::Mailboxes>,
    engine: crate::engine::Engine,
    /// The master key's box, for whatever else seals secrets (SMTP).
    secrets: std::sync::Arc<crate::secrets::SecretBox>,
}

impl Services {
    async fn open(config: &Config) -> anyhow::Result<Services> {
        let db = crate::db::connect_and_migrate(&config.database_url()).await?;
        Services::with_db(config, db)
    }

    /// Services over a database that is already open and migrated.
    fn with_db(config: &Config, db: sea_orm::DatabaseConnection) -> anyhow::Result<Services> {
        use std::sync::Arc;
        let store = Arc::new(crate::store::BlobStore::open(
            config.data_dir.join("blobs"),
        )?);
        let secrets = Arc::new(secret_box(config)?);
        let graph_roots = crate::mailbox::GraphRoots::new(&config.graph_roots)?;
        let mailboxes = Arc::new(
            crate::mailbox::Mailboxes::new(db.clone(), secrets.clone())
                .with_connection_policy(crate::connect::ConnectionPolicy::from_config(config))
                .with_graph_roots(graph_roots),
        );
        let engine = crate::engine::Engine::new(db.clone(), store.clone(), mailboxes.clone());
        Ok(Services {
            db,
            store,
            mailboxes,
            engine,
            secrets,
        })
    }
}

impl Services {
    /// The archive viewer over the index as it is on disk (a running server
    /// may be writing it; its commits show up here).
    fn viewer(&self, config: &Config) -> anyhow::Result<crate::viewer::Viewer> {
        let index = crate::index::SearchIndex::open(&config.data_dir)?;
        Ok(crate::viewer::Viewer::new(
            self.db.clone(),
            self.store.clone(),
            self.mailboxes.clone(),
            std::sync::Arc::new(index),
        ))
    }

    /// Everything, or what Tresor user `email` may see (an administrator: everything).
    async fn reader_for(
        &self,
        config: &Config,
        email: Option<&str>,
    ) -> anyhow::Result<crate::viewer::Reader> {
        use crate::viewer::Reader;
        let Some(email) = email else {
            return Ok(Reader::Everyone);
        };
        let user = self.user_by_email(config, email).await?;
        Ok(crate::access::reader(&user.to_session_user()?))
    }

    /// Indexes what a job archives while it runs, if no server does; call
    /// `finish` after the job.
    async fn start_indexing(&self, config: &Config) -> BackgroundIndexer {
        use crate::index::{IndexError, Indexer};
        match Indexer::open(&config.data_dir, self.db.clone(), self.store.clone()).await {
            Ok(indexer) => {
                if let Err(error) = indexer.without_merges() {
                    eprintln!("warning: {error}");
                }
                let indexer = std::sync::Arc::new(indexer);
                let (stop, stopped) = tokio::sync::watch::channel(false);
                let task = tokio::spawn(indexer.clone().run(stopped));
                BackgroundIndexer {
                    running: Some((indexer, stop, task)),
                }
            }
            Err(IndexError::Busy) => {
                eprintln!("note: tresor serve is running and indexes the new mail");
                BackgroundIndexer { running: None }
            }
            Err(error) => {
                eprintln!(
                    "warning: the search index cannot be opened ({error}); the mail is archived and will be indexed by the next `tresor serve` or `tresor reindex`"
                );
                BackgroundIndexer { running: None }
            }
        }
    }
}

/// The indexer running beside a CLI job.
struct BackgroundIndexer {
    running: Option<(
        std::sync::Arc<crate::index::Indexer>,
        tokio::sync::watch::Sender<bool>,
        tokio::task::JoinHandle<()>,
    )>,
}

impl BackgroundIndexer {
    /// Stops following the queue and indexes what is left.
    async fn finish(self) -> anyhow::Result<()> {
        let Some((indexer, stop, task)) = self.running else {
            return Ok(());
        };
        let _ = stop.send(true);
        let _ = task.await;
        indexer.drain(|_| {}).await?;
        Ok(())
    }
}

impl Services {
    /// The id of the Tresor user `email`, or `None` for shared (no owner).
    async fn owner_id(&self, config: &Config, email: Option<&str>) -> anyhow::Result<Option<i64>> {
        let Some(email) = email else {
            return Ok(None);
        };
        Ok(Some(self.user_by_email(config, email).await?.id))
    }

    /// The Tresor user `email`; an error that says how to create one if none.
    async fn user_by_email(
        &self,
        config: &Config,
        email: &str,
    ) -> anyhow::Result<crate::db::entity::user::Model> {
        use anyhow::Context;
        let accounts = crate::auth::Accounts::new(
            self.db.clone(),
            std::time::Duration::from_secs(config.session_hours * 3600),
        );
        accounts
            .find_by_email(email)
            .await?
            .with_context(|| format!("no Tresor user {email}; create it with `tresor user add`"))
    }
}

/// The instance's secret box. The master key comes from `TRESOR_MASTER_KEY`
/// (read here, at the edge, never stored in the config) or the data dir's key file.
fn secret_box(config: &Config) -> anyhow::Result<crate::secrets::SecretBox> {
    let env_key = std::env::var("TRESOR_MASTER_KEY")
        .ok()
        .filter(|key| !key.is_empty());
    Ok(crate::secrets::SecretBox::load(
        &config.data_dir,
        env_key.as_deref(),
    )?)
}

/// One line from standard input, for passwords (never taken as arguments,
/// where other users of the machine could see them).
fn read_password_from_stdin() -> anyhow::Result<String> {
    use anyhow::Context;
    use std::io::Read;
    let mut input = String::new();
    std::io::stdin()
        .take(4096)
        .read_to_string(&mut input)
        .context("reading the password from standard input")?;
    let password = input.lines().next().unwrap_or("").to_string();
    if password.is_empty() {
        anyhow::bail!(
            "no password on standard input (pipe it in: echo 'secret' | tresor … --password-stdin)"
        );
    }
    Ok(password)
}

/// The language of the command's human output and of the mails it sends:
/// the environment's locale (`LC_ALL`, `LC_MESSAGES`, `LANG`, as POSIX
/// orders them), English when it names no language Tresor speaks.
fn language() -> app::i18n::Lang {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.is_empty())
        .and_then(|value| app::i18n::Lang::from_code(&value))
        .unwrap_or_default()
}
