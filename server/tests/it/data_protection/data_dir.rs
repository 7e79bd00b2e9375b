//! A private data directory (item 1): what Tresor creates in it is private
//! whatever the umask, and `tresor serve` refuses a key file others can
//! read and warns about an open directory, saying how to fix it.

use crate::harness::synthetic_message;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tresor::secrets::SecretBox;
use tresor::store::BlobStore;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The usual umask (022) while it lives, so what is private is so by its
/// explicit mode, not by a strict umask of the test run.
struct UsualUmask(libc::mode_t);

impl UsualUmask {
    fn set() -> UsualUmask {
        // SAFETY: umask(2) only swaps the process's mask.
        UsualUmask(unsafe { libc::umask(0o022) })
    }
}

impl Drop for UsualUmask {
    fn drop(&mut self) {
        // SAFETY: as above.
        unsafe { libc::umask(self.0) };
    }
}

#[tokio::test]
async fn what_tresor_creates_in_the_data_dir_is_private_whatever_the_umask() {
    let _umask = UsualUmask::set();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    tresor::data_dir::create_private_dir(&data).unwrap();
    assert_eq!(mode(&data), 0o700);

    SecretBox::load(&data, None).unwrap();
    assert_eq!(mode(&data.join("master.key")), 0o600);

    let store = BlobStore::open(data.join("blobs")).unwrap();
    let stored = store.put(&synthetic_message(1)).unwrap();
    let blob = store.path_of(&stored.digest);
    assert_eq!(mode(&blob), 0o600, "a blob");
    assert_eq!(mode(blob.parent().unwrap()), 0o700, "a fan-out directory");
    assert_eq!(mode(&data.join("blobs")), 0o700);

    let url = format!("sqlite://{}?mode=rwc", data.join("tresor.db").display());
    let db = tresor::db::connect_and_migrate(&url).await.unwrap();
    // While it is open, SQLite keeps its journal beside it.
    for name in ["tresor.db", "tresor.db-wal", "tresor.db-shm"] {
        assert_eq!(mode(&data.join(name)), 0o600, "{name}");
    }
    drop(db);
}

/// `tresor serve` on a free port over `data_dir`.
struct Serve {
    child: Child,
    stdout: std::sync::mpsc::Receiver<String>,
    stderr: std::thread::JoinHandle<String>,
}

impl Serve {
    fn start(data_dir: &Path) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tresor"))
            // English output, whatever the machine's locale (the CLI follows LC_ALL).
            .env("LC_ALL", "C.UTF-8")
            .arg("--data-dir")
            .arg(data_dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env_remove("DATABASE_URL")
            .env_remove("TRESOR_DATABASE_URL")
            .env_remove("TRESOR_MASTER_KEY")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tresor runs");
        let (lines, stdout) = std::sync::mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let err = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                text.push_str(&line);
                text.push('\n');
            }
            text
        });
        Serve {
            child,
            stdout,
            stderr,
        }
    }

    /// Whether it came up (said it is running) before it exited or a
    /// generous deadline (two cores, many tests) passed.
    fn came_up(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(180);
        while Instant::now() < deadline {
            match self.stdout.recv_timeout(Duration::from_millis(200)) {
                Ok(line) if line.contains("Tresor is running") => return true,
                Ok(_) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    if self.child.try_wait().unwrap().is_some() {
                        return false;
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return false,
            }
        }
        false
    }

    /// Stops it (if it still runs) and returns what it wrote to stderr.
    fn stop(mut self) -> (bool, String) {
        let exited_by_itself = self.child.try_wait().unwrap();
        if exited_by_itself.is_none() {
            let _ = self.child.kill();
        }
        let status = self.child.wait().unwrap();
        (
            exited_by_itself.is_some() && status.success(),
            self.stderr.join().unwrap(),
        )
    }
}

#[test]
fn serve_refuses_a_master_key_file_others_can_read_and_says_how_to_fix_it() {
    use base64::Engine;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("master.key");
    let encoded = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    std::fs::write(&key, format!("{encoded}\n")).unwrap();
    set_mode(&key, 0o644);

    let mut serve = Serve::start(dir.path());
    let came_up = serve.came_up();
    let (succeeded, stderr) = serve.stop();
    assert!(
        !came_up,
        "serve started with a world-readable key: {stderr}"
    );
    assert!(!succeeded);
    assert!(
        stderr.contains(&format!("chmod 600 {}", key.display())),
        "{stderr}"
    );
    assert!(
        !dir.path().join("tresor.db").exists(),
        "refused before anything was opened"
    );
}

#[test]
fn serve_makes_a_fresh_data_dir_private_and_warns_about_an_open_one() {
    let dir = tempfile::tempdir().unwrap();
    // The test runner's umask does not matter: `tresor` sets its own.
    let fresh = dir.path().join("fresh");
    let mut serve = Serve::start(&fresh);
    assert!(serve.came_up(), "{}", serve.stop().1);
    assert_eq!(mode(&fresh), 0o700);
    assert_eq!(mode(&fresh.join("master.key")), 0o600);
    for name in ["tresor.db", "tresor.db-wal", "tresor.db-shm"] {
        assert_eq!(mode(&fresh.join(name)), 0o600, "{name}");
    }
    let mut pending = vec![fresh.clone()];
    while let Some(directory) = pending.pop() {
        for entry in std::fs::read_dir(&directory).unwrap() {
            let path = entry.unwrap().path();
            assert_eq!(
                mode(&path) & 0o077,
                0,
                "{} is open to others",
                path.display()
            );
            if path.is_dir() {
                pending.push(path);
            }
        }
    }
    let (_, stderr) = serve.stop();
    assert!(!stderr.contains("chmod"), "nothing to warn about: {stderr}");

    let open = dir.path().join("open");
    std::fs::create_dir(&open).unwrap();
    set_mode(&open, 0o755);
    let mut serve = Serve::start(&open);
    assert!(
        serve.came_up(),
        "an open directory is a warning, not a refusal"
    );
    let (_, stderr) = serve.stop();
    assert!(
        stderr.contains(&format!("chmod 700 {}", open.display())),
        "{stderr}"
    );
}
