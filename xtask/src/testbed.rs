//! The services the tests talk to, started on loopback and stopped on drop:
//! Dovecot (IMAP 1143 STARTTLS / 1993 IMAPS, POP3 1110 / 1995), Cyrus (2143 /
//! 2993, for the same archive test against a second server), the OAuth2
//! authorization server whose tokens Dovecot introspects (18080), an SMTP
//! sink (2525, and 2465 with implicit TLS) and a private PostgreSQL (25432). Scripts live in `xtask/testbed/`, adapted from
//! ../shared/reference/mail-testbed.

use crate::cmd::{self, repo_root};
use anyhow::{Context, bail};
use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const IMAP_PORT: u16 = 1143;
pub const IMAPS_PORT: u16 = 1993;
/// Dovecot's POP3 (STLS offered) and POP3S.
pub const POP3_PORT: u16 = 1110;
pub const POP3S_PORT: u16 = 1995;
pub const CYRUS_IMAPS_PORT: u16 = 2993;
/// The OAuth2 authorization server (Microsoft-shaped) and Dovecot's token introspection.
pub const OAUTH_PORT: u16 = 18080;
pub const SMTP_PORT: u16 = 2525;
/// The same sink speaking TLS from the first byte (SMTPS, like port 465).
pub const SMTPS_PORT: u16 = 2465;
/// Debian's Python, which has python3-aiosmtpd; a `python3` earlier on PATH (pyenv) may not.
const PYTHON: &str = "/usr/bin/python3";

pub struct Testbed {
    pub root: PathBuf,
    pub postgres_url: String,
    children: Vec<Child>,
}

impl Testbed {
    pub fn start() -> anyhow::Result<Testbed> {
        // Short path: PostgreSQL's unix socket path must stay under ~100 bytes.
        let root = PathBuf::from("/tmp/tresor-testbed");
        stop_leftovers(&root);
        std::fs::create_dir_all(&root)?;
        let scripts = repo_root().join("xtask/testbed");
        let mut testbed = Testbed {
            root: root.clone(),
            postgres_url: String::new(),
            children: Vec::new(),
        };

        testbed.spawn_logged(
            Command::new(PYTHON)
                .arg(scripts.join("oauth_server.py"))
                .arg(OAUTH_PORT.to_string()),
            "oauth.log",
        )?;
        cmd::run({
            let mut command = Command::new("bash");
            command
                .arg(scripts.join("dovecot.sh"))
                .arg(root.join("dc"))
                .stdin(Stdio::null());
            command
        })
        .context("starting Dovecot")?;
        cmd::run({
            let mut command = Command::new("bash");
            command
                .arg(scripts.join("cyrus.sh"))
                .arg(root.join("cy"))
                .arg(crate::tools::cyrus_imapd()?)
                .arg(root.join("dc/tls"))
                .stdin(Stdio::null());
            command
        })
        .context("starting Cyrus")?;
        testbed.spawn_logged(
            Command::new(PYTHON)
                .arg(scripts.join("smtp_sink.py"))
                .arg(root.join("smtp-out"))
                .arg(SMTP_PORT.to_string())
                .arg(root.join("dc/tls/server.pem"))
                .arg(root.join("dc/tls/server.key"))
                .arg(SMTPS_PORT.to_string()),
            "smtp.log",
        )?;
        let postgres = Command::new("bash")
            .arg(scripts.join("postgres.sh"))
            .arg("start")
            .arg(root.join("pg"))
            .stderr(Stdio::inherit())
            .output()
            .context("starting PostgreSQL")?;
        if !postgres.status.success() {
            bail!("PostgreSQL did not start");
        }
        testbed.postgres_url = String::from_utf8_lossy(&postgres.stdout).trim().to_string();

        for port in [
            IMAP_PORT,
            IMAPS_PORT,
            CYRUS_IMAPS_PORT,
            OAUTH_PORT,
            SMTP_PORT,
            SMTPS_PORT,
        ] {
            wait_for_port(port, Duration::from_secs(15))?;
        }
        eprintln!(
            "test bed up in {} (PostgreSQL: {})",
            root.display(),
            testbed.postgres_url
        );
        Ok(testbed)
    }

    /// Where the SMTP sink stores what it receives (`<n>.eml` + `<n>.json`).
    pub fn smtp_dir(&self) -> PathBuf {
        self.root.join("smtp-out")
    }

    pub fn ca_file(&self) -> PathBuf {
        self.root.join("dc/tls/ca.pem")
    }

    /// Delivers `message` into `user`'s INBOX on the test bed's Dovecot
    /// (`doveadm save`, no IMAP needed).
    pub fn deliver(&self, user: &str, message: &[u8]) -> anyhow::Result<()> {
        let mut child = Command::new("doveadm")
            .arg("-c")
            .arg(self.root.join("dc/dovecot.conf"))
            .args(["save", "-u", user, "-m", "INBOX"])
            .stdin(Stdio::piped())
            .spawn()
            .context("running doveadm save")?;
        child
            .stdin
            .take()
            .context("stdin of doveadm save")?
            .write_all(message)?;
        if !child.wait()?.success() {
            bail!("doveadm save for {user} failed");
        }
        Ok(())
    }

    fn spawn_logged(&mut self, command: &mut Command, log_name: &str) -> anyhow::Result<()> {
        let log = std::fs::File::create(self.root.join(log_name))?;
        let child = command
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {:?}", command.get_program()))?;
        std::fs::write(
            self.root.join(format!("{log_name}.pid")),
            child.id().to_string(),
        )?;
        self.children.push(child);
        Ok(())
    }
}

impl Drop for Testbed {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        stop_services(&self.root);
        eprintln!("test bed stopped");
    }
}

fn stop_services(root: &Path) {
    let dovecot_config = root.join("dc/dovecot.conf");
    if dovecot_config.exists() {
        let _ = Command::new("doveadm")
            .arg("-c")
            .arg(&dovecot_config)
            .arg("stop")
            .stderr(Stdio::null())
            .status();
    }
    if let Ok(pid) = std::fs::read_to_string(root.join("cy/run/master.pid")) {
        let _ = Command::new("kill")
            .arg(pid.trim())
            .stderr(Stdio::null())
            .status();
        // Its data goes with it: every run starts Cyrus empty.
        let _ = std::fs::remove_dir_all(root.join("cy"));
    }
    let _ = Command::new("bash")
        .arg(repo_root().join("xtask/testbed/postgres.sh"))
        .arg("stop")
        .arg(root.join("pg"))
        .stderr(Stdio::null())
        .status();
}

/// A previous run killed before its cleanup may have left services running.
fn stop_leftovers(root: &Path) {
    stop_services(root);
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        if entry
            .path()
            .extension()
            .is_some_and(|extension| extension == "pid")
        {
            if let Ok(pid) = std::fs::read_to_string(entry.path()) {
                let _ = Command::new("kill")
                    .arg(pid.trim())
                    .stderr(Stdio::null())
                    .status();
            }
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

pub fn wait_for_port(port: u16, limit: Duration) -> anyhow::Result<()> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!(
        "nothing is listening on 127.0.0.1:{port} after {} s",
        limit.as_secs()
    )
}
