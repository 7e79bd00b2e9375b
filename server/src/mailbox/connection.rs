//! Where and how a run logs in for a mailbox: the IMAP endpoint and
//! credentials (`Mailboxes::connection`; a POP3 mailbox's from
//! `Mailboxes::pop3_connection`), where it may connect, its OAuth
//! access token, the identity a master user acts for, and the connection's
//! weaknesses in words (`warnings`).

use super::mailboxes::{MailboxError, MailboxRow, Mailboxes, secret_context};
use super::profile::{AuthMethod, IdentityKind, Security, Source};
use crate::connect::{self, Destinations, MailboxOwner};
use crate::db::entity::user;
use crate::imap;
use crate::oauth::OAuthError;
use crate::pop3;
use crate::secrets::Secret;
use sea_orm::EntityTrait;
use std::path::PathBuf;
use std::time::Duration;

/// How long each IMAP or POP3 step may take before the run fails with a timeout.
const STEP_TIMEOUT: Duration = Duration::from_secs(60);

impl Mailboxes {
    /// Where connections for `row` may go: decided by who manages it
    /// (`connect::destinations_for`), looked up at each connection.
    pub async fn destinations(&self, row: &MailboxRow) -> Result<Destinations, MailboxError> {
        let owner = match row.owner_id {
            None => MailboxOwner::Shared,
            Some(owner_id) => user::Entity::find_by_id(owner_id)
                .one(&self.db)
                .await?
                .and_then(|owner| owner.role.parse().ok())
                .map_or(MailboxOwner::Unknown, MailboxOwner::Role),
        };
        Ok(connect::destinations_for(owner, &self.connection_policy))
    }

    /// Where and how to log in for `row`: opens the sealed secret, or for
    /// an OAuth mailbox with a sign-in app gets a current access token
    /// (renewed when it is about to expire).
    pub async fn connection(
        &self,
        row: &MailboxRow,
    ) -> Result<(imap::Endpoint, imap::Credentials), MailboxError> {
        match source_of(row)? {
            Source::Imap => {}
            Source::Graph => {
                return Err(MailboxError::NotImap(row.name.clone(), "Microsoft Graph"));
            }
            Source::Pop3 => return Err(MailboxError::NotImap(row.name.clone(), "POP3")),
            Source::Import | Source::Journal => {
                return Err(MailboxError::NoServer(row.name.clone()));
            }
        }
        let endpoint = self.endpoint(row).await?;
        let auth_method: AuthMethod = row.auth_method.parse().map_err(corrupt(row))?;
        let oauth = matches!(auth_method, AuthMethod::XOAuth2 | AuthMethod::OAuthBearer);
        let secret = match (&row.secret_sealed, row.oauth_app_id) {
            (_, Some(_)) if oauth => self.oauth_access_token(row, None).await?,
            // Without a sign-in app, a stored token is used as it is.
            (Some(sealed), _) => self.secrets.open(sealed, &secret_context(row.id))?,
            (None, _) if oauth => {
                return Err(MailboxError::NeedsSignIn {
                    name: row.name.clone(),
                    reason: None,
                });
            }
            (None, _) => return Err(corrupt(row)("no password is stored".into())),
        };
        let secret = secret.expose().to_string();
        let user = row.username.clone();
        let credentials = match (auth_method, &row.master_user) {
            // A master user always logs in with SASL PLAIN, naming the user it acts for.
            (_, Some(master_user)) => imap::Credentials::Plain {
                authzid: Some(self.identity(row)?),
                user: master_user.clone(),
                password: secret,
            },
            (AuthMethod::Plain, None) => imap::Credentials::Plain {
                authzid: None,
                user,
                password: secret,
            },
            (AuthMethod::Login, None) => imap::Credentials::Login {
                user,
                password: secret,
            },
            (AuthMethod::CramMd5, None) => imap::Credentials::CramMd5 {
                user,
                password: secret,
            },
            (AuthMethod::XOAuth2, None) => imap::Credentials::XOAuth2 {
                user,
                token: secret,
            },
            (AuthMethod::OAuthBearer, None) => imap::Credentials::OAuthBearer {
                user,
                token: secret,
            },
            (AuthMethod::Apop, None) => {
                return Err(corrupt(row)(
                    "APOP is POP3's; this is an IMAP mailbox".into(),
                ));
            }
        };
        Ok((endpoint, credentials))
    }

    /// Where and how to log in for a POP3 mailbox `row`: the same endpoint
    /// (policy, TLS, certificate rules) an IMAP mailbox gets, and POP3's
    /// login — `USER`/`PASS` for `login`, SASL PLAIN for `plain` (and any
    /// master user), `APOP`.
    pub async fn pop3_connection(
        &self,
        row: &MailboxRow,
    ) -> Result<(imap::Endpoint, pop3::Credentials), MailboxError> {
        if source_of(row)? != Source::Pop3 {
            return Err(corrupt(row)(format!("{} is not a POP3 mailbox", row.name)));
        }
        let endpoint = self.endpoint(row).await?;
        let auth_method: AuthMethod = row.auth_method.parse().map_err(corrupt(row))?;
        let password = match &row.secret_sealed {
            Some(sealed) => self.secrets.open(sealed, &secret_context(row.id))?,
            None => return Err(corrupt(row)("no password is stored".into())),
        };
        let password = password.expose().to_string();
        let user = row.username.clone();
        let credentials = match (auth_method, &row.master_user) {
            (_, Some(master_user)) => pop3::Credentials::Plain {
                authzid: Some(self.identity(row)?),
                user: master_user.clone(),
                password,
            },
            (AuthMethod::Plain, None) => pop3::Credentials::Plain {
                authzid: None,
                user,
                password,
            },
            (AuthMethod::Login, None) => pop3::Credentials::UserPass { user, password },
            (AuthMethod::Apop, None) => pop3::Credentials::Apop { user, password },
            (other, None) => {
                return Err(corrupt(row)(format!("POP3 does not log in with {other}")));
            }
        };
        Ok((endpoint, credentials))
    }

    /// The server of an IMAP or POP3 mailbox: host, port, security, the
    /// certificate rules, where it may connect.
    async fn endpoint(&self, row: &MailboxRow) -> Result<imap::Endpoint, MailboxError> {
        let security: Security = row.security.parse().map_err(corrupt(row))?;
        Ok(imap::Endpoint {
            host: row.host.clone(),
            port: u16::try_from(row.port)
                .map_err(|_| corrupt(row)(format!("port {}", row.port)))?,
            security: match security {
                Security::Tls => imap::Security::ImplicitTls,
                Security::StartTls => imap::Security::StartTls,
                Security::Plain => imap::Security::Plain,
            },
            tls: imap::TlsOptions {
                ca_file: row.ca_file.as_ref().map(PathBuf::from),
                accept_invalid_certs: row.accept_invalid_certs,
                expected_name: row.expected_cert_name.clone(),
                pinned_sha256: row.pinned_cert_sha256.clone(),
            },
            timeout: STEP_TIMEOUT,
            destinations: self.destinations(row).await?,
        })
    }

    /// The user a master user acts as: the address, its local part, or the
    /// user name — always from the mailbox's own columns, fixed when it was
    /// saved (a batch copies the owner's address then), never from the
    /// owner's account at run time: neither a new owner nor a changed
    /// account address redirects it. Only administrators change them.
    fn identity(&self, row: &MailboxRow) -> Result<String, MailboxError> {
        let kind: IdentityKind = row
            .identity_kind
            .as_deref()
            .unwrap_or("address")
            .parse()
            .map_err(|reason| MailboxError::Corrupt {
                name: row.name.clone(),
                reason,
            })?;
        Ok(master_identity(
            kind,
            row.email_address.as_deref(),
            &row.username,
        ))
    }

    /// Whether `row` logs in with an OAuth grant whose access token expires
    /// soon (a session opened with it should be renewed).
    pub async fn oauth_token_expiring(&self, row: &MailboxRow) -> Result<bool, MailboxError> {
        let oauth = matches!(row.auth_method.as_str(), "xoauth2" | "oauthbearer");
        let Some(app_id) = row.oauth_app_id.filter(|_| oauth) else {
            return Ok(false);
        };
        let state =
            self.oauth
                .state(row.id, app_id)
                .await
                .map_err(|error| MailboxError::OAuth {
                    name: row.name.clone(),
                    reason: error.to_string(),
                })?;
        Ok(state.is_some_and(|state| crate::oauth::expires_soon(state.access_expires_at)))
    }

    /// A current access token from `row`'s grant with its sign-in app; with
    /// `refused`, one other than that (the service turned it away).
    pub async fn oauth_access_token(
        &self,
        row: &MailboxRow,
        refused: Option<&Secret>,
    ) -> Result<Secret, MailboxError> {
        let Some(app_id) = row.oauth_app_id else {
            return Err(MailboxError::NeedsSignIn {
                name: row.name.clone(),
                reason: Some("no sign-in app is chosen for it".into()),
            });
        };
        // Checked again here, where the token leaves: a row saved before
        // the allow-list, or a root the configuration no longer allows.
        if row.source == Source::Graph.as_str() && !self.graph_roots.allows(&row.host) {
            return Err(MailboxError::GraphRootNotAllowed {
                name: row.name.clone(),
                root: row.host.clone(),
            });
        }
        let token = match refused {
            None => self.oauth.access_token(row.id, &row.name, app_id).await,
            Some(refused) => {
                self.oauth
                    .token_instead_of(row.id, &row.name, app_id, refused)
                    .await
            }
        };
        token.map_err(|error| match error {
            OAuthError::NeedsSignIn { reason, .. } => MailboxError::NeedsSignIn {
                name: row.name.clone(),
                reason,
            },
            other => MailboxError::OAuth {
                name: row.name.clone(),
                reason: other.to_string(),
            },
        })
    }
}

/// The row's source, or why it is unreadable.
fn source_of(row: &MailboxRow) -> Result<Source, MailboxError> {
    row.source.parse().map_err(corrupt(row))
}

/// A row that cannot be read as a profile, and why.
fn corrupt(row: &MailboxRow) -> impl Fn(String) -> MailboxError + '_ {
    move |reason| MailboxError::Corrupt {
        name: row.name.clone(),
        reason,
    }
}

/// Who a master user logs in as (the authzid it sends).
pub(super) fn master_identity(
    kind: IdentityKind,
    email_address: Option<&str>,
    username: &str,
) -> String {
    let address = email_address.unwrap_or(username);
    match kind {
        IdentityKind::Address => address.to_string(),
        IdentityKind::LocalPart => address.split('@').next().unwrap_or_default().to_string(),
        IdentityKind::Username => username.to_string(),
    }
}

/// What an administrator should know about a mailbox's connection, in words.
pub fn warnings(row: &MailboxRow) -> Vec<String> {
    let mut warnings = Vec::new();
    if row.accept_invalid_certs {
        warnings
            .push("Certificate checks are off: any server can pretend to be this one.".to_string());
    }
    if let Some(name) = &row.expected_cert_name {
        warnings.push(format!(
            "The certificate is accepted for {name:?} instead of the host name."
        ));
    }
    let mail_server = row
        .source
        .parse::<Source>()
        .is_ok_and(Source::is_mail_server);
    if row.security == "plain" && mail_server {
        warnings.push("Unencrypted connection: the password crosses the network readable.".into());
    }
    warnings
}
