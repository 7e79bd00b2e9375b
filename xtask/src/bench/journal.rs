//! `cargo xtask bench journal [COUNT]`: journal copies over SMTP, end to
//! end. A fresh data dir (SQLite) gets a journal mailbox, `tresor serve`
//! listens for journal mail on a free loopback port, and `CLIENTS` SMTP
//! clients (threads, each one connection reused for all its messages: MAIL,
//! RCPT, DATA dot-stuffed, no pipelining) send COUNT messages of the bulk
//! corpus (all of it by default) to the journal address. Reports messages/s
//! and MB/s until the last 250, the per-message latency (MAIL sent → 250
//! after the message) at p50 and p99, and the server's peak RSS; then stops
//! the server and fails unless the mailbox holds as many copies as were
//! acknowledged. For each binary `measure::binaries` names.

use super::ROOT;
use super::corpus::{corpus_messages, unpack_corpus};
use super::measure::binaries;
use anyhow::{Context, bail};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// SMTP clients at once, as the issue's target (≥ 1,000 messages/s) states.
const CLIENTS: usize = 4;
/// The journal mailbox's address, which the clients send to.
const JOURNAL_ADDRESS: &str = "journal@bench.test";
const SENDER: &str = "mta@bench.test";
/// How long the server may take to listen, and to stop after SIGTERM.
const START_LIMIT: Duration = Duration::from_secs(60);
const STOP_LIMIT: Duration = Duration::from_secs(60);
/// A reply slower than this is a hung server, and the bench's failure.
const REPLY_TIMEOUT: Duration = Duration::from_secs(120);

pub fn run(args: &[String]) -> anyhow::Result<()> {
    crate::tools::ensure_apt(&["sqlite3"])?;
    let corpus = unpack_corpus()?;
    let files = corpus_messages(&corpus)?;
    let count = match args.first().map(String::as_str) {
        None | Some("corpus") => files.len(),
        Some(number) => number
            .parse::<usize>()
            .context("the count is a number or `corpus`")?
            .min(files.len()),
    };
    // Read and encoded before the clock starts: the clients only write.
    let messages: Vec<Vec<u8>> = files[..count]
        .iter()
        .map(|path| Ok(dot_stuffed(&std::fs::read(path)?)))
        .collect::<anyhow::Result<_>>()?;
    let messages = Arc::new(messages);
    let mb = files[..count]
        .iter()
        .map(|path| Ok(std::fs::metadata(path)?.len()))
        .sum::<anyhow::Result<u64>>()? as f64
        / 1e6;
    let binaries = binaries()?;
    eprintln!(
        "bench journal in {}: {count} messages from {}, measuring {}",
        crate::cmd::repo_root().display(),
        corpus.display(),
        binaries
            .iter()
            .map(|binary| binary.path.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let root = PathBuf::from(ROOT).join("journal");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root)?;
    println!(
        "| messages | MB | clients | tool | seconds | messages/s | MB/s | p50 ms | p99 ms | peak RSS MB |"
    );
    println!("|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|");
    for (index, binary) in binaries.iter().enumerate() {
        let data_dir = root.join(format!("data-{index}"));
        let run = run_tresor(&binary.path, &data_dir, &messages)?;
        println!(
            "| {count} | {mb:.0} | {CLIENTS} | {} | {:.1} | {:.0} | {:.1} | {:.1} | {:.1} | {:.0} |",
            binary.tool(),
            run.seconds,
            count as f64 / run.seconds,
            mb / run.seconds,
            percentile(&run.latencies, 50.0),
            percentile(&run.latencies, 99.0),
            run.max_rss_kb as f64 / 1024.0
        );
    }
    // As for `ingest`: no deletions between measurements.
    let _ = std::fs::remove_dir_all(&root);
    Ok(())
}

struct Run {
    seconds: f64,
    /// Milliseconds, one per message.
    latencies: Vec<f64>,
    max_rss_kb: u64,
}

fn run_tresor(tresor: &Path, data_dir: &Path, messages: &Arc<Vec<Vec<u8>>>) -> anyhow::Result<Run> {
    let status = Command::new(tresor)
        .arg("--data-dir")
        .arg(data_dir)
        .args([
            "journal",
            "add",
            "--name",
            "bench",
            "--address",
            JOURNAL_ADDRESS,
        ])
        .stdout(Stdio::null())
        .status()
        .context("running tresor journal add")?;
    if !status.success() {
        bail!("tresor journal add failed");
    }
    let smtp_port = free_port()?;
    let web_port = free_port()?;
    let log = std::fs::File::create(data_dir.with_extension("log"))?;
    let child = Command::new(tresor)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("serve")
        .arg("--listen")
        .arg(format!("127.0.0.1:{web_port}"))
        .env("TRESOR_JOURNAL_LISTEN", format!("127.0.0.1:{smtp_port}"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .with_context(|| format!("starting {}", tresor.display()))?;
    let mut server = Server(child);
    crate::testbed::wait_for_port(smtp_port, START_LIMIT)?;

    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let messages = Arc::clone(messages);
            let next = Arc::clone(&next);
            std::thread::spawn(move || send_all(smtp_port, &messages, &next))
        })
        .collect();
    let mut latencies = Vec::with_capacity(messages.len());
    for client in clients {
        let client_latencies = client
            .join()
            .map_err(|_| anyhow::anyhow!("an SMTP client panicked"))??;
        latencies.extend(client_latencies);
    }
    let seconds = started.elapsed().as_secs_f64();
    let max_rss_kb = peak_rss_kb(server.0.id())?;
    server.stop()?;

    let stored = stored_copies(data_dir)?;
    if stored != messages.len() {
        bail!(
            "the journal mailbox holds {stored} copies, but {} messages were acknowledged",
            messages.len()
        );
    }
    Ok(Run {
        seconds,
        latencies,
        max_rss_kb,
    })
}

/// One client: a connection, then messages taken from the shared counter
/// until none is left; the milliseconds from MAIL to each message's 250.
fn send_all(port: u16, messages: &[Vec<u8>], next: &AtomicUsize) -> anyhow::Result<Vec<f64>> {
    let stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(REPLY_TIMEOUT))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    expect(&mut reader, 220)?;
    writer.write_all(b"EHLO bench.test\r\n")?;
    expect(&mut reader, 250)?;
    let mut latencies = Vec::new();
    loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(message) = messages.get(index) else {
            break;
        };
        let sent = Instant::now();
        writer.write_all(format!("MAIL FROM:<{SENDER}>\r\n").as_bytes())?;
        expect(&mut reader, 250)?;
        writer.write_all(format!("RCPT TO:<{JOURNAL_ADDRESS}>\r\n").as_bytes())?;
        expect(&mut reader, 250)?;
        writer.write_all(b"DATA\r\n")?;
        expect(&mut reader, 354)?;
        writer.write_all(message)?;
        writer.write_all(b".\r\n")?;
        expect(&mut reader, 250).with_context(|| format!("message {index}"))?;
        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
    }
    writer.write_all(b"QUIT\r\n")?;
    expect(&mut reader, 221)?;
    Ok(latencies)
}

/// Reads one reply (all its lines); an error unless its code is `code`.
fn expect(reader: &mut impl BufRead, code: u16) -> anyhow::Result<()> {
    let mut text = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            bail!("the server closed the connection (expected {code}; got {text:?})");
        }
        text.push_str(&line);
        // "250-" continues the reply; "250 " (or a bare "250") ends it.
        if line.as_bytes().get(3) != Some(&b'-') {
            break;
        }
    }
    if !text.starts_with(&code.to_string()) {
        bail!("expected {code}, the server answered {:?}", text.trim_end());
    }
    Ok(())
}

/// The message as DATA sends it: every line ended by CRLF (an MTA sends no
/// bare LF), a leading dot doubled; the final `.` line is the sender's.
fn dot_stuffed(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + message.len() / 32 + 2);
    for line in message.split_inclusive(|byte| *byte == b'\n') {
        let text = line.strip_suffix(b"\n").unwrap_or(line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text.starts_with(b".") {
            out.push(b'.');
        }
        out.extend_from_slice(text);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// The value below which `percent` of `values` lie (nearest rank).
fn percentile(values: &[f64], percent: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((percent / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A loopback port nothing listens on (free when asked; the server binds it soon after).
fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The process's peak resident set (`VmHWM`), while it still runs.
fn peak_rss_kb(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmHWM in /proc/PID/status")
}

/// Journal copies in the data dir's database (every location row: the
/// mailbox is the only one, and a duplicate is recorded too).
fn stored_copies(data_dir: &Path) -> anyhow::Result<usize> {
    let output = Command::new("sqlite3")
        .arg(data_dir.join("tresor.db"))
        .arg("SELECT count(*) FROM message_locations")
        .output()
        .context("running sqlite3")?;
    if !output.status.success() {
        bail!(
            "sqlite3 failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .context("sqlite3's count")
}

/// The running server; killed if the bench fails before it is stopped.
struct Server(Child);

impl Server {
    /// SIGTERM, as a service manager stops it; an error unless it exits cleanly in time.
    fn stop(&mut self) -> anyhow::Result<()> {
        let pid = self.0.id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status()?;
        if !status.success() {
            bail!("kill -TERM {pid} failed");
        }
        let started = Instant::now();
        while started.elapsed() < STOP_LIMIT {
            if let Some(status) = self.0.try_wait()? {
                if !status.success() {
                    bail!("tresor serve exited with {status}");
                }
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!(
            "tresor serve did not stop within {} s",
            STOP_LIMIT.as_secs()
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_end_in_crlf_and_leading_dots_are_doubled() {
        assert_eq!(
            dot_stuffed(b"Subject: x\n\n.hidden\r\n..two\nlast"),
            b"Subject: x\r\n\r\n..hidden\r\n...two\r\nlast\r\n"
        );
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 50.0), 50.0);
        assert_eq!(percentile(&values, 99.0), 99.0);
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
    }
}
