//! The certificate the receiver shows for STARTTLS: a chain and its private
//! key, both PEM files (as Let's Encrypt or an internal CA writes them),
//! read once at start into a rustls `ServerConfig`.

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring;

#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    #[error("cannot read the certificate chain {path}: {source}")]
    Certificates {
        path: PathBuf,
        #[source]
        source: rustls_pki_types::pem::Error,
    },
    #[error("{path} holds no PEM certificate")]
    NoCertificate { path: PathBuf },
    #[error("cannot read the private key {path}: {source}")]
    Key {
        path: PathBuf,
        #[source]
        source: rustls_pki_types::pem::Error,
    },
    #[error("the certificate and key cannot be used: {0}")]
    Rustls(#[from] tokio_rustls::rustls::Error),
}

/// The TLS configuration for the chain in `certificates` (PEM, the server's
/// certificate first) and the key in `key` (PEM: PKCS#8, PKCS#1 or SEC1).
pub fn load_tls(certificates: &Path, key: &Path) -> Result<Arc<ServerConfig>, TlsSetupError> {
    let chain = CertificateDer::pem_file_iter(certificates)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|source| TlsSetupError::Certificates {
            path: certificates.to_path_buf(),
            source,
        })?;
    if chain.is_empty() {
        return Err(TlsSetupError::NoCertificate {
            path: certificates.to_path_buf(),
        });
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|source| TlsSetupError::Key {
        path: key.to_path_buf(),
        source,
    })?;
    server_config(chain, key)
}

/// The configuration for a chain and key already read.
pub(super) fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, TlsSetupError> {
    let config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    Ok(Arc::new(config))
}
