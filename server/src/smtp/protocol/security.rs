//! AUTH's two mechanisms (PLAIN, RFC 4616; LOGIN, the de-facto one) read
//! into `Credentials`, and when AUTH may be used at all: a password crosses
//! the network only encrypted (after STARTTLS), unless the client is on this
//! host. Checking the password is the connection loop's (argon2, off the
//! protocol core).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::fmt;
use std::net::IpAddr;

/// AUTH LOGIN's prompts, "Username:" and "Password:" in base64.
pub(super) const LOGIN_USER_PROMPT: &str = "VXNlcm5hbWU6";
pub(super) const LOGIN_PASSWORD_PROMPT: &str = "UGFzc3dvcmQ6";

/// A user name and password a client offered, to be checked.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub user: String,
    pub password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// The mechanisms offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mechanism {
    Plain,
    Login,
}

impl Mechanism {
    pub(super) fn named(name: &str) -> Option<Mechanism> {
        match name {
            "PLAIN" => Some(Mechanism::Plain),
            "LOGIN" => Some(Mechanism::Login),
            _ => None,
        }
    }
}

/// Where an AUTH exchange stands while it waits for the client's next line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum AuthExchange {
    /// AUTH PLAIN without an initial response: the response comes next.
    PlainResponse,
    /// AUTH LOGIN: the user name comes next.
    LoginUser,
    /// AUTH LOGIN: the password for this user comes next.
    LoginPassword { user: String },
}

/// Why a client's line in an AUTH exchange was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AuthLineError {
    /// `*`: the client gave up (RFC 4954 §4).
    Cancelled,
    /// Not base64, or not what the mechanism says.
    Malformed,
}

/// A line of base64 as UTF-8 text.
pub(super) fn decode_text(line: &[u8]) -> Result<String, AuthLineError> {
    if line == b"*" {
        return Err(AuthLineError::Cancelled);
    }
    let bytes = STANDARD
        .decode(line)
        .map_err(|_| AuthLineError::Malformed)?;
    String::from_utf8(bytes).map_err(|_| AuthLineError::Malformed)
}

/// PLAIN's response: `authzid NUL authcid NUL password`. Acting as another
/// user (an authzid other than the authcid) is not offered.
pub(super) fn plain_credentials(line: &[u8]) -> Result<Credentials, AuthLineError> {
    let text = decode_text(line)?;
    let mut parts = text.split('\0');
    let (Some(authorize_as), Some(user), Some(password), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AuthLineError::Malformed);
    };
    if user.is_empty() || !(authorize_as.is_empty() || authorize_as == user) {
        return Err(AuthLineError::Malformed);
    }
    Ok(Credentials {
        user: user.to_string(),
        password: password.to_string(),
    })
}

/// Whether a password may be sent now: over TLS, or by a client on this host.
pub(super) fn password_may_be_sent(tls: bool, client: IpAddr) -> bool {
    tls || client.to_canonical().is_loopback()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_reads_user_and_password_and_refuses_acting_as_another() {
        let encode = |text: &str| STANDARD.encode(text);
        assert_eq!(
            plain_credentials(encode("\0journal\0secret").as_bytes()),
            Ok(Credentials {
                user: "journal".into(),
                password: "secret".into()
            })
        );
        assert!(plain_credentials(encode("journal\0journal\0secret").as_bytes()).is_ok());
        assert_eq!(
            plain_credentials(encode("admin\0journal\0secret").as_bytes()),
            Err(AuthLineError::Malformed)
        );
        assert_eq!(
            plain_credentials(b"not base64!"),
            Err(AuthLineError::Malformed)
        );
        assert_eq!(plain_credentials(b"*"), Err(AuthLineError::Cancelled));
    }

    #[test]
    fn passwords_only_over_tls_or_from_this_host() {
        assert!(password_may_be_sent(false, "127.0.0.1".parse().unwrap()));
        assert!(password_may_be_sent(
            false,
            "::ffff:127.0.0.1".parse().unwrap()
        ));
        assert!(!password_may_be_sent(false, "192.0.2.7".parse().unwrap()));
        assert!(password_may_be_sent(true, "192.0.2.7".parse().unwrap()));
    }

    #[test]
    fn the_debug_form_hides_the_password() {
        let credentials = Credentials {
            user: "journal".into(),
            password: "secret".into(),
        };
        assert!(!format!("{credentials:?}").contains("secret"));
    }
}
