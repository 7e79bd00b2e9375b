//! `cargo xtask bench ingest`: archive ../shared/corpus/bulk-realistic from a
//! private Dovecot over loopback with the release build, and in the same run
//! let `mbsync` (isync) copy the same folder to a Maildir, as a yardstick.
//! Reports messages/s, MB/s and peak RSS (GNU time) for 10k, the whole
//! corpus and 100k messages (the corpus repeated, each copy made unique), so
//! memory can be compared across sizes. `cargo xtask bench import` measures
//! `tresor import` of a 200 MB and a 1.6 GB mbox the same way. Not tests:
//! they print figures for BENCHMARKS.md.
//!
//! Both measure the release build of this checkout, or the binaries
//! `TRESOR_BENCH_BINARY` names: one path, or several as
//! `label=path,label=path,…`, each run in turn on every size, so a binary
//! from before a change and one from after it alternate under the same
//! conditions, with nothing deleted between the measurements.

use super::ROOT;
use super::corpus::{corpus_messages, unpack_corpus};
use super::measure::{Measured, binaries, timed};
use crate::cmd::{self, repo_root};
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const USER: &str = "user9";
const PASSWORD: &str = "pass9";
const MAIL_UID: u32 = 5000;
/// The bench's Dovecot listens this far above the test bed's ports, so both
/// can run at once (`PORT_OFFSET` of `xtask/testbed/dovecot.sh`).
const PORT_OFFSET: u16 = 20_000;
/// The bench's Dovecot's IMAPS port.
const IMAPS_PORT: u16 = 1993 + PORT_OFFSET;

pub fn run(args: &[String]) -> anyhow::Result<()> {
    crate::tools::ensure_apt_packages()?;
    let corpus = unpack_corpus()?;
    let messages = corpus_messages(&corpus)?;
    let sizes: Vec<usize> = if args.is_empty() {
        vec![10_000, messages.len(), 100_000]
    } else {
        args.iter()
            .map(|arg| match arg.as_str() {
                "corpus" => Ok(messages.len()),
                number => number.parse().context("sizes are numbers or `corpus`"),
            })
            .collect::<anyhow::Result<_>>()?
    };

    let binaries = binaries()?;

    let root = PathBuf::from(ROOT);
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root)?;
    let dovecot = Dovecot::start(&root.join("dc"))?;

    println!("| messages | MB | tool | seconds | messages/s | MB/s | peak RSS MB |");
    println!("|---:|---:|---|---:|---:|---:|---:|");
    for size in sizes {
        let folder = format!("bench-{size}");
        let bytes = dovecot.load(&folder, &messages, size)?;
        let mb = bytes as f64 / 1e6;

        let mut runs = Vec::new();
        for (index, binary) in binaries.iter().enumerate() {
            let data_dir = root.join(format!("tresor-{size}-{index}"));
            runs.push((
                binary.tool(),
                run_tresor(&binary.path, &data_dir, &dovecot, &folder)?,
            ));
        }
        runs.push(("mbsync".into(), run_mbsync(&root, &dovecot, &folder, size)?));
        for (tool, measured) in runs {
            println!(
                "| {size} | {mb:.0} | {tool} | {:.1} | {:.0} | {:.1} | {:.0} |",
                measured.seconds,
                size as f64 / measured.seconds,
                mb / measured.seconds,
                measured.max_rss_kb as f64 / 1024.0
            );
        }
    }
    drop(dovecot);
    // Cleaned up only now, never between measurements: on ext4 without a
    // journal, creating files soon after deleting many is slowed down by the
    // allocator skipping recently freed inodes (`recently_deleted`, up to 60 s
    // and more), which made both tools measure up to 40 % slower.
    let _ = std::fs::remove_dir_all(&root);
    Ok(())
}

struct Dovecot {
    root: PathBuf,
}

impl Dovecot {
    fn start(root: &Path) -> anyhow::Result<Dovecot> {
        cmd::run({
            let mut command = Command::new("bash");
            command
                .arg(repo_root().join("xtask/testbed/dovecot.sh"))
                .arg(root)
                .env("PORT_OFFSET", PORT_OFFSET.to_string())
                .stdin(Stdio::null());
            command
        })
        .context("starting Dovecot")?;
        Ok(Dovecot {
            root: root.to_path_buf(),
        })
    }

    fn doveadm(&self) -> Command {
        let mut command = Command::new("doveadm");
        command.arg("-c").arg(self.root.join("dovecot.conf"));
        command
    }

    /// Writes `size` messages (the corpus, repeated with an `X-Bench-Copy`
    /// header from the second round on) into a Maildir folder, then lets
    /// Dovecot index it, so both tools read a warm server. Returns the bytes.
    fn load(&self, folder: &str, corpus: &[PathBuf], size: usize) -> anyhow::Result<u64> {
        let maildir = self.root.join(format!("mail/{USER}/Maildir/.{folder}"));
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(maildir.join(sub))?;
        }
        let mut bytes = 0u64;
        for index in 0..size {
            let source = &corpus[index % corpus.len()];
            let mut message = std::fs::read(source)?;
            let round = index / corpus.len();
            if round > 0 {
                let mut copy = format!("X-Bench-Copy: {round}\n").into_bytes();
                copy.append(&mut message);
                message = copy;
            }
            bytes += message.len() as u64;
            std::fs::write(maildir.join(format!("cur/{index}.bench:2,S")), &message)?;
        }
        cmd::run({
            let mut command = Command::new("chown");
            command
                .arg("-R")
                .arg(format!("{MAIL_UID}:{MAIL_UID}"))
                .arg(self.root.join("mail"));
            command
        })?;
        cmd::run({
            let mut command = self.doveadm();
            command.args(["mailbox", "status", "-u", USER, "messages", folder]);
            command
        })?;
        Ok(bytes)
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = self.doveadm().arg("stop").status();
    }
}

fn run_tresor(
    tresor: &Path,
    data_dir: &Path,
    dovecot: &Dovecot,
    folder: &str,
) -> anyhow::Result<Measured> {
    let ca = dovecot.root.join("tls/ca.pem");
    let setup = |args: &[&str], stdin: &str| -> anyhow::Result<()> {
        let mut child = Command::new(tresor)
            .arg("--data-dir")
            .arg(data_dir)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()?;
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("piped")
            .write_all(stdin.as_bytes())?;
        if !child.wait()?.success() {
            bail!("tresor {} failed", args.join(" "));
        }
        Ok(())
    };
    // An administrator's mailbox may reach the loopback Dovecot (a user's
    // reaches public addresses only).
    setup(
        &[
            "user",
            "add",
            "--email",
            "bench@example.com",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "bench-password-123\n",
    )?;
    setup(
        &[
            "mailbox",
            "add",
            "--owner",
            "bench@example.com",
            "--name",
            "bench",
            "--host",
            "localhost",
            "--port",
            &IMAPS_PORT.to_string(),
            "--username",
            USER,
            "--password-stdin",
            "--ca-file",
            ca.to_str().expect("UTF-8 path"),
            "--folders",
            folder,
        ],
        &format!("{PASSWORD}\n"),
    )?;
    let mut command = Command::new(tresor);
    command
        .arg("--data-dir")
        .arg(data_dir)
        .args(["archive", "bench", "--json"]);
    let (measured, stdout) = timed(command)?;
    let log = String::from_utf8_lossy(&stdout);
    if !log.contains("\"status\": \"succeeded\"") {
        bail!("the benchmark job failed: {log}");
    }
    Ok(measured)
}

fn run_mbsync(
    root: &Path,
    dovecot: &Dovecot,
    folder: &str,
    size: usize,
) -> anyhow::Result<Measured> {
    let target = root.join(format!("mbsync-{size}"));
    std::fs::create_dir_all(&target)?;
    let config = root.join(format!("mbsyncrc-{size}"));
    std::fs::write(
        &config,
        format!(
            "IMAPAccount bench\nHost localhost\nPort {IMAPS_PORT}\nUser {USER}\nPass {PASSWORD}\nSSLType IMAPS\nCertificateFile {ca}\n\n\
             IMAPStore remote\nAccount bench\n\n\
             MaildirStore local\nPath {target}/\nInbox {target}/INBOX\n\n\
             Channel bench\nFar :remote:\nNear :local:\nPatterns {folder}\nCreate Near\nSync Pull\nSyncState *\n",
            ca = dovecot.root.join("tls/ca.pem").display(),
            target = target.display(),
        ),
    )?;
    let mut command = Command::new("mbsync");
    command.arg("-c").arg(&config).arg("-q").arg("bench");
    let (measured, _) = timed(command)?;
    Ok(measured)
}
