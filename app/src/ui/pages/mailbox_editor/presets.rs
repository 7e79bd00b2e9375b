//! The providers offered: the first step of adding a mailbox
//! (`Provider`), and within "IMAP server" common mail providers with how to
//! reach them and what to set up first (`PRESETS`), so a non-expert need not
//! look up host, port and sign-in method.

use crate::i18n::Lang;
use crate::model::mailbox_profile::{AuthMethod, GRAPH_SERVICE_ROOT, Security, Source};
use crate::t;

/// A provider as the editor's "Provider" choice fills it in.
pub struct ServerPreset {
    pub name: &'static str,
    pub source: Source,
    pub host: &'static str,
    pub port: u16,
    pub security: Security,
    pub auth: AuthMethod,
    /// What to register and grant first, if anything.
    help: Option<PresetHelp>,
}

/// What a provider needs set up before its mailboxes can sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PresetHelp {
    Microsoft365Graph,
    Microsoft365Imap,
    Gmail,
    OutlookCom,
}

impl ServerPreset {
    /// What to register and grant first, in the words of the provider's
    /// admin centre, in `lang`; `None` where nothing is needed.
    pub fn help(&self, lang: Lang) -> Option<String> {
        Some(match self.help? {
            PresetHelp::Microsoft365Graph => t!(lang, "wizard-preset-m365-graph-help"),
            PresetHelp::Microsoft365Imap => t!(lang, "wizard-preset-m365-imap-help"),
            PresetHelp::Gmail => t!(lang, "wizard-preset-gmail-help"),
            PresetHelp::OutlookCom => t!(lang, "wizard-preset-outlook-com-help"),
        })
    }
}

const fn imap(
    name: &'static str,
    host: &'static str,
    auth: AuthMethod,
    help: Option<PresetHelp>,
) -> ServerPreset {
    ServerPreset {
        name,
        source: Source::Imap,
        host,
        port: 993,
        security: Security::Tls,
        auth,
        help,
    }
}

/// Common providers, OAuth ones first (Microsoft and Google switched basic
/// authentication off for business mailboxes).
pub const PRESETS: &[ServerPreset] = &[
    ServerPreset {
        name: "Microsoft 365 (Graph, app-only)",
        source: Source::Graph,
        host: GRAPH_SERVICE_ROOT,
        port: 993,
        security: Security::Tls,
        auth: AuthMethod::XOAuth2,
        help: Some(PresetHelp::Microsoft365Graph),
    },
    imap(
        "Microsoft 365 (IMAP, OAuth2)",
        "outlook.office365.com",
        AuthMethod::XOAuth2,
        Some(PresetHelp::Microsoft365Imap),
    ),
    imap(
        "Gmail / Google Workspace (IMAP, OAuth2)",
        "imap.gmail.com",
        AuthMethod::XOAuth2,
        Some(PresetHelp::Gmail),
    ),
    imap(
        "Outlook.com (IMAP, OAuth2)",
        "outlook.office365.com",
        AuthMethod::XOAuth2,
        Some(PresetHelp::OutlookCom),
    ),
    imap("IONOS", "imap.ionos.de", AuthMethod::Plain, None),
    imap("Strato", "imap.strato.de", AuthMethod::Plain, None),
    imap("GMX", "imap.gmx.net", AuthMethod::Plain, None),
    imap("WEB.DE", "imap.web.de", AuthMethod::Plain, None),
    imap(
        "Telekom (t-online.de)",
        "secureimap.t-online.de",
        AuthMethod::Plain,
        None,
    ),
];

/// The first step of adding a mailbox: where the mail is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Microsoft365,
    Gmail,
    Imap,
    Pop3,
}

impl Provider {
    pub const ALL: [Provider; 4] = [
        Provider::Microsoft365,
        Provider::Gmail,
        Provider::Imap,
        Provider::Pop3,
    ];

    pub fn name(self, lang: Lang) -> String {
        match self {
            Provider::Microsoft365 => "Microsoft 365".to_string(),
            Provider::Gmail => "Gmail".to_string(),
            Provider::Imap => t!(lang, "wizard-provider-imap"),
            Provider::Pop3 => t!(lang, "wizard-provider-pop3"),
        }
    }

    pub fn description(self, lang: Lang) -> String {
        match self {
            Provider::Microsoft365 => t!(lang, "wizard-provider-m365-description"),
            Provider::Gmail => t!(lang, "wizard-provider-gmail-description"),
            Provider::Imap => t!(lang, "wizard-provider-imap-description"),
            Provider::Pop3 => t!(lang, "wizard-provider-pop3-description"),
        }
    }

    /// How to reach the provider; `None` for an IMAP or POP3 server of
    /// one's own.
    pub fn preset(self) -> Option<&'static ServerPreset> {
        let name = match self {
            Provider::Microsoft365 => "Microsoft 365 (Graph, app-only)",
            Provider::Gmail => "Gmail / Google Workspace (IMAP, OAuth2)",
            Provider::Imap | Provider::Pop3 => return None,
        };
        PRESETS.iter().find(|preset| preset.name == name)
    }

    /// Signs in through a sign-in app (after saving), not with a password.
    pub fn signs_in_with_app(self) -> bool {
        !matches!(self, Provider::Imap | Provider::Pop3)
    }

    /// What a server of one's own is read by, and how it logs in first
    /// (POP3: USER/PASS, which every server offers); `None` for the others.
    pub fn own_server(self) -> Option<(Source, AuthMethod)> {
        match self {
            Provider::Imap => Some((Source::Imap, AuthMethod::Plain)),
            Provider::Pop3 => Some((Source::Pop3, AuthMethod::Login)),
            Provider::Microsoft365 | Provider::Gmail => None,
        }
    }
}
