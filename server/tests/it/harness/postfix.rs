//! A private Postfix (Debian's, installed by `cargo xtask test`/`testbed`)
//! that a test starts and stops itself: its main.cf and master.cf written
//! from scratch into a temporary directory (queue, data and log inside it,
//! nothing chrooted), smtpd on a free loopback port, relaying only for
//! loopback, a copy of everything to `always_bcc`, the journal domain sent
//! to Tresor over SMTP and all other mail discarded. Retries come every
//! second or two, so a deferred backlog drains within a test's patience.
//! Run as root, `postfix -c DIR` and `postqueue -c DIR` need no
//! `alternate_config_directories` in /etc/postfix/main.cf (only set-gid use
//! by others checks it): the system's configuration, which the package
//! leaves out ("No configuration"), is neither needed nor touched.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

const POSTFIX: &str = "/usr/sbin/postfix";
const POSTQUEUE: &str = "/usr/sbin/postqueue";

/// A running Postfix instance; stopped on drop.
pub(crate) struct Postfix {
    dir: tempfile::TempDir,
    /// Where its smtpd listens (127.0.0.1).
    pub(crate) port: u16,
    running: bool,
}

/// Where the journal copies go: `always_bcc`, and the journal domain's next hop.
pub(crate) struct PostfixRoute<'a> {
    pub(crate) always_bcc: &'a str,
    /// Mail for this domain goes to Tresor; everything else is discarded.
    pub(crate) journal_domain: &'a str,
    pub(crate) tresor_port: u16,
}

/// Whether this machine can run a private Postfix: installed, and we are
/// root (the master starts as root and drops to `postfix`). Otherwise the
/// test skips loudly, or fails under `cargo xtask test`
/// (`TRESOR_TEST_REQUIRE_SERVICES=1`).
pub(crate) fn postfix_available() -> bool {
    let missing = if !Path::new(POSTFIX).exists() {
        Some("Postfix is not installed (Debian's `postfix`)")
    } else if !std::fs::metadata("/proc/self").is_ok_and(|meta| meta.uid() == 0) {
        Some("Postfix's master must start as root and these tests do not run as root")
    } else {
        None
    };
    let Some(missing) = missing else {
        return true;
    };
    let advice = "Run `cargo xtask testbed` (or `cargo xtask test`), which installs it, as root.";
    if super::test_bed::services_required() {
        panic!("{missing}, but TRESOR_TEST_REQUIRE_SERVICES=1: Postfix is required. {advice}");
    }
    eprintln!("\n*** SKIPPING this Postfix test: {missing}. {advice} ***\n");
    false
}

impl Postfix {
    /// Writes the configuration, checks it (`postfix check`) and starts Postfix.
    pub(crate) fn start(route: &PostfixRoute) -> Postfix {
        let dir = tempfile::tempdir().unwrap();
        // The daemons run as `postfix`: the directory must be searchable.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let port = free_port();
        let mut postfix = Postfix {
            dir,
            port,
            running: false,
        };
        std::fs::create_dir_all(postfix.config_dir()).unwrap();
        std::fs::create_dir_all(postfix.dir.path().join("queue")).unwrap();
        std::fs::write(
            postfix.config_dir().join("main.cf"),
            main_cf(postfix.dir.path(), route),
        )
        .unwrap();
        std::fs::write(postfix.config_dir().join("master.cf"), master_cf(port)).unwrap();
        postfix.run("check");
        postfix.running = true;
        postfix.run("start");
        postfix.wait_for_smtpd();
        postfix
    }

    fn config_dir(&self) -> PathBuf {
        self.dir.path().join("etc")
    }

    /// `postfix -c DIR <command>`, which must succeed (Postfix logs why
    /// not to its log file, not to standard error: both are shown).
    fn run(&self, command: &str) {
        let output = Command::new(POSTFIX)
            .arg("-c")
            .arg(self.config_dir())
            .arg(command)
            .output()
            .expect("postfix runs");
        assert!(
            output.status.success(),
            "`postfix {command}` failed ({}):\n{}{}\n--- Postfix's log ---\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            self.log()
        );
    }

    fn wait_for_smtpd(&self) {
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "Postfix's smtpd does not listen on {}:\n{}",
                self.port,
                self.log()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// The queue as `postqueue -j` lists it: one JSON object per message
    /// (`queue_name`, `queue_id`, `sender`, `recipients` with their `delay_reason`).
    pub(crate) fn queue(&self) -> Vec<serde_json::Value> {
        let output = Command::new(POSTQUEUE)
            .arg("-c")
            .arg(self.config_dir())
            .arg("-j")
            .output()
            .expect("postqueue runs");
        assert!(
            output.status.success(),
            "`postqueue -j` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| serde_json::from_str(line).expect("postqueue -j prints JSON lines"))
            .collect()
    }

    /// What Postfix logged (`maillog_file`).
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("postfix.log")).unwrap_or_default()
    }

    /// The queue and the log's last lines, for a failure message.
    pub(crate) fn report(&self) -> String {
        let queue: Vec<String> = self.queue().iter().map(|entry| entry.to_string()).collect();
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(60)..].join("\n");
        format!(
            "--- postqueue -j ({} queued) ---\n{}\n--- Postfix's log (last lines) ---\n{tail}",
            queue.len(),
            queue.join("\n")
        )
    }

    pub(crate) fn stop(&mut self) {
        if std::mem::take(&mut self.running) {
            let _ = Command::new(POSTFIX)
                .arg("-c")
                .arg(self.config_dir())
                .arg("stop")
                .output();
        }
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        self.stop();
    }
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn main_cf(root: &Path, route: &PostfixRoute) -> String {
    let root = root.display();
    let PostfixRoute {
        always_bcc,
        journal_domain,
        tresor_port,
    } = route;
    format!(
        "# Written by Tresor's tests (server/tests/it/harness/postfix.rs).
compatibility_level = 3.6
queue_directory = {root}/queue
data_directory = {root}/data
maillog_file = {root}/postfix.log
maillog_file_prefixes = {root}
mail_owner = postfix
setgid_group = postdrop
myhostname = mta.tresor.test
mydomain = tresor.test
myorigin = $myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
relay_domains =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
always_bcc = {always_bcc}
transport_maps = inline:{{ {journal_domain}=smtp:[127.0.0.1]:{tresor_port} }}
default_transport = discard:
relay_transport = discard:
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
smtp_connect_timeout = 2s
in_flow_delay = 0
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
smtp_tls_security_level = none
smtpd_tls_security_level = none
biff = no
"
    )
}

/// Every service Postfix needs here, none chrooted; smtpd on `port`, and
/// `postlog` for `maillog_file`.
fn master_cf(port: u16) -> String {
    format!(
        "# Written by Tresor's tests (server/tests/it/harness/postfix.rs).
# service type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:{port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"
    )
}
