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

use crate::cmd::{self, repo_root};
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const ROOT: &str = "/tmp/tresor-bench";
const USER: &str = "user9";
const PASSWORD: &str = "pass9";
const MAIL_UID: u32 = 5000;
/// The bench's Dovecot listens this far above the test bed's ports, so both
/// can run at once (`PORT_OFFSET` of `xtask/testbed/dovecot.sh`).
const PORT_OFFSET: u16 = 20_000;
/// The bench's Dovecot's IMAPS port.
const IMAPS_PORT: u16 = 1993 + PORT_OFFSET;
/// Names the binaries to measure instead of building this checkout.
const BINARY_VARIABLE: &str = "TRESOR_BENCH_BINARY";

pub fn run(args: &[String]) -> anyhow::Result<()> {
    match args.first().map(String::as_str) {
        Some("ingest") => ingest(&args[1..]),
        Some("import") => import(),
        Some("search") => crate::bench_search::run(),
        Some("verify") => crate::bench_verify::run(),
        _ => bail!(
            "usage: cargo xtask bench ingest [SIZE...]   (default sizes: 10000 corpus 100000)\n       cargo xtask bench import\n       cargo xtask bench search\n       cargo xtask bench verify"
        ),
    }
}

pub(crate) struct Measured {
    pub(crate) seconds: f64,
    pub(crate) max_rss_kb: u64,
}

fn ingest(args: &[String]) -> anyhow::Result<()> {
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

/// `tresor import` of one mbox built from the corpus, once as is (~200 MB)
/// and once repeated eight times (~1.6 GB): peak RSS must not grow with the file.
fn import() -> anyhow::Result<()> {
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

/// A `tresor` binary to measure, with the label it has in the tables.
struct Binary {
    label: Option<String>,
    path: PathBuf,
}

impl Binary {
    fn tool(&self) -> String {
        match &self.label {
            Some(label) => format!("tresor ({label})"),
            None => "tresor".into(),
        }
    }
}

/// The binaries `TRESOR_BENCH_BINARY` names, in its order; without it, the
/// release build of this checkout.
fn binaries() -> anyhow::Result<Vec<Binary>> {
    let Ok(named) = std::env::var(BINARY_VARIABLE) else {
        let path = crate::build::build_server(true)?;
        return Ok(vec![Binary { label: None, path }]);
    };
    let binaries = parse_binaries(&named);
    if binaries.is_empty() {
        bail!("{BINARY_VARIABLE} names no binary");
    }
    for binary in &binaries {
        if !binary.path.is_file() {
            bail!("{BINARY_VARIABLE}: {} is not a file", binary.path.display());
        }
    }
    Ok(binaries)
}

/// `path`, or `label=path,label=path,…`.
fn parse_binaries(named: &str) -> Vec<Binary> {
    named
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| match entry.split_once('=') {
            Some((label, path)) => Binary {
                label: Some(label.trim().to_string()),
                path: PathBuf::from(path.trim()),
            },
            None => Binary {
                label: None,
                path: PathBuf::from(entry),
            },
        })
        .collect()
}

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

/// The unpacked corpus, shared with the integration tests' copy.
pub(crate) fn unpack_corpus() -> anyhow::Result<PathBuf> {
    let archive = repo_root().join("../shared/corpus/bulk-realistic.tar.zst");
    if !archive.exists() {
        bail!(
            "{} is missing: the benchmark needs ../shared beside the repository",
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
    setup(
        &[
            "user",
            "add",
            "--email",
            "bench@example.com",
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

/// Runs under GNU time; wall seconds and peak RSS.
pub(crate) fn timed(command: Command) -> anyhow::Result<(Measured, Vec<u8>)> {
    let report = std::env::temp_dir().join(format!("tresor-bench-time-{}", std::process::id()));
    let mut timed = Command::new("/usr/bin/time");
    timed
        .arg("-f")
        .arg("%e %M")
        .arg("-o")
        .arg(&report)
        .arg(command.get_program())
        .args(command.get_args())
        .stderr(Stdio::inherit());
    let output = timed.output().context("running under /usr/bin/time")?;
    if !output.status.success() {
        bail!(
            "{:?} failed: {}",
            command.get_program(),
            String::from_utf8_lossy(&output.stdout)
        );
    }
    let text = std::fs::read_to_string(&report)?;
    let _ = std::fs::remove_file(&report);
    let mut fields = text.split_whitespace();
    let seconds = fields.next().context("time output")?.parse()?;
    let max_rss_kb = fields.next().context("time output")?.parse()?;
    Ok((
        Measured {
            seconds,
            max_rss_kb,
        },
        output.stdout,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_path_or_labelled_paths_name_the_binaries() {
        let one = parse_binaries("/tmp/tresor");
        assert_eq!(
            (one[0].tool(), one[0].path.clone()),
            ("tresor".into(), PathBuf::from("/tmp/tresor"))
        );
        let two: Vec<(String, PathBuf)> =
            parse_binaries("before=/a/tresor, after=/b/tresor,before=/a/tresor")
                .into_iter()
                .map(|binary| (binary.tool(), binary.path))
                .collect();
        assert_eq!(
            two,
            [
                ("tresor (before)".into(), PathBuf::from("/a/tresor")),
                ("tresor (after)".into(), PathBuf::from("/b/tresor")),
                ("tresor (before)".into(), PathBuf::from("/a/tresor")),
            ]
        );
        assert!(parse_binaries(" , ").is_empty());
    }
}
