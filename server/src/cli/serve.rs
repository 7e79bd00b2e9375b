//! `tresor serve`: the web server, the scheduler, the indexer and the daily checks in one process.

use crate::auth::accounts::generate_password;
use crate::config::Config;
use crate::index::{IndexError, Indexer, SearchIndex};
use crate::scheduler::Scheduler;
use crate::web::{self, AppState};
use anyhow::Context;
use app::model::Role;
use app::t;
use clap::Args;
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Default: 127.0.0.1:3000
    #[arg(long)]
    pub listen: Option<SocketAddr>,
}

pub async fn run(config: Config) -> anyhow::Result<()> {
    crate::data_dir::create_private_dir(&config.data_dir)
        .with_context(|| format!("creating the data directory {}", config.data_dir.display()))?;
    check_data_dir(&config)?;
    let url = config.database_url();
    let db = crate::db::connect_and_migrate(&url)
        .await
        .with_context(|| format!("opening {}", crate::db::redact(&url)))?;
    let services = super::Services::with_db(&config, db.clone())?;
    let (indexer, index) = open_index(&config, &services).await?;
    let journal_store = services.store.clone();
    let journal_db = db.clone();
    let scheduler = Scheduler::new(
        db.clone(),
        Arc::new(services.engine),
        config.max_concurrent_jobs,
    );
    let viewer = Arc::new(crate::viewer::Viewer::new(
        db.clone(),
        services.store.clone(),
        services.mailboxes.clone(),
        index,
    ));
    let notifier = Arc::new(crate::notify::Notifier::new(
        db.clone(),
        services.secrets.clone(),
        Arc::new(crate::notify::SystemClock),
        config.public_url.clone(),
    ));
    let verifier = Arc::new(crate::store::verify::Verifier::new(
        db.clone(),
        services.store.clone(),
        Some(crate::store::ledger::HeadFile::in_data_dir(
            &config.data_dir,
        )),
    ));
    let state = AppState::new(
        config.clone(),
        db,
        services.mailboxes.clone(),
        scheduler.clone(),
        viewer,
    )
    .with_notifier(notifier.clone())
    .with_verifier(verifier.clone());
    ensure_first_admin(&state, &config).await?;
    let (stop_scheduler, scheduler_stopped) = tokio::sync::watch::channel(false);
    let indexer_task = indexer.map(|indexer| tokio::spawn(indexer.run(scheduler_stopped.clone())));
    let verify_every = (config.verify_interval_hours > 0)
        .then(|| std::time::Duration::from_secs(config.verify_interval_hours * 3600));
    let integrity_task = tokio::spawn(crate::store::verify::run_schedule(
        verifier,
        verify_every,
        scheduler_stopped.clone(),
    ));
    let summary_task = tokio::spawn(crate::notify::run_summaries(
        notifier.clone(),
        scheduler_stopped.clone(),
    ));
    scheduler.set_notifier(notifier);
    let journal = Arc::new(crate::journal::Journal::new(
        journal_db,
        journal_store,
        services.mailboxes.clone(),
    ));
    let journal_task = start_journal_listener(&config, journal, scheduler_stopped.clone()).await?;
    let scheduler_task = tokio::spawn(scheduler.run(scheduler_stopped));

    if !config.site_root.join("pkg").join("tresor.wasm").exists() {
        tracing::warn!(
            site_root = %config.site_root.display(),
            "the browser app is missing (no pkg/tresor.wasm): pages will render but not react; build with `cargo xtask run`"
        );
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    tracing::info!(address = %config.listen, data_dir = %config.data_dir.display(), "Tresor is listening");
    println!(
        "{}",
        t!(
            super::language(),
            "cli-running-at",
            url = config.display_url()
        )
    );
    web::serve(listener, state, async move {
        web::shutdown_signal().await;
        let _ = stop_scheduler.send(true);
    })
    .await?;
    // Running jobs are aborted (safe at any point) and marked interrupted.
    let _ = scheduler_task.await;
    let _ = integrity_task.await;
    let _ = summary_task.await;
    if let Some(task) = journal_task {
        let _ = task.await;
    }
    if let Some(task) = indexer_task {
        let _ = task.await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// The SMTP (or LMTP) listener for journal copies, when `journal_listen` is
/// set. It is bound before the web server starts, so a wrong address or
/// certificate stops `tresor serve` with a clear error instead of leaving the
/// sending MTA to queue mail for a listener that never came up.
async fn start_journal_listener(
    config: &Config,
    journal: Arc<crate::journal::Journal>,
    stopped: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<Option<tokio::task::JoinHandle<()>>> {
    let Some(address) = config.journal_listen else {
        return Ok(None);
    };
    let mut smtp = crate::smtp::Config::new(address, &journal_hostname(config));
    if config.journal_lmtp {
        smtp.protocol = crate::smtp::Protocol::Lmtp;
    }
    smtp.max_message_bytes =
        usize::try_from(config.journal_max_message_bytes).unwrap_or(usize::MAX);
    smtp.memory_budget_bytes = smtp
        .memory_budget_bytes
        .max(smtp.max_message_bytes.saturating_mul(2));
    smtp.allowed_clients = config.journal_allow.networks();
    match (&config.journal_tls_cert, &config.journal_tls_key) {
        (Some(cert), Some(key)) => {
            smtp.tls = Some(
                crate::smtp::load_tls(cert, key).context("journal_tls_cert / journal_tls_key")?,
            )
        }
        (None, None) => {}
        _ => anyhow::bail!("journal_tls_cert and journal_tls_key go together: set both or neither"),
    }
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("listening for journal mail on {address} (journal_listen)"))?;
    tracing::info!(%address, protocol = ?smtp.protocol, "receiving journal mail");
    Ok(Some(tokio::spawn(async move {
        if let Err(error) = crate::smtp::serve(listener, Arc::new(smtp), journal, stopped).await {
            tracing::error!(%error, "the journal listener stopped");
        }
    })))
}

/// The name the journal listener greets with: the public URL's host, else
/// "localhost" (RFC 5321 asks for the host's name; it is informational).
fn journal_hostname(config: &Config) -> String {
    config
        .public_url
        .as_deref()
        .and_then(|url| reqwest::Url::parse(url).ok())
        .and_then(|url| url.host_str().map(str::to_string))
        .unwrap_or_else(|| "localhost".to_string())
}

/// Before anything is opened: refuses a master key file others can read
/// (saying which `chmod` fixes it), and warns about a data directory or key
/// file more open than private, in the log and on the terminal.
fn check_data_dir(config: &Config) -> anyhow::Result<()> {
    let key_file = config.data_dir.join(crate::secrets::KEY_FILE);
    crate::secrets::check_key_file(&key_file)?;
    let exposures = crate::data_dir::inspect(&config.data_dir, &key_file).with_context(|| {
        format!(
            "checking the permissions of the data directory {}",
            config.data_dir.display()
        )
    })?;
    for exposure in exposures {
        tracing::warn!("{exposure}");
        eprintln!("warning: {exposure}");
    }
    Ok(())
}

/// The indexer (it follows the archive as mail is stored) and the index it
/// writes; without the writer (another process holds it, e.g. a long
/// `tresor reindex`) the server still searches what is indexed.
async fn open_index(
    config: &Config,
    services: &super::Services,
) -> anyhow::Result<(Option<Arc<Indexer>>, Arc<SearchIndex>)> {
    match Indexer::open(
        &config.data_dir,
        services.db.clone(),
        services.store.clone(),
    )
    .await
    {
        Ok(indexer) => {
            let index = indexer.index();
            Ok((Some(Arc::new(indexer)), index))
        }
        Err(IndexError::Busy) => {
            tracing::warn!(
                "another process writes the search index; searching only what it has written"
            );
            let index = SearchIndex::open(&config.data_dir).context("opening the search index")?;
            Ok((None, Arc::new(index)))
        }
        Err(error) => Err(error).context("opening the search index"),
    }
}

/// On a fresh installation, creates the first administrator and says how to sign in.
async fn ensure_first_admin(state: &AppState, config: &Config) -> anyhow::Result<()> {
    if state.accounts.count_users().await? > 0 {
        return Ok(());
    }
    let (password, generated) = match &config.initial_admin_password {
        Some(password) => (password.clone(), false),
        None => (generate_password(), true),
    };
    let admin = state
        .accounts
        .create_user(
            &config.initial_admin_email,
            "Administrator",
            Role::Admin,
            &password,
        )
        .await
        .context("creating the first administrator")?;
    println!();
    let lang = super::language();
    println!("  {}", t!(lang, "cli-first-start"));
    let field = |name: &str| format!("{name:<12}");
    println!(
        "    {}{}",
        field(&t!(lang, "cli-first-sign-in-at")),
        config.display_url()
    );
    println!("    {}{}", field(&t!(lang, "cli-first-email")), admin.email);
    if generated {
        println!("    {}{password}", field(&t!(lang, "cli-first-password")));
        println!("  {}", t!(lang, "cli-first-password-once"));
    } else {
        println!(
            "    {}{}",
            field(&t!(lang, "cli-first-password")),
            t!(lang, "cli-first-password-configured")
        );
    }
    println!();
    Ok(())
}
