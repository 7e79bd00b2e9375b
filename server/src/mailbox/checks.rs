//! What a profile must pass before it is saved or tried (`check_profile`):
//! its own validity, its sign-in app, who may set a master user, and that a
//! stored credential only goes where it was given for (`credential_binding`).

use super::connection::master_identity;
use super::mailboxes::{Editor, MailboxError, MailboxRow, Mailboxes, new_row, secret_context};
use super::profile::{AuthMethod, FieldError, IdentityKind, MailboxInput, Source, Validation};
use crate::db::entity::oauth_grant;
use crate::oauth::OAuthError;
use crate::secrets::Secret;
use sea_orm::{EntityTrait, Set, TryIntoModel};
use std::collections::{BTreeMap, BTreeSet};

/// Whether a profile is saved or only tried ("test connection", folder
/// subscriptions): a change that invalidates the OAuth grant drops it on
/// saving, but a test must not use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Purpose {
    Save,
    Test,
}

/// What a checked change of a saved mailbox does to its sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckedChange {
    /// Something a stored credential was given for changed: the OAuth grant
    /// and any sign-in under way go (the mailbox needs a sign-in).
    pub drops_grant: bool,
}

impl Mailboxes {
    /// Whether `existing` may be replaced by `profile` (and `secret`) by
    /// `editor`: what `update` checks before it writes.
    pub async fn check_update(
        &self,
        editor: Editor,
        existing: &MailboxRow,
        profile: &MailboxInput,
        secret: Option<&Secret>,
    ) -> Result<CheckedChange, MailboxError> {
        self.check_profile(editor, Some(existing), profile, secret, Purpose::Save)
            .await
    }

    /// The row a run of `profile` would use, without saving it: "test
    /// connection" for the editor's current values. Without a new secret the
    /// stored one of `existing` is used, and its OAuth grant, only where
    /// nothing they were given for changed (`credential_binding`).
    pub async fn probe_row(
        &self,
        editor: Editor,
        owner_id: Option<i64>,
        existing: Option<&MailboxRow>,
        profile: &MailboxInput,
        secret: Option<&Secret>,
    ) -> Result<MailboxRow, MailboxError> {
        self.check_profile(editor, existing, profile, secret, Purpose::Test)
            .await?;
        let stored = existing.and_then(|row| row.secret_sealed.clone());
        let id = existing.map_or(0, |row| row.id);
        let mut row = new_row(owner_id, profile, profile.source);
        row.id = Set(id);
        row.secret_sealed = Set(match secret {
            Some(secret) => Some(self.secrets.seal(secret, &secret_context(id))),
            None => stored,
        });
        Ok(row.try_into_model()?)
    }

    /// Every check a profile passes before it is saved or tried, every
    /// problem with its field:
    /// - a stored password or token, and an OAuth grant, only go where they
    ///   were given for: a change of `credential_binding` needs the password
    ///   typed again; the grant is dropped on saving and not used by a test;
    /// - only administrators set up master users (a master user logs in as
    ///   anyone) or use app-only sign-in apps (they read every mailbox of
    ///   the organisation);
    /// - the profile is valid, its sign-in app exists, its Graph root is allowed.
    pub(super) async fn check_profile(
        &self,
        editor: Editor,
        existing: Option<&MailboxRow>,
        profile: &MailboxInput,
        secret: Option<&Secret>,
        purpose: Purpose,
    ) -> Result<CheckedChange, MailboxError> {
        if let Some(existing) = existing
            && !existing
                .source
                .parse::<Source>()
                .is_ok_and(|source| source.is_server())
        {
            return Err(MailboxError::NoServer(existing.name.clone()));
        }
        let before = existing.map(|row| self.input_of(row)).transpose()?;
        let mut errors = Vec::new();
        let mut drops_grant = false;
        if let (Some(existing), Some(before)) = (existing, &before) {
            let changed = binding_changes(before, profile);
            if !changed.is_empty() {
                if secret.is_none() && existing.secret_sealed.is_some() {
                    errors.extend(secret_needed(&changed));
                }
                match purpose {
                    Purpose::Save => drops_grant = true,
                    Purpose::Test if uses_grant(profile) && self.has_grant(existing.id).await? => {
                        errors.extend(changed.iter().map(|field| FieldError {
                            field,
                            message: "Save the mailbox and sign in again to test this: its sign-in was given for the settings before.".into(),
                        }));
                    }
                    Purpose::Test => {}
                }
            }
        }
        if editor == Editor::Owner {
            errors.extend(master_user_changes(before.as_ref(), profile));
        }
        let has_secret =
            secret.is_some() || existing.is_some_and(|row| row.secret_sealed.is_some());
        errors.extend(self.problems(profile, has_secret));
        errors.extend(self.oauth_app_problems(editor, profile).await?);
        if !errors.is_empty() {
            return Err(MailboxError::Invalid(errors));
        }
        Ok(CheckedChange { drops_grant })
    }

    /// The profile's own problems (`Validation`) and, for Graph, whether
    /// its service root is allowed.
    pub fn problems(&self, profile: &MailboxInput, has_secret: bool) -> Vec<FieldError> {
        let mut errors = profile.validate(has_secret);
        if profile.source == Source::Graph
            && errors.iter().all(|error| error.field != "host")
            && let Some(message) = self.graph_roots.problem(&profile.host)
        {
            errors.push(FieldError {
                field: "host",
                message,
            });
        }
        errors
    }

    /// Whether mailbox `id` has an OAuth grant (from whichever app).
    async fn has_grant(&self, id: i64) -> Result<bool, MailboxError> {
        Ok(oauth_grant::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .is_some())
    }

    /// The profile's sign-in app must exist, and only an administrator
    /// uses an app-only one (its token reads any mailbox of the organisation).
    async fn oauth_app_problems(
        &self,
        editor: Editor,
        profile: &MailboxInput,
    ) -> Result<Vec<FieldError>, MailboxError> {
        let Some(app_id) = profile.oauth_app_id else {
            return Ok(Vec::new());
        };
        let message = match self.oauth.apps().row(app_id).await {
            Err(OAuthError::Db(error)) => return Err(error.into()),
            Err(_) => "There is no such sign-in app (any more); choose another.",
            Ok(app) if editor == Editor::Owner && crate::oauth::is_app_only(&app) => {
                "Only an administrator uses an app-only sign-in app: it reads every mailbox of the organisation. Choose an app you sign in to yourself."
            }
            Ok(_) => return Ok(Vec::new()),
        };
        Ok(vec![FieldError {
            field: "oauth_app",
            message: message.into(),
        }])
    }
}

/// Everything that decides whose mail a stored password, token or OAuth
/// grant reads and whether the connection is trusted, each under the form
/// field it comes from. Whoever may edit a mailbox (its owner, an admin)
/// must not be able to point a stored credential at a server of their own,
/// another user, an untrusted connection or another sign-in app.
fn credential_binding(profile: &MailboxInput) -> BTreeMap<&'static str, String> {
    let mut binding = BTreeMap::from([
        ("source", profile.source.as_str().to_string()),
        // Graph: the service root the bearer token is sent to.
        ("host", profile.host.trim().to_string()),
        // Graph: the mailbox read.
        ("username", profile.username.clone()),
        (
            "auth_method",
            stored_auth_method(profile).as_str().to_string(),
        ),
        ("oauth_app", format!("{:?}", profile.oauth_app_id)),
    ]);
    // Graph is reached over the public web PKI only.
    if profile.source != Source::Graph {
        binding.extend([
            ("port", profile.port.to_string()),
            ("security", profile.security.as_str().to_string()),
            ("ca_file", format!("{:?}", profile.ca_file)),
            (
                "accept_invalid_certs",
                profile.accept_invalid_certs.to_string(),
            ),
            (
                "expected_cert_name",
                format!("{:?}", profile.expected_cert_name),
            ),
            // Trusting another certificate is trusting another server.
            ("pinned_cert", format!("{:?}", profile.pinned_cert_sha256)),
            ("master_user", format!("{:?}", profile.master_user)),
        ]);
        if profile.master_user.is_some() {
            let kind = profile.identity_kind.unwrap_or(IdentityKind::Address);
            binding.insert("identity_kind", kind.as_str().to_string());
            // The identity actually sent, under the field it is mostly taken from.
            binding.insert(
                "email_address",
                master_identity(kind, profile.email_address.as_deref(), &profile.username),
            );
        }
    }
    binding
}

/// The fields of `credential_binding` that differ between `before` and `after`.
fn binding_changes(before: &MailboxInput, after: &MailboxInput) -> Vec<&'static str> {
    let before = credential_binding(before);
    let after = credential_binding(after);
    let fields: BTreeSet<&'static str> = before.keys().chain(after.keys()).copied().collect();
    fields
        .into_iter()
        .filter(|field| before.get(field) != after.get(field))
        .collect()
}

/// A stored password used for changed settings: the password field and
/// every changed one say so.
fn secret_needed(changed: &[&'static str]) -> Vec<FieldError> {
    let names = changed.join(", ");
    std::iter::once(FieldError {
        field: "secret",
        message: format!(
            "Enter the password again: {names} changed, and a stored password is only used with the server, user and connection settings it was entered for."
        ),
    })
    .chain(changed.iter().map(|field| FieldError {
        field,
        message: "Changing this needs the password typed again.".into(),
    }))
    .collect()
}

/// For someone other than an administrator: a master user and whom it acts
/// for are not theirs to set or change (it logs in as anyone).
fn master_user_changes(before: Option<&MailboxInput>, after: &MailboxInput) -> Vec<FieldError> {
    let is_master = |profile: &MailboxInput| profile.master_user.is_some();
    if !is_master(after) && !before.is_some_and(is_master) {
        return Vec::new();
    }
    let message =
        "Only an administrator sets up how a master user logs in: it can read anyone's mail.";
    let Some(before) = before else {
        return vec![FieldError {
            field: "master_user",
            message: message.into(),
        }];
    };
    [
        ("master_user", before.master_user != after.master_user),
        (
            "identity_kind",
            before.identity_kind.unwrap_or(IdentityKind::Address)
                != after.identity_kind.unwrap_or(IdentityKind::Address),
        ),
        ("email_address", before.email_address != after.email_address),
        ("username", before.username != after.username),
    ]
    .into_iter()
    .filter(|(_, changed)| *changed)
    .map(|(field, _)| FieldError {
        field,
        message: message.into(),
    })
    .collect()
}

/// Whether a run of `profile` logs in with the mailbox's OAuth grant.
fn uses_grant(profile: &MailboxInput) -> bool {
    profile.oauth_app_id.is_some()
        && matches!(
            stored_auth_method(profile),
            AuthMethod::XOAuth2 | AuthMethod::OAuthBearer
        )
}

/// The method a saved `profile` logs in with: Graph takes only bearer tokens,
/// whatever the form said.
fn stored_auth_method(profile: &MailboxInput) -> AuthMethod {
    match profile.source {
        Source::Graph => AuthMethod::XOAuth2,
        _ => profile.auth_method,
    }
}
