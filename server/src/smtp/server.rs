//! The receiver on the network: accepts connections within the allow-list
//! and the connection limit, and runs a `protocol::Session` on each — reads
//! with the idle timeout, writes the replies, asks `Deliver` about
//! recipients and messages, checks passwords (argon2, off the runtime), and
//! does the TLS handshake after STARTTLS. A shutdown stops accepting; each
//! session ends at its next read (421, the sender retries what it had not
//! finished), one storing a message finishes that first.

use super::protocol::{self, ByteBudget, Credentials, Session, Settings, Step};
use super::{Config, Deliver, Refusal};
use crate::auth::password::HashingSlot;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio_rustls::TlsAcceptor;

/// Bytes read from a connection at once: a BDAT chunk or a DATA burst
/// arrives in pieces of this size; the session keeps what it needs.
const READ_BUFFER_BYTES: usize = 64 * 1024;

/// How long a refused client (outside the allow-list, over the connection
/// limit) gets to take its one reply line before the connection is dropped.
const REFUSAL_WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// After a failed accept (out of file descriptors, mostly), a pause before
/// the next, so that the loop does not spin while the condition lasts.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// What all connections of one listener share.
struct Listener {
    config: Arc<Config>,
    deliver: Arc<dyn Deliver>,
    settings: Arc<Settings>,
    budget: Arc<ByteBudget>,
}

/// Serves SMTP (or LMTP) on `listener` until `shutdown` turns true (or its
/// sender is dropped), then waits for the running sessions to end.
pub async fn serve(
    listener: TcpListener,
    config: Arc<Config>,
    deliver: Arc<dyn Deliver>,
    mut shutdown: watch::Receiver<bool>,
) -> io::Result<()> {
    let shared = Arc::new(Listener {
        settings: Arc::new(Settings {
            protocol: config.protocol,
            hostname: config.hostname.clone(),
            max_message_bytes: config.max_message_bytes,
            starttls: config.tls.is_some(),
            auth: config.auth.is_some(),
        }),
        budget: Arc::new(ByteBudget::new(config.memory_budget_bytes)),
        config: config.clone(),
        deliver,
    });
    let connections = Arc::new(Semaphore::new(config.max_connections));
    tracing::info!(address = %listener.local_addr()?, protocol = ?config.protocol, "receiving mail");
    loop {
        let (stream, client) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "cannot accept an SMTP connection");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            _ = async { let _ = shutdown.wait_for(|stop| *stop).await; } => break,
        };
        if !config.allows(client.ip()) {
            tracing::warn!(%client, "SMTP client outside the allowed networks refused");
            tokio::spawn(refuse(stream, protocol::client_refused()));
            continue;
        }
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            tracing::warn!(%client, limit = config.max_connections, "SMTP connection over the limit refused");
            tokio::spawn(refuse(stream, protocol::too_many_connections()));
            continue;
        };
        let shared = shared.clone();
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            shared.run(stream, client, shutdown).await;
            drop(permit);
        });
    }
    tracing::info!("no longer receiving mail; waiting for the open sessions");
    let all = u32::try_from(config.max_connections).unwrap_or(u32::MAX);
    let _ = connections.acquire_many(all).await;
    Ok(())
}

/// Sends one reply and closes.
async fn refuse(mut stream: TcpStream, reply: protocol::Reply) {
    let _ = tokio::time::timeout(REFUSAL_WRITE_TIMEOUT, async {
        stream.write_all(&reply.to_bytes()).await?;
        stream.shutdown().await
    })
    .await;
}

/// How a stretch of conversation on one stream ended.
enum Ended {
    Closed,
    /// STARTTLS was accepted: the handshake comes next, on the same socket.
    StartTls,
}

impl Listener {
    async fn run(
        &self,
        mut tcp: TcpStream,
        client: SocketAddr,
        mut shutdown: watch::Receiver<bool>,
    ) {
        tracing::info!(%client, "SMTP connection");
        let mut session = Session::new(self.settings.clone(), client, self.budget.clone());
        let mut ended = self.converse(&mut session, &mut tcp, &mut shutdown).await;
        let wants_tls = matches!(ended, Ok(Ended::StartTls));
        if let (true, Some(tls)) = (wants_tls, &self.config.tls) {
            let handshake = tokio::time::timeout(
                self.config.idle_timeout,
                TlsAcceptor::from(tls.clone()).accept(tcp),
            )
            .await;
            ended = match handshake {
                Ok(Ok(mut secured)) => {
                    session.tls_started();
                    self.converse(&mut session, &mut secured, &mut shutdown)
                        .await
                }
                Ok(Err(error)) => Err(error),
                Err(_) => Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the TLS handshake took too long",
                )),
            };
        }
        if let Err(error) = ended {
            tracing::info!(%client, %error, "SMTP connection lost");
        }
        if session.in_transaction() {
            tracing::info!(%client, "SMTP connection ended before its message did: nothing delivered");
        }
        tracing::debug!(%client, "SMTP connection closed");
    }

    /// Runs the session on `stream` until it closes or asks for TLS.
    async fn converse<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        session: &mut Session,
        stream: &mut S,
        shutdown: &mut watch::Receiver<bool>,
    ) -> io::Result<Ended> {
        let mut buffer = vec![0; READ_BUFFER_BYTES];
        loop {
            match session.advance() {
                Step::NeedInput => {
                    self.send(stream, session.take_output()).await?;
                    // `None`: the server is shutting down (the watch's guard is
                    // dropped at once: it may not be held across an await).
                    let read = tokio::select! {
                        read = tokio::time::timeout(self.config.idle_timeout, stream.read(&mut buffer)) => Some(read),
                        _ = async { let _ = shutdown.wait_for(|stop| *stop).await; } => None,
                    };
                    let Some(read) = read else {
                        self.send(stream, protocol::shutting_down().to_bytes())
                            .await?;
                        return Ok(Ended::Closed);
                    };
                    match read {
                        Ok(Ok(0)) => return Ok(Ended::Closed),
                        Ok(Ok(received)) => session.receive(&buffer[..received]),
                        Ok(Err(error)) => return Err(error),
                        Err(_) => {
                            tracing::info!(client = %session.client(), "SMTP client idle for too long");
                            self.send(stream, protocol::idle_timeout().to_bytes())
                                .await?;
                            return Ok(Ended::Closed);
                        }
                    }
                }
                Step::CheckRecipient(address) => {
                    let outcome = self.deliver.accepts(&address).await;
                    match &outcome {
                        Ok(true) => {}
                        Ok(false) => tracing::info!(recipient = %address, "SMTP recipient unknown"),
                        Err(refusal) => log_refusal("recipient", refusal),
                    }
                    session.recipient_checked(outcome);
                }
                Step::CheckCredentials(credentials) => {
                    let right = self.credentials_right(&credentials).await;
                    if !right {
                        tracing::warn!(user = %credentials.user, "SMTP AUTH failed");
                    }
                    session.credentials_checked(right);
                }
                Step::Deliver => {
                    self.send(stream, session.take_output()).await?;
                    let outcome = match session.delivery() {
                        Some((envelope, message)) => {
                            let outcome = self.deliver.deliver(envelope, message).await;
                            match &outcome {
                                Ok(()) => tracing::info!(
                                    client = %envelope.client,
                                    from = %envelope.mail_from,
                                    recipients = envelope.rcpt_to.len(),
                                    bytes = message.len(),
                                    "message received"
                                ),
                                Err(refusal) => log_refusal("message", refusal),
                            }
                            outcome
                        }
                        None => Err(Refusal::Temporary("no message to deliver".into())),
                    };
                    session.delivered(outcome);
                }
                Step::StartTls => {
                    self.send(stream, session.take_output()).await?;
                    return Ok(Ended::StartTls);
                }
                Step::Close => {
                    self.send(stream, session.take_output()).await?;
                    let _ = stream.shutdown().await;
                    return Ok(Ended::Closed);
                }
            }
        }
    }

    /// Writes `bytes`, within the idle timeout (a client that stops reading
    /// holds the connection no longer than one that stops writing).
    async fn send<S: AsyncWrite + Unpin>(&self, stream: &mut S, bytes: Vec<u8>) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        tokio::time::timeout(self.config.idle_timeout, async {
            stream.write_all(&bytes).await?;
            stream.flush().await
        })
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "the client does not read"))?
    }

    /// Whether these are the configured user's name and password. An unknown
    /// name costs the same time as a wrong password.
    async fn credentials_right(&self, credentials: &Credentials) -> bool {
        let Some(auth) = &self.config.auth else {
            return false;
        };
        let stored = (credentials.user == auth.user).then_some(auth.password_hash.as_str());
        HashingSlot::acquire()
            .await
            .verify(&credentials.password, stored)
            .await
    }
}

fn log_refusal(what: &str, refusal: &Refusal) {
    match refusal {
        Refusal::Temporary(reason) => {
            tracing::warn!(what, %reason, "SMTP: storage refused for now (451)")
        }
        Refusal::Permanent(reason) => {
            tracing::warn!(what, %reason, "SMTP: storage refused (5xx)")
        }
    }
}
