//! Mail the tests receive: the test bed's SMTP sink (a directory of
//! envelopes and messages), an SMTP sink of a test's own, and what a
//! password-reset mail says.

use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

/// Mails in the test bed's SMTP sink `dir` addressed to `to`: (subject, envelope).
pub(crate) fn sink_mails(dir: &str, to: &str) -> Vec<(String, serde_json::Value)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|extension| extension != "json") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(envelope) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue; // being written
        };
        if !envelope["rcpt"]
            .as_array()
            .is_some_and(|rcpt| rcpt.iter().any(|address| address == to))
        {
            continue;
        }
        let raw = std::fs::read(path.with_extension("eml")).unwrap();
        let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
        found.push((message.subject().unwrap_or_default().to_string(), envelope));
    }
    found
}

/// The first recipient of the message `raw` (empty when it names none).
pub(crate) fn recipient(raw: &[u8]) -> String {
    mail_parser::MessageParser::default()
        .parse(raw)
        .and_then(|mail| mail.to()?.first()?.address().map(str::to_string))
        .unwrap_or_default()
}

/// The token of the reset link in the password-reset mail `raw`.
pub(crate) fn reset_token(raw: &[u8]) -> String {
    let mail = mail_parser::MessageParser::default().parse(raw).unwrap();
    let body = mail.body_text(0).unwrap().to_string();
    body.split("reset-password?token=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a link with the token")
        .to_string()
}

/// A plain SMTP server on a loopback port that takes every mail and hands
/// it over on a channel, so these tests need no test bed.
pub(crate) struct MailSink {
    pub(crate) port: u16,
    mails: mpsc::UnboundedReceiver<Vec<u8>>,
}

impl MailSink {
    pub(crate) async fn start() -> MailSink {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (sender, mails) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve_smtp(stream, sender.clone()));
            }
        });
        MailSink { port, mails }
    }

    /// The next mail's recipient and reset token; fails after a while without one.
    pub(crate) async fn next_reset(&mut self) -> (String, String) {
        let raw = tokio::time::timeout(Duration::from_secs(20), self.mails.recv())
            .await
            .expect("a reset mail within 20 s")
            .expect("the sink is running");
        (recipient(&raw), reset_token(&raw))
    }

    /// How many mails arrive within a short wait (for "no further mail").
    pub(crate) async fn count_more(&mut self) -> usize {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut count = 0;
        while self.mails.try_recv().is_ok() {
            count += 1;
        }
        count
    }
}

/// Just enough SMTP for lettre without TLS or AUTH.
async fn serve_smtp(stream: tokio::net::TcpStream, mails: mpsc::UnboundedSender<Vec<u8>>) {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let _ = writer.write_all(b"220 sink ESMTP\r\n").await;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let answer: &[u8] = match verb.as_str() {
            "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
            "DATA" => {
                let _ = writer.write_all(b"354 go on\r\n").await;
                let mut raw = Vec::new();
                loop {
                    line.clear();
                    if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    raw.extend_from_slice(line.strip_prefix('.').unwrap_or(&line).as_bytes());
                }
                let _ = mails.send(raw);
                b"250 taken\r\n"
            }
            "QUIT" => {
                let _ = writer.write_all(b"221 bye\r\n").await;
                return;
            }
            _ => b"250 OK\r\n",
        };
        if writer.write_all(answer).await.is_err() {
            return;
        }
    }
}
