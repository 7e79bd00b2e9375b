//! Installs what the build and the tests need, from the package registries only:
//! rustup (wasm32 target), crates.io (wasm-bindgen-cli), npm (binaryen's wasm-opt,
//! Playwright) and Debian's apt (Dovecot, PostgreSQL, Chromium, aiosmtpd).
//! Each step first checks whether its tool is already there.

use crate::cmd::{self, as_root, output, repo_root};
use anyhow::{Context, bail};
use std::path::PathBuf;
use std::process::Command;

const WASM_TARGET: &str = "wasm32-unknown-unknown";

pub fn ensure_build_tools() -> anyhow::Result<()> {
    ensure_wasm_target()?;
    ensure_wasm_bindgen()?;
    ensure_npm_packages(&repo_root().join("xtask/node"))?;
    Ok(())
}

pub fn ensure_test_tools() -> anyhow::Result<()> {
    ensure_build_tools()?;
    ensure_apt_packages()?;
    cyrus_imapd()?;
    ensure_npm_packages(&repo_root().join("end2end"))?;
    Ok(())
}

/// Playwright in end2end/ (driving Debian's Chromium), without the rest of the test bed.
pub fn ensure_playwright() -> anyhow::Result<()> {
    ensure_apt(&["chromium"])?;
    ensure_npm_packages(&repo_root().join("end2end"))
}

fn ensure_wasm_target() -> anyhow::Result<()> {
    let installed = output(&mut {
        let mut command = Command::new("rustup");
        command.args(["target", "list", "--installed"]);
        command
    })
    .unwrap_or_default();
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        return Ok(());
    }
    let mut command = Command::new("rustup");
    command.args(["target", "add", WASM_TARGET]);
    cmd::run(command)
}

/// wasm-bindgen's CLI must match the `wasm-bindgen` crate in Cargo.lock exactly.
fn ensure_wasm_bindgen() -> anyhow::Result<()> {
    let wanted = locked_version("wasm-bindgen")?;
    let have = output(&mut {
        let mut command = Command::new("wasm-bindgen");
        command.arg("--version");
        command
    });
    if have.as_deref().map(str::trim) == Some(&format!("wasm-bindgen {wanted}")) {
        return Ok(());
    }
    // Without --locked, and falling back to versions that build on our Rust:
    // the CLI's own lock file asks for a newer compiler (see ../shared/reference/leptos-build.md).
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            &wanted,
            "--force",
        ])
        .env("CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS", "fallback")
        .env_remove("CARGO_TARGET_DIR");
    cmd::run(command)
}

fn locked_version(package: &str) -> anyhow::Result<String> {
    let lock =
        std::fs::read_to_string(repo_root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .with_context(|| format!("{package} is not in Cargo.lock"))?
        + needle.len();
    let end = lock[start..].find('"').context("malformed Cargo.lock")? + start;
    Ok(lock[start..end].to_string())
}

/// `npm ci` in `dir` unless its node_modules is current with its lock file.
fn ensure_npm_packages(dir: &std::path::Path) -> anyhow::Result<()> {
    let lock = dir.join("package-lock.json");
    let installed_marker = dir.join("node_modules/.package-lock.json");
    let current = match (std::fs::read(&lock), std::fs::read(&installed_marker)) {
        (Ok(_), Ok(_)) => modified(&installed_marker) >= modified(&lock),
        _ => false,
    };
    if current {
        return Ok(());
    }
    let mut command = Command::new("npm");
    command
        .current_dir(dir)
        .args(if lock.exists() {
            vec!["ci"]
        } else {
            vec!["install"]
        })
        .args(["--no-audit", "--no-fund"])
        // Playwright drives Debian's Chromium; it must never download a browser.
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    cmd::run(command)
}

fn modified(path: &std::path::Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path)
        .and_then(|meta| meta.modified())
        .ok()
}

pub fn wasm_opt() -> PathBuf {
    repo_root().join("xtask/node/node_modules/.bin/wasm-opt")
}

/// Debian packages for the test bed. PostgreSQL comes without a stock cluster:
/// the tests start their own on a private port.
const APT_PACKAGES: &[&str] = &[
    "dovecot-core",
    "dovecot-imapd",
    "dovecot-pop3d",
    "openssl",
    "curl",
    "python3",
    "python3-aiosmtpd",
    "chromium",
    "postgresql-15",
    // Unpacks the bulk corpus (tar --zstd).
    "zstd",
    // mbsync, the yardstick of `cargo xtask bench ingest`.
    "isync",
    // Cyrus IMAP's master and databases; its imapd is extracted separately (`cyrus_imapd`).
    "cyrus-common",
    "sasl2-bin",
    // The real MTA of the journal test: each test writes and starts its own
    // instance; the package is preseeded to "No configuration" (see `ensure_apt`),
    // so there is no system Postfix on port 25. It replaces Debian's default exim4.
    "postfix",
];

/// Cyrus' `imapd`, extracted from the cyrus-imapd package: the package itself
/// conflicts with dovecot-imapd (both provide imap-server). It lives in
/// /var/tmp, not in a home directory, because Cyrus runs it as user `cyrus`.
pub fn cyrus_imapd() -> anyhow::Result<PathBuf> {
    let root = PathBuf::from("/var/tmp/tresor-cyrus/root");
    let imapd = root.join("usr/lib/cyrus/bin/imapd");
    if imapd.exists() {
        return Ok(imapd);
    }
    let download = root.with_file_name("cyrus-download");
    std::fs::create_dir_all(&download)?;
    cmd::run({
        let mut command = Command::new("apt-get");
        command
            .current_dir(&download)
            .args(["download", "cyrus-imapd"]);
        command
    })
    .context("downloading cyrus-imapd")?;
    let package = std::fs::read_dir(&download)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|extension| extension == "deb"))
        .context("apt-get download left no cyrus-imapd .deb")?;
    cmd::run({
        let mut command = Command::new("dpkg-deb");
        command.arg("-x").arg(&package).arg(&root);
        command
    })?;
    Ok(imapd)
}

pub fn ensure_apt_packages() -> anyhow::Result<()> {
    ensure_apt(APT_PACKAGES)
}

/// Installs those of `packages` that are missing (without starting daemons).
pub fn ensure_apt(packages: &[&str]) -> anyhow::Result<()> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|package| !apt_installed(package))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !cmd::is_root() && output(Command::new("sudo").arg("-n").arg("true")).is_none() {
        bail!(
            "these Debian packages are missing and I cannot become root to install them: {}",
            missing.join(" ")
        );
    }
    // Never let apt start system daemons (Dovecot on 143/993, a PostgreSQL on 5432,
    // Postfix on 25): the tests run their own instances on private ports. Postfix
    // is preseeded to "No configuration": no prompt, no /etc/postfix/main.cf.
    cmd::run({
        let mut command = as_root("sh");
        command.arg("-c").arg(
            "[ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }; \
             mkdir -p /etc/postgresql-common/createcluster.d && \
             echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/tresor-tests.conf && \
             echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections",
        );
        command
    })?;
    cmd::run({
        let mut command = as_root("apt-get");
        command.args(["update", "-q"]);
        command
    })?;
    cmd::run({
        let mut command = as_root("apt-get");
        command
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive");
        command
    })
}

fn apt_installed(package: &str) -> bool {
    output(&mut {
        let mut command = Command::new("dpkg-query");
        command.args(["-W", "-f=${Status}", package]);
        command
    })
    .is_some_and(|status| status.contains("install ok installed"))
}
