//! One stream type for plain and TLS connections, so a session's type does not
//! depend on how it was secured; every byte the server sends passes the
//! session's `ResponseGuard` before the IMAP library sees it.

use super::guard::ResponseGuard;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

#[derive(Debug)]
pub struct MailStream {
    transport: Transport,
    guard: ResponseGuard,
}

#[derive(Debug)]
enum Transport {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl MailStream {
    /// Until `limit_literals`, a literal may be as large as the default
    /// maximum message size.
    pub fn plain(tcp: TcpStream) -> MailStream {
        MailStream::new(Transport::Plain(tcp))
    }

    pub fn tls(stream: TlsStream<TcpStream>) -> MailStream {
        MailStream::new(Transport::Tls(Box::new(stream)))
    }

    fn new(transport: Transport) -> MailStream {
        MailStream {
            transport,
            guard: ResponseGuard::new(crate::mailbox::DEFAULT_MAX_MESSAGE_BYTES),
        }
    }

    /// The TCP stream of a plain connection (for STARTTLS); `None` if it is
    /// secured already.
    pub fn into_plain(self) -> Option<TcpStream> {
        match self.transport {
            Transport::Plain(tcp) => Some(tcp),
            Transport::Tls(_) => None,
        }
    }

    /// The largest literal (message) the server may send from now on.
    pub fn limit_literals(&self, bytes: u64) {
        self.guard.set_limit(bytes);
    }
}

impl AsyncRead for MailStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let read = match &mut this.transport {
            Transport::Plain(stream) => Pin::new(stream).poll_read(cx, buf),
            Transport::Tls(stream) => Pin::new(stream.as_mut()).poll_read(cx, buf),
        };
        if let Poll::Ready(Ok(())) = read
            && let Err(refusal) = this.guard.inspect(&buf.filled()[before..])
        {
            // Nothing of it reaches the IMAP library: it would size its
            // buffer from the announcement.
            buf.set_filled(before);
            return Poll::Ready(Err(io::Error::other(refusal)));
        }
        read
    }
}

impl AsyncWrite for MailStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match &mut self.get_mut().transport {
            Transport::Plain(stream) => Pin::new(stream).poll_write(cx, buf),
            Transport::Tls(stream) => Pin::new(stream.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().transport {
            Transport::Plain(stream) => Pin::new(stream).poll_flush(cx),
            Transport::Tls(stream) => Pin::new(stream.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().transport {
            Transport::Plain(stream) => Pin::new(stream).poll_shutdown(cx),
            Transport::Tls(stream) => Pin::new(stream.as_mut()).poll_shutdown(cx),
        }
    }
}
