//! Conversations with the protocol core, without sockets: what a client
//! sends (in the pieces it arrives in), what the session answers, and what
//! reaches storage.

use super::protocol::{
    ByteBudget, MAX_COMMAND_LINE_BYTES, MAX_ERRORS, MAX_RECIPIENTS, Protocol, Session, Settings,
    Step,
};
use super::{Envelope, Refusal};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::sync::Arc;

const LOOPBACK: &str = "127.0.0.1:40000";
const ELSEWHERE: &str = "192.0.2.7:40000";

fn settings(protocol: Protocol) -> Settings {
    Settings {
        protocol,
        hostname: "archive.example".into(),
        max_message_bytes: 1000,
        starttls: false,
        auth: false,
    }
}

/// A session and a storage that takes `*@journal.example`, knows the user
/// `journal` with the password `secret`, and records what it is given.
struct Conversation {
    session: Session,
    budget: Arc<ByteBudget>,
    delivered: Vec<(Envelope, Vec<u8>)>,
    /// What `deliver` answers.
    delivery: Result<(), Refusal>,
    handshakes: usize,
    closed: bool,
}

impl Conversation {
    fn new(settings: Settings, client: &str) -> Conversation {
        Conversation::with_budget(settings, client, usize::MAX)
    }

    fn with_budget(settings: Settings, client: &str, budget: usize) -> Conversation {
        let budget = Arc::new(ByteBudget::new(budget));
        let session = Session::new(Arc::new(settings), client.parse().unwrap(), budget.clone());
        let mut conversation = Conversation {
            session,
            budget,
            delivered: Vec::new(),
            delivery: Ok(()),
            handshakes: 0,
            closed: false,
        };
        let banner = conversation.send(b"");
        assert!(banner.starts_with("220 archive.example "), "{banner}");
        conversation
    }

    /// Sends `bytes` and returns what the session answers before it needs more.
    fn send(&mut self, bytes: &[u8]) -> String {
        self.session.receive(bytes);
        let mut output = Vec::new();
        loop {
            match self.session.advance() {
                Step::NeedInput => break,
                Step::CheckRecipient(address) => self
                    .session
                    .recipient_checked(Ok(address.ends_with("@journal.example"))),
                Step::CheckCredentials(credentials) => self.session.credentials_checked(
                    credentials.user == "journal" && credentials.password == "secret",
                ),
                Step::Deliver => {
                    let (envelope, message) = self.session.delivery().unwrap();
                    self.delivered.push((envelope.clone(), message.to_vec()));
                    let outcome = self.delivery.clone();
                    self.session.delivered(outcome);
                }
                Step::StartTls => {
                    output.extend(self.session.take_output());
                    self.handshakes += 1;
                    self.session.tls_started();
                }
                Step::Close => {
                    self.closed = true;
                    break;
                }
            }
        }
        output.extend(self.session.take_output());
        String::from_utf8(output).unwrap()
    }

    fn send_str(&mut self, text: &str) -> String {
        self.send(text.as_bytes())
    }
}

/// The code of each reply (the last line of a multi-line one).
fn codes(output: &str) -> Vec<u16> {
    output
        .split("\r\n")
        .filter(|line| line.len() >= 4 && &line[3..4] == " ")
        .map(|line| line[..3].parse().unwrap())
        .collect()
}

fn smtp() -> Conversation {
    let mut conversation = Conversation::new(settings(Protocol::Smtp), LOOPBACK);
    conversation.send_str("EHLO mta.example\r\n");
    conversation
}

fn plain_response(user: &str, password: &str) -> String {
    STANDARD.encode(format!("\0{user}\0{password}"))
}

#[test]
fn pipelined_commands_are_answered_in_order() {
    let mut conversation = Conversation::new(settings(Protocol::Smtp), LOOPBACK);
    let output = conversation.send_str(
        "EHLO mta.example\r\nMAIL FROM:<a@sender.example>\r\nRCPT TO:<j1@journal.example>\r\n\
         RCPT TO:<nobody@elsewhere.example>\r\nRCPT TO:<j2@journal.example>\r\nDATA\r\n\
         Subject: one\r\n\r\nbody\r\n.\r\nNOOP\r\nQUIT\r\n",
    );
    assert_eq!(
        codes(&output),
        [250, 250, 250, 550, 250, 354, 250, 250, 221]
    );
    assert!(output.contains("550 5.1.1 "), "{output}");
    assert!(conversation.closed);
    let (envelope, message) = &conversation.delivered[0];
    assert_eq!(message, b"Subject: one\r\n\r\nbody\r\n");
    assert_eq!(envelope.mail_from, "a@sender.example");
    assert_eq!(
        envelope.rcpt_to,
        ["j1@journal.example", "j2@journal.example"]
    );
    assert_eq!(envelope.helo, "mta.example");
    assert!(!envelope.tls && envelope.authenticated_as.is_none());
}

#[test]
fn ehlo_announces_the_extensions() {
    let mut conversation = Conversation::new(settings(Protocol::Smtp), LOOPBACK);
    let output = conversation.send_str("EHLO mta.example\r\n");
    for keyword in [
        "250-archive.example\r\n",
        "PIPELINING",
        "8BITMIME",
        "SIZE 1000",
        "CHUNKING",
        "ENHANCEDSTATUSCODES",
    ] {
        assert!(output.contains(keyword), "{keyword} missing in {output}");
    }
    assert!(
        !output.contains("STARTTLS") && !output.contains("AUTH"),
        "{output}"
    );
    let helo = conversation.send_str("HELO mta.example\r\n");
    assert_eq!(helo, "250 archive.example\r\n");
}

#[test]
fn data_is_unstuffed_byte_for_byte() {
    let mut conversation = smtp();
    conversation.send_str("MAIL FROM:<>\r\nRCPT TO:<j@journal.example>\r\nDATA\r\n");
    let stuffed: &[u8] = b"From: a\r\n\r\n..leading dot\r\n...two\r\n\xc3\xa4\xff 8-bit\r\nbare\nLF\n.\nafter bare LF\r\n.\r\n";
    // Sent in pieces that cut the line ends and the final dot apart.
    for piece in stuffed.chunks(3) {
        assert!(conversation.delivered.is_empty());
        conversation.send(piece);
    }
    let (envelope, message) = &conversation.delivered[0];
    assert_eq!(envelope.mail_from, "");
    assert_eq!(
        message.as_slice(),
        b"From: a\r\n\r\n.leading dot\r\n..two\r\n\xc3\xa4\xff 8-bit\r\nbare\nLF\n.\nafter bare LF\r\n"
    );
}

#[test]
fn a_message_is_delivered_only_after_its_end() {
    let mut conversation = smtp();
    conversation.send_str(
        "MAIL FROM:<a@b>\r\nRCPT TO:<j@journal.example>\r\nDATA\r\nhalf a\r\nmessage\r\n",
    );
    conversation.send_str("BDAT 5\r\n");
    assert!(conversation.delivered.is_empty());
    assert!(conversation.session.in_transaction());
    // The session (and with it the connection) ends here: the budget is free again.
    let budget = conversation.budget.clone();
    assert!(budget.in_use() > 0);
    drop(conversation);
    assert_eq!(budget.in_use(), 0);
}

#[test]
fn bdat_chunks_are_kept_binary_exact() {
    let mut conversation = smtp();
    conversation.send_str("MAIL FROM:<a@b> BODY=8BITMIME\r\nRCPT TO:<j@journal.example>\r\n");
    let first: &[u8] = b"Subject: x\r\n\r\n\0\x01\xff\r\n.\r\n";
    let second: &[u8] = b"..\nQUIT\r\n";
    let mut pipelined = format!("BDAT {}\r\n", first.len()).into_bytes();
    pipelined.extend_from_slice(first);
    pipelined.extend_from_slice(format!("BDAT {} LAST\r\n", second.len()).as_bytes());
    let (head, tail) = pipelined.split_at(20);
    let output = conversation.send(head);
    assert_eq!(output, "");
    let output = conversation.send(tail);
    assert!(
        output.starts_with(&format!("250 2.0.0 {} octets received\r\n", first.len())),
        "{output}"
    );
    let output = conversation.send(second);
    assert_eq!(output, "250 2.0.0 Message archived\r\n");
    assert_eq!(conversation.delivered[0].1, [first, second].concat());
    assert!(!conversation.closed, "QUIT inside a chunk is content");
    // An empty last chunk ends a message too; DATA may not follow BDAT.
    conversation.send_str("MAIL FROM:<a@b>\r\nRCPT TO:<j@journal.example>\r\nBDAT 3\r\nabc");
    let output = conversation.send_str("DATA\r\nBDAT 0 LAST\r\n");
    assert_eq!(codes(&output), [503, 250]);
    assert_eq!(conversation.delivered[1].1, b"abc");
}

#[test]
fn bdat_out_of_order_is_read_and_refused() {
    let mut conversation = smtp();
    let output = conversation.send_str("BDAT 6\r\nNOOP\r\nNOOP\r\n");
    assert_eq!(
        codes(&output),
        [503, 250],
        "the chunk's bytes are not commands"
    );
}

#[test]
fn oversize_messages_are_refused_and_not_delivered() {
    let mut conversation = smtp();
    let output = conversation.send_str("MAIL FROM:<a@b> SIZE=1001\r\n");
    assert!(output.starts_with("552 5.3.4 "), "{output}");
    let big = "x".repeat(600);
    let output = conversation.send_str(&format!(
        "MAIL FROM:<a@b> SIZE=1000\r\nRCPT TO:<j@journal.example>\r\nDATA\r\n{big}\r\n{big}\r\n.\r\nNOOP\r\n"
    ));
    assert_eq!(codes(&output), [250, 250, 354, 552, 250]);
    let output = conversation.send_str(&format!(
        "MAIL FROM:<a@b>\r\nRCPT TO:<j@journal.example>\r\nBDAT 600\r\n{big}BDAT 600 LAST\r\n{big}"
    ));
    assert_eq!(codes(&output), [250, 250, 250, 552]);
    assert!(conversation.delivered.is_empty());
    // The refusal ended the transaction; the next message goes through.
    let output = conversation
        .send_str("MAIL FROM:<a@b>\r\nRCPT TO:<j@journal.example>\r\nDATA\r\nsmall\r\n.\r\n");
    assert_eq!(codes(&output), [250, 250, 354, 250]);
    assert_eq!(conversation.delivered.len(), 1);
}

#[test]
fn a_long_line_is_refused_and_the_next_command_still_runs() {
    let mut conversation = smtp();
    let long = "NOOP ".to_string() + &"A".repeat(2 * MAX_COMMAND_LINE_BYTES);
    let output = conversation.send_str(&format!("{long}\r\nRSET\r\n"));
    assert_eq!(output, "500 5.5.2 Line too long\r\n250 2.0.0 Reset\r\n");
    // Arriving in pieces: refused once, its rest dropped, the next line read.
    let output = conversation.send_str(&long[..1500]);
    assert_eq!(codes(&output), [500]);
    assert_eq!(conversation.send_str(&long[1500..]), "");
    assert_eq!(conversation.send_str("\r\nNOOP\r\n"), "250 2.0.0 OK\r\n");
    // Exactly at the limit is a line like any other.
    let longest = format!("NOOP {}\r\n", "A".repeat(MAX_COMMAND_LINE_BYTES - 7));
    assert_eq!(longest.len(), MAX_COMMAND_LINE_BYTES);
    assert_eq!(conversation.send_str(&longest), "250 2.0.0 OK\r\n");
}

#[test]
fn rset_forgets_the_transaction() {
    let mut conversation = smtp();
    let output = conversation.send_str(
        "MAIL FROM:<a@b>\r\nRCPT TO:<j@journal.example>\r\nRSET\r\nDATA\r\nMAIL FROM:<c@d>\r\nRCPT TO:<k@journal.example>\r\nDATA\r\nx\r\n.\r\n",
    );
    assert_eq!(codes(&output), [250, 250, 250, 503, 250, 250, 354, 250]);
    let (envelope, _) = &conversation.delivered[0];
    assert_eq!(envelope.mail_from, "c@d");
    assert_eq!(envelope.rcpt_to, ["k@journal.example"]);
}

#[test]
fn commands_out_of_order_get_503() {
    let mut conversation = Conversation::new(settings(Protocol::Smtp), LOOPBACK);
    let output = conversation.send_str("MAIL FROM:<a@b>\r\nEHLO x\r\nRCPT TO:<j@journal.example>\r\nDATA\r\nMAIL FROM:<a@b>\r\nMAIL FROM:<a@b>\r\nDATA\r\nRCPT TO:<nobody@b>\r\nDATA\r\n");
    assert_eq!(
        codes(&output),
        [503, 250, 503, 503, 250, 503, 554, 550, 554]
    );
    let output = conversation.send_str("VRFY j\r\nEXPN list\r\nHELP\r\nFOO\r\n");
    assert_eq!(codes(&output), [252, 502, 214, 500]);
}

#[test]
fn too_many_errors_end_the_session() {
    let mut conversation = smtp();
    let output = conversation.send_str(&"FOO\r\n".repeat(MAX_ERRORS + 5));
    assert_eq!(codes(&output).len(), MAX_ERRORS + 1);
    assert!(output.ends_with("421 4.7.0 Too many errors, closing the connection\r\n"));
    assert!(conversation.closed);
}

#[test]
fn recipients_are_limited_per_message() {
    let mut conversation = smtp();
    conversation.send_str("MAIL FROM:<a@b>\r\n");
    let recipients = "RCPT TO:<j@journal.example>\r\n".repeat(MAX_RECIPIENTS + 1);
    let output = conversation.send_str(&recipients);
    let codes = codes(&output);
    assert_eq!(codes.len(), MAX_RECIPIENTS + 1);
    assert!(codes[..MAX_RECIPIENTS].iter().all(|code| *code == 250));
    assert!(output.ends_with("452 4.5.3 Too many recipients\r\n"));
}

#[test]
fn lmtp_answers_once_per_accepted_recipient() {
    let mut conversation = Conversation::new(settings(Protocol::Lmtp), LOOPBACK);
    assert_eq!(codes(&conversation.send_str("EHLO x\r\n")), [500]);
    let greeting = conversation.send_str("LHLO mta.example\r\n");
    assert!(
        greeting.contains("250-PIPELINING") && greeting.contains("CHUNKING"),
        "{greeting}"
    );
    let output = conversation.send_str(
        "MAIL FROM:<a@b>\r\nRCPT TO:<j1@journal.example>\r\nRCPT TO:<x@y>\r\nRCPT TO:<j2@journal.example>\r\nDATA\r\nhi\r\n.\r\n",
    );
    assert_eq!(codes(&output), [250, 250, 550, 250, 354, 250, 250]);
    conversation.delivery = Err(Refusal::Temporary("disk busy".into()));
    let output = conversation.send_str(
        "MAIL FROM:<a@b>\r\nRCPT TO:<j1@journal.example>\r\nRCPT TO:<j2@journal.example>\r\nBDAT 2 LAST\r\nhi",
    );
    assert!(
        output.ends_with("451 4.3.0 disk busy\r\n451 4.3.0 disk busy\r\n"),
        "{output}"
    );
}

#[test]
fn storage_refusals_are_451_or_554() {
    let mut conversation = smtp();
    let message = "MAIL FROM:<a@b>\r\nRCPT TO:<j@journal.example>\r\nDATA\r\nx\r\n.\r\n";
    conversation.delivery = Err(Refusal::Temporary("database busy".into()));
    assert!(
        conversation
            .send_str(message)
            .ends_with("451 4.3.0 database busy\r\n")
    );
    conversation.delivery = Err(Refusal::Permanent("not a journal report".into()));
    assert!(
        conversation
            .send_str(message)
            .ends_with("554 5.6.0 not a journal report\r\n")
    );
    // Each refusal ended its transaction: the retry is a new one.
    conversation.delivery = Ok(());
    assert!(
        conversation
            .send_str(message)
            .ends_with("250 2.0.0 Message archived\r\n")
    );
    assert_eq!(conversation.delivered.len(), 3);
}

#[test]
fn the_memory_budget_refuses_for_now() {
    let mut conversation = Conversation::with_budget(settings(Protocol::Smtp), LOOPBACK, 100);
    conversation.send_str("EHLO x\r\n");
    let output = conversation.send_str(&format!(
        "MAIL FROM:<a@b>\r\nRCPT TO:<j@journal.example>\r\nDATA\r\n{}\r\n.\r\n",
        "y".repeat(200)
    ));
    assert!(
        output.ends_with("452 4.3.1 Insufficient system storage, try again later\r\n"),
        "{output}"
    );
    assert!(conversation.delivered.is_empty());
    assert_eq!(conversation.budget.in_use(), 0);
    let output = conversation
        .send_str("MAIL FROM:<a@b>\r\nRCPT TO:<j@journal.example>\r\nDATA\r\nsmall\r\n.\r\n");
    assert!(
        output.ends_with("250 2.0.0 Message archived\r\n"),
        "{output}"
    );
    assert_eq!(conversation.budget.in_use(), 0);
}

fn with_auth(client: &str) -> Conversation {
    let mut conversation = Conversation::new(
        Settings {
            starttls: true,
            auth: true,
            ..settings(Protocol::Smtp)
        },
        client,
    );
    conversation.send_str("EHLO mta.example\r\n");
    conversation
}

#[test]
fn auth_plain_succeeds_with_the_right_password_only() {
    let mut conversation = with_auth(LOOPBACK);
    let output = conversation.send_str("MAIL FROM:<a@b>\r\n");
    assert_eq!(output, "530 5.7.0 Authentication required\r\n");
    let wrong = conversation.send_str(&format!(
        "AUTH PLAIN {}\r\n",
        plain_response("journal", "wrong")
    ));
    assert_eq!(wrong, "535 5.7.8 Authentication credentials invalid\r\n");
    let unknown = conversation.send_str(&format!(
        "AUTH PLAIN {}\r\n",
        plain_response("root", "secret")
    ));
    assert_eq!(codes(&unknown), [535]);
    // Without an initial response: the empty challenge, then the response.
    assert_eq!(conversation.send_str("AUTH PLAIN\r\n"), "334 \r\n");
    let right = conversation.send_str(&format!("{}\r\n", plain_response("journal", "secret")));
    assert_eq!(right, "235 2.7.0 Authentication succeeded\r\n");
    assert_eq!(codes(&conversation.send_str("AUTH PLAIN =\r\n")), [503]);
    conversation.send_str("MAIL FROM:<a@b>\r\nRCPT TO:<j@journal.example>\r\nDATA\r\nx\r\n.\r\n");
    let (envelope, _) = &conversation.delivered[0];
    assert_eq!(envelope.authenticated_as.as_deref(), Some("journal"));
}

#[test]
fn auth_login_asks_for_user_and_password() {
    let mut conversation = with_auth(LOOPBACK);
    assert_eq!(
        conversation.send_str("AUTH LOGIN\r\n"),
        "334 VXNlcm5hbWU6\r\n"
    );
    assert_eq!(
        conversation.send_str(&format!("{}\r\n", STANDARD.encode("journal"))),
        "334 UGFzc3dvcmQ6\r\n"
    );
    let wrong = conversation.send_str(&format!("{}\r\n", STANDARD.encode("guess")));
    assert_eq!(codes(&wrong), [535]);
    // With the user as initial response; `*` cancels.
    let output = conversation.send_str(&format!(
        "AUTH LOGIN {}\r\n*\r\n",
        STANDARD.encode("journal")
    ));
    assert_eq!(codes(&output), [334, 501]);
    let output = conversation.send_str(&format!(
        "AUTH LOGIN {}\r\n{}\r\nMAIL FROM:<a@b>\r\n",
        STANDARD.encode("journal"),
        STANDARD.encode("secret")
    ));
    assert_eq!(codes(&output), [334, 235, 250]);
}

#[test]
fn failed_logins_count_towards_the_error_limit() {
    let mut conversation = with_auth(LOOPBACK);
    let attempt = format!("AUTH PLAIN {}\r\n", plain_response("journal", "guess"));
    let output = conversation.send_str(&attempt.repeat(MAX_ERRORS));
    assert_eq!(
        codes(&output).iter().filter(|code| **code == 535).count(),
        MAX_ERRORS
    );
    assert!(output.ends_with("421 4.7.0 Too many errors, closing the connection\r\n"));
    assert!(conversation.closed);
}

#[test]
fn passwords_from_other_hosts_need_starttls_first() {
    let mut conversation = Conversation::new(
        Settings {
            starttls: true,
            auth: true,
            ..settings(Protocol::Smtp)
        },
        ELSEWHERE,
    );
    let greeting = conversation.send_str("EHLO mta.example\r\n");
    assert!(greeting.contains("250 STARTTLS\r\n"), "{greeting}");
    assert!(
        !greeting.contains("AUTH"),
        "no AUTH offered in plain text: {greeting}"
    );
    let output = conversation.send_str(&format!(
        "AUTH PLAIN {}\r\n",
        plain_response("journal", "secret")
    ));
    assert_eq!(
        output,
        "538 5.7.11 Encryption required for authentication: STARTTLS first\r\n"
    );
    // Commands pipelined behind STARTTLS were sent in plain text: dropped.
    let output = conversation.send_str("STARTTLS\r\nMAIL FROM:<injected@b>\r\n");
    assert_eq!(output, "220 2.0.0 Ready to start TLS\r\n");
    assert_eq!(conversation.handshakes, 1);
    // Over TLS: a new greeting, AUTH offered, STARTTLS no longer.
    assert_eq!(codes(&conversation.send_str("MAIL FROM:<a@b>\r\n")), [503]);
    let greeting = conversation.send_str("EHLO mta.example\r\n");
    assert!(
        greeting.contains("AUTH PLAIN LOGIN") && !greeting.contains("STARTTLS"),
        "{greeting}"
    );
    assert_eq!(codes(&conversation.send_str("STARTTLS\r\n")), [503]);
    let output = conversation.send_str(&format!(
        "AUTH PLAIN {}\r\nMAIL FROM:<a@b>\r\nRCPT TO:<j@journal.example>\r\nDATA\r\nx\r\n.\r\n",
        plain_response("journal", "secret")
    ));
    assert_eq!(codes(&output), [235, 250, 250, 354, 250]);
    let (envelope, _) = &conversation.delivered[0];
    assert!(envelope.tls);
}

#[test]
fn starttls_and_auth_are_not_offered_unless_configured() {
    let mut conversation = smtp();
    assert_eq!(
        conversation.send_str("STARTTLS\r\n"),
        "502 5.5.1 STARTTLS is not offered\r\n"
    );
    assert_eq!(
        conversation.send_str("AUTH PLAIN\r\n"),
        "502 5.5.1 AUTH is not offered\r\n"
    );
    assert_eq!(conversation.handshakes, 0);
    // Without AUTH configured, MAIL needs none.
    assert_eq!(codes(&conversation.send_str("MAIL FROM:<a@b>\r\n")), [250]);
}
