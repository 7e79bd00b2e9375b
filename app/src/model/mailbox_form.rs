//! The mailbox editor's form as an HTML form posts it: every field a string
//! (a checkbox is present or absent), so a half-typed number reaches the
//! server and comes back as a message next to its field instead of failing
//! to decode. `MailboxForm::parse` turns it into a typed `MailboxInput`.

use super::mailbox_profile::{DEFAULT_PAGE_SIZE, MailboxInput, Source};
use super::named_enum::named_enum;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

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
    pub message: String,
}

const MB: u64 = 1024 * 1024;

impl MailboxForm {
    /// The form showing `input` (the secret stays empty: it is never sent back).
    pub fn from_input(id: Option<i64>, input: &MailboxInput) -> MailboxForm {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        let number = |value: Option<u32>| value.map(|n| n.to_string()).unwrap_or_default();
        let tick = |value: bool| value.then(|| "on".to_string());
        MailboxForm {
            id: id.map(|id| id.to_string()).unwrap_or_default(),
            name: input.name.clone(),
            email_address: text(&input.email_address),
            source: input.source.as_str().into(),
            host: input.host.clone(),
            port: input.port.to_string(),
            security: input.security.as_str().into(),
            ca_file: text(&input.ca_file),
            accept_invalid_certs: tick(input.accept_invalid_certs),
            expected_cert_name: text(&input.expected_cert_name),
            auth_method: input.auth_method.as_str().into(),
            oauth_app: input
                .oauth_app_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            username: input.username.clone(),
            secret: String::new(),
            master_user: text(&input.master_user),
            identity_kind: input
                .identity_kind
                .map(|kind| kind.as_str().to_string())
                .unwrap_or_default(),
            folder_rules: input.folder_rules.clone(),
            subscribed_only: tick(input.subscribed_only),
            older_than_days: number(input.older_than_days),
            max_message_size_mb: input
                .max_message_size
                .map(|bytes| (bytes / MB).to_string())
                .unwrap_or_default(),
            action: input.action.as_str().into(),
            success_folder: input.success_folder.clone(),
            duplicate_folder: input.duplicate_folder.clone(),
            error_folder: input.error_folder.clone(),
            success_tag: input.success_tag.clone(),
            duplicate_tag: input.duplicate_tag.clone(),
            delete_older_than_days: number(input.delete_older_than_days),
            duplicate_policy: input.duplicate_policy.as_str().into(),
            duplicate_match: input.duplicate_match.as_str().into(),
            labels: input
                .labels
                .iter()
                .map(|(key, value)| format!("{key}={value}"))
                .collect::<Vec<_>>()
                .join("\n"),
            schedule: text(&input.schedule),
            max_connections: input.max_connections.to_string(),
            page_size: input.page_size.to_string(),
            // Who may read it and what it inherits are not part of a profile;
            // the editor's loader fills them in.
            template_id: String::new(),
            inherited: String::new(),
            shared: None,
            grants: String::new(),
        }
    }

    /// The mailbox id, if the form edits an existing one.
    pub fn id(&self) -> Result<Option<i64>, FormError> {
        let id = self.id.trim();
        if id.is_empty() {
            return Ok(None);
        }
        id.parse()
            .map(Some)
            .map_err(|_| error("id", "The form refers to no mailbox; reload the page."))
    }

    /// The typed profile, or the first field that cannot be read. (Whether
    /// the values make sense together is the server's validation.)
    pub fn parse(&self) -> Result<MailboxInput, FormError> {
        let optional = |value: &str| {
            let value = value.trim();
            (!value.is_empty()).then(|| value.to_string())
        };
        Ok(MailboxInput {
            name: self.name.trim().to_string(),
            email_address: optional(&self.email_address),
            // A form from before Graph mailboxes posts no source.
            source: match optional(&self.source) {
                Some(source) => match choice("source", &source)? {
                    source @ (Source::Imap | Source::Graph) => source,
                    Source::Import => {
                        return Err(error(
                            "source",
                            "Imported mail has no server to read; choose IMAP or Microsoft Graph.",
                        ));
                    }
                },
                None => Source::Imap,
            },
            host: self.host.trim().to_string(),
            port: self
                .port
                .trim()
                .parse()
                .ok()
                .filter(|port| *port > 0)
                .ok_or_else(|| error("port", "The port must be a number between 1 and 65535."))?,
            security: choice("security", &self.security)?,
            auth_method: choice("auth_method", &self.auth_method)?,
            oauth_app_id: match optional(&self.oauth_app) {
                None => None,
                Some(id) => Some(
                    id.parse()
                        .map_err(|_| error("oauth_app", "Choose a sign-in app from the list."))?,
                ),
            },
            username: self.username.trim().to_string(),
            master_user: optional(&self.master_user),
            identity_kind: match optional(&self.identity_kind) {
                Some(kind) => Some(choice("identity_kind", &kind)?),
                None => None,
            },
            ca_file: optional(&self.ca_file),
            accept_invalid_certs: self.accept_invalid_certs.is_some(),
            expected_cert_name: optional(&self.expected_cert_name),
            folder_rules: self.folder_rules.replace("\r\n", "\n").trim().to_string(),
            subscribed_only: self.subscribed_only.is_some(),
            older_than_days: days("older_than_days", &self.older_than_days)?,
            max_message_size: match optional(&self.max_message_size_mb) {
                Some(mb) => Some(
                    mb.parse::<u64>().ok().filter(|mb| *mb > 0).ok_or_else(|| {
                        error(
                            "max_message_size_mb",
                            "Enter a size in MB, e.g. 50, or leave it empty.",
                        )
                    })? * MB,
                ),
                None => None,
            },
            action: choice("action", &self.action)?,
            success_folder: self.success_folder.trim().to_string(),
            duplicate_folder: self.duplicate_folder.trim().to_string(),
            error_folder: self.error_folder.trim().to_string(),
            success_tag: self.success_tag.trim().to_string(),
            duplicate_tag: self.duplicate_tag.trim().to_string(),
            delete_older_than_days: days("delete_older_than_days", &self.delete_older_than_days)?,
            duplicate_policy: choice("duplicate_policy", &self.duplicate_policy)?,
            duplicate_match: choice("duplicate_match", &self.duplicate_match)?,
            labels: labels(&self.labels)?,
            schedule: optional(&self.schedule),
            max_connections: self
                .max_connections
                .trim()
                .parse()
                .ok()
                .filter(|count| *count > 0)
                .ok_or_else(|| error("max_connections", "Allow at least one connection."))?,
            page_size: match optional(&self.page_size) {
                None => DEFAULT_PAGE_SIZE,
                Some(size) => size
                    .parse()
                    .ok()
                    .filter(|size| (1..=1000).contains(size))
                    .ok_or_else(|| {
                        error(
                            "page_size",
                            "Enter a page size between 1 and 1000 messages.",
                        )
                    })?,
            },
        })
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
            .map_err(|_| error("template_id", "Choose a template from the list."))
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
                    format!("{name:?} cannot come from a template; reload the page."),
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

fn error(field: &'static str, message: impl Into<String>) -> FormError {
    FormError {
        field,
        message: message.into(),
    }
}

fn choice<T: std::str::FromStr<Err = String>>(
    field: &'static str,
    value: &str,
) -> Result<T, FormError> {
    value.parse().map_err(|reason: String| {
        error(
            field,
            format!("Choose one of the offered values ({reason})."),
        )
    })
}

fn days(field: &'static str, value: &str) -> Result<Option<u32>, FormError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse()
        .map(Some)
        .map_err(|_| error(field, "Enter a number of days, or leave it empty."))
}

fn labels(text: &str) -> Result<BTreeMap<String, String>, FormError> {
    let mut labels = BTreeMap::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match line.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() => {
                labels.insert(key.trim().to_string(), value.trim().to_string());
            }
            _ => {
                return Err(error(
                    "labels",
                    format!(
                        "Line {}: write a label as key=value, e.g. category=Invoices.",
                        number + 1
                    ),
                ));
            }
        }
    }
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::mailbox_profile::{Action, Security};

    #[test]
    fn a_profile_survives_the_form_both_ways() {
        let mut input = MailboxInput::new("work", "imap.example.com", "ann");
        input.security = Security::StartTls;
        input.port = 143;
        input.action = Action::Move;
        input.older_than_days = Some(30);
        input.max_message_size = Some(50 * MB);
        input.subscribed_only = true;
        input.labels.insert("category".into(), "Invoices".into());
        input.schedule = Some("0 2 * * *".into());
        let form = MailboxForm::from_input(Some(7), &input);
        assert_eq!(form.id().unwrap(), Some(7));
        assert_eq!(form.parse().unwrap(), input);
        assert_eq!(form.secret(), None);
    }

    #[test]
    fn unreadable_fields_are_named() {
        let base = MailboxForm::from_input(None, &MailboxInput::new("w", "h", "u"));
        let with = |change: fn(&mut MailboxForm)| {
            let mut form = base.clone();
            change(&mut form);
            form.parse().unwrap_err().field
        };
        assert_eq!(with(|form| form.port = "99999".into()), "port");
        assert_eq!(with(|form| form.port = "".into()), "port");
        assert_eq!(with(|form| form.security = "ssl".into()), "security");
        assert_eq!(
            with(|form| form.older_than_days = "a month".into()),
            "older_than_days"
        );
        assert_eq!(with(|form| form.labels = "category".into()), "labels");
        assert_eq!(
            with(|form| form.max_connections = "0".into()),
            "max_connections"
        );
        assert_eq!(base.id().unwrap(), None);
    }

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
