//! `cargo xtask test`: the whole test suite, as CI runs it.
//!
//! 1. install missing tools and packages;
//! 2. formatting and clippy (`-D warnings`);
//! 3. a short run of each fuzz target (`fuzz::short_run`);
//! 4. start the test bed (Dovecot, PostgreSQL, OAuth2 stub, SMTP sink);
//! 5. `cargo test` for the workspace, with the services required (a test that
//!    would need one fails instead of skipping);
//! 6. build the browser app and the server, start `tresor serve` on a fresh
//!    SQLite data dir, and run the Playwright suite in Chromium against it;
//! 7. stop everything, whatever failed.

use crate::build;
use crate::cmd::{self, cargo, repo_root};
use crate::fuzz;
use crate::testbed::{self, Testbed};
use crate::tools;
use anyhow::{Context, bail};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const E2E_ADMIN_EMAIL: &str = "admin@e2e.test";
const E2E_ADMIN_PASSWORD: &str = "e2e-admin-password";
/// Dovecot users the master-user batch spec archives (`E2E_BATCH_USERS`).
const E2E_BATCH_USERS: [&str; 3] = ["user7", "user8", "user9"];

/// Building the tests from cold and running them took 7 min on CI's 2 cores.
const CARGO_TEST_LIMIT: Duration = Duration::from_secs(30 * 60);

pub fn run(args: &[String]) -> anyhow::Result<()> {
    let started = Instant::now();
    tools::ensure_test_tools()?;
    // `cargo xtask test e2e [playwright arguments]`: only the browser tests
    // (e.g. one spec file, or `--grep words`), for a quick round while working
    // on the UI. CI and the README run everything.
    if args.first().map(String::as_str) == Some("e2e") {
        let testbed = Testbed::start()?;
        step("end-to-end tests", || end_to_end(&testbed, &args[1..]))?;
        drop(testbed);
        eprintln!(
            "end-to-end tests passed in {} s",
            started.elapsed().as_secs()
        );
        return Ok(());
    }
    step("formatting", || {
        cmd::run({
            let mut command = cargo();
            command.args(["fmt", "--all", "--", "--check"]);
            command
        })
    })?;
    step("house rules (tidy)", crate::tidy::run)?;
    step("clippy", || {
        cmd::run({
            let mut command = cargo();
            command.args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]);
            command
        })
    })?;
    step("fuzzing", fuzz::short_run)?;

    let testbed = Testbed::start()?;
    step("cargo test", || {
        cmd::run_with_limit(
            {
                let mut command = cargo();
                command
                    // Never the WASM crate on the host: it would unify app's `hydrate`
                    // feature into the server build.
                    .args(["test", "--workspace", "--exclude", "frontend"])
                    .envs(test_env(&testbed));
                command
            },
            CARGO_TEST_LIMIT,
        )
    })?;
    step("end-to-end tests", || end_to_end(&testbed, &[]))?;
    drop(testbed);
    eprintln!("all tests passed in {} s", started.elapsed().as_secs());
    Ok(())
}

/// What `cargo test` needs to find the test bed's services (and to fail, not
/// skip, when one is missing).
pub fn test_env(testbed: &Testbed) -> Vec<(&'static str, String)> {
    vec![
        ("TRESOR_TEST_REQUIRE_SERVICES", "1".into()),
        ("TRESOR_TEST_POSTGRES_URL", testbed.postgres_url.clone()),
        (
            "TRESOR_TEST_DOVECOT_CA",
            testbed.ca_file().display().to_string(),
        ),
        ("TRESOR_TEST_IMAP_PORT", testbed::IMAP_PORT.to_string()),
        ("TRESOR_TEST_IMAPS_PORT", testbed::IMAPS_PORT.to_string()),
        ("TRESOR_TEST_POP3_PORT", testbed::POP3_PORT.to_string()),
        ("TRESOR_TEST_POP3S_PORT", testbed::POP3S_PORT.to_string()),
        (
            "TRESOR_TEST_CYRUS_IMAPS_PORT",
            testbed::CYRUS_IMAPS_PORT.to_string(),
        ),
        ("TRESOR_TEST_SMTP_PORT", testbed::SMTP_PORT.to_string()),
        ("TRESOR_TEST_SMTPS_PORT", testbed::SMTPS_PORT.to_string()),
        (
            "TRESOR_TEST_OAUTH_URL",
            format!("http://127.0.0.1:{}", testbed::OAUTH_PORT),
        ),
        (
            "TRESOR_TEST_SMTP_DIR",
            testbed.smtp_dir().display().to_string(),
        ),
    ]
}

/// `cargo xtask testbed`: starts the test bed and keeps it up for a developer's
/// own `cargo test` runs, until `<root>/stop` appears (or the process is killed;
/// the next start stops what it left). `<root>/env.sh` holds the variables.
pub fn keep_testbed_up() -> anyhow::Result<()> {
    tools::ensure_test_tools()?;
    let testbed = Testbed::start()?;
    let env: String = test_env(&testbed)
        .into_iter()
        .map(|(name, value)| format!("export {name}='{value}'\n"))
        .collect();
    std::fs::write(testbed.root.join("env.sh"), env)?;
    let stop = testbed.root.join("stop");
    let _ = std::fs::remove_file(&stop);
    eprintln!(
        "test bed up: `source {}` before `cargo test`; `touch {}` stops it",
        testbed.root.join("env.sh").display(),
        stop.display()
    );
    while !stop.exists() {
        std::thread::sleep(Duration::from_secs(1));
    }
    let _ = std::fs::remove_file(&stop);
    Ok(())
}

fn step(name: &str, body: impl FnOnce() -> anyhow::Result<()>) -> anyhow::Result<()> {
    let started = Instant::now();
    eprintln!("==> {name}");
    let result = body().with_context(|| format!("{name} failed"));
    eprintln!(
        "<== {name}: {} in {} s",
        if result.is_ok() { "ok" } else { "FAILED" },
        started.elapsed().as_secs()
    );
    result
}

fn end_to_end(testbed: &Testbed, playwright_args: &[String]) -> anyhow::Result<()> {
    let site_root = build::build_site()?;
    let binary = build::build_server(false)?;
    let data_dir = tempdir("tresor-e2e")?;
    let port = free_port()?;
    let base_url = format!("http://127.0.0.1:{port}");

    // The administrator is made with the CLI, as an admin would script it.
    crate::cmd::add_tresor_user(
        &binary,
        &data_dir,
        (E2E_ADMIN_EMAIL, "admin", "E2E Admin"),
        E2E_ADMIN_PASSWORD,
    )?;

    // Mail for the master-user batch spec: one message in each of the three
    // Dovecot users it archives (users nothing else in the suite touches).
    for user in E2E_BATCH_USERS {
        let message = format!(
            "From: sender@example.com\r\nTo: {user}@example.com\r\nSubject: Batch test for {user}\r\n\
             Message-ID: <batch-{user}-{}@e2e.test>\r\nDate: Sun, 22 Nov 2026 10:00:00 +0000\r\n\r\nHello {user}.\r\n",
            std::process::id()
        );
        testbed.deliver(user, message.as_bytes())?;
    }

    // Mail for the archive viewer spec, imported as an administrator would.
    let imported = Command::new(&binary)
        .arg("--data-dir")
        .arg(&data_dir)
        .args(["import", "--name", "E2E archive"])
        .arg(repo_root().join("end2end").join("fixtures"))
        .stdout(Stdio::null())
        .status()
        .context("running tresor import")?;
    if !imported.success() {
        bail!("tresor import of the end-to-end fixtures failed");
    }

    let server = Command::new(&binary)
        .arg("--data-dir")
        .arg(&data_dir)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("TRESOR_SITE_ROOT", &site_root)
        // The specs' users connect mailboxes to the test bed on loopback.
        .env("TRESOR_ALLOW_PRIVATE_DESTINATIONS", "true")
        // The Graph spec's mailbox reads the test bed's Graph stand-in.
        .env(
            "TRESOR_GRAPH_ROOTS",
            format!("[\"http://127.0.0.1:{}\"]", testbed::OAUTH_PORT),
        )
        .env("RUST_LOG", "info,tresor=debug")
        .spawn()
        .context("starting tresor serve")?;
    let mut server = ServerGuard(Some(server));
    testbed::wait_for_port(port, Duration::from_secs(30))?;

    let result = cmd::run({
        let mut command = Command::new("npx");
        command
            .current_dir(repo_root().join("end2end"))
            .args(["playwright", "test"])
            .args(playwright_args)
            .env("BASE_URL", &base_url)
            .env("E2E_ADMIN_EMAIL", E2E_ADMIN_EMAIL)
            .env("E2E_ADMIN_PASSWORD", E2E_ADMIN_PASSWORD)
            // The test bed's Dovecot, for mailboxes the specs connect and run.
            .env("E2E_IMAPS_PORT", testbed::IMAPS_PORT.to_string())
            .env("E2E_DOVECOT_CA", testbed.ca_file())
            .env("E2E_BATCH_USERS", E2E_BATCH_USERS.join(","))
            // The test bed's SMTP sink, for the notifications spec's test mail.
            .env("E2E_SMTP_PORT", testbed::SMTP_PORT.to_string())
            .env("E2E_SMTP_DIR", testbed.smtp_dir())
            // The test bed's OAuth2 authorization server, for the sign-in spec.
            .env(
                "E2E_OAUTH_URL",
                format!("http://127.0.0.1:{}", testbed::OAUTH_PORT),
            )
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        command
    });
    let shutdown = server.terminate_gracefully();
    let _ = std::fs::remove_dir_all(&data_dir);
    result?;
    shutdown
}

/// Stops `tresor serve` on drop, so a failing step never leaves it running.
struct ServerGuard(Option<Child>);

impl ServerGuard {
    /// SIGTERM, then expect a clean exit within a few seconds (graceful shutdown).
    fn terminate_gracefully(&mut self) -> anyhow::Result<()> {
        let Some(mut child) = self.0.take() else {
            return Ok(());
        };
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = child.try_wait()? {
                if status.success() {
                    return Ok(());
                }
                bail!("tresor serve exited with {status} after SIGTERM");
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                bail!("tresor serve did not stop within 10 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for ServerGuard {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

fn tempdir(prefix: &str) -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()));
    if Path::new(&dir).exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
