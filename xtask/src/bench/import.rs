//! `cargo xtask bench import`: `tresor import` of one mbox built from the
//! corpus, once as is (~200 MB) and once repeated eight times (~1.6 GB), for
//! each binary to measure: peak RSS must not grow with the file.

use super::ROOT;
use super::corpus::{corpus_messages, unpack_corpus, write_mbox};
use super::measure::{binaries, timed};
use std::path::PathBuf;
use std::process::Command;

/// `tresor import` of one mbox built from the corpus, once as is (~200 MB)
/// and once repeated eight times (~1.6 GB): peak RSS must not grow with the file.
pub fn run() -> anyhow::Result<()> {
    crate::tools::ensure_apt_packages()?;
    let corpus = unpack_corpus()?;
    let messages = corpus_messages(&corpus)?;
    let binaries = binaries()?;
    let root = PathBuf::from(ROOT).join("import");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root)?;
    println!("| mbox MB | messages | tool | seconds | messages/s | MB/s | peak RSS MB |");
    println!("|---:|---:|---|---:|---:|---:|---:|");
    for rounds in [1, 8] {
        let mbox = root.join(format!("corpus-x{rounds}.mbox"));
        let count = write_mbox(&mbox, &messages, rounds)?;
        let mb = std::fs::metadata(&mbox)?.len() as f64 / 1e6;
        for (index, binary) in binaries.iter().enumerate() {
            let data_dir = root.join(format!("data-x{rounds}-{index}"));
            let mut command = Command::new(&binary.path);
            command
                .arg("--data-dir")
                .arg(&data_dir)
                .args(["import", "--name", "bench", "--json"])
                .arg(&mbox);
            let (measured, _) = timed(command)?;
            println!(
                "| {mb:.0} | {count} | {} | {:.1} | {:.0} | {:.1} | {:.0} |",
                binary.tool(),
                measured.seconds,
                count as f64 / measured.seconds,
                mb / measured.seconds,
                measured.max_rss_kb as f64 / 1024.0
            );
        }
    }
    // As for `ingest`: no deletions between measurements.
    let _ = std::fs::remove_dir_all(&root);
    Ok(())
}
