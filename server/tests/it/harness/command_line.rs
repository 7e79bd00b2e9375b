//! The `tresor` binary as a test runs it: over a data directory (its own
//! SQLite file) or a test database, with the test bed on loopback allowed.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Creates the Tresor user alice@example.com, who owns the tests' mailboxes.
pub(crate) fn add_owner(data_dir: &std::path::Path) {
    let user = tresor(
        data_dir,
        &[
            "user",
            "add",
            "--email",
            "alice@example.com",
            "--password-stdin",
        ],
        Some("alice-tresor-password\n"),
    );
    // A second mailbox in the same data dir finds its owner there already.
    assert!(
        user.status.success() || stderr(&user).contains("exists already"),
        "{}",
        stderr(&user)
    );
}

pub(crate) fn tresor(data_dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tresor"))
        // English output, whatever the machine's locale (the CLI follows LC_ALL).
        .env("LC_ALL", "C.UTF-8")
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("TRESOR_DATABASE_URL")
        .env("RUST_LOG", "warn")
        // Users' mailboxes point at the test bed on loopback.
        .env("TRESOR_ALLOW_PRIVATE_DESTINATIONS", "true")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tresor runs");
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        // `tresor` may exit before reading (clap rejects the arguments): a broken pipe is fine.
        let _ = input.write_all(text.as_bytes());
    }
    drop(input);
    child.wait_with_output().unwrap()
}

/// `tresor` over `data_dir` (blobs) and the test database.
pub(crate) fn tresor_on_database(
    data_dir: &std::path::Path,
    database_url: &str,
    args: &[&str],
) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tresor"))
        // English output, whatever the machine's locale (the CLI follows LC_ALL).
        .env("LC_ALL", "C.UTF-8")
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .env("TRESOR_DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("tresor runs")
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
