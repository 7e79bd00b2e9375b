//! Builds the browser app (WASM via plain wasm-bindgen, then wasm-opt, then
//! brotli and gzip copies) into `<target>/site`, and the server binary.
//! cargo-leptos is not used: its current release does not build on our Rust
//! and it downloads tools at run time (see ../shared/reference/leptos-build.md).

use crate::cmd::{self, cargo, repo_root, target_dir};
use crate::compress;
use crate::tools;
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Built {
    pub site_root: PathBuf,
    pub server_binary: PathBuf,
}

pub fn build_all(release: bool) -> anyhow::Result<Built> {
    tools::ensure_build_tools()?;
    let site_root = build_site()?;
    let server_binary = build_server(release)?;
    Ok(Built {
        site_root,
        server_binary,
    })
}

/// The WASM, its JS glue, the CSS and the public files, in `<target>/site`.
pub fn build_site() -> anyhow::Result<PathBuf> {
    let target = target_dir();
    let site = target.join("site");
    let pkg = site.join("pkg");
    cmd::run({
        let mut command = cargo();
        command.args([
            "build",
            "--package",
            "frontend",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "wasm-release",
        ]);
        command
    })?;
    std::fs::create_dir_all(&pkg).with_context(|| format!("creating {}", pkg.display()))?;
    cmd::run({
        let mut command = Command::new("wasm-bindgen");
        command
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--out-name",
                "tresor",
                "--out-dir",
            ])
            .arg(&pkg)
            .arg(target.join("wasm32-unknown-unknown/wasm-release/frontend.wasm"));
        command
    })?;
    let wasm = pkg.join("tresor.wasm");
    std::fs::rename(pkg.join("tresor_bg.wasm"), &wasm).context("renaming the wasm file")?;
    cmd::run({
        let mut command = Command::new(tools::wasm_opt());
        command
            .args([
                "-Oz",
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
            ])
            .arg(&wasm)
            .arg("-o")
            .arg(&wasm);
        command
    })?;
    let root = repo_root();
    std::fs::copy(root.join("style/main.css"), pkg.join("tresor.css"))
        .context("copying the stylesheet")?;
    copy_dir(&root.join("public"), &site)?;
    let compressed = compress::precompress_dir(&pkg)?;
    eprintln!("site built in {}", site.display());
    for (file, sizes) in compressed {
        eprintln!(
            "  {}: {} KB, brotli {} KB, gzip {} KB",
            file.file_name().unwrap_or_default().to_string_lossy(),
            sizes.raw / 1024,
            sizes.brotli / 1024,
            sizes.gzip / 1024
        );
    }
    Ok(site)
}

pub fn build_server(release: bool) -> anyhow::Result<PathBuf> {
    cmd::run({
        let mut command = cargo();
        command.args(["build", "--package", "server", "--bin", "tresor"]);
        if release {
            command.arg("--release");
        }
        command
    })?;
    Ok(target_dir()
        .join(if release { "release" } else { "debug" })
        .join("tresor"))
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let destination = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &destination)?;
        } else {
            std::fs::copy(entry.path(), &destination)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}
