//! Batch archiving: many mailboxes at once, each owned by the user whose mail
//! it holds (MailStore's batch archiving).
//!
//! - A *master-user batch* creates one mailbox per selected Tresor user; each
//!   logs in as the master user acting for that user.
//! - A *CSV import* creates one mailbox per readable row, creating the owner's
//!   account when it is missing. `preview_csv` shows what `import_csv` would
//!   do, row by row, without saving anything; both go through `plan_csv`.
//!
//! Every mailbox starts from a template (or the defaults) and passes the same
//! validation as one saved in the editor. Queuing first runs is the caller's
//! (the scheduler keeps to the concurrent-job limit).

mod list;
mod master;

use super::mailboxes::{Editor, MailboxError, Mailboxes};
use super::templates::Templates;
use crate::audit::Actor;
use crate::auth::{Accounts, AuthError, generate_password};
use crate::secrets::Secret;
use app::model::Role;
use app::model::batch::{BatchOutcome, BatchRow};
use app::model::mailbox::MailboxInput;
use app::model::mailbox_form::{FormError, FormField, MailboxForm};
use std::collections::BTreeSet;

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// A problem with the batch form itself (not with one row).
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Mailbox(#[from] MailboxError),
    #[error(transparent)]
    Auth(#[from] AuthError),
}

fn invalid(field: &'static str, message: impl Into<String>) -> BatchError {
    BatchError::Invalid {
        field,
        message: message.into(),
    }
}

impl From<FormError> for BatchError {
    fn from(error: FormError) -> Self {
        invalid(error.field, error.message(app::i18n::Lang::En))
    }
}

pub struct Batch<'a> {
    accounts: &'a Accounts,
    mailboxes: &'a Mailboxes,
    templates: Templates<'a>,
}

/// One mailbox a batch would create.
struct Planned {
    subject: String,
    email: String,
    display_name: String,
    /// The owner's account, if it exists.
    owner: Option<i64>,
    profile: MailboxInput,
    secret: Option<Secret>,
}

/// The starting point of every mailbox in a batch: a template's values (all
/// inherited) or the defaults.
struct Base {
    form: MailboxForm,
    template: Option<i64>,
}

impl Base {
    /// The template's link for a mailbox that set `own` fields itself.
    fn inheritance(&self, own: &[FormField]) -> Option<(i64, BTreeSet<FormField>)> {
        let fields = FormField::ALL
            .iter()
            .copied()
            .filter(|field| field.inheritable() && !own.contains(field))
            .collect();
        self.template.map(|id| (id, fields))
    }
}

/// How many rows of a batch were created, skipped and failed.
fn counts(rows: &[BatchRow]) -> [usize; 3] {
    [
        BatchOutcome::Created,
        BatchOutcome::Skipped,
        BatchOutcome::Failed,
    ]
    .map(|outcome| rows.iter().filter(|row| row.outcome == outcome).count())
}

impl<'a> Batch<'a> {
    pub fn new(accounts: &'a Accounts, mailboxes: &'a Mailboxes, templates: Templates<'a>) -> Self {
        Batch {
            accounts,
            mailboxes,
            templates,
        }
    }

    async fn base(&self, template_id: &str) -> Result<Base, BatchError> {
        let template_id = template_id.trim();
        if template_id.is_empty() {
            return Ok(Base {
                form: MailboxForm::from_input(None, &MailboxInput::new("", "", "")),
                template: None,
            });
        }
        let id: i64 = template_id
            .parse()
            .map_err(|_| invalid("template_id", "Choose a template from the list."))?;
        let row = self.templates.by_id(id).await.map_err(|_| {
            invalid(
                "template_id",
                "This template no longer exists; choose another.",
            )
        })?;
        let mut form = self.templates.form_of(&row)?;
        form.id.clear();
        Ok(Base {
            form,
            template: Some(id),
        })
    }

    /// Records a batch: the mailboxes it made are in the log as one entry.
    async fn record(&self, by: &Actor, details: serde_json::Value) -> Result<(), BatchError> {
        let action = crate::audit::Action::BatchCreated;
        Ok(self
            .mailboxes
            .record(by, action, "mailboxes", details)
            .await?)
    }

    /// Creates one planned mailbox (and its owner, if missing); a failure is
    /// that row's, never the batch's.
    async fn create(
        &self,
        planned: Planned,
        inheritance: Option<(i64, BTreeSet<FormField>)>,
    ) -> BatchRow {
        let mut row = BatchRow {
            subject: planned.subject.clone(),
            mailbox: Some(planned.profile.name.clone()),
            mailbox_id: None,
            outcome: BatchOutcome::Failed,
            reason: None,
            new_user: None,
            invited: false,
        };
        let owner = match planned.owner {
            Some(owner) => owner,
            None => {
                // The new user signs in once an admin sets a password or
                // sends a link, or by the invitation the web mails when asked.
                match self
                    .accounts
                    .create_user(
                        &planned.email,
                        &planned.display_name,
                        Role::User,
                        &generate_password(),
                    )
                    .await
                {
                    Ok(user) => {
                        row.new_user = Some(user.id);
                        user.id
                    }
                    Err(AuthError::EmailTaken(_)) => {
                        match self.accounts.find_by_email(&planned.email).await {
                            Ok(Some(user)) => user.id,
                            _ => {
                                row.reason = Some("The user could not be found or created.".into());
                                return row;
                            }
                        }
                    }
                    Err(error) => {
                        row.reason = Some(format!("The user could not be created: {error}."));
                        return row;
                    }
                }
            }
        };
        // Batches are the administrators' (they set up master users).
        let created = self
            .mailboxes
            .create(
                Editor::Admin,
                Some(owner),
                &planned.profile,
                planned.secret.as_ref(),
            )
            .await;
        match created {
            Ok(mailbox) => {
                if let Some((template_id, fields)) = &inheritance
                    && let Err(error) = self
                        .mailboxes
                        .set_template(mailbox.id, Some((*template_id, fields)))
                        .await
                {
                    tracing::warn!(mailbox = %mailbox.name, %error, "template link not saved");
                }
                row.mailbox_id = Some(mailbox.id);
                row.outcome = BatchOutcome::Created;
            }
            Err(MailboxError::NameTaken(name)) => {
                row.outcome = BatchOutcome::Skipped;
                row.reason = Some(format!("A mailbox named {name:?} exists already."));
            }
            Err(error) => row.reason = Some(error.to_string()),
        }
        row
    }
}
