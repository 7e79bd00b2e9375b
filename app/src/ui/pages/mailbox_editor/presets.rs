//! The providers offered: the first step of adding a mailbox
//! (`Provider`), and within "IMAP server" common mail providers with how to
//! reach them and what to set up first (`PRESETS`), so a non-expert need not
//! look up host, port and sign-in method.

use crate::model::mailbox_profile::{AuthMethod, GRAPH_SERVICE_ROOT, Security, Source};

/// A provider as the editor's "Provider" choice fills it in.
pub struct ServerPreset {
    pub name: &'static str,
    pub source: Source,
    pub host: &'static str,
    pub port: u16,
    pub security: Security,
    pub auth: AuthMethod,
    /// What to register and grant first, in the words of the provider's admin centre.
    pub help: &'static str,
}

const fn imap(
    name: &'static str,
    host: &'static str,
    auth: AuthMethod,
    help: &'static str,
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
        help: "Reads the mailbox through Microsoft Graph. Needs a sign-in app from the preset \"Microsoft 365 (Graph, app-only)\": application permission Mail.ReadWrite (Mail.Read without after-archive actions) with admin consent. User name: the mailbox's address. After saving, \"Use app-only access\" on the mailbox's page.",
    },
    imap(
        "Microsoft 365 (IMAP, OAuth2)",
        "outlook.office365.com",
        AuthMethod::XOAuth2,
        "Needs a sign-in app from the preset \"Microsoft 365 (IMAP, OAuth2)\": delegated IMAP.AccessAsUser.All and offline_access (or IMAP.AccessAsApp for app-only, with the mailbox granted to the app in Exchange). User name: the mailbox's address.",
    ),
    imap(
        "Gmail / Google Workspace (IMAP, OAuth2)",
        "imap.gmail.com",
        AuthMethod::XOAuth2,
        "Needs a sign-in app from the preset \"Gmail / Google Workspace\": scope https://mail.google.com/; sign in with Google on the mailbox's page. User name: the Gmail address.",
    ),
    imap(
        "Outlook.com (IMAP, OAuth2)",
        "outlook.office365.com",
        AuthMethod::XOAuth2,
        "Needs a sign-in app from the preset \"Outlook.com\" (tenant consumers): IMAP.AccessAsUser.All and offline_access. User name: the Outlook.com address.",
    ),
    imap("IONOS", "imap.ionos.de", AuthMethod::Plain, ""),
    imap("Strato", "imap.strato.de", AuthMethod::Plain, ""),
    imap("GMX", "imap.gmx.net", AuthMethod::Plain, ""),
    imap("WEB.DE", "imap.web.de", AuthMethod::Plain, ""),
    imap(
        "Telekom (t-online.de)",
        "secureimap.t-online.de",
        AuthMethod::Plain,
        "",
    ),
];

/// The first step of adding a mailbox: where the mail is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Microsoft365,
    Gmail,
    Imap,
}

impl Provider {
    pub const ALL: [Provider; 3] = [Provider::Microsoft365, Provider::Gmail, Provider::Imap];

    pub fn name(self) -> &'static str {
        match self {
            Provider::Microsoft365 => "Microsoft 365",
            Provider::Gmail => "Gmail",
            Provider::Imap => "IMAP server",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Provider::Microsoft365 => {
                "Exchange Online through Microsoft Graph. Needs a sign-in app an administrator registered."
            }
            Provider::Gmail => {
                "Gmail or Google Workspace over IMAP with Google sign-in. Needs a sign-in app an administrator registered."
            }
            Provider::Imap => {
                "Any mail server with IMAP: your company's, or a provider such as IONOS, GMX or Telekom, with a user name and password."
            }
        }
    }

    /// How to reach the provider; `None` for an IMAP server of one's own.
    pub fn preset(self) -> Option<&'static ServerPreset> {
        let name = match self {
            Provider::Microsoft365 => "Microsoft 365 (Graph, app-only)",
            Provider::Gmail => "Gmail / Google Workspace (IMAP, OAuth2)",
            Provider::Imap => return None,
        };
        PRESETS.iter().find(|preset| preset.name == name)
    }

    /// Signs in through a sign-in app (after saving), not with a password.
    pub fn signs_in_with_app(self) -> bool {
        self != Provider::Imap
    }
}
