//! The Tresor server: web server, CLI, scheduler, archive engine, blob store
//! (and, as it arrives, the search index).
//!
//! Layout:
//! - `access` — the one access rule: who may read, manage or administer what.
//! - `cli` — the `tresor` command line, one file per subcommand; the only place using `anyhow`.
//! - `config` — TOML file plus `TRESOR_*` environment, built once and passed down.
//! - `data_dir` — the data directory's protection: private modes at creation, the check at start.
//! - `db` — database connection, migrations, sea-orm entities.
//! - `auth` — passwords, sessions, sign-in throttling, user accounts.
//! - `mailbox` — mailbox profiles: validation, folder rules, schedules, sealed secrets.
//! - `engine` — archive jobs: fetch, store, record, checkpoint, act; the job log, progress, probe.
//! - `scheduler` — unattended runs in `tresor serve` within concurrency limits.
//! - `import` — importing `.eml`, mbox, Maildir and Outlook (PST/OST/MSG) files through the same pipeline.
//! - `journal` — journal mailboxes: what arrives over SMTP, Exchange journal reports unwrapped.
//! - `index` — the full-text index (tantivy): the search syntax, visibility, the indexer.
//! - `connect` — where the server may connect for a mailbox (the connection policy), CA files.
//! - `imap` — IMAP connections (TLS, authentication); knows no database.
//! - `pop3` — POP3 connections (IMAP's TCP and TLS, POP3's commands); knows no database.
//! - `smtp` — receiving journal mail: an SMTP and LMTP server that hands each message to storage.
//! - `graph` — Microsoft Graph as a mail source: HTTP with throttling, the folder tree, delta rounds.
//! - `oauth` — OAuth2 sign-in for mailboxes: sign-in apps, the grant flows, tokens and their renewal.
//! - `audit` — the append-only audit log of who did what.
//! - `retention` — retention policies, legal holds, and the deletion they allow.
//! - `notify` — mail from Tresor: SMTP settings, failure notices, the daily summary.
//! - `metadata` — what a message says about itself (mail-parser), defects instead of errors.
//! - `secrets` — AES-256-GCM for secrets at rest, under a key outside the database.
//! - `smtp` — receiving mail over SMTP and LMTP for journal mailboxes.
//! - `store` — the content-addressed blob store (SHA-256, zstd, atomic writes).
//! - `viewer` — search, read, export and restore archived mail, within what the asker may see.
//! - `web` — the axum router: Leptos pages, server functions, `/healthz`.
//! - `telemetry` — `tracing` set-up.

#[cfg(feature = "server")]
pub mod access;
#[cfg(feature = "server")]
pub mod audit;
#[cfg(feature = "server")]
pub mod auth;
#[cfg(feature = "server")]
pub mod cli;
#[cfg(feature = "server")]
pub mod config;
#[cfg(feature = "server")]
pub mod connect;
#[cfg(feature = "server")]
pub mod data_dir;
#[cfg(feature = "server")]
pub mod db;
#[cfg(feature = "server")]
pub mod engine;
#[cfg(feature = "server")]
pub mod graph;
#[cfg(feature = "server")]
pub mod imap;
#[cfg(feature = "server")]
pub mod import;
#[cfg(feature = "server")]
pub mod index;
#[cfg(feature = "server")]
pub mod journal;
#[cfg(feature = "server")]
pub mod mailbox;
pub mod metadata;
#[cfg(feature = "server")]
pub mod notify;
#[cfg(feature = "server")]
pub mod oauth;
#[cfg(feature = "server")]
pub mod pop3;
#[cfg(feature = "server")]
pub mod retention;
#[cfg(feature = "server")]
pub mod scheduler;
#[cfg(feature = "server")]
pub mod secrets;
#[cfg(feature = "server")]
pub mod smtp;
#[cfg(feature = "server")]
pub mod store;
#[cfg(feature = "server")]
pub mod telemetry;
#[cfg(feature = "server")]
pub mod viewer;
#[cfg(feature = "server")]
pub mod web;

// Without the `server` feature: only the readers of untrusted input, from the
// same files, for the fuzz targets (fuzz/). See server/Cargo.toml.
#[cfg(not(feature = "server"))]
pub mod index {
    pub mod query;
}
#[cfg(not(feature = "server"))]
pub mod mailbox {
    pub mod csv;
    pub mod folder_rules;
}
#[cfg(not(feature = "server"))]
pub mod import {
    pub mod mbox;
    pub mod outlook;
}
#[cfg(not(feature = "server"))]
pub mod pop3 {
    pub mod response;
}
#[cfg(not(feature = "server"))]
pub mod smtp {
    mod envelope;
    pub mod protocol;
    pub use envelope::{Envelope, Refusal};
}
#[cfg(not(feature = "server"))]
pub mod store {
    #[allow(dead_code, reason = "the streaming `Hasher` serves the blob store")]
    mod digest;
    pub use digest::{Digest, ParseDigestError};
}
