//! Fuzzing the readers of untrusted input with `cargo fuzz` (libFuzzer), on
//! the stable toolchain: the targets live in fuzz/ (a workspace of its own).
//!
//! - `cargo xtask test` runs each target for `SHORT_RUN` (`short_run`);
//! - `cargo xtask fuzz [SECONDS] [TARGET...]` runs them longer, one after the
//!   other (one core: the machine is shared).
//!
//! Built with `--sanitizer none`: AddressSanitizer needs `-Zsanitizer`, which
//! stable rustc refuses (it works with `RUSTC_BOOTSTRAP=1 cargo fuzz run
//! TARGET`, at a seventh of the speed; the code under test is safe Rust but for the
//! two casts of attached messages in `import::outlook::pst`).
//! New inputs go to a corpus in the build cache, which later runs start from;
//! the seeds in fuzz/corpus/TARGET are only read, and so are the shared
//! corpora where they exist (../shared/corpus/tricky-mime for the MIME
//! readers, ../shared/corpus/outlook for the PST and MSG readers: their files
//! are others' test files, used in place rather than copied here). A crash
//! fails the run and leaves its input in fuzz/artifacts/TARGET/.

use crate::cmd::{self, output, repo_root, target_dir};
use anyhow::{Context, bail};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// Each fuzz target, and the shared corpus (../shared/corpus/NAME) whose
/// files make good seeds for it, if any.
const TARGETS: &[(&str, Option<&str>)] = &[
    ("search_query", None),
    ("folder_rules", None),
    ("mailbox_csv", None),
    ("mbox", Some("tricky-mime")),
    ("mime_metadata", Some("tricky-mime")),
    ("pop3_response", None),
    ("outlook_pst", Some("outlook")),
    ("outlook_msg", Some("outlook")),
    ("smtp_session", None),
];

/// How long `cargo xtask test` fuzzes each target: nine targets stay at
/// three minutes, and a warm build adds seconds.
const SHORT_RUN: Duration = Duration::from_secs(20);

/// One input taking longer than this is a hang, and a failure: every reader
/// handles a 64 KiB input in well under a millisecond.
const INPUT_TIMEOUT: Duration = Duration::from_secs(10);

/// Longer inputs (the shared corpus has messages of megabytes) are cut to
/// this: short inputs reach the same code many times faster.
const MAX_INPUT_BYTES: usize = 64 * 1024;

/// But a PST cut to 64 KiB loses its B-trees (they sit near the end of the
/// 265 KiB sample stores), and the reader would only ever see the header.
const MAX_PST_INPUT_BYTES: usize = 512 * 1024;

/// The cargo-fuzz release the step installs when it is missing.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// `cargo xtask test`'s step: every target for `SHORT_RUN`.
pub fn short_run() -> anyhow::Result<()> {
    ensure_cargo_fuzz()?;
    for (target, _) in TARGETS {
        fuzz(target, SHORT_RUN, Output::Summary)?;
    }
    Ok(())
}

/// `cargo xtask fuzz [SECONDS] [TARGET...]`: the named targets (all by
/// default) for SECONDS each (600 by default).
pub fn run(args: &[String]) -> anyhow::Result<()> {
    let mut seconds = 600;
    let mut targets = Vec::new();
    for arg in args {
        match arg.parse::<u64>() {
            Ok(number) => seconds = number,
            Err(_) if TARGETS.iter().any(|(name, _)| name == arg) => targets.push(arg.as_str()),
            Err(_) => bail!(
                "unknown fuzz target {arg}; the targets are {}",
                TARGETS
                    .iter()
                    .map(|(name, _)| *name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().map(|(name, _)| *name).collect();
    }
    ensure_cargo_fuzz()?;
    for target in targets {
        fuzz(target, Duration::from_secs(seconds), Output::Live)?;
    }
    Ok(())
}

/// What a fuzz run shows on the terminal.
#[derive(Clone, Copy, PartialEq)]
enum Output {
    /// Everything libFuzzer prints, as it prints it (a person watching a long run).
    Live,
    /// libFuzzer's progress (tens of thousands of lines per short run) goes to a
    /// log file; the terminal gets the final statistics, or the log's end on failure.
    Summary,
}

/// Lines of a failed run's log shown on the terminal: the crash report and its input.
const FAILURE_TAIL_LINES: usize = 80;

/// Runs `target` for `time`; a crash, a hang or running out of memory is the error.
fn fuzz(target: &str, time: Duration, output: Output) -> anyhow::Result<()> {
    let fuzz_dir = repo_root().join("fuzz");
    let corpus = fuzz_target_dir().join("corpus").join(target);
    std::fs::create_dir_all(&corpus).with_context(|| format!("creating {}", corpus.display()))?;
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .current_dir(&fuzz_dir)
        .args(["fuzz", "run", "--sanitizer", "none", "--target-dir"])
        .arg(fuzz_target_dir())
        .arg(target)
        // The first directory receives new inputs; the others are only read.
        .arg(&corpus)
        .arg(fuzz_dir.join("corpus").join(target));
    let shared_seeds = TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .and_then(|(_, seeds)| *seeds)
        .map(|seeds| repo_root().join("../shared/corpus").join(seeds))
        .filter(|seeds| seeds.is_dir());
    if let Some(seeds) = shared_seeds {
        command.arg(seeds);
    }
    let max_len = if target == "outlook_pst" {
        MAX_PST_INPUT_BYTES
    } else {
        MAX_INPUT_BYTES
    };
    command.arg("--").args([
        format!("-max_total_time={}", time.as_secs()),
        format!("-timeout={}", INPUT_TIMEOUT.as_secs()),
        format!("-max_len={max_len}"),
        "-print_final_stats=1".to_string(),
    ]);
    let failed = || {
        format!(
            "fuzz target {target} failed: its input is in fuzz/artifacts/{target}/; \
             replay it with `cd fuzz && cargo fuzz run --sanitizer none {target} artifacts/{target}/<file>`"
        )
    };
    if output == Output::Live {
        return cmd::run(command).with_context(failed);
    }
    let log = fuzz_target_dir().join(format!("{target}.log"));
    let file =
        std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
    command.stdout(file.try_clone()?).stderr(file);
    let result = cmd::run(command);
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    if result.is_err() {
        let tail = &lines[lines.len().saturating_sub(FAILURE_TAIL_LINES)..];
        eprintln!("--- last {} lines of {} ---", tail.len(), log.display());
        for line in tail {
            eprintln!("{line}");
        }
        return result.with_context(failed);
    }
    let stats: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|line| line.starts_with("stat::") || line.starts_with("Done "))
        .collect();
    eprintln!(
        "fuzz {target}: no crash in {} s ({}; full log: {})",
        time.as_secs(),
        stats.join(", "),
        log.display()
    );
    Ok(())
}

/// Beside the main build cache: the fuzz build has flags of its own
/// (coverage instrumentation), which would rebuild everything there.
fn fuzz_target_dir() -> PathBuf {
    target_dir().join("fuzz")
}

fn ensure_cargo_fuzz() -> anyhow::Result<()> {
    let have = output(&mut {
        let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        command.args(["fuzz", "--version"]);
        command
    });
    if have.as_deref().map(str::trim) == Some(&format!("cargo-fuzz {CARGO_FUZZ_VERSION}")) {
        return Ok(());
    }
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .args([
            "install",
            "cargo-fuzz",
            "--version",
            CARGO_FUZZ_VERSION,
            "--force",
        ])
        .env_remove("CARGO_TARGET_DIR");
    cmd::run(command)
}
