//! The Tresor server: web server, CLI, scheduler, archive engine, blob store
//! (and, as it arrives, the search index).
//!
//! Layout:
//! - `cli` — the `tresor` command line, one file per subcommand; the only place using `anyhow`.
//! - `config` — TOML file plus `TRESOR_*` environment, built once and passed down.
//! - `data_dir` — the data directory's protection: private modes at creation, the check at start.
//! - `db` — database connection, migrations, sea-orm entities.
//! - `auth` — passwords, sessions, sign-in throttling, user accounts.
//! - `mailbox` — mailbox profiles: validation, folder rules, schedules, sealed secrets.
//! - `engine` — archive jobs: fetch, store, record, checkpoint, act; the job log, progress, probe.
//! - `scheduler` — unattended runs in `tresor serve` within concurrency limits.
//! - `import` — importing `.eml`, mbox and Maildir files through the same pipeline.
//! - `index` — the full-text index (tantivy): the search syntax, visibility, the indexer.
//! - `imap` — IMAP connections (TLS, authentication); knows no database.
//! - `graph` — Microsoft Graph as a mail source: HTTP with throttling, the folder tree, delta rounds.
//! - `oauth` — OAuth2 sign-in for mailboxes: sign-in apps, the grant flows, tokens and their renewal.
//! - `audit` — the append-only audit log of who did what.
//! - `retention` — retention policies, legal holds, and the deletion they allow.
//! - `notify` — mail from Tresor: SMTP settings, failure notices, the daily summary.
//! - `metadata` — what a message says about itself (mail-parser), defects instead of errors.
//! - `secrets` — AES-256-GCM for secrets at rest, under a key outside the database.
//! - `store` — the content-addressed blob store (SHA-256, zstd, atomic writes).
//! - `viewer` — search, read, export and restore archived mail, within what the asker may see.
//! - `web` — the axum router: Leptos pages, server functions, `/healthz`.
//! - `telemetry` — `tracing` set-up.

pub mod audit;
pub mod auth;
pub mod cli;
pub mod config;
pub mod data_dir;
pub mod db;
pub mod engine;
pub mod graph;
pub mod imap;
pub mod import;
pub mod index;
pub mod mailbox;
pub mod metadata;
pub mod notify;
pub mod oauth;
pub mod retention;
pub mod scheduler;
pub mod secrets;
pub mod store;
pub mod telemetry;
pub mod viewer;
pub mod web;
