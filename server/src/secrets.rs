//! Secrets at rest (mailbox passwords, OAuth tokens, SMTP passwords):
//! AES-256-GCM under a master key kept outside the database.
//!
//! The key comes from `TRESOR_MASTER_KEY` (base64 of 32 bytes) or from
//! `<data_dir>/master.key`, created with mode 0600 on first use. A database
//! backup alone therefore reveals no secret; back the key up separately.
//!
//! Each ciphertext is bound to a context string (for example
//! `mailbox:42:password`) as associated data, so a ciphertext copied into
//! another row or column does not decrypt.

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The master key's file in the data directory.
pub const KEY_FILE: &str = "master.key";
const FORMAT_PREFIX: &str = "v1.";
const NONCE_LEN: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "TRESOR_MASTER_KEY must be the base64 of exactly 32 bytes (generate one with `openssl rand -base64 32`)"
    )]
    MalformedKey,
    #[error("the master key file {path} is damaged: it must hold the base64 of 32 bytes")]
    MalformedKeyFile { path: PathBuf },
    #[error(
        "the master key file {path} has mode {mode:04o}: other users of this machine can read it, and with it every stored password and token; run `chmod 600 {path}` and start Tresor again"
    )]
    KeyFileReadable { path: PathBuf, mode: u32 },
    #[error("cannot read or create the master key file {path}: {source}")]
    KeyFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "a stored secret cannot be decrypted: wrong master key, or the value was altered or moved"
    )]
    Undecryptable,
}

/// A secret in memory. Never printed, never serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The plain value, for the one place that must send it (a login, say).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Encrypts and decrypts secrets with the instance's master key.
pub struct SecretBox {
    cipher: Aes256Gcm,
}

impl SecretBox {
    /// Uses `env_key` when given, else the key file in `data_dir` (created when missing).
    pub fn load(data_dir: &Path, env_key: Option<&str>) -> Result<SecretBox, SecretError> {
        let key = match env_key {
            Some(text) => decode_key(text).ok_or(SecretError::MalformedKey)?,
            None => load_or_create_key_file(&data_dir.join(KEY_FILE))?,
        };
        Ok(SecretBox {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)),
        })
    }

    /// `v1.` + base64url(nonce ‖ ciphertext ‖ tag); a fresh random nonce each time.
    pub fn seal(&self, secret: &Secret, context: &str) -> String {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let payload = Payload {
            msg: secret.expose().as_bytes(),
            aad: context.as_bytes(),
        };
        let ciphertext = self
            .cipher
            .encrypt(&nonce, payload)
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&ciphertext);
        format!("{FORMAT_PREFIX}{}", URL_SAFE_NO_PAD.encode(sealed))
    }

    pub fn open(&self, sealed: &str, context: &str) -> Result<Secret, SecretError> {
        let encoded = sealed
            .strip_prefix(FORMAT_PREFIX)
            .ok_or(SecretError::Undecryptable)?;
        let bytes = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| SecretError::Undecryptable)?;
        if bytes.len() < NONCE_LEN {
            return Err(SecretError::Undecryptable);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let payload = Payload {
            msg: ciphertext,
            aad: context.as_bytes(),
        };
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), payload)
            .map_err(|_| SecretError::Undecryptable)?;
        String::from_utf8(plain)
            .map(Secret)
            .map_err(|_| SecretError::Undecryptable)
    }
}

fn decode_key(text: &str) -> Option<[u8; 32]> {
    STANDARD.decode(text.trim()).ok()?.try_into().ok()
}

/// Refuses a key file that group or others may read: the key opens every
/// sealed secret, so it is not used until its mode is fixed. A missing file
/// passes (it is created private).
pub fn check_key_file(path: &Path) -> Result<(), SecretError> {
    let mode = crate::data_dir::mode_of(path).map_err(|source| SecretError::KeyFile {
        path: path.to_path_buf(),
        source,
    })?;
    match mode {
        Some(mode) if mode & 0o044 != 0 => Err(SecretError::KeyFileReadable {
            path: path.to_path_buf(),
            mode,
        }),
        _ => Ok(()),
    }
}

fn load_or_create_key_file(path: &Path) -> Result<[u8; 32], SecretError> {
    let key_file_error = |source| SecretError::KeyFile {
        path: path.to_path_buf(),
        source,
    };
    check_key_file(path)?;
    match std::fs::read_to_string(path) {
        Ok(text) => {
            return decode_key(&text).ok_or_else(|| SecretError::MalformedKeyFile {
                path: path.to_path_buf(),
            });
        }
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            return Err(key_file_error(error));
        }
        Err(_) => {}
    }
    if let Some(parent) = path.parent() {
        crate::data_dir::create_private_dir(parent).map_err(key_file_error)?;
    }
    let key: [u8; 32] = Aes256Gcm::generate_key(&mut OsRng).into();
    match crate::data_dir::private_file_options()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(mut file) => {
            file.write_all(format!("{}\n", STANDARD.encode(key)).as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(key_file_error)?;
            tracing::info!(path = %path.display(), "created the master key for secrets; back it up separately from the database");
            Ok(key)
        }
        // Another process created it first: use theirs.
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            load_or_create_key_file(path)
        }
        Err(error) => Err(key_file_error(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret_box() -> (tempfile::TempDir, SecretBox) {
        let dir = tempfile::tempdir().unwrap();
        let secret_box = SecretBox::load(dir.path(), None).unwrap();
        (dir, secret_box)
    }

    #[test]
    fn seals_and_opens_with_the_same_context() {
        let (_dir, secret_box) = secret_box();
        let secret = Secret::new("pässwörd ✓");
        let sealed = secret_box.seal(&secret, "mailbox:1:password");
        assert!(sealed.starts_with("v1."));
        assert!(!sealed.contains("pässwörd"));
        assert_eq!(
            secret_box.open(&sealed, "mailbox:1:password").unwrap(),
            secret
        );
        assert_ne!(
            sealed,
            secret_box.seal(&secret, "mailbox:1:password"),
            "a fresh nonce each time"
        );
    }

    #[test]
    fn a_moved_or_altered_value_does_not_open() {
        let (_dir, secret_box) = secret_box();
        let sealed = secret_box.seal(&Secret::new("hunter2"), "mailbox:1:password");
        assert!(matches!(
            secret_box.open(&sealed, "mailbox:2:password"),
            Err(SecretError::Undecryptable)
        ));
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 2;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).unwrap();
        assert!(secret_box.open(&altered, "mailbox:1:password").is_err());
        assert!(secret_box.open("plain text", "mailbox:1:password").is_err());
        assert!(secret_box.open("v1.", "mailbox:1:password").is_err());
    }

    #[test]
    fn the_key_file_is_private_and_reused() {
        let (dir, first) = secret_box();
        let path = dir.path().join(KEY_FILE);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let sealed = first.seal(&Secret::new("kept"), "c");
        let second = SecretBox::load(dir.path(), None).unwrap();
        assert_eq!(second.open(&sealed, "c").unwrap().expose(), "kept");

        let other_dir = tempfile::tempdir().unwrap();
        let other = SecretBox::load(other_dir.path(), None).unwrap();
        assert!(
            other.open(&sealed, "c").is_err(),
            "another key cannot open it"
        );
    }

    #[test]
    fn an_environment_key_wins_and_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        let key = STANDARD.encode([7u8; 32]);
        let from_env = SecretBox::load(dir.path(), Some(&key)).unwrap();
        assert!(!dir.path().join(KEY_FILE).exists());
        let sealed = from_env.seal(&Secret::new("x"), "c");
        assert_eq!(
            SecretBox::load(dir.path(), Some(&key))
                .unwrap()
                .open(&sealed, "c")
                .unwrap()
                .expose(),
            "x"
        );
        assert!(matches!(
            SecretBox::load(dir.path(), Some("short")),
            Err(SecretError::MalformedKey)
        ));

        let key_file = dir.path().join(KEY_FILE);
        std::fs::write(&key_file, "garbage").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        assert!(matches!(
            SecretBox::load(dir.path(), None),
            Err(SecretError::MalformedKeyFile { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_others_can_read_is_refused_with_the_fix() {
        use std::os::unix::fs::PermissionsExt;
        let (dir, _) = secret_box();
        let key_file = dir.path().join(KEY_FILE);
        for mode in [0o644, 0o640, 0o604] {
            std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(mode)).unwrap();
            let refused = SecretBox::load(dir.path(), None).err().unwrap();
            assert!(
                matches!(refused, SecretError::KeyFileReadable { .. }),
                "{refused:?}"
            );
            assert!(
                refused
                    .to_string()
                    .contains(&format!("chmod 600 {}", key_file.display()))
            );
        }
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(SecretBox::load(dir.path(), None).is_ok());
    }

    #[test]
    fn secrets_never_print() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(***)");
    }
}
