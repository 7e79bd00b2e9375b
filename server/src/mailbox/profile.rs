//! A mailbox profile: where to read mail, how to log in, which folders, and
//! what to do afterwards. `NewProfile` is what an admin or user submits;
//! `validate` reports every problem with the field it belongs to.

use super::folder_rules::FolderRules;
use std::collections::BTreeMap;

/// A closed set of names, parsed case-insensitively, stored as its name.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$variant_meta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($(#[$variant_meta])* $variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(text: &str) -> Result<Self, String> {
                match text.trim().to_ascii_lowercase().as_str() {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!("{other:?} is not one of: {}", [$($text),+].join(", "))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named_enum!(
    /// How the IMAP connection is secured.
    Security { Tls => "tls", StartTls => "starttls", Plain => "plain" }
);
named_enum!(
    AuthMethod {
        Plain => "plain",
        Login => "login",
        CramMd5 => "cram-md5",
        XOAuth2 => "xoauth2",
        OAuthBearer => "oauthbearer",
    }
);
named_enum!(
    /// Which identity a master user logs in as (MailStore).
    IdentityKind { Address => "address", LocalPart => "localpart", Username => "username" }
);
named_enum!(
    /// What happens on the server to a message once it is durably archived.
    Action { None => "none", Tag => "tag", Move => "move", Delete => "delete" }
);
named_enum!(
    /// Where a mailbox's mail comes from.
    Source { Imap => "imap", Import => "import" }
);
named_enum!(
    /// What to do with a message the archive has already (Dr.DOC).
    DuplicatePolicy { Drop => "drop", Change => "change", Replace => "replace" }
);
named_enum!(
    /// What counts as a message the archive has already: the same bytes, or
    /// the same Message-ID, Date and From (a copy a server or gateway altered).
    DuplicateMatch { Content => "content", Headers => "headers" }
);

impl Security {
    pub fn default_port(self) -> u16 {
        match self {
            Security::Tls => 993,
            Security::StartTls | Security::Plain => 143,
        }
    }
}

/// A problem with one field of a profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

fn field_error(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

/// A profile as submitted. Secrets travel separately (`Secret`) and are sealed on save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProfile {
    pub name: String,
    pub email_address: Option<String>,
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub auth_method: AuthMethod,
    pub username: String,
    pub master_user: Option<String>,
    pub identity_kind: Option<IdentityKind>,
    pub ca_file: Option<String>,
    pub accept_invalid_certs: bool,
    pub expected_cert_name: Option<String>,
    pub folder_rules: String,
    pub subscribed_only: bool,
    pub older_than_days: Option<u32>,
    pub max_message_size: Option<u64>,
    pub action: Action,
    pub success_folder: String,
    pub duplicate_folder: String,
    pub error_folder: String,
    pub success_tag: String,
    pub duplicate_tag: String,
    pub delete_older_than_days: Option<u32>,
    pub duplicate_policy: DuplicatePolicy,
    pub duplicate_match: DuplicateMatch,
    pub labels: BTreeMap<String, String>,
    pub schedule: Option<String>,
    pub max_connections: u32,
}

impl NewProfile {
    /// The defaults for a new profile on `host`: implicit TLS, every folder but
    /// trash/junk/drafts, no action on the server, duplicates dropped.
    pub fn new(name: &str, host: &str, username: &str) -> NewProfile {
        NewProfile {
            name: name.to_string(),
            email_address: None,
            host: host.to_string(),
            port: Security::Tls.default_port(),
            security: Security::Tls,
            auth_method: AuthMethod::Plain,
            username: username.to_string(),
            master_user: None,
            identity_kind: None,
            ca_file: None,
            accept_invalid_certs: false,
            expected_cert_name: None,
            folder_rules: String::new(),
            subscribed_only: false,
            older_than_days: None,
            max_message_size: None,
            action: Action::None,
            success_folder: "Archived".into(),
            duplicate_folder: "Duplicates".into(),
            error_folder: "Archive errors".into(),
            success_tag: "$Archived".into(),
            duplicate_tag: "$ArchivedDuplicate".into(),
            delete_older_than_days: None,
            duplicate_policy: DuplicatePolicy::Drop,
            duplicate_match: DuplicateMatch::Content,
            labels: BTreeMap::new(),
            schedule: None,
            max_connections: 2,
        }
    }

    /// Every problem, each with its field; empty when the profile can be saved.
    pub fn validate(&self, has_secret: bool) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() {
            errors.push(field_error("name", "Give the mailbox a name."));
        }
        if self.host.trim().is_empty() || self.host.contains(char::is_whitespace) {
            errors.push(field_error(
                "host",
                "Enter the server's host name, e.g. imap.example.com.",
            ));
        }
        if self.port == 0 {
            errors.push(field_error("port", "The port must be between 1 and 65535."));
        }
        if self.username.trim().is_empty() {
            errors.push(field_error(
                "username",
                "Enter the user name for the server.",
            ));
        }
        let needs_password = matches!(
            self.auth_method,
            AuthMethod::Plain | AuthMethod::Login | AuthMethod::CramMd5
        );
        if needs_password && !has_secret {
            errors.push(field_error("secret", "Enter the password."));
        }
        if let Err(rule_errors) = FolderRules::parse(&self.folder_rules) {
            for rule_error in rule_errors {
                errors.push(field_error("folder_rules", rule_error.to_string()));
            }
        }
        for (field, folder) in [
            ("success_folder", &self.success_folder),
            ("duplicate_folder", &self.duplicate_folder),
            ("error_folder", &self.error_folder),
        ] {
            if let Some(message) = base_folder_problem(folder) {
                errors.push(field_error(field, message));
            }
        }
        for (field, tag) in [
            ("success_tag", &self.success_tag),
            ("duplicate_tag", &self.duplicate_tag),
        ] {
            if tag.is_empty()
                || tag
                    .chars()
                    .any(|c| c.is_whitespace() || "(){%*\"\\]".contains(c))
            {
                errors.push(field_error(
                    field,
                    format!("{tag:?} is not a valid IMAP keyword."),
                ));
            }
        }
        if self.master_user.is_some()
            && !matches!(self.auth_method, AuthMethod::Plain | AuthMethod::Login)
        {
            errors.push(field_error(
                "auth_method",
                "A master user logs in with PLAIN (it names the user it acts for); choose plain.",
            ));
        }
        if self.security == Security::Plain && self.accept_invalid_certs {
            errors.push(field_error(
                "accept_invalid_certs",
                "There is no certificate on an unencrypted connection.",
            ));
        }
        if let Some(schedule) = &self.schedule
            && let Err(message) = super::schedule::Schedule::parse(schedule)
        {
            errors.push(field_error("schedule", message));
        }
        if self.max_connections == 0 {
            errors.push(field_error(
                "max_connections",
                "Allow at least one connection.",
            ));
        }
        errors
    }
}

/// Base folders become `<base>/<source folder>` on the server, whose
/// hierarchy separator may be `.` or `/`: neither may appear inside the base.
fn base_folder_problem(folder: &str) -> Option<String> {
    if folder.trim().is_empty() {
        return Some("Enter a folder name.".into());
    }
    if folder.contains('.') || folder.contains('/') {
        return Some(format!(
            "\"{folder}\" contains \".\" or \"/\", which mail servers use to separate folder levels; choose a name without them."
        ));
    }
    None
}

/// Parses `key=value` label presets.
pub fn parse_label(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok((key.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(format!(
            "{text:?} is not a label: write key=value, e.g. category=Eingangsrechnung"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> NewProfile {
        NewProfile::new("Alice", "imap.example.com", "alice")
    }

    fn fields(errors: &[FieldError]) -> Vec<&'static str> {
        errors.iter().map(|error| error.field).collect()
    }

    #[test]
    fn defaults_are_valid_with_a_password() {
        assert!(valid().validate(true).is_empty());
        assert_eq!(fields(&valid().validate(false)), ["secret"]);
        let oauth = NewProfile {
            auth_method: AuthMethod::XOAuth2,
            ..valid()
        };
        assert!(
            oauth.validate(false).is_empty(),
            "tokens come from the OAuth flow"
        );
    }

    #[test]
    fn a_dot_or_slash_in_a_base_folder_is_refused() {
        let profile = NewProfile {
            success_folder: "Dr. Doc".into(),
            error_folder: "Errors/Archive".into(),
            ..valid()
        };
        let errors = profile.validate(true);
        assert_eq!(fields(&errors), ["success_folder", "error_folder"]);
        assert!(
            errors[0]
                .message
                .contains("\"Dr. Doc\" contains \".\" or \"/\""),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let profile = NewProfile {
            name: " ".into(),
            host: "bad host".into(),
            port: 0,
            folder_rules: "/INBOX".into(),
            success_tag: "has space".into(),
            max_connections: 0,
            ..valid()
        };
        assert_eq!(
            fields(&profile.validate(true)),
            [
                "name",
                "host",
                "port",
                "folder_rules",
                "success_tag",
                "max_connections"
            ]
        );
    }

    #[test]
    fn names_parse_case_insensitively_and_say_what_is_allowed() {
        assert_eq!("STARTTLS".parse::<Security>(), Ok(Security::StartTls));
        assert_eq!("cram-md5".parse::<AuthMethod>(), Ok(AuthMethod::CramMd5));
        assert_eq!(
            "ssl".parse::<Security>().unwrap_err(),
            "\"ssl\" is not one of: tls, starttls, plain"
        );
        assert_eq!(Action::Move.to_string(), "move");
    }

    #[test]
    fn labels_are_key_value() {
        assert_eq!(
            parse_label("category = Eingangsrechnung"),
            Ok(("category".into(), "Eingangsrechnung".into()))
        );
        assert_eq!(parse_label("empty="), Ok(("empty".into(), String::new())));
        assert!(parse_label("=x").is_err());
        assert!(parse_label("novalue").is_err());
    }
}
