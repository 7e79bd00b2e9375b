//! A mailbox profile: where to read mail, how to log in, which folders, and
//! what to do afterwards. `MailboxInput` is what an admin or user submits;
//! `validate` reports every problem with the field it belongs to.

use super::folder_rules::FolderRules;
pub use app::model::mailbox::{
    Action, AuthMethod, DuplicateMatch, DuplicatePolicy, IdentityKind, MailboxInput, Security,
    Source,
};

/// The largest message archived when a profile sets no maximum size. A
/// limit is always in force: a hostile (or broken) server could otherwise
/// send one "message" of any size into memory. 150 MiB covers what real mail
/// systems carry: Microsoft 365's maximum message size is 150 MB (150,000,000
/// bytes, encoding included), Gmail's is 50 MB when receiving (25 MB to
/// send), most other providers' less. A message above it is skipped and
/// listed in the job log.
pub const DEFAULT_MAX_MESSAGE_BYTES: u64 = 150 * 1024 * 1024;

/// The largest maximum message size a profile may set: the IMAP library
/// buffers at most 512 MiB for one response, so a larger message could not
/// be fetched anyway.
pub const MAX_MESSAGE_BYTES_CEILING: u64 = 512 * 1024 * 1024;

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

/// The server's checks of a submitted profile (some need server-only parsers:
/// folder rules, cron schedules), so they live here rather than in `app`.
pub trait Validation {
    /// Every problem, each with its field; empty when the profile can be saved.
    fn validate(&self, has_secret: bool) -> Vec<FieldError>;
}

impl Validation for MailboxInput {
    fn validate(&self, has_secret: bool) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() {
            errors.push(field_error("name", "Give the mailbox a name."));
        }
        if self.source == Source::Graph {
            errors.extend(graph_problems(self));
            return errors;
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
        if self.oauth_app_id.is_some() && needs_password {
            errors.push(field_error(
                "oauth_app",
                "A sign-in app is for OAuth mailboxes: choose XOAUTH2 or OAUTHBEARER as the method.",
            ));
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
        errors.extend(common_problems(self));
        errors
    }
}

/// A Graph mailbox: the service root, the user it reads, a sign-in app
/// (Graph takes only bearer tokens), a page size; no port or password.
fn graph_problems(profile: &MailboxInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(message) = graph_root_problem(profile.host.trim()) {
        errors.push(field_error("host", message));
    }
    if profile.username.trim().is_empty() {
        errors.push(field_error(
            "username",
            "Enter the mailbox's address (the user whose mail Graph reads), e.g. anna@contoso.com.",
        ));
    }
    if profile.oauth_app_id.is_none() {
        errors.push(field_error(
            "oauth_app",
            "Microsoft Graph needs a sign-in app: choose one (Admin → Sign-in apps registers it).",
        ));
    }
    if profile.master_user.is_some() {
        errors.push(field_error(
            "master_user",
            "Graph has no master users: an app-only sign-in reads every mailbox it is granted.",
        ));
    }
    if !(1..=1000).contains(&profile.page_size) {
        errors.push(field_error(
            "page_size",
            "Enter a page size between 1 and 1000 messages.",
        ));
    }
    errors.extend(common_problems(profile));
    errors
}

/// What every server mailbox must get right: folders, the action, the schedule.
fn common_problems(profile: &MailboxInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if profile
        .max_message_size
        .is_some_and(|size| size > MAX_MESSAGE_BYTES_CEILING)
    {
        errors.push(field_error(
            "max_message_size_mb",
            format!(
                "Enter at most {} MB: larger messages cannot be fetched.",
                MAX_MESSAGE_BYTES_CEILING / (1024 * 1024)
            ),
        ));
    }
    if let Err(rule_errors) = FolderRules::parse(&profile.folder_rules) {
        for rule_error in rule_errors {
            errors.push(field_error("folder_rules", rule_error.to_string()));
        }
    }
    for (field, folder) in [
        ("success_folder", &profile.success_folder),
        ("duplicate_folder", &profile.duplicate_folder),
        ("error_folder", &profile.error_folder),
    ] {
        if let Some(message) = base_folder_problem(folder) {
            errors.push(field_error(field, message));
        }
    }
    for (field, tag) in [
        ("success_tag", &profile.success_tag),
        ("duplicate_tag", &profile.duplicate_tag),
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
    if let Some(schedule) = &profile.schedule
        && let Err(message) = super::schedule::Schedule::parse(schedule)
    {
        errors.push(field_error("schedule", message));
    }
    if profile.max_connections == 0 {
        errors.push(field_error(
            "max_connections",
            "Allow at least one connection.",
        ));
    }
    errors
}

/// Graph's service root must be an `https` URL; plain `http` only to this
/// machine (a stand-in or a local proxy), since the bearer token travels with every request.
fn graph_root_problem(root: &str) -> Option<String> {
    let example =
        "e.g. https://graph.microsoft.com/v1.0 (graph.microsoft.us for US Government clouds)";
    let Ok(url) = reqwest::Url::parse(root) else {
        return Some(format!("Enter Graph's service root URL, {example}."));
    };
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match url.scheme() {
        "https" => None,
        "http" if loopback => None,
        _ => Some(format!(
            "Graph is reached over https only (the access token travels with every request), {example}."
        )),
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

    fn valid() -> MailboxInput {
        MailboxInput::new("Alice", "imap.example.com", "alice")
    }

    fn fields(errors: &[FieldError]) -> Vec<&'static str> {
        errors.iter().map(|error| error.field).collect()
    }

    #[test]
    fn defaults_are_valid_with_a_password() {
        assert!(valid().validate(true).is_empty());
        assert_eq!(fields(&valid().validate(false)), ["secret"]);
        let oauth = MailboxInput {
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
        let profile = MailboxInput {
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
        let profile = MailboxInput {
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
