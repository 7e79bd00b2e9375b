//! SMTP settings for notification mail as the admin page edits them, and the
//! test mail. The password never leaves the server: the page learns only
//! whether one is stored.

use crate::i18n::Lang;
use crate::t;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One level of settings: the instance's (every mailbox without its own) or
/// one mailbox's, which wins over the instance's for that mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpScope {
    /// `None`: the instance.
    pub mailbox_id: Option<i64>,
    pub name: String,
    /// Settings of its own exist at this level.
    pub configured: bool,
}

/// The form, as strings the way the browser sends them; the server parses
/// and names each field's problem.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpForm {
    /// Empty for the instance, else a mailbox id.
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub port: String,
    /// `starttls`, `tls` or `none`.
    #[serde(default)]
    pub security: String,
    #[serde(default)]
    pub username: String,
    /// Empty keeps the stored password.
    #[serde(default)]
    pub password: String,
    /// Ticked: remove the stored password (a server without AUTH).
    #[serde(default)]
    pub forget_password: Option<String>,
    #[serde(default)]
    pub from_address: String,
    #[serde(default)]
    pub from_name: String,
    /// A CA certificate file on the server (PEM), for a company CA.
    #[serde(default)]
    pub ca_file: String,
    /// Besides the administrators, for failure notices; one per line.
    #[serde(default)]
    pub extra_recipients: String,
    /// Who gets the daily job summary (instance only); one per line.
    #[serde(default)]
    pub summary_recipients: String,
}

/// The page: every level, and the chosen one's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpSettingsView {
    pub scopes: Vec<SmtpScope>,
    pub form: SmtpForm,
    /// Settings of its own exist at the chosen level.
    pub configured: bool,
    pub password_stored: bool,
    /// For a mailbox without its own: what it uses instead.
    pub inherited_from_instance: bool,
    pub updated_at: Option<DateTime<Utc>>,
    pub last_summary_at: Option<DateTime<Utc>>,
}

/// A sent test mail, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestMailSent {
    pub to: String,
    /// e.g. `smtp.example.com:587 (STARTTLS)`.
    pub via: String,
}

impl TestMailSent {
    /// What the person who sent it reads, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        t!(
            lang,
            "notifications-test-mail-sent",
            via = &self.via,
            to = &self.to
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sent_test_mail_is_said_in_the_readers_language() {
        let sent = TestMailSent {
            to: "a@example.com".into(),
            via: "smtp.example.com:587 (STARTTLS)".into(),
        };
        assert_eq!(
            sent.message(Lang::En),
            "Test mail handed to smtp.example.com:587 (STARTTLS) for a@example.com. \
             If it does not arrive, look in the spam folder and the mail server's log."
        );
        assert!(
            sent.message(Lang::De)
                .starts_with("Testmail an smtp.example.com:587")
        );
    }
}
