//! Builds the browser app (WASM linked with `--emit-relocs`, split into the
//! main module and lazily loaded chunks by split.rs, then plain wasm-bindgen,
//! wasm-opt, and brotli and gzip copies) into `<target>/site`, and the server
//! binary.
//! cargo-leptos is not used: its current release does not build on our Rust
//! and it downloads tools at run time (see ../shared/reference/leptos-build.md).

use crate::cmd::{self, cargo, repo_root, target_dir};
use crate::compress;
use crate::split;
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

/// The WASM (split into the main module and lazily loaded chunks), its JS
/// glue, the CSS and the public files, in `<target>/site`.
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
        emit_relocs(&mut command);
        command
    })?;
    // Afresh: chunks of an earlier build must not linger beside this one's.
    if pkg.exists() {
        std::fs::remove_dir_all(&pkg).with_context(|| format!("removing {}", pkg.display()))?;
    }
    std::fs::create_dir_all(&pkg).with_context(|| format!("creating {}", pkg.display()))?;
    let linked = target.join("wasm32-unknown-unknown/wasm-release/frontend.wasm");
    let main_module = linked.with_file_name("frontend_split.wasm");
    let chunks = split::split(&linked, &main_module, &pkg)?;
    cmd::run({
        let mut command = Command::new("wasm-bindgen");
        command
            .args([
                "--target",
                "web",
                "--no-typescript",
                // The chunks import the main module's linker exports (its
                // function table, stack pointer and the functions they share).
                "--keep-lld-exports",
                "--out-name",
                "tresor",
                "--out-dir",
            ])
            .arg(&pkg)
            .arg(&main_module);
        command
    })?;
    let wasm = pkg.join("tresor.wasm");
    std::fs::rename(pkg.join("tresor_bg.wasm"), &wasm).context("renaming the wasm file")?;
    eprintln!("$ wasm-opt -Oz on tresor.wasm and {} chunks", chunks.len());
    for module in std::iter::once(&wasm).chain(&chunks) {
        optimize(module)?;
    }
    let root = repo_root();
    std::fs::copy(root.join("style/main.css"), pkg.join("tresor.css"))
        .context("copying the stylesheet")?;
    copy_dir(&root.join("public"), &site)?;
    let compressed = compress::precompress_dir(&pkg)?;
    eprintln!("site built in {}", site.display());
    // The chunks as one line: each is small, and they are many.
    let mut chunks_total = (0, compress::Sizes::default());
    for (file, sizes) in compressed {
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with("chunk_") || name.starts_with("split_") {
            chunks_total.0 += 1;
            chunks_total.1.add(&sizes);
        } else {
            eprintln!("  {name}: {}", sizes.in_kb());
        }
    }
    eprintln!(
        "  {} chunks (lazy pages): {}",
        chunks_total.0,
        chunks_total.1.in_kb()
    );
    Ok(site)
}

/// The linker flag the split needs (split.rs), for the WASM only: through the
/// target's own variable, so the host's crates (build scripts, proc macros, the
/// server) keep their flags and their builds. `RUSTFLAGS` or
/// `CARGO_ENCODED_RUSTFLAGS` in the environment would override that variable,
/// so the flag is added to them instead.
fn emit_relocs(command: &mut Command) {
    const FLAG: &str = "-Clink-args=--emit-relocs";
    if let Ok(flags) = std::env::var("CARGO_ENCODED_RUSTFLAGS") {
        let flags = if flags.is_empty() {
            FLAG.to_string()
        } else {
            format!("{flags}\u{1f}{FLAG}")
        };
        command.env("CARGO_ENCODED_RUSTFLAGS", flags);
    } else if let Ok(flags) = std::env::var("RUSTFLAGS") {
        command.env("RUSTFLAGS", format!("{flags} {FLAG}").trim());
    } else {
        let flags =
            std::env::var("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS").unwrap_or_default();
        command.env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            format!("{flags} {FLAG}").trim(),
        );
    }
}

/// wasm-opt, on the main module and on every chunk: the split leaves the
/// chunks' name sections and unused types in, often more than half of a
/// small chunk. Quiet unless it fails (it warns about the chunks' name
/// sections, which it drops anyway).
fn optimize(module: &Path) -> anyhow::Result<()> {
    let output = Command::new(tools::wasm_opt())
        .args([
            "-Oz",
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
        ])
        .arg(module)
        .arg("-o")
        .arg(module)
        .output()
        .context("starting wasm-opt")?;
    if !output.status.success() {
        anyhow::bail!(
            "wasm-opt failed on {}: {}",
            module.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
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
