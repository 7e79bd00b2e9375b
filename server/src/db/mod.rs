//! The database: connecting (SQLite by default, PostgreSQL by URL), running
//! migrations, and the sea-orm entities in `entity`.

pub mod entity;

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, DatabaseConnection, DbErr};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot create the database file or its directory {path}: {source}")]
    CreateDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open the database at {url}: {source}")]
    Connect {
        url: String,
        #[source]
        source: DbErr,
    },
    #[error("database migration failed: {0}")]
    Migrate(#[source] DbErr),
}

/// Opens the database at `url`. For SQLite the file and its directory are
/// created when missing, and the journal is switched to WAL so readers never
/// wait for the archiver's writes.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbError> {
    if let Some(path) = sqlite_path(url) {
        // The file only where SQLite would create it (`mode=rwc`): elsewhere
        // a missing file stays an error, not a new empty database.
        create_private_sqlite_file(std::path::Path::new(path), url.contains("mode=rwc"))?;
    }
    let mut options = ConnectOptions::new(url.to_string());
    options
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30))
        .sqlx_logging(false)
        // Per connection of the pool (a PRAGMA run once would reach only one
        // of them). `synchronous` stays FULL: after a commit the engine may
        // delete the message on the server, so the commit must survive a
        // power loss, not only a crash.
        .map_sqlx_sqlite_opts(|sqlite| {
            sqlite
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    let connection = sea_orm::Database::connect(options)
        .await
        .map_err(|source| DbError::Connect {
            url: redact(url),
            source,
        })?;
    Ok(connection)
}

/// Opens the database and brings its schema up to date.
pub async fn connect_and_migrate(url: &str) -> Result<DatabaseConnection, DbError> {
    let connection = connect(url).await?;
    migrate(&connection).await?;
    Ok(connection)
}

pub async fn migrate(connection: &DatabaseConnection) -> Result<(), DbError> {
    Migrator::up(connection, None)
        .await
        .map_err(DbError::Migrate)?;
    // The ledger starts once, right after the migration that created it.
    crate::store::ledger::begin(connection)
        .await
        .map_err(DbError::Migrate)
}

/// Whether the database answers, for `/healthz`.
pub async fn ping(connection: &DatabaseConnection) -> Result<(), DbErr> {
    connection.ping().await
}

/// Creates a missing SQLite directory (0700) and, with `create_file`, the
/// file (0600), private from the start. SQLite gives its `-wal` and `-shm`
/// files the mode of the database file, so they are private too. What exists
/// keeps its mode.
fn create_private_sqlite_file(path: &std::path::Path, create_file: bool) -> Result<(), DbError> {
    let create_error = |path: &std::path::Path| {
        let path = path.display().to_string();
        move |source| DbError::CreateDir { path, source }
    };
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        crate::data_dir::create_private_dir(parent).map_err(create_error(parent))?;
    }
    if !create_file {
        return Ok(());
    }
    match crate::data_dir::private_file_options()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(create_error(path)(error)),
    }
}

fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (path != ":memory:" && !path.is_empty()).then_some(path)
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _password)) => {
                    format!("{}://{user}:***@{}", &url[..scheme_end], &url[at + 1..])
                }
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_sqlite_file_in_a_url() {
        assert_eq!(
            sqlite_path("sqlite://data/tresor.db?mode=rwc"),
            Some("data/tresor.db")
        );
        assert_eq!(sqlite_path("sqlite:/abs/t.db"), Some("/abs/t.db"));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://u@h/db"), None);
    }

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact("postgres://tresor:secret@127.0.0.1:5432/db"),
            "postgres://tresor:***@127.0.0.1:5432/db"
        );
        assert_eq!(redact("postgres://tresor@h/db"), "postgres://tresor@h/db");
        assert_eq!(redact("sqlite://data/tresor.db"), "sqlite://data/tresor.db");
    }
}
