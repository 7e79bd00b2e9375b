//! What each command does, and when it may come (RFC 5321 §4.1.4): a
//! greeting first, AUTH (when configured) before MAIL, MAIL before RCPT,
//! recipients before the message; out of order is `503 5.5.1`. Also the end
//! of a message — the replies after DATA or the last BDAT — and the count
//! of errors that ends a session.

use super::budget::Reservation;
use super::command::{self, Command, Hello};
use super::content::{Content, DotReader, Overflow};
use super::reply::Reply;
use super::security::{
    self, AuthExchange, AuthLineError, LOGIN_PASSWORD_PROMPT, LOGIN_USER_PROMPT, Mechanism,
};
use super::{
    Envelope, MAX_ERRORS, MAX_RECIPIENTS, Mode, Pending, Protocol, Session, Transaction, Transfer,
};

fn out_of_order(text: &str) -> Reply {
    Reply::new(503, "5.5.1", text)
}

impl Session {
    pub(super) fn command(&mut self, line: &[u8]) {
        let command = match command::parse(line) {
            Ok(command) => command,
            Err(reply) => return self.error(reply),
        };
        match command {
            Command::Hello { verb, name } => self.hello(verb, name),
            Command::Mail { reverse_path, size } => self.mail(reverse_path, size),
            Command::Rcpt { forward_path } => self.rcpt(forward_path),
            Command::Data => self.data(),
            Command::Bdat { size, last } => self.bdat(size, last),
            Command::Rset => {
                self.transaction = None;
                self.reply(Reply::new(250, "2.0.0", "Reset"))
            }
            Command::Noop => self.reply(Reply::new(250, "2.0.0", "OK")),
            Command::Quit => {
                self.reply(Reply::new(221, "2.0.0", "Bye"));
                self.mode = Mode::Closed;
            }
            Command::Vrfy => self.reply(Reply::new(
                252,
                "2.1.5",
                "Cannot verify addresses; send the message and its recipients are checked",
            )),
            Command::Expn => self.error(Reply::new(502, "5.5.1", "EXPN is not offered")),
            Command::Help => self.reply(Reply::new(
                214,
                "2.0.0",
                "Tresor takes journal mail: EHLO, MAIL, RCPT, DATA, BDAT, RSET, NOOP, QUIT",
            )),
            Command::StartTls => self.start_tls(),
            Command::Auth {
                mechanism,
                initial_response,
            } => self.auth(&mechanism, initial_response),
            Command::Unknown(_) => self.error(Reply::new(500, "5.5.1", "Command not recognized")),
        }
    }

    /// A greeting, if it is the protocol's: EHLO or HELO for SMTP, LHLO for LMTP.
    fn hello(&mut self, verb: Hello, name: String) {
        let text = match (self.settings.protocol, verb) {
            (Protocol::Smtp, Hello::Ehlo | Hello::Helo) | (Protocol::Lmtp, Hello::Lhlo) => {
                return self.greeted(name, verb != Hello::Helo);
            }
            (Protocol::Smtp, Hello::Lhlo) => "This is SMTP: say EHLO or HELO",
            (Protocol::Lmtp, _) => "This is LMTP: say LHLO",
        };
        self.error(Reply::new(500, "5.5.1", text))
    }

    /// The greeting's reply, with the ESMTP keywords when `extended`.
    fn greeted(&mut self, name: String, extended: bool) {
        self.helo = Some(name);
        self.transaction = None;
        let mut lines = vec![self.settings.hostname.clone()];
        if extended {
            lines.extend(
                ["PIPELINING", "8BITMIME", "CHUNKING", "ENHANCEDSTATUSCODES"].map(String::from),
            );
            lines.push(format!("SIZE {}", self.settings.max_message_bytes));
            if self.settings.starttls && !self.tls {
                lines.push("STARTTLS".into());
            }
            if self.auth_usable() && self.authenticated_as.is_none() {
                lines.push("AUTH PLAIN LOGIN".into());
            }
        }
        self.reply(Reply::plain(250, lines));
    }

    /// AUTH is configured and a password may be sent now.
    fn auth_usable(&self) -> bool {
        self.settings.auth && security::password_may_be_sent(self.tls, self.client.ip())
    }

    fn mail(&mut self, reverse_path: String, size: Option<u64>) {
        if self.helo.is_none() {
            return self.error(out_of_order("Say EHLO first"));
        }
        if self.settings.auth && self.authenticated_as.is_none() {
            return self.error(Reply::new(530, "5.7.0", "Authentication required"));
        }
        if self.transaction.is_some() {
            return self.error(out_of_order("A transaction is open already: RSET first"));
        }
        let limit = self.settings.max_message_bytes;
        if size.is_some_and(|size| size > limit as u64) {
            return self.reply(too_large(limit));
        }
        let reservation = Reservation::new(self.budget.clone());
        if reservation.budget_exhausted() {
            return self.reply(out_of_memory());
        }
        self.transaction = Some(Transaction {
            reverse_path,
            recipients: Vec::new(),
            content: Content::new(limit, reservation),
            transfer: Transfer::NotStarted,
        });
        self.reply(Reply::new(250, "2.1.0", "Sender ok"))
    }

    fn rcpt(&mut self, forward_path: String) {
        let Some(transaction) = &self.transaction else {
            return self.error(out_of_order("MAIL first"));
        };
        if transaction.recipients.len() >= MAX_RECIPIENTS {
            return self.reply(Reply::new(452, "4.5.3", "Too many recipients"));
        }
        self.mode = Mode::Waiting(Pending::Recipient(forward_path));
    }

    /// Why the message may not start now, if it may not.
    fn message_refused(&self) -> Option<Reply> {
        match &self.transaction {
            None => Some(out_of_order("MAIL first")),
            Some(transaction) if transaction.recipients.is_empty() => {
                Some(Reply::new(554, "5.5.1", "No valid recipients"))
            }
            Some(_) => None,
        }
    }

    fn data(&mut self) {
        if let Some(refusal) = self.message_refused() {
            return self.error(refusal);
        }
        if self
            .transaction
            .as_ref()
            .is_some_and(|transaction| transaction.transfer == Transfer::Chunks)
        {
            return self.error(out_of_order("The message is coming by BDAT"));
        }
        self.mode = Mode::Data(DotReader::LineStart);
        self.reply(Reply::plain(
            354,
            vec!["End data with <CR><LF>.<CR><LF>".into()],
        ))
    }

    fn bdat(&mut self, size: u64, last: bool) {
        self.mode = Mode::Bdat {
            size,
            remaining: size,
            last,
            failure: self.message_refused(),
        };
    }

    /// A BDAT chunk was read to its end.
    pub(super) fn chunk_complete(&mut self, size: u64, last: bool, failure: Option<Reply>) {
        if let Some(failure) = failure {
            return self.error(failure);
        }
        if let Some(transaction) = self.transaction.as_mut() {
            transaction.transfer = Transfer::Chunks;
        }
        if last {
            self.message_complete();
        } else {
            self.reply(Reply::new(250, "2.0.0", &format!("{size} octets received")));
        }
    }

    /// The message ended: to storage, unless it overflowed.
    pub(super) fn message_complete(&mut self) {
        let Some(transaction) = &self.transaction else {
            self.mode = Mode::Command;
            return;
        };
        match transaction.content.overflow() {
            Some(Overflow::TooLarge) => {
                self.mode = Mode::Command;
                let reply = too_large(self.settings.max_message_bytes);
                self.end_of_message(reply)
            }
            Some(Overflow::OutOfMemory) => {
                self.mode = Mode::Command;
                self.end_of_message(out_of_memory())
            }
            None => {
                let envelope = Envelope {
                    mail_from: transaction.reverse_path.clone(),
                    rcpt_to: transaction.recipients.clone(),
                    client: self.client,
                    helo: self.helo.clone().unwrap_or_default(),
                    authenticated_as: self.authenticated_as.clone(),
                    tls: self.tls,
                };
                self.mode = Mode::Waiting(Pending::Delivery(envelope));
            }
        }
    }

    /// The replies to a message's end, and the end of its transaction: one
    /// in SMTP, one per accepted recipient in LMTP (RFC 2033 §4.2).
    pub(super) fn end_of_message(&mut self, reply: Reply) {
        let recipients = self
            .transaction
            .take()
            .map(|transaction| transaction.recipients.len())
            .unwrap_or_default();
        let replies = match self.settings.protocol {
            Protocol::Smtp => 1,
            Protocol::Lmtp => recipients,
        };
        for _ in 0..replies {
            self.reply(reply.clone());
        }
    }

    fn start_tls(&mut self) {
        if !self.settings.starttls {
            return self.error(Reply::new(502, "5.5.1", "STARTTLS is not offered"));
        }
        if self.tls {
            return self.error(out_of_order("TLS is already on"));
        }
        self.reply(Reply::new(220, "2.0.0", "Ready to start TLS"));
        // Commands pipelined behind STARTTLS came unencrypted: they must not
        // be taken as sent over TLS (CVE-2011-0411).
        self.input.clear();
        self.mode = Mode::Waiting(Pending::StartTls);
    }

    fn auth(&mut self, mechanism: &str, initial_response: Option<String>) {
        if !self.settings.auth {
            return self.error(Reply::new(502, "5.5.1", "AUTH is not offered"));
        }
        if self.helo.is_none() {
            return self.error(out_of_order("Say EHLO first"));
        }
        if self.authenticated_as.is_some() {
            return self.error(out_of_order("Already authenticated"));
        }
        if self.transaction.is_some() {
            return self.error(out_of_order("Not during a mail transaction"));
        }
        if !self.auth_usable() {
            return self.error(Reply::new(
                538,
                "5.7.11",
                "Encryption required for authentication: STARTTLS first",
            ));
        }
        let Some(mechanism) = Mechanism::named(mechanism) else {
            return self.error(Reply::new(
                504,
                "5.5.4",
                "Unrecognized authentication type: PLAIN or LOGIN",
            ));
        };
        // "=" is an empty initial response (RFC 4954 §4).
        let initial_response = initial_response.map(|response| match response.as_str() {
            "=" => String::new(),
            _ => response,
        });
        match (mechanism, initial_response) {
            (Mechanism::Plain, Some(response)) => {
                self.auth_line(AuthExchange::PlainResponse, response.as_bytes())
            }
            (Mechanism::Plain, None) => self.challenge(AuthExchange::PlainResponse, ""),
            (Mechanism::Login, Some(user)) => {
                self.auth_line(AuthExchange::LoginUser, user.as_bytes())
            }
            (Mechanism::Login, None) => self.challenge(AuthExchange::LoginUser, LOGIN_USER_PROMPT),
        }
    }

    fn challenge(&mut self, exchange: AuthExchange, prompt: &str) {
        self.mode = Mode::Auth(exchange);
        self.reply(Reply::plain(334, vec![prompt.to_string()]));
    }

    /// The client's line in an AUTH exchange.
    pub(super) fn auth_line(&mut self, exchange: AuthExchange, line: &[u8]) {
        let outcome = match exchange {
            AuthExchange::PlainResponse => security::plain_credentials(line).map(Some),
            AuthExchange::LoginUser => security::decode_text(line).map(|user| {
                self.challenge(AuthExchange::LoginPassword { user }, LOGIN_PASSWORD_PROMPT);
                None
            }),
            AuthExchange::LoginPassword { user } => security::decode_text(line)
                .map(|password| Some(security::Credentials { user, password })),
        };
        match outcome {
            Ok(Some(credentials)) => {
                self.mode = Mode::Waiting(Pending::Credentials(credentials));
            }
            Ok(None) => {}
            Err(AuthLineError::Cancelled) => {
                self.mode = Mode::Command;
                self.error(Reply::new(501, "5.0.0", "Authentication cancelled"))
            }
            Err(AuthLineError::Malformed) => {
                self.mode = Mode::Command;
                self.error(Reply::new(501, "5.5.2", "Cannot decode the response"))
            }
        }
    }

    pub(super) fn reply(&mut self, reply: Reply) {
        reply.write_to(&mut self.output);
    }

    /// A refused command: its reply, and after `MAX_ERRORS` the end.
    pub(super) fn error(&mut self, reply: Reply) {
        self.reply(reply);
        self.errors += 1;
        if self.errors >= MAX_ERRORS {
            self.reply(Reply::new(
                421,
                "4.7.0",
                "Too many errors, closing the connection",
            ));
            self.mode = Mode::Closed;
        }
    }
}

fn too_large(limit: usize) -> Reply {
    Reply::new(
        552,
        "5.3.4",
        &format!("Message too big: the limit is {limit} octets"),
    )
}

fn out_of_memory() -> Reply {
    Reply::new(452, "4.3.1", "Insufficient system storage, try again later")
}
