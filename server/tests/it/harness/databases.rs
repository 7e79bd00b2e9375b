//! The databases a test runs against: a fresh SQLite file always, and a
//! fresh PostgreSQL database when the test bed has one.

use super::test_bed::service_env;
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

/// A new, empty, migrated database on the test PostgreSQL server.
pub async fn postgres() -> Option<TestDb> {
    let url = unmigrated_postgres().await?;
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

/// A new, empty database on the test PostgreSQL server, not migrated: its URL.
pub async fn unmigrated_postgres() -> Option<String> {
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
    Some(format!("{server}/{name}"))
}
