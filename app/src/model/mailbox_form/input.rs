//! The mailbox form as a profile and back: `MailboxForm::parse` reads the
//! strings into a typed `MailboxInput`, naming the first field it cannot
//! read; `MailboxForm::from_input` shows a profile in the form.

use super::{FormError, FormProblem, MailboxForm, error};
use crate::model::mailbox_profile::{DEFAULT_PAGE_SIZE, MailboxInput, Source};
use crate::model::probe::fingerprint;
use std::collections::BTreeMap;

/// One megabyte as the form counts message sizes (1024 × 1024 bytes).
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
            pinned_cert: text(&input.pinned_cert_sha256),
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
                    source @ (Source::Imap | Source::Pop3 | Source::Graph) => source,
                    Source::Import | Source::Journal => {
                        return Err(error("source", FormProblem::ImportHasNoServer));
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
                .ok_or_else(|| error("port", FormProblem::Port))?,
            security: choice("security", &self.security)?,
            auth_method: choice("auth_method", &self.auth_method)?,
            oauth_app_id: match optional(&self.oauth_app) {
                None => None,
                Some(id) => Some(
                    id.parse()
                        .map_err(|_| error("oauth_app", FormProblem::NoSignInApp))?,
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
            pinned_cert_sha256: match optional(&self.pinned_cert) {
                Some(text) => Some(
                    fingerprint(&text)
                        .ok_or_else(|| error("pinned_cert", FormProblem::Fingerprint))?,
                ),
                None => None,
            },
            folder_rules: self.folder_rules.replace("\r\n", "\n").trim().to_string(),
            subscribed_only: self.subscribed_only.is_some(),
            older_than_days: days("older_than_days", &self.older_than_days)?,
            max_message_size: match optional(&self.max_message_size_mb) {
                Some(mb) => {
                    Some(
                        mb.parse::<u64>().ok().filter(|mb| *mb > 0).ok_or_else(|| {
                            error("max_message_size_mb", FormProblem::MessageSize)
                        })? * MB,
                    )
                }
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
                .ok_or_else(|| error("max_connections", FormProblem::MaxConnections))?,
            page_size: match optional(&self.page_size) {
                None => DEFAULT_PAGE_SIZE,
                Some(size) => size
                    .parse()
                    .ok()
                    .filter(|size| (1..=1000).contains(size))
                    .ok_or_else(|| error("page_size", FormProblem::PageSize))?,
            },
        })
    }
}

fn choice<T: std::str::FromStr<Err = String>>(
    field: &'static str,
    value: &str,
) -> Result<T, FormError> {
    value
        .parse()
        .map_err(|reason: String| error(field, FormProblem::Choice { reason }))
}

fn days(field: &'static str, value: &str) -> Result<Option<u32>, FormError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse()
        .map(Some)
        .map_err(|_| error(field, FormProblem::Days))
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
                return Err(error("labels", FormProblem::Label { line: number + 1 }));
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
        input.pinned_cert_sha256 = Some("0f".repeat(32));
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
            with(|form| form.pinned_cert = "AB:CD".into()),
            "pinned_cert"
        );
        assert_eq!(
            with(|form| form.max_connections = "0".into()),
            "max_connections"
        );
        assert_eq!(base.id().unwrap(), None);
    }

    #[test]
    fn a_field_problem_is_said_in_the_asked_language() {
        let mut form = MailboxForm::from_input(None, &MailboxInput::new("w", "h", "u"));
        form.labels = "category=Invoices\ncategory".into();
        let error = form.parse().unwrap_err();
        assert_eq!(
            error.message(crate::i18n::Lang::En),
            "Line 2: write a label as key=value, e.g. category=Invoices."
        );
        assert_eq!(
            error.message(crate::i18n::Lang::De),
            "Zeile 2: Schreiben Sie ein Etikett als Schlüssel=Wert, z. B. kategorie=Rechnungen."
        );
    }
}
