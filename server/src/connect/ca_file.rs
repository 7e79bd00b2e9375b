//! CA files: extra trusted certificates an administrator names for an IMAP
//! or SMTP server (a company CA). Read off the async runtime, at most
//! `MAX_CA_FILE_BYTES`, within `CA_FILE_TIMEOUT`, and only from a regular
//! file: `/dev/zero` or a FIFO must not keep a thread reading or waiting.
//! Whatever is wrong, the error is the one `CaFileError`, so its text tells
//! nobody whether some file exists on the server; the reason goes to the log.

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::Duration;

/// A bundle of CA certificates is a few hundred kilobytes at most (all of
/// Mozilla's roots are about 200 KiB); anything larger is not a CA file.
pub const MAX_CA_FILE_BYTES: u64 = 1024 * 1024;

/// Reading a local file of at most `MAX_CA_FILE_BYTES` takes milliseconds;
/// a file system that does not answer in this time fails the connection
/// instead of holding it.
pub const CA_FILE_TIMEOUT: Duration = Duration::from_secs(5);

/// The CA file cannot be used (missing, unreadable, not a regular file, too
/// large, no PEM certificate in it, or a certificate that is no CA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot use this CA file: name a readable file of PEM certificates on the Tresor server, at most 1 MiB"
)]
pub struct CaFileError;

/// The certificates in the PEM file at `path`.
pub async fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, CaFileError> {
    let owned = path.to_path_buf();
    let reading = tokio::task::spawn_blocking(move || read_certificates(&owned));
    let outcome = match tokio::time::timeout(CA_FILE_TIMEOUT, reading).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(failed)) => Err(format!("reading failed: {failed}")),
        Err(_) => Err(format!(
            "no answer from the file system within {} s",
            CA_FILE_TIMEOUT.as_secs()
        )),
    };
    outcome.map_err(|reason| {
        tracing::warn!(path = %path.display(), reason, "cannot use the CA file");
        CaFileError
    })
}

/// Blocking: runs on the blocking pool.
fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    // Devices, FIFOs and directories are refused before they are opened:
    // opening some devices has effects of its own.
    let regular_file = |metadata: &std::fs::Metadata| {
        if !metadata.is_file() {
            return Err("not a regular file".to_string());
        }
        if metadata.len() > MAX_CA_FILE_BYTES {
            return Err(format!("larger than {MAX_CA_FILE_BYTES} bytes"));
        }
        Ok(())
    };
    regular_file(&std::fs::metadata(path).map_err(|error| error.to_string())?)?;
    // Non-blocking, so a FIFO put in its place meanwhile does not wait for a
    // writer; checked again on what was opened.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|error| error.to_string())?;
    regular_file(&file.metadata().map_err(|error| error.to_string())?)?;
    let mut pem = Vec::new();
    file.take(MAX_CA_FILE_BYTES + 1)
        .read_to_end(&mut pem)
        .map_err(|error| error.to_string())?;
    if pem.len() as u64 > MAX_CA_FILE_BYTES {
        return Err(format!("larger than {MAX_CA_FILE_BYTES} bytes"));
    }
    let certificates = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| format!("not PEM: {error}"))?;
    if certificates.is_empty() {
        return Err("no PEM certificate in it".into());
    }
    Ok(certificates)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// A self-signed CA certificate (`openssl req -x509 -newkey ec …`).
    const CA_PEM: &str = "-----BEGIN CERTIFICATE-----
MIIBhjCCAS2gAwIBAgIUFNAq1XgKLF4X2PeS6GjdnpRtVwYwCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOVHJlc29yIFRlc3QgQ0EwHhcNMjYxMjAzMTAxOTMyWhcNMzYx
MTMwMTAxOTMyWjAZMRcwFQYDVQQDDA5UcmVzb3IgVGVzdCBDQTBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABBMlYN0G6pZv8pdPcGXS9ZQFVVcNQCUuGH46JdKnwGEZ
JB2oU0ajY538u0lyaDoQEOD/TDyLjvU1BJBF/5xtfIKjUzBRMB0GA1UdDgQWBBQW
cw8pTUZSVlX/UUrZzvQKvStsGzAfBgNVHSMEGDAWgBQWcw8pTUZSVlX/UUrZzvQK
vStsGzAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCIDzghjbGV85k
SgMf3NaF1YIFUM6ZrRSoR6UiFun3y12GAiAhDHynBJaEt99x91u0ORNoPq5J/a1O
04dFmXhCMMqcqw==
-----END CERTIFICATE-----
";

    #[tokio::test]
    async fn reads_the_certificates_of_a_pem_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, format!("{CA_PEM}{CA_PEM}")).unwrap();
        assert_eq!(read_ca_file(&path).await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn every_unusable_file_fails_fast_with_the_one_error() {
        let dir = tempfile::tempdir().unwrap();
        let too_big = dir.path().join("big.pem");
        let mut big = CA_PEM.repeat(1 + MAX_CA_FILE_BYTES as usize / CA_PEM.len());
        big.push_str(CA_PEM);
        std::fs::write(&too_big, big).unwrap();
        let not_pem = dir.path().join("notes.txt");
        std::fs::write(&not_pem, "just some text\n").unwrap();
        let fifo = dir.path().join("fifo");
        let c_path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);

        for path in [
            Path::new("/dev/zero"),
            Path::new("/dev/urandom"),
            Path::new("/nonexistent/ca.pem"),
            dir.path(),
            &too_big,
            &not_pem,
            &fifo,
        ] {
            let started = Instant::now();
            assert_eq!(
                read_ca_file(path).await,
                Err(CaFileError),
                "{}",
                path.display()
            );
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "{}: {:?}",
                path.display(),
                started.elapsed()
            );
        }
    }
}
