//! `cargo xtask bench …`: figures for BENCHMARKS.md, never tests. Each
//! benchmark is one module; what they share (the corpus, timing under GNU
//! time, the binaries to measure) is in `corpus` and `measure`.
//!
//! - `ingest` — archive the bulk corpus from a private Dovecot, beside mbsync.
//! - `import` — `tresor import` of a 200 MB and a 1.6 GB mbox.
//! - `search` — index sizes and query latency, beside notmuch.
//! - `verify` — `tresor verify` in MB/s, beside sha256sum and zstd.
//! - `first-load` — the sign-in page and the dashboard in Chromium on a
//!   throttled connection: bytes transferred and time until hydrated.
//! - `journal` — journal copies over SMTP into `tresor serve`, four clients
//!   at once: messages/s, MB/s, per-message latency and peak RSS.

mod corpus;
mod first_load;
mod import;
mod ingest;
mod journal;
mod measure;
mod search;
mod verify;

use anyhow::bail;

/// Where the benchmarks work; deleted only after all measurements of a run.
const ROOT: &str = "/tmp/tresor-bench";

pub fn run(args: &[String]) -> anyhow::Result<()> {
    match args.first().map(String::as_str) {
        Some("ingest") => ingest::run(&args[1..]),
        Some("import") => import::run(),
        Some("search") => search::run(),
        Some("verify") => verify::run(),
        Some("first-load") => first_load::run(),
        Some("journal") => journal::run(&args[1..]),
        _ => bail!(
            "usage: cargo xtask bench ingest [SIZE...]   (default sizes: 10000 corpus 100000)\n       cargo xtask bench import\n       cargo xtask bench search\n       cargo xtask bench verify\n       cargo xtask bench first-load\n       cargo xtask bench journal [COUNT]   (default: the whole corpus)"
        ),
    }
}
