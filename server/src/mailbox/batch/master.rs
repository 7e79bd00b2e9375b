//! A master-user batch: one mailbox per selected Tresor user, each logging
//! in as the master user acting for that user.

use super::{Batch, BatchError, Planned, counts, invalid};
use crate::audit::Actor;
use crate::auth::UserRow;
use crate::secrets::Secret;
use app::model::batch::{BatchOutcome, BatchRow, MasterBatchForm, UserSelection};
use app::model::mailbox::IdentityKind;
use app::model::mailbox_form::FormField;
use serde_json::json;
use std::collections::{BTreeSet, HashSet};

/// The fields a master-user batch always sets itself.
const MASTER_FIELDS: [FormField; 5] = [
    FormField::Host,
    FormField::Port,
    FormField::Security,
    FormField::CaFile,
    FormField::AuthMethod,
];

impl Batch<'_> {
    /// One mailbox per selected user, logging in as the master user acting
    /// for them, recorded as `by`'s batch. Users who have a mailbox of that
    /// name already are skipped.
    pub async fn master_user(
        &self,
        form: &MasterBatchForm,
        by: &Actor,
    ) -> Result<Vec<BatchRow>, BatchError> {
        let rows = self.master_user_rows(form).await?;
        let [created, skipped, failed] = counts(&rows);
        tracing::info!(by = %by.name(), created, skipped, failed, "master-user batch");
        let details = json!({ "kind": "master user", "created": created, "skipped": skipped, "failed": failed });
        self.record(by, details).await?;
        Ok(rows)
    }

    async fn master_user_rows(&self, form: &MasterBatchForm) -> Result<Vec<BatchRow>, BatchError> {
        let base = self.base(&form.template_id).await?;
        let master_user = form.master_user.trim();
        if master_user.is_empty() {
            return Err(invalid("master_user", "Enter the master user's login."));
        }
        if form.secret.is_empty() {
            return Err(invalid("secret", "Enter the master user's password."));
        }
        let kind: IdentityKind = form
            .identity_kind
            .parse()
            .map_err(|_| invalid("identity_kind", "Choose what the master user logs in as."))?;
        let selection: UserSelection = form
            .selection
            .parse()
            .map_err(|_| invalid("selection", "Choose which users to archive."))?;
        let named: BTreeSet<String> = form
            .users
            .split(['\n', ',', ';'])
            .map(|address| address.trim().to_lowercase())
            .filter(|address| !address.is_empty())
            .collect();
        if selection != UserSelection::All && named.is_empty() {
            return Err(invalid(
                "users",
                "Name the users, one e-mail address per line.",
            ));
        }
        let users: Vec<UserRow> = self
            .accounts
            .list_users()
            .await?
            .into_iter()
            .filter(|user| !user.disabled)
            .collect();
        if selection == UserSelection::Only {
            let known: HashSet<&str> = users.iter().map(|user| user.email.as_str()).collect();
            if let Some(unknown) = named
                .iter()
                .find(|address| !known.contains(address.as_str()))
            {
                return Err(invalid(
                    "users",
                    format!("There is no enabled user {unknown}; add the user first."),
                ));
            }
        }
        let selected = users.into_iter().filter(|user| match selection {
            UserSelection::All => true,
            UserSelection::AllExcept => !named.contains(&user.email),
            UserSelection::Only => named.contains(&user.email),
        });

        let mut connection = base.form.clone();
        connection.host = form.host.clone();
        connection.port = form.port.clone();
        connection.security = form.security.clone();
        connection.ca_file = form.ca_file.clone();
        connection.auth_method = "plain".into();
        connection.master_user = master_user.to_string();
        connection.identity_kind = kind.as_str().into();
        let inheritance = base.inheritance(&MASTER_FIELDS);
        let mut report = Vec::new();
        let mut checked_once = false;
        for user in selected {
            let local_part = user.email.split('@').next().unwrap_or_default();
            let mut mailbox = connection.clone();
            mailbox.name = user.email.clone();
            mailbox.email_address = user.email.clone();
            mailbox.username = match kind {
                IdentityKind::Address => user.email.clone(),
                IdentityKind::LocalPart => local_part.to_string(),
                IdentityKind::Username => user.display_name.clone(),
            };
            let profile = mailbox.parse()?;
            // The connection settings are the same for every user: a problem
            // there is the form's, reported once, before anything is created.
            if !checked_once {
                if let Some(error) = self.mailboxes.problems(&profile, true).into_iter().next() {
                    return Err(invalid(error.field, error.message));
                }
                checked_once = true;
            }
            if self.mailboxes.by_name(&profile.name).await.is_ok() {
                report.push(BatchRow {
                    subject: user.email.clone(),
                    mailbox: Some(profile.name.clone()),
                    mailbox_id: None,
                    outcome: BatchOutcome::Skipped,
                    reason: Some("A mailbox of this name exists already.".into()),
                    new_user: None,
                    invited: false,
                });
                continue;
            }
            let planned = Planned {
                subject: user.email.clone(),
                email: user.email.clone(),
                display_name: user.display_name.clone(),
                owner: Some(user.id),
                profile,
                secret: Some(Secret::new(form.secret.clone())),
            };
            report.push(self.create(planned, inheritance.clone()).await);
        }
        if !checked_once {
            return Err(invalid(
                "selection",
                "No enabled user matches this selection.",
            ));
        }
        Ok(report)
    }
}
