//! "Test connection": log in as a run would, and report what the server
//! offers — capabilities, certificate, folders with message counts and
//! whether the mailbox's rules select them (a POP3 maildrop: its one inbox
//! and the message count) — or the specific reason it failed.
//! Changes nothing on the server.
//!
//! The reason is specific for administrators. Anyone else learns only that
//! Tresor cannot connect (`connect::CANNOT_CONNECT`) for whatever happened
//! before the server accepted a login: otherwise the test would tell them
//! what listens where, a port scanner for whatever the server can reach.
//! The one exception is a refused certificate, told with the certificate
//! presented so it can be trusted by its fingerprint: the handshake only
//! starts after the connection policy allowed the address
//! (`connect::destinations_for`), so it tells of a server this person may
//! reach anyway, and without it nobody but an administrator could connect a
//! server with a self-signed certificate.

use super::graph;
use super::pop3::MAILDROP;
use super::settings::Settings;
use crate::connect::{CANNOT_CONNECT, Disclosure};
use crate::graph::GraphError;
use crate::imap::{self, ImapError};
use crate::mailbox::{MailboxRow, Mailboxes, Source, SpecialUse};
use crate::pop3::{self, Pop3Error};
pub use app::model::probe::{FolderInfo, ProbeReport};
use std::sync::Arc;
use std::time::Instant;

/// Runs the probe; never fails — a failure is the report's content, told
/// as `disclosure` allows.
pub async fn probe(
    mailboxes: &Arc<Mailboxes>,
    mailbox: &MailboxRow,
    disclosure: Disclosure,
) -> ProbeReport {
    let started = Instant::now();
    let mut report = ProbeReport {
        mailbox: mailbox.name.clone(),
        ok: false,
        error: None,
        error_kind: None,
        capabilities: Vec::new(),
        certificate: None,
        insecure_tls: mailbox.accept_invalid_certs || mailbox.expected_cert_name.is_some(),
        folders: Vec::new(),
        elapsed_ms: 0,
    };
    let outcome = if mailbox.source == Source::Graph.as_str() {
        run_graph(mailboxes, mailbox, &mut report).await
    } else if mailbox.source == Source::Pop3.as_str() {
        run_pop3(mailboxes, mailbox, &mut report).await
    } else {
        run(mailboxes, mailbox, &mut report).await
    };
    if let Err(failure) = outcome {
        let (kind, error) = failure.told(&mailbox.name, disclosure);
        report.error = Some(error);
        report.error_kind = Some(kind.to_string());
    } else {
        report.ok = true;
    }
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    report
}

/// Why a probe (or a subscription change) failed.
struct Failure {
    /// What the editor's advice depends on: `authentication`, `connect`, …
    kind: &'static str,
    reason: String,
    /// Before the server accepted a login: the reason tells what answered.
    before_login: bool,
}

impl Failure {
    fn settings(error: impl ToString) -> Failure {
        Failure {
            kind: "settings",
            reason: error.to_string(),
            before_login: false,
        }
    }

    /// After a login the server is known to be a mail server that took the
    /// mailbox's credentials: what it says may be shown.
    fn after_login(error: ImapError) -> Failure {
        Failure {
            before_login: false,
            ..classify(error)
        }
    }

    /// The kind and text the asker sees; what is withheld goes to the log.
    fn told(self, mailbox: &str, disclosure: Disclosure) -> (&'static str, String) {
        if disclosure == Disclosure::Limited && self.before_login {
            tracing::info!(mailbox, kind = self.kind, reason = %self.reason, "a connection of a user's mailbox failed");
            return ("connect", CANNOT_CONNECT.to_string());
        }
        (self.kind, self.reason)
    }
}

async fn run(
    mailboxes: &Mailboxes,
    mailbox: &MailboxRow,
    report: &mut ProbeReport,
) -> Result<(), Failure> {
    let settings = Settings::read(mailbox).map_err(Failure::settings)?;
    let (endpoint, credentials) = mailboxes
        .connection(mailbox)
        .await
        .map_err(Failure::settings)?;
    let imap::Connection {
        mut session,
        capabilities,
        certificate,
    } = imap::open(&endpoint, &credentials).await.map_err(|error| {
        if let ImapError::Certificate { presented, .. } = &error {
            report.certificate = presented.as_deref().cloned();
        }
        classify(error)
    })?;
    report.capabilities = capabilities.names();
    report.certificate = certificate;
    let listed = imap::list_folders(&mut session, endpoint.timeout)
        .await
        .map_err(Failure::after_login)?;
    for folder in &listed {
        let messages = if folder.is_selectable() {
            tokio::time::timeout(endpoint.timeout, session.status(&folder.name, "(MESSAGES)"))
                .await
                .ok()
                .and_then(Result::ok)
                .map(|status| status.exists)
        } else {
            None
        };
        report.folders.push(FolderInfo {
            path: folder.path(),
            server_name: folder.name.clone(),
            messages,
            special_use: folder
                .attributes
                .iter()
                .find_map(|attribute| SpecialUse::from_attribute(attribute))
                .map(|special_use| special_use.as_str().to_string()),
            subscribed: folder.subscribed,
            selectable: folder.is_selectable(),
            selected: settings.selects(folder),
        });
    }
    let _ = imap::logout(session, endpoint.timeout).await;
    Ok(())
}

/// A POP3 mailbox: log in as a run would, then the capabilities and the
/// maildrop's message count (`STAT`).
async fn run_pop3(
    mailboxes: &Mailboxes,
    mailbox: &MailboxRow,
    report: &mut ProbeReport,
) -> Result<(), Failure> {
    let (endpoint, credentials) = mailboxes
        .pop3_connection(mailbox)
        .await
        .map_err(Failure::settings)?;
    let pop3::Connection {
        mut session,
        capabilities,
        certificate,
    } = pop3::open(&endpoint, &credentials).await.map_err(|error| {
        if let Pop3Error::Connection(ImapError::Certificate { presented, .. }) = &error {
            report.certificate = presented.as_deref().cloned();
        }
        classify_pop3(error)
    })?;
    report.capabilities = capabilities.names();
    report.certificate = certificate;
    let (messages, _) = session.stat().await.map_err(|error| Failure {
        before_login: false,
        ..classify_pop3(error)
    })?;
    report.folders.push(FolderInfo {
        path: MAILDROP.into(),
        server_name: MAILDROP.into(),
        messages: Some(messages),
        special_use: None,
        subscribed: true,
        selectable: true,
        selected: true,
    });
    let _ = session.quit().await;
    Ok(())
}

/// A failure of `pop3::open`: the connection's as IMAP's; a refused login
/// after it; anything else before the server accepted one.
fn classify_pop3(error: Pop3Error) -> Failure {
    let (kind, before_login) = match error {
        Pop3Error::Connection(error) => return classify(error),
        Pop3Error::Authentication(_) | Pop3Error::NoApop => ("authentication", false),
        Pop3Error::NoStls | Pop3Error::DataBeforeTls => ("tls", true),
        Pop3Error::Timeout { .. } => ("timeout", true),
        _ => ("protocol", true),
    };
    Failure {
        kind,
        reason: error.to_string(),
        before_login,
    }
}

/// A Graph mailbox: a token from its grant, then the folder tree with counts.
async fn run_graph(
    mailboxes: &Arc<Mailboxes>,
    mailbox: &MailboxRow,
    report: &mut ProbeReport,
) -> Result<(), Failure> {
    let settings = Settings::read(mailbox).map_err(Failure::settings)?;
    mailboxes
        .oauth_access_token(mailbox, None)
        .await
        .map_err(|error| Failure {
            kind: "authentication",
            reason: error.to_string(),
            before_login: false,
        })?;
    let client = graph::client(mailboxes, mailbox)
        .await
        .map_err(Failure::settings)?;
    let folders = graph::folders_with_roles(&client).await.map_err(|error| {
        let (kind, before_login) = match &error {
            GraphError::Refused {
                status: 401 | 403, ..
            }
            | GraphError::NoToken(_) => ("authentication", false),
            GraphError::Unreachable { .. } => ("connect", true),
            GraphError::BadAnswer { .. } => ("protocol", true),
            _ => ("protocol", false),
        };
        Failure {
            kind,
            reason: error.to_string(),
            before_login,
        }
    })?;
    for (folder, role) in folders {
        report.folders.push(FolderInfo {
            selected: settings.selects_graph(&folder, role),
            path: folder.path.clone(),
            server_name: folder.path,
            messages: u32::try_from(folder.total).ok(),
            special_use: role.map(|role| role.as_str().to_string()),
            subscribed: !folder.hidden,
            selectable: true,
        });
    }
    Ok(())
}

/// Subscribes or unsubscribes one folder of `mailbox` on its server (the
/// folder picker's toggle). The error is in words, like the probe's, told
/// as `disclosure` allows.
pub async fn set_subscription(
    mailboxes: &Mailboxes,
    mailbox: &MailboxRow,
    server_name: &str,
    subscribed: bool,
    disclosure: Disclosure,
) -> Result<(), String> {
    let told = |failure: Failure| failure.told(&mailbox.name, disclosure).1;
    let (endpoint, credentials) = mailboxes
        .connection(mailbox)
        .await
        .map_err(|error| told(Failure::settings(error)))?;
    let imap::Connection { mut session, .. } = imap::open(&endpoint, &credentials)
        .await
        .map_err(|error| told(classify(error)))?;
    imap::set_subscribed(&mut session, server_name, subscribed, endpoint.timeout)
        .await
        .map_err(|error| told(Failure::after_login(error)))?;
    let _ = imap::logout(session, endpoint.timeout).await;
    Ok(())
}

/// A failure of `imap::open`: everything but a refused login (and a CA file
/// that cannot be used, which says nothing about the server) happened
/// before the server accepted one.
fn classify(error: ImapError) -> Failure {
    let (kind, before_login) = match &error {
        ImapError::Authentication { .. } => ("authentication", false),
        ImapError::CaFile(_) => ("ca_file", false),
        // Past the connection policy; see the module's comment.
        ImapError::Certificate { .. } => ("certificate", false),
        ImapError::HostNotFound { .. } => ("host_not_found", true),
        ImapError::Connect { .. } | ImapError::Refused(_) => ("connect", true),
        ImapError::Timeout { .. } => ("timeout", true),
        ImapError::Tls(_) | ImapError::Handshake { .. } | ImapError::StartTls(_) => ("tls", true),
        _ => ("protocol", true),
    };
    Failure {
        kind,
        reason: error.to_string(),
        before_login,
    }
}
