//! Developer commands for Tresor.
//!
//! - `cargo xtask run`  — install what is missing, build the browser app and the
//!   server, and start `tresor serve` on http://127.0.0.1:3000 with ./data.
//! - `cargo xtask test` — install and start everything the tests need (Dovecot,
//!   PostgreSQL, Chromium, Playwright), run `cargo test` and the Playwright
//!   suite, stop what was started, exit non-zero on any failure.
//! - `cargo xtask testbed` — start the test bed and keep it up for your own `cargo test` runs.
//! - `cargo xtask build [--release]` — build only, into `<target>/site` and the server binary;
//!   `build --site` only the site.
//! - `cargo xtask bench ingest [SIZE...]` — ingest benchmark against Dovecot, beside mbsync;
//!   `bench first-load` — the sign-in page's and the dashboard's bytes and time to hydrated on a slow connection;
//!   `bench journal [COUNT]` — journal copies over SMTP into `tresor serve`, four clients at once.
//! - `cargo xtask fuzz [SECONDS] [TARGET...]` — run the fuzz targets (fuzz/) longer than the tests do.
//! - `cargo xtask tidy` — the house rules (module docs, file length, folders named in
//!   ARCHITECTURE.md, no import cycles); also the first step of `cargo xtask test`.

mod bench;
mod build;
mod cmd;
mod compress;
mod fuzz;
mod split;
mod test;
mod testbed;
mod tidy;
mod tools;

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let task = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    let result = match task.as_str() {
        "run" => run(&rest),
        "test" => test::run(&rest),
        "testbed" => test::keep_testbed_up(),
        "build" if rest.iter().any(|arg| arg == "--site") => {
            tools::ensure_build_tools().and_then(|()| build::build_site().map(|_| ()))
        }
        "build" => build::build_all(rest.iter().any(|arg| arg == "--release")).map(|_| ()),
        "bench" => bench::run(&rest),
        "fuzz" => fuzz::run(&rest),
        "tidy" => tidy::run(),
        _ => {
            eprintln!(
                "usage: cargo xtask (run [-- serve args] | test | build [--release | --site] | bench (ingest [SIZE...] | first-load | journal [COUNT]) | fuzz [SECONDS] [TARGET...] | tidy)"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask {task}: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Builds everything in release mode and runs `tresor serve` in the foreground.
fn run(serve_args: &[String]) -> anyhow::Result<()> {
    tools::ensure_build_tools()?;
    let built = build::build_all(true)?;
    let root = cmd::repo_root();
    let mut command = std::process::Command::new(&built.server_binary);
    command
        .current_dir(&root)
        .arg("serve")
        .args(serve_args.iter().filter(|arg| *arg != "--"))
        .env("TRESOR_SITE_ROOT", &built.site_root);
    cmd::exec_foreground(command)
}
