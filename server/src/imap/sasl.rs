//! SASL mechanisms for `AUTHENTICATE`: what the client answers to each
//! server challenge. async-imap does the base64 framing.

use async_imap::Authenticator;
use hmac::{Hmac, Mac};

/// One exchange: the first challenge gets `initial`; a second challenge is an
/// error report (XOAUTH2/OAUTHBEARER send JSON before their final NO), which is
/// kept for the error message and answered with `after_error` as the RFCs require.
pub(super) struct Exchange {
    initial: Vec<u8>,
    after_error: Vec<u8>,
    answered: bool,
    /// The server's error challenge, if it sent one.
    pub error_details: Option<String>,
}

impl Exchange {
    fn new(initial: Vec<u8>, after_error: Vec<u8>) -> Exchange {
        Exchange {
            initial,
            after_error,
            answered: false,
            error_details: None,
        }
    }

    /// RFC 4616: `[authzid] NUL authcid NUL passwd`.
    pub fn plain(authzid: Option<&str>, user: &str, password: &str) -> Exchange {
        let message = format!("{}\0{user}\0{password}", authzid.unwrap_or(""));
        Exchange::new(message.into_bytes(), Vec::new())
    }

    /// Google's and Microsoft's XOAUTH2: `user=U ^A auth=Bearer T ^A ^A`; an
    /// error challenge is answered with an empty line.
    pub fn xoauth2(user: &str, token: &str) -> Exchange {
        let message = format!("user={user}\x01auth=Bearer {token}\x01\x01");
        Exchange::new(message.into_bytes(), Vec::new())
    }

    /// RFC 7628 OAUTHBEARER with the GS2 header; an error challenge is answered with `^A`.
    pub fn oauthbearer(user: &str, host: &str, port: u16, token: &str) -> Exchange {
        let message =
            format!("n,a={user},\x01host={host}\x01port={port}\x01auth=Bearer {token}\x01\x01");
        Exchange::new(message.into_bytes(), vec![0x01])
    }
}

impl Authenticator for &mut Exchange {
    type Response = Vec<u8>;

    fn process(&mut self, challenge: &[u8]) -> Self::Response {
        if !self.answered {
            self.answered = true;
            return self.initial.clone();
        }
        self.error_details = Some(String::from_utf8_lossy(challenge).into_owned());
        self.after_error.clone()
    }
}

/// RFC 2195: the answer is `user SP hex(HMAC-MD5(password, challenge))`, so
/// the password never crosses the wire, even without TLS.
pub(super) struct CramMd5 {
    pub user: String,
    pub password: String,
}

impl Authenticator for &CramMd5 {
    type Response = String;

    fn process(&mut self, challenge: &[u8]) -> Self::Response {
        cram_md5_response(&self.user, &self.password, challenge)
    }
}

fn cram_md5_response(user: &str, password: &str, challenge: &[u8]) -> String {
    let mut mac =
        Hmac::<md5::Md5>::new_from_slice(password.as_bytes()).expect("HMAC takes any key length");
    mac.update(challenge);
    format!("{user} {}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_puts_the_authorization_identity_first() {
        assert_eq!(
            Exchange::plain(Some("alice"), "archiver", "pw").initial,
            b"alice\0archiver\0pw"
        );
        assert_eq!(Exchange::plain(None, "alice", "pw").initial, b"\0alice\0pw");
    }

    #[test]
    fn cram_md5_matches_the_rfc_2195_example() {
        assert_eq!(
            cram_md5_response(
                "tim",
                "tanstaaftanstaaf",
                b"<1896.697170952@postoffice.reston.mci.net>"
            ),
            "tim b913a602c7eda7a495b4e6e7334d3890"
        );
    }

    #[test]
    fn oauth_errors_are_kept_and_acknowledged() {
        let mut exchange = Exchange::oauthbearer("alice", "imap.example.com", 993, "t0k");
        let mut authenticator = &mut exchange;
        assert_eq!(
            authenticator.process(b""),
            b"n,a=alice,\x01host=imap.example.com\x01port=993\x01auth=Bearer t0k\x01\x01"
        );
        assert_eq!(authenticator.process(br#"{"status":"invalid_token"}"#), [1]);
        assert_eq!(
            exchange.error_details.as_deref(),
            Some(r#"{"status":"invalid_token"}"#)
        );
        let mut xoauth2 = Exchange::xoauth2("bob", "abc");
        assert_eq!(
            (&mut xoauth2).process(b""),
            b"user=bob\x01auth=Bearer abc\x01\x01"
        );
    }
}
