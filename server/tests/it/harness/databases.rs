//! Databases and services for the integration tests.

use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::sync::atomic::{AtomicU32, Ordering};

/// One database to run a test against; the SQLite file lives as long as this value.
pub struct TestDb {
    pub name: &'static str,
    pub url: String,
    pub connection: DatabaseConnection,
    _dir: Option<tempfile::TempDir>,
}

/// A fresh, migrated SQLite database, and a fresh PostgreSQL database when one is configured.
pub async fn databases() -> Vec<TestDb> {
    let mut databases = vec![sqlite().await];
    if let Some(postgres) = postgres().await {
        databases.push(postgres);
    }
    databases
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("tresor.db").display()
    );
    let connection = tresor::db::connect_and_migrate(&url)
        .await
        .expect("sqlite opens");
    TestDb {
        name: "sqlite",
        url,
        connection,
        _dir: Some(dir),
    }
}

/// Whether tests must fail rather than skip when a service is missing.
pub fn services_required() -> bool {
    std::env::var("TRESOR_TEST_REQUIRE_SERVICES").is_ok_and(|value| value == "1")
}

/// Reads a service's variable, or explains loudly why the test is skipped.
pub fn service_env(variable: &str, service: &str) -> Option<String> {
    match std::env::var(variable) {
        Ok(value) if !value.is_empty() => Some(value),
        _ if services_required() => {
            panic!(
                "{variable} is not set but TRESOR_TEST_REQUIRE_SERVICES=1: {service} is required"
            )
        }
        _ => {
            eprintln!(
                "\n*** SKIPPING the {service} part of this test: {variable} is not set. \
                 Run `cargo xtask test` to start {service}. ***\n"
            );
            None
        }
    }
}

/// A new, empty, migrated database on the test PostgreSQL server.
pub async fn postgres() -> Option<TestDb> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let base_url = service_env("TRESOR_TEST_POSTGRES_URL", "PostgreSQL")?;
    let name = format!(
        "tresor_it_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        rand::random::<u32>()
    );
    let admin = tresor::db::connect(&base_url)
        .await
        .expect("postgres reachable");
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create test database");
    let (server, _database) = base_url.rsplit_once('/').expect("database URL has a path");
    let url = format!("{server}/{name}");
    let connection = tresor::db::connect_and_migrate(&url)
        .await
        .expect("postgres test db opens");
    Some(TestDb {
        name: "postgres",
        url,
        connection,
        _dir: None,
    })
}

/// Every file below `root`, recursively.
pub fn files_under(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(directory) = pending.pop() {
        for entry in std::fs::read_dir(&directory).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// Runs `tresor export --format eml` for `mailbox` and returns the SHA-256 of every exported file.
pub fn export_digests(data_dir: &std::path::Path, mailbox: &str) -> Vec<tresor::store::Digest> {
    let export_dir = data_dir.join(format!("export-{}", rand::random::<u32>()));
    let exported = crate::cli::tresor(
        data_dir,
        &[
            "export",
            "--mailbox",
            mailbox,
            "--format",
            "eml",
            "--out",
            export_dir.to_str().unwrap(),
        ],
        None,
    );
    assert!(
        exported.status.success(),
        "{}",
        crate::cli::stderr(&exported)
    );
    files_under(&export_dir)
        .iter()
        .map(|path| tresor::store::Digest::of(&std::fs::read(path).unwrap()))
        .collect()
}

/// The SHA-256 of every message in `folder`, as the server returns its bytes.
pub async fn server_digests(
    session: &mut tresor::imap::Session,
    folder: &str,
) -> Vec<tresor::store::Digest> {
    use futures::TryStreamExt;
    session.examine(folder).await.unwrap();
    let fetched: Vec<_> = session
        .uid_fetch("1:*", "BODY.PEEK[]")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    fetched
        .iter()
        .filter_map(|fetch| fetch.body())
        .map(tresor::store::Digest::of)
        .collect()
}
