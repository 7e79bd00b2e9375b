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
        if self.source == Source::Pop3 {
            errors.extend(pop3_problems(self));
        } else if self.auth_method == AuthMethod::Apop {
            errors.push(field_error(
                "auth_method",
                "APOP is a POP3 login; choose another method for IMAP.",
            ));
        }
        let needs_password = matches!(
            self.auth_method,
            AuthMethod::Plain | AuthMethod::Login | AuthMethod::CramMd5 | AuthMethod::Apop
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
        if self.security == Security::Plain && self.pinned_cert_sha256.is_some() {
            errors.push(field_error(
                "pinned_cert",
                "There is no certificate on an unencrypted connection; choose TLS or STARTTLS, or remove the trusted certificate.",
            ));
        }
        errors.extend(common_problems(self));
        errors
    }
}

/// What a POP3 mailbox cannot have: POP3 logs in with a password (USER/PASS,
/// SASL PLAIN or APOP), and its one maildrop has no folders or keywords, so
/// the only after-archive actions are leaving mail on the server or deleting it.
fn pop3_problems(profile: &MailboxInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !matches!(
        profile.auth_method,
        AuthMethod::Plain | AuthMethod::Login | AuthMethod::Apop
    ) {
        errors.push(field_error(
            "auth_method",
            "POP3 logs in with plain (SASL PLAIN), login (USER/PASS) or apop.",
        ));
    }
    if matches!(profile.action, Action::Tag | Action::Move) {
        errors.push(field_error(
            "action",
            "POP3 has no folders or keywords: leave the mail on the server (none) or delete it after archiving.",
        ));
    }
    errors
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

/// Graph's service root must be a web address; which ones a mailbox may
/// use (the bearer token travels with every request) is `GraphRoots`'.
fn graph_root_problem(root: &str) -> Option<String> {
    match reqwest::Url::parse(root) {
        Ok(url) if matches!(url.scheme(), "https" | "http") => None,
        _ => Some(format!(
            "Enter Graph's service root URL, {GRAPH_ROOT_EXAMPLE}."
        )),
    }
}

const GRAPH_ROOT_EXAMPLE: &str =
    "e.g. https://graph.microsoft.com/v1.0 (graph.microsoft.us for US Government clouds)";

/// Microsoft Graph's service roots: the global service and the national
/// clouds (US Government L4 and L5 (DoD), China operated by 21Vianet).
pub const MICROSOFT_GRAPH_ROOTS: [&str; 4] = [
    "https://graph.microsoft.com",
    "https://graph.microsoft.us",
    "https://dod-graph.microsoft.us",
    "https://microsoftgraph.chinacloudapi.cn",
];

/// A configured Graph service root that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "graph_roots: {root:?} is not a service root; write an http(s) address without user, query or fragment, e.g. \"https://graph-proxy.example.com/v1.0\""
)]
pub struct BadGraphRoot {
    pub root: String,
}

/// The Graph service roots a mailbox may read through. Every request
/// carries the mailbox's bearer token (with app-only access one for the
/// whole organisation), so only Microsoft's own roots are allowed, plus the
/// ones an administrator configures (`graph_roots`: a proxy, a test bed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphRoots {
    roots: Vec<reqwest::Url>,
}

impl Default for GraphRoots {
    fn default() -> Self {
        GraphRoots::new(&[]).expect("Microsoft's roots are valid")
    }
}

impl GraphRoots {
    /// Microsoft's roots and `configured` ones. A root allows its own
    /// origin and every path below its own (`http://127.0.0.1:18080` any
    /// path there, `https://proxy.example.com/graph` only below `/graph`).
    pub fn new(configured: &[String]) -> Result<GraphRoots, BadGraphRoot> {
        let roots = MICROSOFT_GRAPH_ROOTS
            .iter()
            .map(|root| root.to_string())
            .chain(configured.iter().map(|root| root.trim().to_string()))
            .map(|root| parse_root(&root).ok_or(BadGraphRoot { root: root.clone() }))
            .collect::<Result<_, _>>()?;
        Ok(GraphRoots { roots })
    }

    /// Why `root` may not be a mailbox's service root, if it may not.
    pub fn problem(&self, root: &str) -> Option<String> {
        if self.allows(root) {
            return None;
        }
        Some(format!(
            "Graph is read at Microsoft's service roots only, {GRAPH_ROOT_EXAMPLE}; an administrator can allow others in the configuration (graph_roots)."
        ))
    }

    pub fn allows(&self, root: &str) -> bool {
        let Some(url) = parse_root(root.trim()) else {
            return false;
        };
        self.roots.iter().any(|allowed| {
            let allowed_path = allowed.path().trim_end_matches('/');
            allowed.scheme() == url.scheme()
                && allowed.host_str() == url.host_str()
                && allowed.port_or_known_default() == url.port_or_known_default()
                && url
                    .path()
                    .strip_prefix(allowed_path)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    }
}

/// `root` as a service root: http(s), a host, no credentials, query or fragment.
fn parse_root(root: &str) -> Option<reqwest::Url> {
    let url = reqwest::Url::parse(root).ok()?;
    let plain = matches!(url.scheme(), "https" | "http")
        && url.host_str().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none();
    plain.then_some(url)
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
    fn a_pop3_mailbox_logs_in_with_a_password_and_leaves_or_deletes() {
        let pop3 = MailboxInput {
            source: Source::Pop3,
            port: 995,
            auth_method: AuthMethod::Apop,
            action: Action::Delete,
            ..valid()
        };
        assert!(pop3.validate(true).is_empty(), "{:?}", pop3.validate(true));
        assert_eq!(fields(&pop3.validate(false)), ["secret"]);
        let moving = MailboxInput {
            action: Action::Move,
            auth_method: AuthMethod::XOAuth2,
            ..pop3.clone()
        };
        assert_eq!(fields(&moving.validate(true)), ["auth_method", "action"]);
        let imap_apop = MailboxInput {
            auth_method: AuthMethod::Apop,
            ..valid()
        };
        assert_eq!(fields(&imap_apop.validate(true)), ["auth_method"]);
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
    fn graph_roots_are_microsofts_unless_configured() {
        let microsoft = GraphRoots::default();
        for root in [
            "https://graph.microsoft.com/v1.0",
            "https://graph.microsoft.com/beta/",
            "https://GRAPH.microsoft.com:443/v1.0",
            "https://graph.microsoft.us/v1.0",
            "https://dod-graph.microsoft.us/v1.0",
            "https://microsoftgraph.chinacloudapi.cn/v1.0",
        ] {
            assert!(microsoft.allows(root), "{root}");
        }
        for root in [
            "http://graph.microsoft.com/v1.0",
            "https://graph.microsoft.com.attacker.example/v1.0",
            "https://graph.microsoft.com:8443/v1.0",
            "https://user:pw@graph.microsoft.com/v1.0",
            "https://graph.microsoft.com/v1.0?x=1",
            "http://127.0.0.1:18080/v1.0",
            "graph.microsoft.com",
        ] {
            assert!(!microsoft.allows(root), "{root}");
            assert!(microsoft.problem(root).is_some(), "{root}");
        }
        let configured = GraphRoots::new(&[
            "http://127.0.0.1:18080".into(),
            "https://proxy.example.com/graph/".into(),
        ])
        .unwrap();
        assert!(configured.allows("http://127.0.0.1:18080/v1.0"));
        assert!(configured.allows("https://proxy.example.com/graph/v1.0"));
        assert!(!configured.allows("https://proxy.example.com/graphs/v1.0"));
        assert!(!configured.allows("https://proxy.example.com/v1.0"));
        assert!(!configured.allows("http://127.0.0.1:18081/v1.0"));
        assert!(configured.allows("https://graph.microsoft.com/v1.0"));
        assert_eq!(
            GraphRoots::new(&["graph-proxy".into()]),
            Err(BadGraphRoot {
                root: "graph-proxy".into()
            })
        );
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
