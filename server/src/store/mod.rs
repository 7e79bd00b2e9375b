//! The blob store: every message's raw bytes, exactly as the server sent them,
//! addressed by their SHA-256, zstd-compressed, one file per message.
//!
//! Layout: `<root>/<h0h1>/<hash>.zst`, temporary files in `<root>/tmp/`. One
//! level of 256 directories, all created by `open`: a second level would
//! create a new directory (an inode) for almost every blob of an archive with
//! fewer than millions of messages, and ext4 or XFS handle tens of thousands of
//! entries per directory without trouble.
//! Blobs are written in two steps, so a batch costs two file-system syncs
//! instead of two fsyncs per message: `stage` compresses into a temporary
//! file; `publish` makes a batch's temporary files durable (one `syncfs`),
//! renames them into place, and makes the renames durable (a second
//! `syncfs`). A file at a blob's final path therefore always holds complete,
//! durable bytes, whatever moment a crash or power loss strikes; temporary
//! files left behind are removed by the next `open`.
//! Blobs are never rewritten: the same bytes always land at the same path, and
//! a second `put` of them finds the first. The database and index only ever
//! point here; this is the source of truth.
//!
//! Directories are created 0700 and blobs 0600 (`data_dir`): a message is
//! readable by Tresor's account only, whatever the umask.
//!
//! The API is blocking (file I/O); async callers use `spawn_blocking`.

mod digest;
pub mod ledger;
pub mod verify;

pub use digest::{Digest, ParseDigestError};

use std::fs::{self, File};
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};

/// zstd level 3: the library's default, fast to write, ~4x on mail text.
const COMPRESSION_LEVEL: i32 = 3;
const TEMP_DIR: &str = "tmp";
const EXTENSION: &str = "zst";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("blob store I/O error at {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("blob {0} is not in the store")]
    Missing(Digest),
    #[error("blob {digest} is damaged: {reason}")]
    Damaged { digest: Digest, reason: String },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What `put` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    pub digest: Digest,
    /// `false` when the same bytes were stored before (deduplicated).
    pub newly_written: bool,
    pub raw_len: u64,
}

/// A blob being written: compressed into a temporary file, neither durable
/// nor in place until `publish`.
#[derive(Debug)]
pub struct Staged {
    pub digest: Digest,
    pub raw_len: u64,
    /// `None` when the store held these bytes already.
    temp: Option<PathBuf>,
}

impl Staged {
    /// Whether `publish` will add a new blob (false: deduplicated).
    pub fn is_new(&self) -> bool {
        self.temp.is_some()
    }
}

/// The outcome of checking one blob against its address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Intact {
        raw_len: u64,
    },
    Missing,
    /// The file exists but does not decompress, or decompresses to other bytes.
    Damaged {
        reason: String,
    },
}

#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

impl BlobStore {
    /// Opens (creating if needed) the store at `root`, and removes temporary
    /// files a crashed writer left behind: they were never renamed into place,
    /// so nothing refers to them. Only those of processes that have ended: a
    /// CLI command opening the store while `tresor serve` archives must not
    /// take the files of a batch about to be published. (Temporary names
    /// carry the writer's process id.)
    pub fn open(root: impl Into<PathBuf>) -> Result<BlobStore, StoreError> {
        let root = root.into();
        let temp = root.join(TEMP_DIR);
        crate::data_dir::create_private_dir(&temp).map_err(io_error(&temp))?;
        for entry in fs::read_dir(&temp).map_err(io_error(&temp))? {
            let path = entry.map_err(io_error(&temp))?.path();
            let writer = path
                .extension()
                .and_then(|extension| extension.to_str())
                .and_then(|extension| extension.split_once('-'))
                .and_then(|(pid, _)| pid.parse::<u32>().ok());
            let writer_alive =
                writer.is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
            if !writer_alive {
                fs::remove_file(&path).map_err(io_error(&path))?;
            }
        }
        for prefix in 0..=255u8 {
            let directory = root.join(format!("{prefix:02x}"));
            crate::data_dir::create_private_dir(&directory).map_err(io_error(&directory))?;
        }
        Ok(BlobStore { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn path_of(&self, digest: &Digest) -> PathBuf {
        let hex = digest.to_string();
        self.root
            .join(&hex[0..2])
            .join(format!("{hex}.{EXTENSION}"))
    }

    /// Stores `bytes` unless the store has them already; durable when it returns.
    pub fn put(&self, bytes: &[u8]) -> Result<Stored, StoreError> {
        let mut staged = [self.stage(bytes)?];
        self.publish(&mut staged)?;
        let [staged] = staged;
        Ok(Stored {
            digest: staged.digest,
            newly_written: staged.is_new(),
            raw_len: staged.raw_len,
        })
    }

    /// Compresses `bytes` into a temporary file (not synced), unless the store
    /// has them already. Nothing is in place until `publish`.
    pub fn stage(&self, bytes: &[u8]) -> Result<Staged, StoreError> {
        let digest = Digest::of(bytes);
        let raw_len = bytes.len() as u64;
        let path = self.path_of(&digest);
        if path.exists() {
            return Ok(Staged {
                digest,
                raw_len,
                temp: None,
            });
        }
        let compressed = compress(bytes).map_err(io_error(&path))?;
        let temp_path = self.root.join(TEMP_DIR).join(format!(
            "{digest}.{}-{:016x}",
            std::process::id(),
            rand::random::<u64>()
        ));
        // Private from its creation: the rename into place keeps the mode.
        let mut temp = crate::data_dir::private_file_options()
            .write(true)
            .create_new(true)
            .open(&temp_path)
            .map_err(io_error(&temp_path))?;
        temp.write_all(&compressed).map_err(io_error(&temp_path))?;
        Ok(Staged {
            digest,
            raw_len,
            temp: Some(temp_path),
        })
    }

    /// Makes staged blobs durable and puts them in place: sync, rename, sync.
    /// Durable when it returns; each `Staged` is then marked as published.
    pub fn publish(&self, staged: &mut [Staged]) -> Result<(), StoreError> {
        if staged.iter().all(|blob| blob.temp.is_none()) {
            return Ok(());
        }
        self.sync_file_system()?;
        for blob in staged.iter_mut() {
            let Some(temp) = blob.temp.as_ref() else {
                continue;
            };
            let path = self.path_of(&blob.digest);
            // Two copies of the same message in one batch: the second rename
            // replaces the first with identical bytes.
            fs::rename(temp, &path).map_err(io_error(&path))?;
        }
        self.sync_file_system()
    }

    /// Drops staged blobs that will not be published (a duplicate policy
    /// decided not to keep them). A file that cannot be removed now is
    /// removed by the next `open`, so failures are only logged.
    pub fn discard(&self, staged: Vec<Staged>) {
        for temp in staged.into_iter().filter_map(|blob| blob.temp) {
            if let Err(error) = fs::remove_file(&temp) {
                tracing::warn!(path = %temp.display(), %error, "could not remove a discarded temporary blob");
            }
        }
    }

    /// Everything written to the store's file system so far becomes durable.
    fn sync_file_system(&self) -> Result<(), StoreError> {
        let root = File::open(&self.root).map_err(io_error(&self.root))?;
        sync_file_system(&root).map_err(io_error(&self.root))
    }

    /// The original bytes of a blob, checked against its address.
    pub fn get(&self, digest: &Digest) -> Result<Vec<u8>, StoreError> {
        let mut bytes = Vec::new();
        self.open_reader(digest)?
            .read_to_end(&mut bytes)
            .map_err(|error| StoreError::Damaged {
                digest: *digest,
                reason: format!("cannot decompress: {error}"),
            })?;
        if Digest::of(&bytes) != *digest {
            return Err(StoreError::Damaged {
                digest: *digest,
                reason: "content does not match its SHA-256".into(),
            });
        }
        Ok(bytes)
    }

    /// A streaming reader of a blob's original bytes, for exports of any size.
    /// It does not check the hash; `check` does.
    pub fn open_reader(&self, digest: &Digest) -> Result<impl Read + use<>, StoreError> {
        let path = self.path_of(digest);
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Err(StoreError::Missing(*digest));
            }
            Err(error) => return Err(io_error(&path)(error)),
        };
        zstd::stream::read::Decoder::with_buffer(BufReader::new(file)).map_err(io_error(&path))
    }

    /// Re-reads a blob and compares its SHA-256 with its address, streaming.
    pub fn check(&self, digest: &Digest) -> Result<Check, StoreError> {
        let mut reader = match self.open_reader(digest) {
            Ok(reader) => reader,
            Err(StoreError::Missing(_)) => return Ok(Check::Missing),
            Err(error) => return Err(error),
        };
        let mut hasher = digest::Hasher::new();
        let mut buffer = vec![0u8; 64 * 1024];
        let mut raw_len = 0u64;
        loop {
            match reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(count) => {
                    hasher.update(&buffer[..count]);
                    raw_len += count as u64;
                }
                Err(error) => {
                    return Ok(Check::Damaged {
                        reason: format!("cannot decompress: {error}"),
                    });
                }
            }
        }
        if hasher.finish() == *digest {
            Ok(Check::Intact { raw_len })
        } else {
            Ok(Check::Damaged {
                reason: "content does not match its SHA-256".into(),
            })
        }
    }
}

impl BlobStore {
    /// Removes a blob for good (retention); `false` when it was not there.
    /// Only for a blob no row refers to any more: the caller's transaction
    /// that deleted the last row has committed.
    pub fn remove(&self, digest: &Digest) -> Result<bool, StoreError> {
        let path = self.path_of(digest);
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(error) => Err(io_error(&path)(error)),
        }
    }
}

/// What the store holds: every blob's address, and files that are not blobs.
#[derive(Debug, Default)]
pub struct Listing {
    /// Sorted.
    pub digests: Vec<Digest>,
    pub strays: Vec<PathBuf>,
}

impl BlobStore {
    /// Lists every blob (one directory read per fan-out directory); anything
    /// else found there is a stray. The temporary directory is not listed.
    pub fn list(&self) -> Result<Listing, StoreError> {
        let mut listing = Listing::default();
        for prefix in 0..=255u8 {
            let prefix = format!("{prefix:02x}");
            let directory = self.root.join(&prefix);
            let entries = match fs::read_dir(&directory) {
                Ok(entries) => entries,
                Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
                Err(error) => return Err(io_error(&directory)(error)),
            };
            for entry in entries {
                let path = entry.map_err(io_error(&directory))?.path();
                let digest = path
                    .file_name()
                    .and_then(|name| name.to_str())
                    .and_then(|name| name.strip_suffix(&format!(".{EXTENSION}")))
                    .filter(|hex| hex.starts_with(&prefix))
                    .and_then(|hex| hex.parse::<Digest>().ok());
                match digest {
                    Some(digest) => listing.digests.push(digest),
                    None => listing.strays.push(path),
                }
            }
        }
        listing.digests.sort_unstable();
        listing.strays.sort();
        Ok(listing)
    }
}

/// Idle zstd contexts, reused: creating one per message cost ~4 % of an
/// import. At most `IDLE_COMPRESSORS` are kept, so memory follows the number
/// of messages compressed at once, not the number of threads that ever did.
static COMPRESSORS: std::sync::Mutex<Vec<zstd::bulk::Compressor<'static>>> =
    std::sync::Mutex::new(Vec::new());
const IDLE_COMPRESSORS: usize = 8;

fn compress(bytes: &[u8]) -> io::Result<Vec<u8>> {
    let idle = COMPRESSORS.lock().expect("never poisoned").pop();
    let mut compressor = match idle {
        Some(compressor) => compressor,
        None => zstd::bulk::Compressor::new(COMPRESSION_LEVEL)?,
    };
    let compressed = compressor.compress(bytes);
    let mut idle = COMPRESSORS.lock().expect("never poisoned");
    if idle.len() < IDLE_COMPRESSORS {
        idle.push(compressor);
    }
    compressed
}

/// `syncfs(2)`: one call flushes every file and directory of the file system,
/// the batch's temporary files and renames included.
#[cfg(target_os = "linux")]
fn sync_file_system(handle: &File) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: the descriptor is valid for the duration of the call (`handle` is borrowed).
    if unsafe { libc::syncfs(handle.as_raw_fd()) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Elsewhere the whole system is synced (slower, same guarantee).
#[cfg(not(target_os = "linux"))]
fn sync_file_system(_handle: &File) -> io::Result<()> {
    // SAFETY: sync(2) takes no arguments and cannot fail.
    unsafe { libc::sync() };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, BlobStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path().join("blobs")).unwrap();
        (dir, store)
    }

    const MESSAGE: &[u8] = b"From: a@example.com\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n\r\nBody with \xff 8-bit and \0 NUL\r\n";

    #[test]
    fn bytes_come_back_exactly() {
        let (_dir, store) = store();
        let stored = store.put(MESSAGE).unwrap();
        assert!(stored.newly_written);
        assert_eq!(stored.raw_len, MESSAGE.len() as u64);
        assert_eq!(store.get(&stored.digest).unwrap(), MESSAGE);
        let mut streamed = Vec::new();
        store
            .open_reader(&stored.digest)
            .unwrap()
            .read_to_end(&mut streamed)
            .unwrap();
        assert_eq!(streamed, MESSAGE);
        assert_eq!(
            store.put(b"").unwrap().digest,
            Digest::of(b""),
            "an empty message is a message"
        );
    }

    #[test]
    fn the_same_bytes_are_stored_once() {
        let (_dir, store) = store();
        let first = store.put(MESSAGE).unwrap();
        let second = store.put(MESSAGE).unwrap();
        assert_eq!(first.digest, second.digest);
        assert!(!second.newly_written);
        let files = walk(store.root());
        assert_eq!(files.len(), 1, "{files:?}");
    }

    #[test]
    fn blobs_fan_out_by_hash_prefix_and_leave_no_temp_files() {
        let (_dir, store) = store();
        let stored = store.put(MESSAGE).unwrap();
        let hex = stored.digest.to_string();
        let expected = store.root().join(&hex[..2]).join(format!("{hex}.zst"));
        assert_eq!(store.path_of(&stored.digest), expected);
        assert!(expected.exists());
        assert_eq!(
            fs::read_dir(store.root().join(TEMP_DIR)).unwrap().count(),
            0
        );
    }

    #[test]
    fn damage_and_loss_are_detected() {
        let (_dir, store) = store();
        let stored = store.put(MESSAGE).unwrap();
        assert_eq!(
            store.check(&stored.digest).unwrap(),
            Check::Intact {
                raw_len: MESSAGE.len() as u64
            }
        );

        // Replace the blob with valid zstd of other bytes: it decompresses but does not match.
        let path = store.path_of(&stored.digest);
        fs::write(&path, zstd::bulk::compress(b"other bytes", 3).unwrap()).unwrap();
        assert!(matches!(
            store.check(&stored.digest).unwrap(),
            Check::Damaged { .. }
        ));
        assert!(matches!(
            store.get(&stored.digest),
            Err(StoreError::Damaged { .. })
        ));

        // Garbage that is not zstd at all.
        fs::write(&path, b"not zstd").unwrap();
        assert!(matches!(
            store.check(&stored.digest).unwrap(),
            Check::Damaged { .. }
        ));

        fs::remove_file(&path).unwrap();
        assert_eq!(store.check(&stored.digest).unwrap(), Check::Missing);
        assert!(matches!(
            store.get(&stored.digest),
            Err(StoreError::Missing(_))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn blobs_and_their_directories_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let (_dir, store) = store();
        let stored = store.put(MESSAGE).unwrap();
        let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let blob = store.path_of(&stored.digest);
        assert_eq!(mode(&blob), 0o600);
        assert_eq!(mode(blob.parent().unwrap()), 0o700);
        assert_eq!(mode(store.root()), 0o700);
        assert_eq!(mode(&store.root().join(TEMP_DIR)), 0o700);
    }

    #[test]
    fn leftovers_of_a_crashed_writer_are_removed_on_open() {
        let (dir, store) = store();
        let leftover = store.root().join(TEMP_DIR).join("half-written.tmp");
        fs::write(&leftover, b"partial").unwrap();
        // One of a process that is still running (this one's parent) stays.
        let parent = std::os::unix::process::parent_id();
        let in_use = store
            .root()
            .join(TEMP_DIR)
            .join(format!("{}.{parent}-0123456789abcdef", "ab".repeat(32)));
        fs::write(&in_use, b"being written").unwrap();
        let reopened = BlobStore::open(dir.path().join("blobs")).unwrap();
        assert!(!leftover.exists());
        assert!(in_use.exists(), "a live writer's file is left alone");
        fs::remove_file(&in_use).unwrap();
        assert_eq!(walk(reopened.root()).len(), 0);
    }

    fn walk(root: &Path) -> Vec<PathBuf> {
        let mut files = Vec::new();
        let mut pending = vec![root.to_path_buf()];
        while let Some(directory) = pending.pop() {
            for entry in fs::read_dir(&directory).unwrap() {
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
}
