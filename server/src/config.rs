//! Configuration: built-in defaults, then a TOML file (`--config FILE`), then
//! `TRESOR_*` environment variables, then command-line flags. Built once in
//! `cli` and passed down; nothing reads the environment behind its back.

use crate::connect::{AllowedDestination, Network};
use crate::telemetry::LogFormat;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where Tresor keeps its SQLite database, blobs, index and keys.
    pub data_dir: PathBuf,
    /// Address `tresor serve` listens on.
    pub listen: SocketAddr,
    /// `sqlite://…` or `postgres://…`; defaults to `tresor.db` in the data directory.
    pub database_url: Option<String>,
    /// The address users reach Tresor at, e.g. `https://archive.example.com`.
    /// When it is https, session cookies are marked `Secure`.
    pub public_url: Option<String>,
    /// The compiled browser app (`pkg/tresor.js`, `pkg/tresor.wasm`, CSS, favicon).
    pub site_root: PathBuf,
    /// How long a sign-in lasts.
    pub session_hours: u64,
    /// The administrator created on first start, when there are no users yet.
    pub initial_admin_email: String,
    /// Their password; when unset, a random one is generated and printed once.
    pub initial_admin_password: Option<String>,
    pub log_format: LogFormat,
    /// Archive jobs `tresor serve` runs at once, over all servers.
    pub max_concurrent_jobs: usize,
    /// How often `tresor serve` re-verifies the whole archive (`tresor
    /// verify`); 0 turns the scheduled check off. The ledger head is written
    /// to `<data_dir>/ledger/heads.log` once a day either way.
    pub verify_interval_hours: u64,
    /// Reverse proxies in front of Tresor (addresses or networks such as
    /// `10.0.0.0/8`; like every list setting, in the environment separated by
    /// commas, see `list`). Only when a
    /// request comes from one of them are its `X-Forwarded-For` (or, without
    /// one, `Forwarded: for=`) addresses believed, so sign-in throttling and the
    /// audit log see the real client; from anyone else these headers are ignored.
    /// Empty by default: without a proxy, a client could name any address.
    pub trusted_proxies: TrustedProxies,
    /// Whether mailboxes of users (not administrators) may connect to
    /// internal addresses: loopback, private networks (10/8, 172.16/12,
    /// 192.168/16, fc00::/7), link-local (where cloud metadata services
    /// answer), carrier-grade NAT and the like. Off, they reach public
    /// addresses only, so nobody can point the server at its own network.
    /// Administrators' and shared mailboxes reach any address either way.
    pub allow_private_destinations: bool,
    /// Internal networks (`10.1.2.0/24`, `192.168.1.10`) and host names
    /// (`mail.internal`) users' mailboxes may reach although
    /// `allow_private_destinations` is off: the company's own mail server.
    #[serde(deserialize_with = "list::deserialize")]
    pub allowed_destinations: Vec<AllowedDestination>,
    /// Microsoft Graph service roots mailboxes may use besides Microsoft's
    /// own (graph.microsoft.com and the national clouds), e.g. a proxy or a
    /// test bed: `graph_roots = ["http://127.0.0.1:18080"]`, in the
    /// environment `TRESOR_GRAPH_ROOTS='["http://127.0.0.1:18080"]'`. Every
    /// request there carries a mailbox's bearer token.
    #[serde(deserialize_with = "list::deserialize")]
    pub graph_roots: Vec<String>,
    /// Where `tresor serve` receives journal copies over SMTP (or LMTP, see
    /// `journal_lmtp`) for the journal mailboxes (`tresor journal add`), e.g.
    /// `0.0.0.0:2525`; unset, it does not listen.
    pub journal_listen: Option<SocketAddr>,
    /// Speak LMTP (RFC 2033) instead of SMTP on `journal_listen`.
    pub journal_lmtp: bool,
    /// The largest journal copy taken (a journal report wraps the original,
    /// so somewhat above the largest mail the organisation sends).
    pub journal_max_message_bytes: u64,
    /// A PEM certificate chain and its key for STARTTLS on `journal_listen`;
    /// without them no STARTTLS is offered.
    pub journal_tls_cert: Option<PathBuf>,
    pub journal_tls_key: Option<PathBuf>,
    /// Who may deliver journal copies: addresses or networks (`10.0.0.0/8`);
    /// empty (the default), only loopback.
    pub journal_allow: JournalClients,
}

/// Every key of `Config`, as written in the file and (upper-cased, after `TRESOR_`) in the environment.
const KEYS: [&str; 21] = [
    "data_dir",
    "listen",
    "database_url",
    "public_url",
    "site_root",
    "session_hours",
    "initial_admin_email",
    "initial_admin_password",
    "log_format",
    "max_concurrent_jobs",
    "verify_interval_hours",
    "trusted_proxies",
    "allow_private_destinations",
    "allowed_destinations",
    "graph_roots",
    "journal_listen",
    "journal_lmtp",
    "journal_max_message_bytes",
    "journal_tls_cert",
    "journal_tls_key",
    "journal_allow",
];

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("data"),
            listen: SocketAddr::from(([127, 0, 0, 1], 3000)),
            database_url: None,
            public_url: None,
            site_root: PathBuf::from("site"),
            session_hours: 12,
            initial_admin_email: "admin@localhost".to_string(),
            initial_admin_password: None,
            log_format: LogFormat::Text,
            max_concurrent_jobs: 4,
            verify_interval_hours: 24,
            trusted_proxies: TrustedProxies::default(),
            allow_private_destinations: false,
            allowed_destinations: Vec::new(),
            graph_roots: Vec::new(),
            journal_listen: None,
            journal_lmtp: false,
            journal_max_message_bytes: DEFAULT_JOURNAL_MAX_MESSAGE_BYTES,
            journal_tls_cert: None,
            journal_tls_key: None,
            journal_allow: JournalClients::default(),
        }
    }
}

/// The largest journal copy taken unless configured: Exchange Online's
/// largest message (150 MB) with room for the journal report around it.
pub const DEFAULT_JOURNAL_MAX_MESSAGE_BYTES: u64 = 160 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {path} does not exist")]
    MissingFile { path: PathBuf },
    #[error("invalid configuration: {0}")]
    Invalid(#[from] Box<figment::Error>),
}

/// Values given on the command line; they win over everything else.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
}

impl Config {
    /// Loads the configuration from the process environment.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
        Self::load_from(
            file,
            overrides,
            Env::prefixed("TRESOR_"),
            std::env::var("DATABASE_URL").ok(),
        )
    }

    /// `env` is a parameter so tests can supply their own variables.
    fn load_from(
        file: Option<&Path>,
        overrides: &Overrides,
        env: Env,
        database_url_env: Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError::MissingFile {
                    path: path.to_path_buf(),
                });
            }
            figment = figment.merge(Toml::file(path));
        }
        // The conventional DATABASE_URL counts too, below TRESOR_DATABASE_URL.
        if let Some(url) = database_url_env {
            figment = figment.merge(Serialized::default("database_url", url));
        }
        // Only known keys: other TRESOR_* variables (a test harness's, say) are not config.
        figment = figment
            .merge(env.only(&KEYS))
            .merge(Serialized::defaults(overrides));
        figment
            .extract()
            .map_err(|error| ConfigError::Invalid(Box::new(error)))
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("tresor.db").display()
            ),
        }
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"))
    }

    /// The address to tell people to open.
    pub fn display_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
    }
}

/// The reverse proxies whose forwarding headers are believed. In TOML a list
/// (`["10.0.0.1", "192.168.0.0/16"]`) or one string; in the environment
/// `TRESOR_TRUSTED_PROXIES=10.0.0.1,192.168.0.0/16`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Network>);

impl TrustedProxies {
    pub fn new(networks: Vec<Network>) -> Self {
        TrustedProxies(networks)
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(address))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The clients that may deliver journal copies (`journal_allow`), written
/// as `trusted_proxies` is; empty, only loopback.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalClients(Vec<Network>);

impl JournalClients {
    /// The networks written, or loopback when none are.
    pub fn networks(&self) -> Vec<Network> {
        if self.0.is_empty() {
            return crate::smtp::loopback();
        }
        self.0.clone()
    }

    pub fn allows(&self, address: IpAddr) -> bool {
        if self.0.is_empty() {
            return address.is_loopback();
        }
        self.0.iter().any(|network| network.contains(address))
    }
}

impl Serialize for JournalClients {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(ToString::to_string))
    }
}

impl<'de> Deserialize<'de> for JournalClients {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        list::deserialize(deserializer).map(JournalClients)
    }
}

impl std::str::FromStr for TrustedProxies {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        list::parse(text).map(TrustedProxies)
    }
}

impl Serialize for TrustedProxies {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(ToString::to_string))
    }
}

impl<'de> Deserialize<'de> for TrustedProxies {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        list::deserialize(deserializer).map(TrustedProxies)
    }
}

/// The one syntax of every list setting: in TOML a list (`["a", "b"]`) or
/// one string; in the environment `a,b` or figment's `[a, b]`. Entries are
/// separated by commas or white space and parsed by their type's `FromStr`,
/// so a mistake names the entry.
mod list {
    use serde::Deserialize;
    use std::str::FromStr;

    pub fn parse<T: FromStr>(text: &str) -> Result<Vec<T>, String>
    where
        T::Err: std::fmt::Display,
    {
        text.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|entry| !entry.is_empty())
            .map(|entry| entry.parse().map_err(|error: T::Err| error.to_string()))
            .collect()
    }

    pub fn deserialize<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
    where
        D: serde::Deserializer<'de>,
        T: FromStr,
        T::Err: std::fmt::Display,
    {
        /// A list of entries, or one string of them.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Given {
            One(String),
            Many(Vec<String>),
        }
        let text = match Given::deserialize(deserializer)? {
            Given::One(text) => text,
            Given::Many(entries) => entries.join(","),
        };
        parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
// figment::Jail's closures return figment's own (large) error type.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use figment::Jail;

    fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
        Config::load_from(file, overrides, Env::prefixed("TRESOR_"), None)
    }

    #[test]
    fn defaults_use_sqlite_in_the_data_dir() {
        Jail::expect_with(|_jail| {
            let config = load(None, &Overrides::default()).unwrap();
            assert_eq!(config.data_dir, PathBuf::from("data"));
            assert_eq!(config.listen.to_string(), "127.0.0.1:3000");
            assert_eq!(config.database_url(), "sqlite://data/tresor.db?mode=rwc");
            assert!(!config.secure_cookies());
            Ok(())
        });
    }

    #[test]
    fn file_then_environment_then_flags() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "tresor.toml",
                "data_dir = \"/srv/tresor\"\nlisten = \"0.0.0.0:8080\"\nsession_hours = 4\n",
            )?;
            jail.set_env("TRESOR_SESSION_HOURS", "8");
            jail.set_env("TRESOR_PUBLIC_URL", "https://archive.example.com");
            let from_file_and_env =
                load(Some(Path::new("tresor.toml")), &Overrides::default()).unwrap();
            assert_eq!(from_file_and_env.data_dir, PathBuf::from("/srv/tresor"));
            assert_eq!(from_file_and_env.listen.port(), 8080);
            assert_eq!(
                from_file_and_env.session_hours, 8,
                "environment beats the file"
            );
            assert!(from_file_and_env.secure_cookies());

            let overrides = Overrides {
                data_dir: Some(PathBuf::from("/tmp/other")),
                listen: Some("127.0.0.1:4000".parse().unwrap()),
            };
            let with_flags = load(Some(Path::new("tresor.toml")), &overrides).unwrap();
            assert_eq!(
                with_flags.data_dir,
                PathBuf::from("/tmp/other"),
                "flags beat everything"
            );
            assert_eq!(with_flags.listen.port(), 4000);
            Ok(())
        });
    }

    #[test]
    fn database_url_from_either_variable() {
        Jail::expect_with(|jail| {
            let plain = Config::load_from(
                None,
                &Overrides::default(),
                Env::prefixed("TRESOR_"),
                Some("postgres://a@h/db".into()),
            )
            .unwrap();
            assert_eq!(plain.database_url(), "postgres://a@h/db");
            jail.set_env("TRESOR_DATABASE_URL", "postgres://b@h/db");
            let prefixed = Config::load_from(
                None,
                &Overrides::default(),
                Env::prefixed("TRESOR_"),
                Some("postgres://a@h/db".into()),
            )
            .unwrap();
            assert_eq!(prefixed.database_url(), "postgres://b@h/db");
            Ok(())
        });
    }

    #[test]
    fn keys_list_every_field() {
        let defaults = Config {
            database_url: Some(String::new()),
            public_url: Some(String::new()),
            initial_admin_password: Some(String::new()),
            ..Config::default()
        };
        let serialized = serde_json::to_value(defaults).unwrap();
        let mut fields: Vec<_> = serialized.as_object().unwrap().keys().cloned().collect();
        let mut keys: Vec<_> = KEYS.iter().map(|key| key.to_string()).collect();
        fields.sort();
        keys.sort();
        assert_eq!(fields, keys);
    }

    #[test]
    fn trusted_proxies_from_the_file_or_the_environment() {
        Jail::expect_with(|jail| {
            let address = |text: &str| text.parse::<IpAddr>().unwrap();
            let defaults = load(None, &Overrides::default()).unwrap();
            assert!(
                defaults.trusted_proxies.is_empty(),
                "nobody is trusted by default"
            );

            jail.create_file(
                "tresor.toml",
                "trusted_proxies = [\"10.1.2.3\", \"192.168.0.0/16\"]\n",
            )?;
            let from_file = load(Some(Path::new("tresor.toml")), &Overrides::default()).unwrap();
            let proxies = &from_file.trusted_proxies;
            assert!(proxies.contains(address("10.1.2.3")));
            assert!(!proxies.contains(address("10.1.2.4")));
            assert!(proxies.contains(address("192.168.200.1")));
            assert!(
                proxies.contains(address("::ffff:192.168.0.9")),
                "IPv4 mapped into IPv6"
            );
            assert!(!proxies.contains(address("192.169.0.1")));

            jail.set_env("TRESOR_TRUSTED_PROXIES", "2001:db8::/32, 127.0.0.1");
            let from_env = load(Some(Path::new("tresor.toml")), &Overrides::default()).unwrap();
            let proxies = &from_env.trusted_proxies;
            assert!(proxies.contains(address("2001:db8:ff::1")));
            assert!(proxies.contains(address("127.0.0.1")));
            assert!(
                !proxies.contains(address("10.1.2.3")),
                "the environment replaces the file"
            );

            jail.set_env("TRESOR_TRUSTED_PROXIES", "10.0.0.0/33");
            assert!(matches!(
                load(None, &Overrides::default()),
                Err(ConfigError::Invalid(_))
            ));
            Ok(())
        });
    }

    #[test]
    fn connection_policy_from_file_and_environment() {
        Jail::expect_with(|jail| {
            let defaults = load(None, &Overrides::default()).unwrap();
            assert!(!defaults.allow_private_destinations, "strict by default");
            assert!(defaults.allowed_destinations.is_empty());

            jail.create_file(
                "tresor.toml",
                "allowed_destinations = [\"10.1.2.0/24\", \"mail.internal\"]\n",
            )?;
            let from_file = load(Some(Path::new("tresor.toml")), &Overrides::default()).unwrap();
            let shown: Vec<String> = from_file
                .allowed_destinations
                .iter()
                .map(ToString::to_string)
                .collect();
            assert_eq!(shown, ["10.1.2.0/24", "mail.internal"]);

            jail.set_env("TRESOR_ALLOW_PRIVATE_DESTINATIONS", "true");
            jail.set_env("TRESOR_ALLOWED_DESTINATIONS", "[192.168.1.10, fd00::/8]");
            let from_env = load(Some(Path::new("tresor.toml")), &Overrides::default()).unwrap();
            assert!(from_env.allow_private_destinations);
            let shown: Vec<String> = from_env
                .allowed_destinations
                .iter()
                .map(ToString::to_string)
                .collect();
            assert_eq!(shown, ["192.168.1.10/32", "fd00::/8"]);

            // The same list syntax as `trusted_proxies`: commas, no brackets.
            jail.set_env("TRESOR_ALLOWED_DESTINATIONS", "10.9.0.0/16, mail.internal");
            let plain = load(None, &Overrides::default()).unwrap();
            let shown: Vec<String> = plain
                .allowed_destinations
                .iter()
                .map(ToString::to_string)
                .collect();
            assert_eq!(shown, ["10.9.0.0/16", "mail.internal"]);

            jail.set_env("TRESOR_ALLOWED_DESTINATIONS", "[\"10.0.0.0/40\"]");
            assert!(matches!(
                load(None, &Overrides::default()),
                Err(ConfigError::Invalid(_))
            ));
            Ok(())
        });
    }

    #[test]
    fn networks_match_by_their_prefix() {
        let network = |text: &str| text.parse::<Network>().unwrap();
        let address = |text: &str| text.parse::<IpAddr>().unwrap();
        assert!(network("0.0.0.0/0").contains(address("203.0.113.9")));
        assert!(!network("0.0.0.0/0").contains(address("2001:db8::1")));
        assert!(network("::/0").contains(address("2001:db8::1")));
        assert!(network("10.0.0.0/8").contains(address("10.255.0.1")));
        assert!(!network("10.0.0.0/8").contains(address("11.0.0.1")));
        assert!(network("fd00::/8").contains(address("fd12::1")));
        assert!(network("::ffff:10.0.0.1").contains(address("10.0.0.1")));
        for bad in ["", "10.0.0", "10.0.0.0/", "::1/129", "example.com"] {
            assert!(bad.parse::<Network>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn graph_roots_from_the_file_or_the_environment() {
        Jail::expect_with(|jail| {
            assert!(
                load(None, &Overrides::default())
                    .unwrap()
                    .graph_roots
                    .is_empty()
            );
            jail.create_file(
                "tresor.toml",
                "graph_roots = [\"https://graph-proxy.example.com/v1.0\"]\n",
            )?;
            let from_file = load(Some(Path::new("tresor.toml")), &Overrides::default()).unwrap();
            assert_eq!(
                from_file.graph_roots,
                ["https://graph-proxy.example.com/v1.0"]
            );
            jail.set_env(
                "TRESOR_GRAPH_ROOTS",
                "[\"http://127.0.0.1:18080\", \"https://graph.example.net\"]",
            );
            let from_env = load(Some(Path::new("tresor.toml")), &Overrides::default()).unwrap();
            assert_eq!(
                from_env.graph_roots,
                ["http://127.0.0.1:18080", "https://graph.example.net"]
            );
            Ok(())
        });
    }

    #[test]
    fn other_tresor_variables_are_not_configuration() {
        Jail::expect_with(|jail| {
            jail.set_env("TRESOR_TEST_SOMETHING", "1");
            jail.set_env("TRESOR_LISTEN", "127.0.0.1:3999");
            let config = load(None, &Overrides::default()).unwrap();
            assert_eq!(config.listen.port(), 3999);
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_and_missing_files_are_errors() {
        Jail::expect_with(|jail| {
            jail.create_file("bad.toml", "lisen = \"0.0.0.0:1\"\n")?;
            assert!(matches!(
                load(Some(Path::new("bad.toml")), &Overrides::default()),
                Err(ConfigError::Invalid(_))
            ));
            assert!(matches!(
                load(Some(Path::new("nope.toml")), &Overrides::default()),
                Err(ConfigError::MissingFile { .. })
            ));
            Ok(())
        });
    }
}
