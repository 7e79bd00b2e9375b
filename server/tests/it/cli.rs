//! The `tresor` binary as an admin or a script uses it.

use crate::harness::{stderr, stdout, tresor};

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

/// Runs `tresor` expecting it to fail with a message that contains `expected`.
fn assert_refused(data_dir: &std::path::Path, args: &[&str], stdin: Option<&str>, expected: &str) {
    let output = tresor(data_dir, args, stdin);
    assert!(!output.status.success(), "{args:?} should fail");
    assert!(
        stderr(&output).contains(expected),
        "{args:?}: {}",
        stderr(&output)
    );
}

#[test]
fn user_add_refuses_bad_input_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let add = |email| ["user", "add", "--email", email, "--password-stdin"];
    assert_refused(
        dir.path(),
        &["user", "add", "--email", "a@example.com"],
        None,
        "--password-stdin",
    );
    assert_refused(
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
        "unknown role",
    );
    assert_refused(
        dir.path(),
        &add("a@example.com"),
        Some(""),
        "no password on standard input",
    );
    assert_refused(
        dir.path(),
        &add("a@example.com"),
        Some("short\n"),
        "at least 10 characters",
    );
    assert_refused(
        dir.path(),
        &add("not-an-address"),
        Some("long-enough-password\n"),
        "not a valid e-mail address",
    );

    let first = tresor(
        dir.path(),
        &add("b@example.com"),
        Some("long-enough-password\n"),
    );
    assert!(first.status.success(), "{}", stderr(&first));
    assert_refused(
        dir.path(),
        &add("B@example.com"),
        Some("long-enough-password\n"),
        "exists already",
    );
}

#[test]
fn a_missing_config_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--config", "/nonexistent/tresor.toml", "migrate"];
    assert_refused(
        dir.path(),
        &args,
        None,
        "/nonexistent/tresor.toml does not exist",
    );
}
