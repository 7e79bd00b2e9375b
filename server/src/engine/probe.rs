//! "Test connection": log in as a run would, and report what the server
//! offers — capabilities, certificate, folders with message counts and
//! whether the mailbox's rules select them — or the specific reason it failed.
//! Changes nothing on the server.

use super::graph_mailbox;
use super::settings::Settings;
use crate::graph::GraphError;
use crate::imap::{self, ImapError};
use crate::mailbox::{MailboxRow, Mailboxes, Source, SpecialUse};
pub use app::model::probe::{FolderInfo, ProbeReport};
use std::sync::Arc;
use std::time::Instant;

/// Runs the probe; never fails — a failure is the report's content.
pub async fn probe(mailboxes: &Arc<Mailboxes>, mailbox: &MailboxRow) -> ProbeReport {
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
    } else {
        run(mailboxes, mailbox, &mut report).await
    };
    if let Err((kind, error)) = outcome {
        report.error = Some(error);
        report.error_kind = Some(kind.to_string());
    } else {
        report.ok = true;
    }
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    report
}

async fn run(
    mailboxes: &Mailboxes,
    mailbox: &MailboxRow,
    report: &mut ProbeReport,
) -> Result<(), (&'static str, String)> {
    let settings = Settings::read(mailbox).map_err(|error| ("settings", error.to_string()))?;
    let (endpoint, credentials) = mailboxes
        .connection(mailbox)
        .await
        .map_err(|error| ("settings", error.to_string()))?;
    let imap::Connection {
        mut session,
        capabilities,
        certificate,
    } = imap::open(&endpoint, &credentials)
        .await
        .map_err(classify)?;
    report.capabilities = capabilities.names();
    report.certificate = certificate;
    let listed = imap::list_folders(&mut session, endpoint.timeout)
        .await
        .map_err(classify)?;
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

/// A Graph mailbox: a token from its grant, then the folder tree with counts.
async fn run_graph(
    mailboxes: &Arc<Mailboxes>,
    mailbox: &MailboxRow,
    report: &mut ProbeReport,
) -> Result<(), (&'static str, String)> {
    let settings = Settings::read(mailbox).map_err(|error| ("settings", error.to_string()))?;
    mailboxes
        .oauth_access_token(mailbox, None)
        .await
        .map_err(|error| ("authentication", error.to_string()))?;
    let client = graph_mailbox::client(mailboxes, mailbox);
    let folders = graph_mailbox::folders_with_roles(&client)
        .await
        .map_err(|error| {
            let kind = match &error {
                GraphError::Refused {
                    status: 401 | 403, ..
                }
                | GraphError::NoToken(_) => "authentication",
                GraphError::Unreachable { .. } => "connect",
                _ => "protocol",
            };
            (kind, error.to_string())
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
/// folder picker's toggle). The error is in words, like the probe's.
pub async fn set_subscription(
    mailboxes: &Mailboxes,
    mailbox: &MailboxRow,
    server_name: &str,
    subscribed: bool,
) -> Result<(), String> {
    let (endpoint, credentials) = mailboxes
        .connection(mailbox)
        .await
        .map_err(|error| error.to_string())?;
    let imap::Connection { mut session, .. } = imap::open(&endpoint, &credentials)
        .await
        .map_err(|error| classify(error).1)?;
    imap::set_subscribed(&mut session, server_name, subscribed, endpoint.timeout)
        .await
        .map_err(|error| classify(error).1)?;
    let _ = imap::logout(session, endpoint.timeout).await;
    Ok(())
}

fn classify(error: ImapError) -> (&'static str, String) {
    let kind = match &error {
        ImapError::Authentication { .. } => "authentication",
        ImapError::Certificate(_) => "certificate",
        ImapError::HostNotFound { .. } => "host_not_found",
        ImapError::Connect { .. } => "connect",
        ImapError::Timeout { .. } => "timeout",
        ImapError::Tls(_) | ImapError::Handshake { .. } | ImapError::StartTls(_) => "tls",
        _ => "protocol",
    };
    (kind, error.to_string())
}
