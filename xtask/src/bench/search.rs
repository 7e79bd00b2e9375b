//! `cargo xtask bench search`: the bulk corpus into Tresor (archived and
//! indexed together, by `tresor import`, then re-indexed alone by
//! `tresor reindex`) and into notmuch (`notmuch new` over a Maildir of the
//! same messages), index sizes, and the latency of the same 20 queries in
//! both, each timed in process (Tresor: `tresor search --repeat`, through the
//! viewer with its visibility filter and row lookup; notmuch: its Python
//! bindings), the total count plus the first 50 hits newest first.

use super::corpus::{corpus_messages, unpack_corpus, write_mbox};
use super::measure::{Measured, timed};
use crate::cmd::repo_root;
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = "/tmp/tresor-bench-search";
/// Rounds per query after one warm-up round.
const ROUNDS: usize = 5;

/// The same searches in Tresor's syntax and in notmuch's.
const QUERIES: [(&str, &str); 20] = [
    ("linux", "linux"),
    ("kernel panic", "kernel and panic"),
    ("\"device tree\"", "\"device tree\""),
    ("from:ettus.com", "from:ettus.com"),
    ("subject:patch", "subject:patch"),
    ("openbmc", "openbmc"),
    ("\"free money\"", "\"free money\""),
    ("has:attachment", "tag:attachment"),
    (
        "after:2020-01-01 before:2021-01-01",
        "date:2020-01-01..2020-12-31",
    ),
    ("to:usrp-users", "to:usrp-users"),
    ("x310 OR n310", "x310 or n310"),
    ("firmware -usrp", "firmware and not usrp"),
    ("gpio", "gpio"),
    ("memory leak", "memory and leak"),
    ("\"thank you\"", "\"thank you\""),
    ("from:marcus", "from:marcus"),
    ("fpga timing", "fpga and timing"),
    ("email", "email"),
    ("subject:re", "subject:re"),
    ("zzqxjunlikelyword", "zzqxjunlikelyword"),
];

pub fn run() -> anyhow::Result<()> {
    crate::tools::ensure_apt(&["notmuch", "python3-notmuch2", "time"])?;
    let corpus = unpack_corpus()?;
    let messages = corpus_messages(&corpus)?;
    let tresor = crate::build::build_server(true)?;
    let root = PathBuf::from(ROOT);
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root)?;
    let count = messages.len();
    let megabytes = messages
        .iter()
        .map(|path| std::fs::metadata(path).map(|metadata| metadata.len()))
        .sum::<std::io::Result<u64>>()? as f64
        / 1e6;

    // Tresor: archive and index together, then index alone.
    let mbox = root.join("corpus.mbox");
    write_mbox(&mbox, &messages, 1)?;
    let data_dir = root.join("tresor");
    let mut import = Command::new(&tresor);
    import
        .arg("--data-dir")
        .arg(&data_dir)
        .args(["import", "--name", "bench", "--json"])
        .arg(&mbox);
    let (together, _) = timed(import)?;
    let mut reindex = Command::new(&tresor);
    reindex.arg("--data-dir").arg(&data_dir).arg("reindex");
    let (alone, _) = timed(reindex)?;
    let tresor_index = du(&data_dir.join("index"))?;

    // notmuch: the same messages as a Maildir.
    let maildir = root.join("notmuch");
    std::fs::create_dir_all(maildir.join("cur"))?;
    std::fs::create_dir_all(maildir.join("new"))?;
    std::fs::create_dir_all(maildir.join("tmp"))?;
    for (index, source) in messages.iter().enumerate() {
        std::fs::copy(
            source,
            maildir.join("cur").join(format!("{index}.bench:2,S")),
        )?;
    }
    let config = root.join("notmuch-config");
    std::fs::write(
        &config,
        format!(
            "[database]\npath={}\n[new]\ntags=inbox;\n[user]\nname=Bench\nprimary_email=bench@example.com\n",
            maildir.display()
        ),
    )?;
    let mut new = Command::new("notmuch");
    // An argument, not NOTMUCH_CONFIG: `timed` runs the program afresh.
    new.arg(format!("--config={}", config.display()))
        .arg("new")
        .arg("--quiet");
    let (notmuch_new, _) = timed(new)?;
    let notmuch_index = du(&maildir.join(".notmuch"))?;

    // Queries.
    let mut tresor_ms = Vec::new();
    let mut notmuch_ms = Vec::new();
    let mut rows = Vec::new();
    let script = repo_root().join("xtask/bench/notmuch_queries.py");
    let output = Command::new("/usr/bin/python3")
        .env("NOTMUCH_CONFIG", &config)
        .arg(&script)
        .arg(&maildir)
        .arg(ROUNDS.to_string())
        .args(QUERIES.iter().map(|(_, notmuch)| *notmuch))
        .output()
        .context("running the notmuch query script")?;
    anyhow::ensure!(
        output.status.success(),
        "notmuch queries failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let notmuch_lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)?
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    for ((tresor_query, notmuch_query), notmuch) in QUERIES.iter().zip(&notmuch_lines) {
        let output = Command::new(&tresor)
            .arg("--data-dir")
            .arg(&data_dir)
            .args([
                "search",
                "--limit",
                "50",
                "--repeat",
                &ROUNDS.to_string(),
                tresor_query,
            ])
            .output()
            .context("running tresor search")?;
        anyhow::ensure!(
            output.status.success(),
            "tresor search {tresor_query:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let timing: serde_json::Value = String::from_utf8(output.stderr)?
            .lines()
            .rev()
            .find_map(|line| serde_json::from_str(line).ok())
            .context("tresor search --repeat printed no timing")?;
        let ours: Vec<f64> = floats(&timing["ms"]);
        let theirs: Vec<f64> = floats(&notmuch["ms"]);
        rows.push(format!(
            "| `{tresor_query}` | {} | {:.1} | `{notmuch_query}` | {} | {:.1} |",
            timing["total"],
            median(&ours),
            notmuch["total"],
            median(&theirs)
        ));
        tresor_ms.extend(ours);
        notmuch_ms.extend(theirs);
    }

    println!("Corpus: {count} messages, {megabytes:.0} MB.\n");
    println!("| | seconds | messages/s | index MB | peak RSS MB |");
    println!("|---|---:|---:|---:|---:|");
    let line = |name: &str, measured: &Measured, index: Option<u64>| {
        println!(
            "| {name} | {:.1} | {:.0} | {} | {:.0} |",
            measured.seconds,
            count as f64 / measured.seconds,
            index.map_or("".to_string(), |bytes| format!("{:.0}", bytes as f64 / 1e6)),
            measured.max_rss_kb as f64 / 1024.0
        );
    };
    line("tresor import (archive + index together)", &together, None);
    line("tresor reindex (index alone)", &alone, Some(tresor_index));
    line("notmuch new", &notmuch_new, Some(notmuch_index));
    println!();
    println!(
        "Query latency over 20 queries × {ROUNDS} rounds (ms): tresor p50 {:.1}, p95 {:.1}; notmuch p50 {:.1}, p95 {:.1}\n",
        percentile(&tresor_ms, 50.0),
        percentile(&tresor_ms, 95.0),
        percentile(&notmuch_ms, 50.0),
        percentile(&notmuch_ms, 95.0)
    );
    println!("| tresor query | hits | median ms | notmuch query | hits | median ms |");
    println!("|---|---:|---:|---|---:|---:|");
    for row in rows {
        println!("{row}");
    }
    Ok(())
}

fn floats(value: &serde_json::Value) -> Vec<f64> {
    value
        .as_array()
        .map(|values| {
            values
                .iter()
                .filter_map(serde_json::Value::as_f64)
                .collect()
        })
        .unwrap_or_default()
}

fn median(values: &[f64]) -> f64 {
    percentile(values, 50.0)
}

/// Nearest-rank percentile.
fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Bytes of the files under `dir`.
fn du(dir: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        let metadata = entry.metadata()?;
        total += if metadata.is_dir() {
            du(&entry.path())?
        } else {
            metadata.len()
        };
    }
    Ok(total)
}
