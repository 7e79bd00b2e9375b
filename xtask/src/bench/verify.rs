//! `cargo xtask bench verify`: `tresor verify` over the bulk corpus archive
//! (imported by `tresor import`, release build), in MB/s of raw mail, three
//! rounds with the blobs in the page cache. Beside it, in the same run, the
//! two costs verification cannot avoid, each on one core: `sha256sum` over
//! the raw messages and `zstd -d` of the blobs, so the figure can be read
//! against what the machine's SHA-256 and zstd manage.

use super::corpus::{corpus_messages, unpack_corpus, write_mbox};
use super::measure::timed;
use anyhow::Context;
use std::path::PathBuf;
use std::process::Command;

const ROOT: &str = "/tmp/tresor-bench-verify";
const ROUNDS: usize = 3;

pub fn run() -> anyhow::Result<()> {
    crate::tools::ensure_apt(&["time", "zstd"])?;
    let corpus = unpack_corpus()?;
    let messages = corpus_messages(&corpus)?;
    let tresor = crate::build::build_server(true)?;
    let root = PathBuf::from(ROOT);
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root)?;

    let mbox = root.join("corpus.mbox");
    write_mbox(&mbox, &messages, 1)?;
    let data_dir = root.join("tresor");
    let mut import = Command::new(&tresor);
    import
        .arg("--data-dir")
        .arg(&data_dir)
        .args(["import", "--name", "bench", "--json"])
        .arg(&mbox);
    timed(import).context("importing the corpus")?;

    println!("| run | blobs | MB of mail | seconds | MB/s | peak RSS MB |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut rates = Vec::new();
    for round in 0..=ROUNDS {
        let mut verify = Command::new(&tresor);
        verify
            .arg("--data-dir")
            .arg(&data_dir)
            .args(["verify", "--json"]);
        let (measured, stdout) = timed(verify).context("tresor verify")?;
        let report: serde_json::Value = serde_json::from_slice(&stdout)?;
        anyhow::ensure!(
            report["findings"].as_array().is_some_and(Vec::is_empty),
            "the benchmark archive does not verify clean: {}",
            report["findings"]
        );
        let megabytes = report["bytes"].as_f64().context("bytes")? / 1e6;
        let name = if round == 0 {
            "warm-up".to_string()
        } else {
            rates.push(megabytes / measured.seconds);
            format!("tresor verify #{round}")
        };
        println!(
            "| {name} | {} | {megabytes:.0} | {:.2} | {:.0} | {:.0} |",
            report["blobs"],
            measured.seconds,
            megabytes / measured.seconds,
            measured.max_rss_kb as f64 / 1024.0
        );
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "\ntresor verify, median of {ROUNDS}: {:.0} MB/s of raw mail (whole process: open, DB, ledger, blobs)",
        rates[rates.len() / 2]
    );

    // One core each: the floor of the work verify has to do.
    let raw: u64 = messages
        .iter()
        .map(|path| std::fs::metadata(path).map(|metadata| metadata.len()))
        .sum::<std::io::Result<u64>>()?;
    let list = root.join("messages.txt");
    std::fs::write(
        &list,
        messages
            .iter()
            .map(|path| path.display().to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    )?;
    for (name, script) in [
        (
            "sha256sum, 1 core",
            format!("xargs -d '\\n' cat < {} | sha256sum", list.display()),
        ),
        (
            "zstd -d, 1 core",
            format!(
                "find {} -name '*.zst' -print0 | xargs -0 zstd -dc -q > /dev/null",
                data_dir.join("blobs").display()
            ),
        ),
    ] {
        let shell = || {
            let mut shell = Command::new("bash");
            shell.args(["-c", &script]);
            shell
        };
        // Twice: the first read fills the page cache.
        timed(shell())?;
        let (measured, _) = timed(shell())?;
        println!(
            "{name}: {:.0} MB/s of raw mail ({:.2} s)",
            raw as f64 / 1e6 / measured.seconds,
            measured.seconds
        );
    }
    Ok(())
}
