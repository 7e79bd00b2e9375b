//! A POP3 session on one connection: commands out, responses in, every read
//! bounded (a line by `MAX_LINE_BYTES`, a message by the mailbox's maximum
//! message size) and timed (a server that goes silent ends the session).
//!
//! Generic over the stream so that the same code reads a plain connection
//! before `STLS` and the TLS one after it; `Pop3Session` is the session a
//! run holds, whatever secured it.

use super::Pop3Error;
use super::response::{self, BodyLine, MAX_LINE_BYTES, ResponseError, Status};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

/// What a session runs on: a TCP stream, or TLS over one.
pub trait Transport: AsyncRead + AsyncWrite + Unpin + Send {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send> Transport for T {}

/// An authenticated (or about to be) session, however it was secured.
pub type Pop3Session = Session<Box<dyn Transport>>;

/// Bytes a multi-line answer may carry besides its message: the line ends
/// a server adds, its stuffing dots. Beyond the limit plus this, the
/// session ends (a server may state a smaller size than it sends).
const BODY_OVERHEAD_BYTES: u64 = 1024 * 1024;

pub struct Session<S> {
    stream: BufReader<S>,
    /// Applies to each line read and each command written: a large message
    /// arrives line by line, a silent server fails the step.
    timeout: Duration,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Session<S> {
    pub fn new(stream: S, timeout: Duration) -> Session<S> {
        Session {
            stream: BufReader::new(stream),
            timeout,
        }
    }

    /// The stream under the session, for the TLS handshake after `STLS`.
    /// Refused when the server sent anything beyond its answer: bytes that
    /// arrived unencrypted must not be read as if they came over TLS
    /// (the STARTTLS command injection of CVE-2011-0411, from the other side).
    pub fn into_stream(self) -> Result<S, Pop3Error> {
        if !self.stream.buffer().is_empty() {
            return Err(Pop3Error::DataBeforeTls);
        }
        Ok(self.stream.into_inner())
    }

    /// The server's greeting text; an `-ERR` greeting refuses the session.
    pub async fn greeting(&mut self) -> Result<String, Pop3Error> {
        self.status("greeting").await
    }

    /// Sends `line` and reads its status: the `+OK` text, or `Refused`.
    pub async fn command(
        &mut self,
        line: &str,
        command: &'static str,
    ) -> Result<String, Pop3Error> {
        self.send(line).await?;
        self.status(command).await
    }

    /// Sends one command line (CRLF added). A line break inside would be
    /// a second command: refused, whatever put it there.
    pub async fn send(&mut self, line: &str) -> Result<(), Pop3Error> {
        if line.contains(['\r', '\n', '\0']) {
            return Err(Pop3Error::LineBreakInArgument);
        }
        let write = async {
            let stream = self.stream.get_mut();
            stream.write_all(line.as_bytes()).await?;
            stream.write_all(b"\r\n").await?;
            stream.flush().await
        };
        tokio::time::timeout(self.timeout, write)
            .await
            .map_err(|_| self.timed_out("sending a command"))??;
        Ok(())
    }

    /// Reads a status line: the `+OK` text, or `Refused` with the `-ERR` text.
    pub async fn status(&mut self, command: &'static str) -> Result<String, Pop3Error> {
        let line = self.line(command).await?;
        match response::status(&line)? {
            Status::Ok(text) => Ok(text),
            Status::Err(text) => Err(Pop3Error::Refused { command, text }),
        }
    }

    /// Reads a status line or a SASL continuation: `Ok(None)` for `+OK`,
    /// `Ok(Some(challenge))` for `+ …`.
    pub async fn status_or_continuation(
        &mut self,
        command: &'static str,
    ) -> Result<Option<String>, Pop3Error> {
        let line = self.line(command).await?;
        if let Some(challenge) = response::continuation(&line) {
            return Ok(Some(challenge));
        }
        match response::status(&line)? {
            Status::Ok(_) => Ok(None),
            Status::Err(text) => Err(Pop3Error::Refused { command, text }),
        }
    }

    /// The lines of a multi-line listing (`UIDL`, `LIST`, `CAPA`) after its
    /// status line, each without its stuffing; at most `MAX_LINE_BYTES` each.
    pub async fn listing(&mut self, command: &'static str) -> Result<Vec<Vec<u8>>, Pop3Error> {
        let mut lines = Vec::new();
        loop {
            let line = self.line(command).await?;
            match response::body_line(&line) {
                BodyLine::End => return Ok(lines),
                BodyLine::Data(data) => lines.push(data.to_vec()),
            }
        }
    }

    /// A multi-line body after its status line (`RETR`, `TOP`): the message
    /// as stored, its stuffing undone. More than `limit` bytes (with the
    /// overhead of line ends and dots) end the session: the rest is not read.
    pub async fn body(&mut self, limit: u64) -> Result<Vec<u8>, Pop3Error> {
        let budget = limit.saturating_add(BODY_OVERHEAD_BYTES);
        let mut body = Vec::new();
        let mut read: u64 = 0;
        let mut line = Vec::new();
        loop {
            line.clear();
            let remaining = budget.saturating_sub(read);
            let mut bounded = (&mut self.stream).take(remaining);
            let count = tokio::time::timeout(self.timeout, bounded.read_until(b'\n', &mut line))
                .await
                .map_err(|_| self.timed_out("reading a message"))??;
            read += count as u64;
            if count == 0 {
                return Err(if remaining == 0 {
                    Pop3Error::TooLarge { limit }
                } else {
                    Pop3Error::Closed
                });
            }
            if !line.ends_with(b"\n") && read >= budget {
                return Err(Pop3Error::TooLarge { limit });
            }
            match response::body_line(&line) {
                BodyLine::End => return Ok(body),
                BodyLine::Data(data) => body.extend_from_slice(data),
            }
            if body.len() as u64 > limit {
                return Err(Pop3Error::TooLarge { limit });
            }
        }
    }

    /// One line with its line end, at most `MAX_LINE_BYTES`.
    async fn line(&mut self, command: &'static str) -> Result<Vec<u8>, Pop3Error> {
        let mut line = Vec::new();
        let limit = MAX_LINE_BYTES as u64 + 1;
        let mut bounded = (&mut self.stream).take(limit);
        let count = tokio::time::timeout(self.timeout, bounded.read_until(b'\n', &mut line))
            .await
            .map_err(|_| self.timed_out(command))??;
        if count == 0 {
            return Err(Pop3Error::Closed);
        }
        if line.len() > MAX_LINE_BYTES {
            return Err(ResponseError::LineTooLong.into());
        }
        Ok(line)
    }

    fn timed_out(&self, step: &'static str) -> Pop3Error {
        Pop3Error::Timeout {
            step,
            after: self.timeout,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::duplex;

    /// A session whose server sent `script`.
    async fn session_reading(script: &[u8]) -> Session<tokio::io::DuplexStream> {
        let (client, mut server) = duplex(1 << 20);
        server.write_all(script).await.unwrap();
        // Keep the server's end open: dropping it would read as a closed connection.
        std::mem::forget(server);
        Session::new(client, Duration::from_secs(5))
    }

    #[tokio::test]
    async fn a_body_is_read_unstuffed_up_to_its_terminator() {
        let message = b"Subject: x\r\n\r\n.dot\r\nend\r\n";
        let mut wire = response::dot_stuffed(message);
        wire.extend_from_slice(b"+OK next\r\n");
        let mut session = session_reading(&wire).await;
        assert_eq!(session.body(1000).await.unwrap(), message);
        assert_eq!(session.status("NOOP").await.unwrap(), "next");
    }

    #[tokio::test]
    async fn a_body_above_the_limit_ends_the_session() {
        let message = vec![b'x'; 3000];
        let wire = response::dot_stuffed(&message);
        let mut session = session_reading(&wire).await;
        assert!(matches!(
            session.body(1000).await,
            Err(Pop3Error::TooLarge { limit: 1000 })
        ));
    }

    #[tokio::test]
    async fn an_endless_line_is_refused_before_it_is_buffered() {
        let mut session = session_reading(&vec![b'+'; MAX_LINE_BYTES * 2]).await;
        assert!(matches!(
            session.greeting().await,
            Err(Pop3Error::Malformed(ResponseError::LineTooLong))
        ));
    }

    #[tokio::test]
    async fn an_err_answer_is_a_refusal_with_the_servers_words() {
        let mut session = session_reading(b"-ERR [AUTH] no\r\n").await;
        let error = session.status("PASS").await.unwrap_err();
        assert!(
            matches!(&error, Pop3Error::Refused { command: "PASS", text } if text == "[AUTH] no"),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn a_command_with_a_line_break_is_never_sent() {
        let mut session = session_reading(b"").await;
        assert!(matches!(
            session.send("USER a\r\nDELE 1").await,
            Err(Pop3Error::LineBreakInArgument)
        ));
    }

    #[tokio::test]
    async fn bytes_sent_before_the_tls_handshake_refuse_the_upgrade() {
        let mut session = session_reading(b"+OK begin TLS\r\n+OK injected\r\n").await;
        session.status("STLS").await.unwrap();
        assert!(matches!(
            session.into_stream(),
            Err(Pop3Error::DataBeforeTls)
        ));
    }
}
