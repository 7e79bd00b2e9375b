//! The data directory's protection. It holds the master key, every archived
//! message and (with SQLite) the database: only the account that runs Tresor
//! may read it.
//!
//! What Tresor creates there is private from the start, not made so
//! afterwards: the directory and its subdirectories with mode 0700, the key,
//! blobs and database with 0600 (explicitly, whatever the umask), and every
//! `tresor` process runs under the umask 077 for what libraries create
//! (the search index, SQLite's `-wal`/`-shm`, exports). `tresor serve` checks
//! the directory and the key file at start: more open than that is a warning,
//! a key file others can read is refused (see `secrets::check_key_file`).

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// The data directory and every directory Tresor creates in it.
pub const PRIVATE_DIR_MODE: u32 = 0o700;
/// The master key, blobs and the SQLite database.
pub const PRIVATE_FILE_MODE: u32 = 0o600;
/// The file-creation mask of every `tresor` process: no access for group or
/// others on anything created without an explicit mode.
pub const PRIVATE_UMASK: u32 = 0o077;

/// Applies `PRIVATE_UMASK` to this process (all its threads), once at start.
pub fn restrict_umask() {
    #[cfg(unix)]
    // SAFETY: umask(2) only sets the process's mask; it cannot fail.
    unsafe {
        libc::umask(PRIVATE_UMASK as libc::mode_t);
    }
}

/// Creates `path` and any missing parents with `PRIVATE_DIR_MODE`; an
/// existing directory keeps its mode (`inspect` reports it).
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, PRIVATE_DIR_MODE);
    builder.create(path)
}

/// Options that create a new file with `PRIVATE_FILE_MODE` (only on creation:
/// an existing file keeps its mode).
pub fn private_file_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, PRIVATE_FILE_MODE);
    options
}

/// The permission bits of `path`, if it exists.
pub fn mode_of(path: &Path) -> io::Result<Option<u32>> {
    match std::fs::metadata(path) {
        #[cfg(unix)]
        Ok(metadata) => Ok(Some(
            std::os::unix::fs::PermissionsExt::mode(&metadata.permissions()) & 0o7777,
        )),
        #[cfg(not(unix))]
        Ok(_) => Ok(None),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

/// Something about the data directory's protection worth a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exposure {
    /// Group or others have some access to the directory itself.
    Directory { path: PathBuf, mode: u32 },
    /// Group or others have some access to the key file, short of reading
    /// it (reading is refused, not warned about).
    KeyFile { path: PathBuf, mode: u32 },
}

impl fmt::Display for Exposure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exposure::Directory { path, mode } => write!(
                f,
                "the data directory {} has mode {mode:04o}: other users of this machine have access to it (the archive, the database, the key); run `chmod {PRIVATE_DIR_MODE:o} {}`",
                path.display(),
                path.display()
            ),
            Exposure::KeyFile { path, mode } => write!(
                f,
                "the master key file {} has mode {mode:04o}: only Tresor's account should have access to it; run `chmod {PRIVATE_FILE_MODE:o} {}`",
                path.display(),
                path.display()
            ),
        }
    }
}

/// What is more open than it should be: the data directory (more than
/// 0700) and the key file `key_file` (more than 0600), if they exist.
pub fn inspect(data_dir: &Path, key_file: &Path) -> io::Result<Vec<Exposure>> {
    let mut exposures = Vec::new();
    if let Some(mode) = mode_of(data_dir)?
        && mode & 0o077 != 0
    {
        exposures.push(Exposure::Directory {
            path: data_dir.to_path_buf(),
            mode,
        });
    }
    if let Some(mode) = mode_of(key_file)?
        && mode & 0o077 != 0
    {
        exposures.push(Exposure::KeyFile {
            path: key_file.to_path_buf(),
            mode,
        });
    }
    Ok(exposures)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn creates_private_directories_and_files_whatever_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a").join("b");
        create_private_dir(&nested).unwrap();
        assert_eq!(mode_of(&nested).unwrap(), Some(0o700));
        assert_eq!(mode_of(&dir.path().join("a")).unwrap(), Some(0o700));
        let file = nested.join("f");
        private_file_options()
            .write(true)
            .create_new(true)
            .open(&file)
            .unwrap();
        assert_eq!(mode_of(&file).unwrap(), Some(0o600));
    }

    #[test]
    fn reports_an_open_directory_and_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("master.key");
        std::fs::write(&key, "k").unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(inspect(dir.path(), &key).unwrap(), Vec::new());

        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o620)).unwrap();
        let exposures = inspect(dir.path(), &key).unwrap();
        assert_eq!(exposures.len(), 2, "{exposures:?}");
        assert!(exposures[0].to_string().contains("chmod 700"));
        assert!(exposures[1].to_string().contains("chmod 600"));
    }
}
