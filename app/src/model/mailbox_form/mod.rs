//! The mailbox editor's form as an HTML form posts it: every field a string
//! (a checkbox is present or absent), so a half-typed number reaches the
//! server and comes back as a message next to its field instead of failing
//! to decode. `MailboxForm::parse` turns it into a typed `MailboxInput`
//! (`input.rs`, with `MailboxForm::from_input` for the way back); here are
//! the fields and what the editor does with them one by one.

mod input;

use super::named_enum::named_enum;
use crate::i18n::Lang;
use crate::t;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

named_enum!(
    /// A field of the mailbox editor, named as the form posts it.
    FormField {
        Name => "name",
        EmailAddress => "email_address",
        Source => "source",
        Host => "host",
        Port => "port",
        Security => "security",
        CaFile => "ca_file",
        AcceptInvalidCerts => "accept_invalid_certs",
        ExpectedCertName => "expected_cert_name",
        PinnedCert => "pinned_cert",
        AuthMethod => "auth_method",
        OAuthApp => "oauth_app",
        Username => "username",
        MasterUser => "master_user",
        IdentityKind => "identity_kind",
        FolderRules => "folder_rules",
        SubscribedOnly => "subscribed_only",
        OlderThanDays => "older_than_days",
        MaxMessageSizeMb => "max_message_size_mb",
        Action => "action",
        SuccessFolder => "success_folder",
        DuplicateFolder => "duplicate_folder",
        ErrorFolder => "error_folder",
        SuccessTag => "success_tag",
        DuplicateTag => "duplicate_tag",
        DeleteOlderThanDays => "delete_older_than_days",
        DuplicatePolicy => "duplicate_policy",
        DuplicateMatch => "duplicate_match",
        Labels => "labels",
        Schedule => "schedule",
        MaxConnections => "max_connections",
        PageSize => "page_size",
    }
);

impl FormField {
    /// Whether a template can supply this field. The mailbox's identity
    /// (its name, address, login and master user) is always its own.
    pub fn inheritable(self) -> bool {
        !matches!(
            self,
            FormField::Name
                | FormField::EmailAddress
                | FormField::Username
                | FormField::MasterUser
                | FormField::IdentityKind
                // A pin trusts one server's certificate, seen by whoever tested it.
                | FormField::PinnedCert
        )
    }

    /// Whether the field is a checkbox (present when ticked).
    pub fn is_checkbox(self) -> bool {
        matches!(
            self,
            FormField::AcceptInvalidCerts | FormField::SubscribedOnly
        )
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MailboxForm {
    /// Empty for a new mailbox.
    pub id: String,
    pub name: String,
    pub email_address: String,
    /// `imap` or `graph`.
    pub source: String,
    pub host: String,
    pub port: String,
    pub security: String,
    pub ca_file: String,
    /// Checkbox: present when ticked.
    pub accept_invalid_certs: Option<String>,
    pub expected_cert_name: String,
    /// The trusted certificate's SHA-256 fingerprint (hex, colons allowed), empty for none.
    pub pinned_cert: String,
    pub auth_method: String,
    /// The sign-in app's id (XOAUTH2/OAUTHBEARER), empty for none.
    pub oauth_app: String,
    pub username: String,
    /// Write-only: empty means "keep the stored one".
    pub secret: String,
    pub master_user: String,
    pub identity_kind: String,
    pub folder_rules: String,
    pub subscribed_only: Option<String>,
    pub older_than_days: String,
    /// In megabytes, as people think of mail sizes.
    pub max_message_size_mb: String,
    pub action: String,
    pub success_folder: String,
    pub duplicate_folder: String,
    pub error_folder: String,
    pub success_tag: String,
    pub duplicate_tag: String,
    pub delete_older_than_days: String,
    pub duplicate_policy: String,
    pub duplicate_match: String,
    /// One `key=value` per line.
    pub labels: String,
    pub schedule: String,
    pub max_connections: String,
    /// Messages per Graph delta page.
    pub page_size: String,
    /// The template's id, empty for none.
    pub template_id: String,
    /// Comma-separated `FormField` names whose value comes from the template.
    pub inherited: String,
    /// Checkbox (admins only): owned by the organisation, not by a user.
    pub shared: Option<String>,
    /// The e-mail addresses of users who may read this mailbox, one per line.
    pub grants: String,
}

/// A field the form could not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    pub field: &'static str,
    pub problem: FormProblem,
}

/// Why a field could not be read; `FormError::message` says it in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormProblem {
    /// The form's mailbox id is not a number.
    NoMailbox,
    /// The template id is not a number.
    NoTemplate,
    /// A field named as inherited that no template may supply.
    NotInheritable {
        name: String,
    },
    /// An import mailbox has no server to read.
    ImportHasNoServer,
    Port,
    NoSignInApp,
    Fingerprint,
    MessageSize,
    /// A value outside a closed set; `reason` lists the set.
    Choice {
        reason: String,
    },
    Days,
    /// Line `line` (from 1) of the labels is not `key=value`.
    Label {
        line: usize,
    },
    MaxConnections,
    PageSize,
}

impl FormError {
    /// What is wrong with the field, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match &self.problem {
            FormProblem::NoMailbox => t!(lang, "mailbox-form-no-mailbox"),
            FormProblem::NoTemplate => t!(lang, "mailbox-form-no-template"),
            FormProblem::NotInheritable { name } => {
                t!(
                    lang,
                    "mailbox-form-not-inheritable",
                    name = format!("{name:?}")
                )
            }
            FormProblem::ImportHasNoServer => t!(lang, "mailbox-form-import-has-no-server"),
            FormProblem::Port => t!(lang, "mailbox-form-port"),
            FormProblem::NoSignInApp => t!(lang, "mailbox-form-no-sign-in-app"),
            FormProblem::Fingerprint => t!(lang, "mailbox-form-fingerprint"),
            FormProblem::MessageSize => t!(lang, "mailbox-form-message-size"),
            FormProblem::Choice { reason } => {
                t!(lang, "mailbox-form-choice", reason = reason.as_str())
            }
            FormProblem::Days => t!(lang, "mailbox-form-days"),
            FormProblem::Label { line } => t!(lang, "mailbox-form-label", line = *line),
            FormProblem::MaxConnections => t!(lang, "mailbox-form-max-connections"),
            FormProblem::PageSize => t!(lang, "mailbox-form-page-size"),
        }
    }
}

impl MailboxForm {
    /// The mailbox id, if the form edits an existing one.
    pub fn id(&self) -> Result<Option<i64>, FormError> {
        let id = self.id.trim();
        if id.is_empty() {
            return Ok(None);
        }
        id.parse()
            .map(Some)
            .map_err(|_| error("id", FormProblem::NoMailbox))
    }

    /// The new secret, if one was typed.
    pub fn secret(&self) -> Option<String> {
        (!self.secret.is_empty()).then(|| self.secret.clone())
    }

    /// The template the mailbox inherits from, if any.
    pub fn template_id(&self) -> Result<Option<i64>, FormError> {
        let id = self.template_id.trim();
        if id.is_empty() {
            return Ok(None);
        }
        id.parse()
            .map(Some)
            .map_err(|_| error("template_id", FormProblem::NoTemplate))
    }

    /// The fields taken from the template (none without a template).
    pub fn inherited_fields(&self) -> Result<BTreeSet<FormField>, FormError> {
        if self.template_id.trim().is_empty() {
            return Ok(BTreeSet::new());
        }
        self.inherited
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(|name| match name.parse::<FormField>() {
                Ok(field) if field.inheritable() => Ok(field),
                _ => Err(error(
                    "inherited",
                    FormProblem::NotInheritable {
                        name: name.to_string(),
                    },
                )),
            })
            .collect()
    }

    /// Writes `fields` as the `inherited` list.
    pub fn set_inherited(&mut self, fields: &BTreeSet<FormField>) {
        self.inherited = fields
            .iter()
            .map(|field| field.as_str())
            .collect::<Vec<_>>()
            .join(",");
    }

    /// Takes the value of each of `fields` from `template`.
    pub fn inherit(&mut self, template: &MailboxForm, fields: &BTreeSet<FormField>) {
        for field in fields {
            self.set(*field, template.get(*field));
        }
    }

    /// The addresses in `grants`, trimmed, without duplicates.
    pub fn grant_addresses(&self) -> Vec<String> {
        let mut seen = BTreeSet::new();
        self.grants
            .split(['\n', ',', ';'])
            .map(|address| address.trim().to_lowercase())
            .filter(|address| !address.is_empty() && seen.insert(address.clone()))
            .collect()
    }

    /// One field's value as the form shows it (a ticked checkbox is `on`).
    pub fn get(&self, field: FormField) -> String {
        let tick = |value: &Option<String>| if value.is_some() { "on" } else { "" }.to_string();
        match field {
            FormField::Name => self.name.clone(),
            FormField::EmailAddress => self.email_address.clone(),
            FormField::Source => self.source.clone(),
            FormField::Host => self.host.clone(),
            FormField::Port => self.port.clone(),
            FormField::Security => self.security.clone(),
            FormField::CaFile => self.ca_file.clone(),
            FormField::AcceptInvalidCerts => tick(&self.accept_invalid_certs),
            FormField::ExpectedCertName => self.expected_cert_name.clone(),
            FormField::PinnedCert => self.pinned_cert.clone(),
            FormField::AuthMethod => self.auth_method.clone(),
            FormField::OAuthApp => self.oauth_app.clone(),
            FormField::Username => self.username.clone(),
            FormField::MasterUser => self.master_user.clone(),
            FormField::IdentityKind => self.identity_kind.clone(),
            FormField::FolderRules => self.folder_rules.clone(),
            FormField::SubscribedOnly => tick(&self.subscribed_only),
            FormField::OlderThanDays => self.older_than_days.clone(),
            FormField::MaxMessageSizeMb => self.max_message_size_mb.clone(),
            FormField::Action => self.action.clone(),
            FormField::SuccessFolder => self.success_folder.clone(),
            FormField::DuplicateFolder => self.duplicate_folder.clone(),
            FormField::ErrorFolder => self.error_folder.clone(),
            FormField::SuccessTag => self.success_tag.clone(),
            FormField::DuplicateTag => self.duplicate_tag.clone(),
            FormField::DeleteOlderThanDays => self.delete_older_than_days.clone(),
            FormField::DuplicatePolicy => self.duplicate_policy.clone(),
            FormField::DuplicateMatch => self.duplicate_match.clone(),
            FormField::Labels => self.labels.clone(),
            FormField::Schedule => self.schedule.clone(),
            FormField::MaxConnections => self.max_connections.clone(),
            FormField::PageSize => self.page_size.clone(),
        }
    }

    /// Sets one field as the form would post it (a checkbox is ticked by any non-empty value).
    pub fn set(&mut self, field: FormField, value: String) {
        let tick = |value: String| (!value.is_empty()).then(|| "on".to_string());
        match field {
            FormField::Name => self.name = value,
            FormField::EmailAddress => self.email_address = value,
            FormField::Source => self.source = value,
            FormField::Host => self.host = value,
            FormField::Port => self.port = value,
            FormField::Security => self.security = value,
            FormField::CaFile => self.ca_file = value,
            FormField::AcceptInvalidCerts => self.accept_invalid_certs = tick(value),
            FormField::ExpectedCertName => self.expected_cert_name = value,
            FormField::PinnedCert => self.pinned_cert = value,
            FormField::AuthMethod => self.auth_method = value,
            FormField::OAuthApp => self.oauth_app = value,
            FormField::Username => self.username = value,
            FormField::MasterUser => self.master_user = value,
            FormField::IdentityKind => self.identity_kind = value,
            FormField::FolderRules => self.folder_rules = value,
            FormField::SubscribedOnly => self.subscribed_only = tick(value),
            FormField::OlderThanDays => self.older_than_days = value,
            FormField::MaxMessageSizeMb => self.max_message_size_mb = value,
            FormField::Action => self.action = value,
            FormField::SuccessFolder => self.success_folder = value,
            FormField::DuplicateFolder => self.duplicate_folder = value,
            FormField::ErrorFolder => self.error_folder = value,
            FormField::SuccessTag => self.success_tag = value,
            FormField::DuplicateTag => self.duplicate_tag = value,
            FormField::DeleteOlderThanDays => self.delete_older_than_days = value,
            FormField::DuplicatePolicy => self.duplicate_policy = value,
            FormField::DuplicateMatch => self.duplicate_match = value,
            FormField::Labels => self.labels = value,
            FormField::Schedule => self.schedule = value,
            FormField::MaxConnections => self.max_connections = value,
            FormField::PageSize => self.page_size = value,
        }
    }
}

fn error(field: &'static str, problem: FormProblem) -> FormError {
    FormError { field, problem }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::mailbox_profile::MailboxInput;

    #[test]
    fn every_field_reads_back_what_was_set() {
        let mut form = MailboxForm::default();
        for (number, field) in FormField::ALL.iter().enumerate() {
            let value = if field.is_checkbox() {
                "on".to_string()
            } else {
                format!("value {number}")
            };
            form.set(*field, value.clone());
            assert_eq!(form.get(*field), value, "{field}");
        }
        form.set(FormField::SubscribedOnly, String::new());
        assert_eq!(form.subscribed_only, None);
    }

    #[test]
    fn a_template_supplies_only_the_inherited_fields() {
        let mut template = MailboxInput::new("Company IMAP", "imap.example.com", "");
        template.port = 143;
        template.schedule = Some("1d".into());
        let template = MailboxForm::from_input(Some(3), &template);
        let mut form = MailboxForm::from_input(None, &MailboxInput::new("ann", "other", "ann"));
        form.template_id = "3".into();
        form.inherited = "host, schedule".into();
        let fields = form.inherited_fields().unwrap();
        form.inherit(&template, &fields);
        let input = form.parse().unwrap();
        assert_eq!(input.host, "imap.example.com");
        assert_eq!(input.schedule.as_deref(), Some("1d"));
        assert_eq!(input.port, 993, "not inherited");
        assert_eq!(input.name, "ann");

        form.inherited = "username".into();
        assert_eq!(form.inherited_fields().unwrap_err().field, "inherited");
        form.template_id.clear();
        assert!(
            form.inherited_fields().unwrap().is_empty(),
            "no template, nothing inherited"
        );
    }

    #[test]
    fn grants_are_addresses_one_per_line_or_comma() {
        let form = MailboxForm {
            grants: "Ann@Example.com\n bob@example.com, ann@example.com;\n\n".into(),
            ..Default::default()
        };
        assert_eq!(
            form.grant_addresses(),
            ["ann@example.com", "bob@example.com"]
        );
    }
}
