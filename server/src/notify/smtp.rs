//! Sending one notification mail with lettre: implicit TLS (465) or STARTTLS
//! (587) with certificate verification, AUTH PLAIN/LOGIN, UTF-8 subjects and
//! names (lettre encodes them per RFC 2047).
//!
//! Only administrators set SMTP servers (the instance's and a mailbox's own),
//! so these connections may go anywhere (`connect::Destinations::Any`); the
//! CA file is read like an IMAP mailbox's (`connect::read_ca_file`).

use crate::connect::{self, CaFileError};
use crate::secrets::Secret;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// TLS from the first byte (port 465).
    Tls,
    /// Plain, then STARTTLS before anything else; refused without it (587).
    StartTls,
    /// No encryption: only for a relay on the same host or network.
    None,
}

impl SmtpSecurity {
    pub fn as_str(self) -> &'static str {
        match self {
            SmtpSecurity::Tls => "tls",
            SmtpSecurity::StartTls => "starttls",
            SmtpSecurity::None => "none",
        }
    }

    pub fn parse(text: &str) -> Option<SmtpSecurity> {
        match text {
            "tls" | "ssl" => Some(SmtpSecurity::Tls),
            "starttls" => Some(SmtpSecurity::StartTls),
            "none" => Some(SmtpSecurity::None),
            _ => None,
        }
    }
}

/// Where and how to send.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub from_address: String,
    pub from_name: String,
    /// Trust this CA (PEM) besides the public ones: a company CA.
    pub ca_file: Option<PathBuf>,
    /// Besides the administrators, for failure notices.
    pub extra_recipients: Vec<String>,
}

impl SmtpSettings {
    /// `smtp.example.com:587 (STARTTLS)`, for messages to people.
    pub fn describe(&self) -> String {
        let security = match self.security {
            SmtpSecurity::Tls => "TLS",
            SmtpSecurity::StartTls => "STARTTLS",
            SmtpSecurity::None => "unencrypted",
        };
        format!("{}:{} ({security})", self.host, self.port)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    #[error("{0} is not an e-mail address")]
    Address(String),
    #[error(transparent)]
    CaFile(#[from] CaFileError),
    #[error("building the mail: {0}")]
    Build(String),
    #[error("the mail server {host}:{port} refused or failed: {reason}")]
    Send {
        host: String,
        port: u16,
        reason: String,
    },
}

/// One plain-text mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
}

pub async fn send(settings: &SmtpSettings, mail: &Mail) -> Result<(), SmtpError> {
    let address = |text: &str| {
        text.trim()
            .parse()
            .map_err(|_| SmtpError::Address(text.to_string()))
    };
    let from = Mailbox::new(
        Some(settings.from_name.clone()).filter(|name| !name.is_empty()),
        address(&settings.from_address)?,
    );
    let mut builder = Message::builder()
        .from(from)
        .subject(mail.subject.clone())
        .header(ContentType::TEXT_PLAIN);
    for to in &mail.to {
        builder = builder.to(Mailbox::new(None, address(to)?));
    }
    let message = builder
        .body(mail.body.clone())
        .map_err(|error| SmtpError::Build(error.to_string()))?;

    let failed = |reason: String| SmtpError::Send {
        host: settings.host.clone(),
        port: settings.port,
        reason,
    };
    let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
        .port(settings.port)
        .timeout(Some(Duration::from_secs(30)));
    if settings.security != SmtpSecurity::None {
        let mut tls = TlsParameters::builder(settings.host.clone());
        if let Some(path) = &settings.ca_file {
            for certificate in connect::read_ca_file(path).await? {
                let certificate =
                    Certificate::from_der(certificate.to_vec()).map_err(|_| CaFileError)?;
                tls = tls.add_root_certificate(certificate);
            }
        }
        let tls = tls
            .build_rustls()
            .map_err(|error| failed(error.to_string()))?;
        transport = transport.tls(match settings.security {
            SmtpSecurity::Tls => Tls::Wrapper(tls),
            _ => Tls::Required(tls),
        });
    }
    if let (Some(username), Some(password)) = (&settings.username, &settings.password) {
        transport = transport
            .credentials(Credentials::new(
                username.clone(),
                password.expose().to_string(),
            ))
            .authentication(vec![Mechanism::Plain, Mechanism::Login]);
    }
    transport
        .build()
        .send(message)
        .await
        .map_err(|error| failed(error.to_string()))?;
    Ok(())
}
