//! The `tresor` binary as an admin or a script uses it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn tresor(data_dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tresor"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("TRESOR_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tresor runs");
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn migrate_creates_the_sqlite_database_in_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("fresh");
    let output = tresor(&data_dir, &["migrate"], None);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(data_dir.join("tresor.db").exists());
    // Running it again is a no-op.
    assert!(tresor(&data_dir, &["migrate"], None).status.success());
}

#[test]
fn user_add_reads_the_password_from_stdin_and_user_list_prints_json() {
    let dir = tempfile::tempdir().unwrap();
    let added = tresor(
        dir.path(),
        &[
            "user",
            "add",
            "--email",
            "Ops@Example.com",
            "--role",
            "auditor",
            "--name",
            "Ops",
            "--password-stdin",
        ],
        Some("ops-password-123\n"),
    );
    assert!(added.status.success(), "{}", stderr(&added));
    assert!(stdout(&added).contains("created ops@example.com (auditor)"));

    let listed = tresor(dir.path(), &["user", "list", "--json"], None);
    assert!(listed.status.success(), "{}", stderr(&listed));
    let users: Vec<serde_json::Value> =
        serde_json::from_str(&stdout(&listed)).expect("stdout is JSON only");
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["email"], "ops@example.com");
    assert_eq!(users[0]["role"], "auditor");
    assert_eq!(users[0]["disabled"], false);
    assert!(users[0].get("password_hash").is_none());

    let table = tresor(dir.path(), &["user", "list"], None);
    assert!(stdout(&table).contains("ops@example.com"));
}

#[test]
fn user_add_refuses_bad_input_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let no_flag = tresor(
        dir.path(),
        &["user", "add", "--email", "a@example.com"],
        None,
    );
    assert!(!no_flag.status.success());
    assert!(
        stderr(&no_flag).contains("--password-stdin"),
        "{}",
        stderr(&no_flag)
    );

    let bad_role = tresor(
        dir.path(),
        &[
            "user",
            "add",
            "--email",
            "a@example.com",
            "--role",
            "root",
            "--password-stdin",
        ],
        Some("long-enough-password\n"),
    );
    assert!(!bad_role.status.success());
    assert!(
        stderr(&bad_role).contains("unknown role"),
        "{}",
        stderr(&bad_role)
    );

    let empty = tresor(
        dir.path(),
        &[
            "user",
            "add",
            "--email",
            "a@example.com",
            "--password-stdin",
        ],
        Some(""),
    );
    assert!(!empty.status.success());
    assert!(
        stderr(&empty).contains("no password on standard input"),
        "{}",
        stderr(&empty)
    );

    let short = tresor(
        dir.path(),
        &[
            "user",
            "add",
            "--email",
            "a@example.com",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert!(!short.status.success());
    assert!(
        stderr(&short).contains("at least 10 characters"),
        "{}",
        stderr(&short)
    );

    let duplicate_first = tresor(
        dir.path(),
        &[
            "user",
            "add",
            "--email",
            "b@example.com",
            "--password-stdin",
        ],
        Some("long-enough-password\n"),
    );
    assert!(duplicate_first.status.success());
    let duplicate = tresor(
        dir.path(),
        &[
            "user",
            "add",
            "--email",
            "B@example.com",
            "--password-stdin",
        ],
        Some("long-enough-password\n"),
    );
    assert!(
        stderr(&duplicate).contains("exists already"),
        "{}",
        stderr(&duplicate)
    );
}

#[test]
fn a_missing_config_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let output = tresor(
        dir.path(),
        &["--config", "/nonexistent/tresor.toml", "migrate"],
        None,
    );
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("/nonexistent/tresor.toml does not exist"),
        "{}",
        stderr(&output)
    );
}
