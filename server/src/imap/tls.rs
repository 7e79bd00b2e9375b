//! TLS for IMAP: which certificates are trusted, the opt-in exceptions a
//! mailbox may carry (a CA file, another name, any certificate, or one
//! certificate pinned by its SHA-256 fingerprint), the certificate the
//! server presented (kept even when it was refused, so the person can see
//! and trust it), and what a failed handshake means in words an
//! administrator can act on.

use super::{Endpoint, ImapError};
use crate::connect::CaFileError;
pub use app::model::probe::PeerCertificate;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio_rustls::rustls::client::WebPkiServerVerifier;
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::crypto::{CryptoProvider, ring};
use tokio_rustls::rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

/// How the server's certificate is checked. The default verifies the chain
/// against the public roots (plus `ca_file`) and the name against the host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// Extra trusted CA certificates (PEM), in addition to the public roots.
    pub ca_file: Option<PathBuf>,
    /// Accept any certificate (self-signed, expired, wrong name). Opt-in per
    /// mailbox and shown as a warning: the connection is encrypted but not authenticated.
    pub accept_invalid_certs: bool,
    /// Check the certificate against this name instead of the host, for
    /// servers reached by IP or an internal alias.
    pub expected_name: Option<String>,
    /// Trust exactly the certificate with this SHA-256 (lower-case hex of
    /// its DER), whoever issued it, as SSH trusts a known host key.
    pub pinned_sha256: Option<String>,
}

impl TlsOptions {
    /// Whether these options weaken verification (the mailbox shows a warning).
    pub fn is_insecure(&self) -> bool {
        self.accept_invalid_certs || self.expected_name.is_some()
    }
}

/// Reads what the editor shows of a certificate (DER).
pub fn read_certificate(der: &[u8]) -> PeerCertificate {
    let sha256 = hex::encode(Sha256::digest(der));
    match x509_parser::parse_x509_certificate(der) {
        Ok((_, certificate)) => {
            let names = certificate
                .subject_alternative_name()
                .ok()
                .flatten()
                .map(|extension| {
                    extension
                        .value
                        .general_names
                        .iter()
                        .filter_map(|name| match name {
                            x509_parser::extensions::GeneralName::DNSName(dns) => {
                                Some(dns.to_string())
                            }
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default();
            PeerCertificate {
                subject: certificate.subject().to_string(),
                issuer: certificate.issuer().to_string(),
                not_before: certificate.validity().not_before.to_string(),
                not_after: certificate.validity().not_after.to_string(),
                names,
                sha256,
            }
        }
        Err(error) => PeerCertificate {
            subject: format!("(unreadable certificate: {error})"),
            issuer: String::new(),
            not_before: String::new(),
            not_after: String::new(),
            names: Vec::new(),
            sha256,
        },
    }
}

/// The name the certificate must carry.
pub(super) fn server_name(endpoint: &Endpoint) -> Result<ServerName<'static>, ImapError> {
    let name = endpoint
        .tls
        .expected_name
        .clone()
        .unwrap_or_else(|| endpoint.host.clone());
    ServerName::try_from(name.clone())
        .map_err(|error| ImapError::Tls(format!("invalid host name {name:?}: {error}")))
}

/// The certificate a server presented in a handshake, kept by the verifier
/// whether it accepted it or not.
#[derive(Debug, Clone, Default)]
pub(super) struct Presented(Arc<Mutex<Option<CertificateDer<'static>>>>);

impl Presented {
    fn keep(&self, der: &CertificateDer<'_>) {
        if let Ok(mut kept) = self.0.lock() {
            *kept = Some(der.clone().into_owned());
        }
    }

    /// What the editor shows of it, if the server got as far as presenting one.
    pub(super) fn certificate(&self) -> Option<PeerCertificate> {
        let kept = self.0.lock().ok()?;
        kept.as_ref().map(|der| read_certificate(der))
    }
}

/// The configuration for a handshake under `options`, and where its
/// verifier keeps the certificate presented. `ca_certificates`: those of
/// `options.ca_file`, read by the caller (`connect::read_ca_file`: bounded,
/// off the runtime).
pub(super) fn client_config(
    options: &TlsOptions,
    ca_certificates: Vec<CertificateDer<'static>>,
) -> Result<(ClientConfig, Presented), ImapError> {
    let provider = Arc::new(ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|error| ImapError::Tls(error.to_string()))?;
    // With a pin, only the handshake's signatures are left to check.
    let decides: Arc<dyn ServerCertVerifier> =
        if options.accept_invalid_certs || options.pinned_sha256.is_some() {
            Arc::new(AcceptAnyCertificate(provider))
        } else {
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots(ca_certificates)?), provider)
                .build()
                .map_err(|error| ImapError::Tls(error.to_string()))?
        };
    let presented = Presented::default();
    let config = builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Keeping {
            decides,
            pinned: options.pinned_sha256.clone(),
            presented: presented.clone(),
        }))
        .with_no_client_auth();
    Ok((config, presented))
}

fn roots(ca_certificates: Vec<CertificateDer<'static>>) -> Result<RootCertStore, ImapError> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for certificate in ca_certificates {
        roots.add(certificate).map_err(|error| {
            tracing::warn!(%error, "a certificate of the CA file is no usable CA");
            CaFileError
        })?;
    }
    Ok(roots)
}

/// Why the server's certificate was refused, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateProblem {
    #[error(
        "the certificate of {host} is not trusted (issued by an unknown authority); compare its SHA-256 fingerprint with the one the server's administrator gives you and trust that certificate, or have an administrator add the issuing CA as a CA file"
    )]
    Untrusted { host: String },
    #[error("the certificate of {host} has expired; the server's administrator must renew it")]
    Expired { host: String },
    #[error("the certificate of {host} is not valid yet; check the clocks of both machines")]
    NotYetValid { host: String },
    #[error(
        "the certificate is not valid for the name {name}; connect using a name the certificate lists, or set the expected certificate name"
    )]
    WrongName { name: String },
    #[error(
        "the certificate of {host} has changed: this mailbox trusts only the certificate with SHA-256 {pinned}, and the server now presents {presented}. If the server's certificate was renewed, check the new fingerprint with its administrator and trust it in the mailbox's settings; otherwise someone may be intercepting the connection"
    )]
    Changed {
        host: String,
        pinned: String,
        presented: String,
    },
    #[error("the certificate of {host} was refused: {reason}")]
    Other { host: String, reason: String },
}

/// Reads a failed handshake: a certificate problem, or `None` for anything
/// else. `presented`: the certificate the server showed, if any.
pub(super) fn certificate_problem(
    endpoint: &Endpoint,
    error: &std::io::Error,
    presented: Option<&PeerCertificate>,
) -> Option<CertificateProblem> {
    let rustls_error = error
        .get_ref()?
        .downcast_ref::<tokio_rustls::rustls::Error>()?;
    let tokio_rustls::rustls::Error::InvalidCertificate(certificate_error) = rustls_error else {
        return None;
    };
    let host = endpoint.host.clone();
    if let Some(pinned) = &endpoint.tls.pinned_sha256 {
        return Some(CertificateProblem::Changed {
            host,
            pinned: pinned.clone(),
            presented: presented
                .map_or_else(|| "no readable certificate".into(), |c| c.sha256.clone()),
        });
    }
    Some(match certificate_error {
        CertificateError::UnknownIssuer => CertificateProblem::Untrusted { host },
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            CertificateProblem::Expired { host }
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            CertificateProblem::NotYetValid { host }
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            CertificateProblem::WrongName {
                name: endpoint.tls.expected_name.clone().unwrap_or(host),
            }
        }
        other => CertificateProblem::Other {
            host,
            reason: format!("{other:?}"),
        },
    })
}

/// Keeps the certificate presented (the person can see and pin one that
/// was refused), then decides: with a pin, by the pin alone; otherwise as
/// `decides` does. The handshake's signatures are always `decides`' to check.
///
/// A pin accepts exactly the certificate whose SHA-256 it is, and the
/// signatures (checked by `AcceptAnyCertificate` then) prove the peer holds
/// that certificate's private key. Neither the issuer, the validity dates
/// nor the name are checked, on purpose: they are what a CA vouches for, and
/// a pin replaces the CA — the person compared this very certificate (in
/// practice a self-signed one, often for another name or long expired) and
/// decided to trust the server holding its key, as SSH trusts a host key. A
/// name check would add nothing (whoever holds the key is the server that
/// was trusted) and would refuse the certificates pinning is for. Any other
/// certificate, even one a CA vouches for, is refused
/// (`CertificateProblem::Changed` names both fingerprints).
#[derive(Debug)]
struct Keeping {
    decides: Arc<dyn ServerCertVerifier>,
    pinned: Option<String>,
    presented: Presented,
}

impl ServerCertVerifier for Keeping {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, tokio_rustls::rustls::Error> {
        self.presented.keep(end_entity);
        match &self.pinned {
            Some(pinned) if *pinned == hex::encode(Sha256::digest(end_entity.as_ref())) => {
                Ok(ServerCertVerified::assertion())
            }
            Some(_) => Err(tokio_rustls::rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            )),
            None => self.decides.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            ),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, tokio_rustls::rustls::Error> {
        self.decides
            .verify_tls12_signature(message, certificate, signature)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, tokio_rustls::rustls::Error> {
        self.decides
            .verify_tls13_signature(message, certificate, signature)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.decides.supported_verify_schemes()
    }
}

/// Accepts any certificate but still checks the handshake signatures, so the
/// connection is at least bound to the key the server presented.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, tokio_rustls::rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, tokio_rustls::rustls::Error> {
        tokio_rustls::rustls::crypto::verify_tls12_signature(
            message,
            certificate,
            signature,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, tokio_rustls::rustls::Error> {
        tokio_rustls::rustls::crypto::verify_tls13_signature(
            message,
            certificate,
            signature,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
