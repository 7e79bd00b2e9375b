//! The `tresor` command line. One file per subcommand; this is the edge where
//! errors become `anyhow` reports and an exit code.

mod migrate;
mod serve;
mod user;

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
    /// Run the web server (and, later, the scheduler).
    Serve(serve::ServeArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Manage users.
    #[command(subcommand)]
    User(user::UserCommand),
}

pub fn main() -> ExitCode {
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
    }
}
