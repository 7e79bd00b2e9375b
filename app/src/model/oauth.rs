//! OAuth2 sign-in as the browser sees it: sign-in apps (client
//! registrations; the client secret never comes back) and a mailbox's
//! sign-in state, with the device-code sign-in under way.

use crate::i18n::Lang;
use crate::t;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A ready-made starting point for a sign-in app, with what to grant at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    pub key: &'static str,
    pub label: &'static str,
    pub provider: &'static str,
    pub tenant: &'static str,
    pub scopes: &'static str,
}

impl Preset {
    /// What the administrator sets up at the provider, in `lang`.
    pub fn help(&self, lang: Lang) -> String {
        match self.key {
            "m365-imap" => t!(lang, "mailbox-sign-in-preset-m365-imap-help"),
            "m365-graph" => t!(lang, "mailbox-sign-in-preset-m365-graph-help"),
            "gmail" => t!(lang, "mailbox-sign-in-preset-gmail-help"),
            // "outlook-com"
            _ => t!(lang, "mailbox-sign-in-preset-outlook-com-help"),
        }
    }
}

pub const PRESETS: [Preset; 4] = [
    Preset {
        key: "m365-imap",
        label: "Microsoft 365 (IMAP, OAuth2)",
        provider: "microsoft",
        tenant: "organizations",
        scopes: "https://outlook.office.com/IMAP.AccessAsUser.All\noffline_access",
    },
    Preset {
        key: "m365-graph",
        label: "Microsoft 365 (Graph, app-only)",
        provider: "microsoft",
        tenant: "",
        scopes: "https://graph.microsoft.com/.default",
    },
    Preset {
        key: "gmail",
        label: "Gmail / Google Workspace (IMAP, OAuth2)",
        provider: "google",
        tenant: "",
        scopes: "https://mail.google.com/",
    },
    Preset {
        key: "outlook-com",
        label: "Outlook.com",
        provider: "microsoft",
        tenant: "consumers",
        scopes: "https://outlook.office.com/IMAP.AccessAsUser.All\noffline_access",
    },
];

/// A sign-in app as listed: its settings as the form shows them (the
/// secret empty), and what the list adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInAppView {
    pub id: i64,
    pub form: SignInAppForm,
    pub has_secret: bool,
    /// Where the provider sends the browser back to (register it there).
    pub redirect_url: String,
    /// The mailboxes that sign in with it.
    pub used_by: Vec<String>,
}

/// The app form as the browser posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignInAppForm {
    /// Empty for a new app.
    pub id: String,
    pub name: String,
    /// `microsoft`, `google` or `generic`.
    pub provider: String,
    pub tenant: String,
    /// Empty: the provider's public sign-in service.
    pub authority: String,
    pub authorize_url: String,
    pub token_url: String,
    pub device_url: String,
    pub client_id: String,
    /// Write-only: empty keeps the stored one.
    pub client_secret: String,
    /// Ticked: forget the stored secret (a public client).
    pub forget_secret: Option<String>,
    /// One per line.
    pub scopes: String,
    /// Empty: this server's `/oauth/callback`.
    pub redirect_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInAppsView {
    pub apps: Vec<SignInAppView>,
    /// `<public URL>/oauth/callback`, to register at the provider.
    pub default_redirect_url: String,
}

/// Where a mailbox stands with its sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignInState {
    NotSignedIn,
    SignedIn,
    /// The provider refused to renew the grant: someone must sign in again.
    NeedsSignIn,
}

/// A mailbox's sign-in, for its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxSignIn {
    pub app_name: String,
    /// `microsoft`, `google`, `generic`: decides the button's words.
    pub provider: String,
    pub state: SignInState,
    /// Why it needs a new sign-in.
    pub error: Option<String>,
    pub signed_in_at: Option<DateTime<Utc>>,
    /// `authorization_code`, `device_code`, `client_credentials`.
    pub flow: Option<String>,
    /// A person signs in (the app asks for delegated scopes).
    pub interactive: bool,
    /// Sign-in with a code works for this provider (not for Gmail).
    pub device_flow: bool,
    /// The app is for app-only access (a secret and `/.default` scopes).
    pub app_only: bool,
}

/// A device-code sign-in shown in the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceSignIn {
    pub user_code: String,
    pub verification_uri: String,
    pub message: Option<String>,
    pub expires_in_secs: u64,
}

/// How a device-code sign-in started in the browser is going.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DeviceProgress {
    /// None under way.
    Idle,
    Waiting {
        sign_in: DeviceSignIn,
    },
    SignedIn,
    Failed {
        message: String,
    },
}
