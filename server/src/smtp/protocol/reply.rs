//! SMTP replies: a three-digit code, an enhanced status code (RFC 3463)
//! where one applies, and text; several lines when there is more to say
//! (EHLO's keywords). The replies the connection loop sends on its own —
//! refusals before or outside a session — are named here too, so that every
//! code the receiver can send is in the protocol core.

use super::super::envelope::Refusal;

/// One reply, possibly of several lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    code: u16,
    lines: Vec<String>,
}

impl Reply {
    /// A one-line reply: `code status text`, e.g. `250 2.1.0 Sender ok`.
    pub fn new(code: u16, status: &str, text: &str) -> Reply {
        Reply {
            code,
            lines: vec![format!("{status} {text}")],
        }
    }

    /// A reply without an enhanced status code (the banner, EHLO, 354, 334).
    pub fn plain(code: u16, lines: Vec<String>) -> Reply {
        Reply { code, lines }
    }

    pub fn code(&self) -> u16 {
        self.code
    }

    /// The reply as sent: `250-first`, …, `250 last`, each line ended by CRLF.
    pub fn write_to(&self, output: &mut Vec<u8>) {
        let last = self.lines.len().saturating_sub(1);
        for (index, line) in self.lines.iter().enumerate() {
            let separator = if index == last { ' ' } else { '-' };
            // Text never carries a line end of its own: a client's words
            // echoed back must not start a reply line of their own.
            let line: String = line.chars().filter(|c| *c != '\r' && *c != '\n').collect();
            output.extend_from_slice(format!("{}{separator}{line}\r\n", self.code).as_bytes());
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut output = Vec::new();
        self.write_to(&mut output);
        output
    }
}

/// A client outside the configured networks, at the banner.
pub fn client_refused() -> Reply {
    Reply::new(
        554,
        "5.7.1",
        "Access denied: this client may not send mail here",
    )
}

/// More connections than `max_connections`.
pub fn too_many_connections() -> Reply {
    Reply::new(421, "4.3.2", "Too many connections, try again later")
}

/// The client said nothing for the idle timeout.
pub fn idle_timeout() -> Reply {
    Reply::new(421, "4.4.2", "Idle for too long, closing the connection")
}

/// The server is stopping; what was not accepted yet is the sender's to retry.
pub fn shutting_down() -> Reply {
    Reply::new(421, "4.3.0", "Shutting down, try again later")
}

/// What storage's refusal means for the sender.
pub fn refused(refusal: &Refusal) -> Reply {
    match refusal {
        Refusal::Temporary(reason) => Reply::new(451, "4.3.0", reason),
        Refusal::Permanent(reason) => Reply::new(554, "5.6.0", reason),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_line_replies_continue_with_a_dash() {
        let reply = Reply::plain(
            250,
            vec!["host".into(), "PIPELINING".into(), "SIZE 10".into()],
        );
        assert_eq!(
            reply.to_bytes(),
            b"250-host\r\n250-PIPELINING\r\n250 SIZE 10\r\n".to_vec()
        );
    }

    #[test]
    fn text_cannot_break_the_reply_into_lines() {
        let reply = Reply::new(451, "4.3.0", "disk\r\n250 full");
        assert_eq!(reply.to_bytes(), b"451 4.3.0 disk250 full\r\n".to_vec());
    }
}
