//! The bulk corpus the benchmarks measure: unpacked once (shared with the
//! integration tests' copy), listed, and written as an mbox.

use crate::cmd::{self, repo_root};
use anyhow::bail;
use std::path::{Path, PathBuf};
use std::process::Command;

/// An mbox (mboxrd escaping) of the corpus, `rounds` times, each copy unique.
pub(crate) fn write_mbox(
    path: &Path,
    messages: &[PathBuf],
    rounds: usize,
) -> anyhow::Result<usize> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut count = 0;
    for round in 0..rounds {
        for source in messages {
            let message = std::fs::read(source)?;
            writeln!(out, "From bench@example.com Mon Jan  1 00:00:00 2024")?;
            writeln!(out, "X-Bench-Copy: {round}")?;
            for line in message.split_inclusive(|byte| *byte == b'\n') {
                let quotes = line.iter().take_while(|byte| **byte == b'>').count();
                if line[quotes..].starts_with(b"From ") {
                    out.write_all(b">")?;
                }
                out.write_all(line)?;
            }
            if !message.ends_with(b"\n") {
                out.write_all(b"\n")?;
            }
            out.write_all(b"\n")?;
            count += 1;
        }
    }
    out.flush()?;
    Ok(count)
}

/// Names the bulk corpus's archive where it is not at ../shared beside the repository.
const CORPUS_VARIABLE: &str = "TRESOR_BENCH_CORPUS";

/// The unpacked corpus, shared with the integration tests' copy.
pub(crate) fn unpack_corpus() -> anyhow::Result<PathBuf> {
    // A worktree elsewhere than beside ../shared names the archive itself.
    let archive = std::env::var_os(CORPUS_VARIABLE)
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared/corpus/bulk-realistic.tar.zst"));
    if !archive.exists() {
        bail!(
            "{} is missing: the benchmark needs ../shared beside the repository (or {CORPUS_VARIABLE})",
            archive.display()
        );
    }
    let unpacked = cmd::target_dir().join("tmp/corpus");
    let dir = unpacked.join("bulk-realistic");
    if !dir.join("MANIFEST.txt").exists() {
        std::fs::create_dir_all(&unpacked)?;
        cmd::run({
            let mut command = Command::new("tar");
            command
                .arg("--zstd")
                .arg("-xf")
                .arg(&archive)
                .arg("-C")
                .arg(&unpacked);
            command
        })?;
    }
    Ok(dir)
}

pub(crate) fn corpus_messages(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|path| path.extension().is_some_and(|extension| extension == "eml"));
    files.sort();
    Ok(files)
}
