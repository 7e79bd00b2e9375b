//! `cargo xtask bench first-load`: the first load of the sign-in page, and of
//! the dashboard for a signed-in person, in Chromium on a throttled
//! connection (1.6 Mbit/s, 150 ms round trip; the figures are in
//! xtask/bench/first_load.mjs): bytes transferred and time until the app is
//! hydrated, with an empty cache, for this checkout's site served by the
//! release server (or the binary `TRESOR_BENCH_BINARY` names).

use super::ROOT;
use super::measure::binaries;
use crate::cmd::repo_root;
use anyhow::{Context, bail};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Loads per binary; the first pays for the server's cold start too.
const RUNS: u32 = 3;

/// A port the test bed does not use.
const PORT: u16 = 3990;

/// How long the server may take to listen.
const START_LIMIT: Duration = Duration::from_secs(60);

/// The person the dashboard is loaded for, made with the CLI in the fresh data dir.
const EMAIL: &str = "bench@first-load.test";
const PASSWORD: &str = "first-load-password";

pub fn run() -> anyhow::Result<()> {
    crate::tools::ensure_playwright()?;
    let site = crate::build::build_site()?;
    for binary in binaries()? {
        println!("## {}", binary.tool());
        let data_dir = PathBuf::from(ROOT).join("first-load");
        let _ = std::fs::remove_dir_all(&data_dir);
        std::fs::create_dir_all(&data_dir)?;
        crate::cmd::add_tresor_user(
            &binary.path,
            &data_dir,
            (EMAIL, "user", "First Load"),
            PASSWORD,
        )?;
        let mut server = Command::new(&binary.path)
            .arg("serve")
            .arg("--data-dir")
            .arg(&data_dir)
            .arg("--listen")
            .arg(format!("127.0.0.1:{PORT}"))
            .env("TRESOR_SITE_ROOT", &site)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", binary.path.display()))?;
        let measured = crate::testbed::wait_for_port(PORT, START_LIMIT).and_then(|()| {
            println!("### /sign-in");
            load("/sign-in", None)?;
            println!("### / (the dashboard, signed in)");
            load("/", Some((EMAIL, PASSWORD)))
        });
        let _ = server.kill();
        let _ = server.wait();
        measured?;
    }
    Ok(())
}

/// Loads `path` `RUNS` times, signed in as `person` if given.
fn load(path: &str, person: Option<(&str, &str)>) -> anyhow::Result<()> {
    let root = repo_root();
    let mut command = Command::new("node");
    command
        .arg(root.join("xtask/bench/first_load.mjs"))
        .arg(format!("http://127.0.0.1:{PORT}{path}"))
        .arg(RUNS.to_string())
        .env("PLAYWRIGHT_FROM", root.join("end2end"));
    if let Some((email, password)) = person {
        command
            .env("SIGN_IN_EMAIL", email)
            .env("SIGN_IN_PASSWORD", password);
    }
    let status = command.status().context("running node")?;
    if !status.success() {
        bail!("the first-load script failed");
    }
    Ok(())
}
