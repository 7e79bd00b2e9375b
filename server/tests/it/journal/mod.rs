//! Journal mailboxes (issue 18 §1, the storage half): what arrives over SMTP
//! is stored through the one ingest pipeline, Exchange envelope journal
//! reports unwrapped, envelopes recorded and searchable, and journal copies
//! visible to the people they name. Delivered through `Journal::deliver`,
//! as the SMTP server will; and end to end from a real Postfix to
//! `tresor serve` (`postfix`).

mod delivery;
mod postfix;
mod visibility;

use crate::harness::{Services, TestDb, services};
use base64::Engine as _;
use std::sync::Arc;
use tresor::journal::Journal;
use tresor::mailbox::MailboxRow;
use tresor::smtp::{Deliver, Envelope, Refusal};

/// The services over a database, and a journal over them with a journal
/// mailbox `Journal` taking `journal@archive.example.org`.
pub(crate) struct JournalArchive {
    pub(crate) services: Services,
    pub(crate) journal: Arc<Journal>,
    pub(crate) mailbox: MailboxRow,
}

pub(crate) async fn journal_archive(db: &TestDb) -> JournalArchive {
    let services = services(db).await;
    let journal = Arc::new(Journal::new(
        services.db.clone(),
        services.store.clone(),
        services.mailboxes.clone(),
    ));
    let mailbox = tresor::journal::add_mailbox(
        &services.db,
        &services.mailboxes,
        "Journal",
        &[JOURNAL_ADDRESS.to_string()],
    )
    .await
    .unwrap();
    JournalArchive {
        services,
        journal,
        mailbox,
    }
}

pub(crate) const JOURNAL_ADDRESS: &str = "journal@archive.example.org";

/// The envelope an MTA gives a journal copy from `mail_from`.
pub(crate) fn envelope(mail_from: &str, rcpt_to: &[&str]) -> Envelope {
    Envelope {
        mail_from: mail_from.to_string(),
        rcpt_to: rcpt_to.iter().map(|rcpt| rcpt.to_string()).collect(),
        client: "127.0.0.1:40000".parse().unwrap(),
        helo: "mta.example.org".to_string(),
        authenticated_as: None,
        tls: false,
    }
}

impl JournalArchive {
    /// Delivers `message` to the journal address as `mail_from`, and indexes it.
    pub(crate) async fn deliver(&self, mail_from: &str, message: &[u8]) {
        let envelope = envelope(mail_from, &[JOURNAL_ADDRESS]);
        if let Err(refusal) = self.journal.deliver(&envelope, message).await {
            panic!("refused: {}", describe(&refusal));
        }
        self.services.indexer.drain(|_| {}).await.unwrap();
    }
}

pub(crate) fn describe(refusal: &Refusal) -> String {
    match refusal {
        Refusal::Temporary(reason) => format!("temporarily: {reason}"),
        Refusal::Permanent(reason) => format!("permanently: {reason}"),
    }
}

/// A message from Alice to Bob (with `marker` in its subject), which Dave
/// also got as a Bcc its headers do not show.
pub(crate) fn original(marker: &str) -> Vec<u8> {
    format!(
        "From: Alice <alice@example.org>\r\n\
         To: bob@example.org\r\n\
         Subject: Quarterly figures {marker}\r\n\
         Message-ID: <{marker}@example.org>\r\n\
         Date: Thu, 3 Dec 2026 10:00:00 +0000\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         \r\n\
         The figures, as promised.\r\n"
    )
    .into_bytes()
}

/// An Exchange envelope journal report for `original`, attached with
/// `transfer_encoding` (`None`: 7bit, as it is), listing Dave as Bcc and
/// the members of Sales.
pub(crate) fn journal_report(original: &[u8], transfer_encoding: Option<&str>) -> Vec<u8> {
    let attached = match transfer_encoding {
        Some("base64") => {
            let encoded = base64::engine::general_purpose::STANDARD.encode(original);
            let lines: Vec<&str> = encoded
                .as_bytes()
                .chunks(76)
                .map(|chunk| std::str::from_utf8(chunk).unwrap())
                .collect();
            format!(
                "Content-Transfer-Encoding: base64\r\n\r\n{}",
                lines.join("\r\n")
            )
            .into_bytes()
        }
        _ => [
            b"Content-Transfer-Encoding: 7bit\r\n\r\n".as_slice(),
            original,
        ]
        .concat(),
    };
    [
        b"From: Microsoft Exchange <postmaster@example.org>\r\n\
        To: journal@archive.example.org\r\n\
        Subject: Quarterly figures\r\n\
        X-MS-Journal-Report: \r\n\
        Message-ID: <journal-report@example.org>\r\n\
        MIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=\"journal-boundary\"\r\n\
        \r\n\
        --journal-boundary\r\n\
        Content-Type: text/plain; charset=us-ascii\r\n\
        \r\n\
        Sender: alice@example.org\r\n\
        Subject: Quarterly figures\r\n\
        To: bob@example.org\r\n\
        Bcc: dave@example.org\r\n\
        To: erin@example.org, Expanded: sales@example.org\r\n\
        \r\n\
        --journal-boundary\r\n\
        Content-Type: message/rfc822\r\n"
            .as_slice(),
        &attached,
        b"\r\n--journal-boundary--\r\n",
    ]
    .concat()
}
