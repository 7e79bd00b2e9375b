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

use super::csv::{self, Column, Sheet};
use super::mailboxes::{Editor, MailboxError, Mailboxes};
use super::templates::Templates;
use crate::auth::{Accounts, AuthError, UserRow, generate_password, normalize_email};
use crate::secrets::Secret;
use app::model::Role;
use app::model::batch::{
    BatchOutcome, BatchRow, CsvColumn, CsvImportForm, CsvPreview, CsvRow, MasterBatchForm,
    UserSelection,
};
use app::model::mailbox::{IdentityKind, MailboxInput};
use app::model::mailbox_form::{FormError, FormField, MailboxForm};
use std::collections::{BTreeSet, HashMap, HashSet};

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
        invalid(error.field, error.message)
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

/// The profile fields a CSV column can set.
const CSV_FIELDS: [(Column, FormField); 5] = [
    (Column::Host, FormField::Host),
    (Column::Port, FormField::Port),
    (Column::Security, FormField::Security),
    (Column::Folders, FormField::FolderRules),
    (Column::Schedule, FormField::Schedule),
];
/// The fields a master-user batch always sets itself.
const MASTER_FIELDS: [FormField; 5] = [
    FormField::Host,
    FormField::Port,
    FormField::Security,
    FormField::CaFile,
    FormField::AuthMethod,
];

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

    // ---- CSV ----

    pub async fn preview_csv(&self, form: &CsvImportForm) -> Result<CsvPreview, BatchError> {
        let (sheet, rows) = self.plan_csv(form).await?;
        let valid = rows.iter().filter(|(_, plan)| plan.is_ok()).count() as u64;
        Ok(CsvPreview {
            separator: match sheet.separator {
                ';' => "semicolon",
                ',' => "comma",
                '|' => "pipe",
                _ => "tab",
            }
            .to_string(),
            columns: sheet
                .header
                .iter()
                .map(|header| CsvColumn {
                    header: header.clone(),
                    meaning: Column::from_header(header).map(|column| column.label().to_string()),
                })
                .collect(),
            rows: rows
                .into_iter()
                .map(|(line, plan)| match plan {
                    Ok(planned) => CsvRow {
                        line,
                        server: format!(
                            "{}@{}:{}",
                            planned.profile.username, planned.profile.host, planned.profile.port
                        ),
                        email: planned.email,
                        mailbox: planned.profile.name,
                        new_user: planned.owner.is_none(),
                        errors: Vec::new(),
                    },
                    Err(failed) => CsvRow {
                        line,
                        email: failed.email,
                        mailbox: failed.mailbox,
                        server: String::new(),
                        new_user: false,
                        errors: failed.errors,
                    },
                })
                .collect(),
            valid,
        })
    }

    /// Creates every row the preview accepts; the others are reported failed.
    pub async fn import_csv(&self, form: &CsvImportForm) -> Result<Vec<BatchRow>, BatchError> {
        let base = self.base(&form.template_id).await?;
        let (sheet, rows) = self.plan_csv(form).await?;
        // A column in the list overrides the template; the rest is inherited.
        let own: Vec<FormField> = sheet
            .header
            .iter()
            .filter_map(|header| Column::from_header(header))
            .filter_map(|column| {
                CSV_FIELDS
                    .iter()
                    .find(|(csv_column, _)| *csv_column == column)
                    .map(|(_, field)| *field)
            })
            .collect();
        let inheritance = base.inheritance(&own);
        let mut report = Vec::new();
        for (line, plan) in rows {
            match plan {
                Ok(planned) => report.push(self.create(planned, inheritance.clone()).await),
                Err(failed) => report.push(BatchRow {
                    subject: format!("line {line}: {}", failed.email),
                    mailbox: None,
                    mailbox_id: None,
                    outcome: BatchOutcome::Failed,
                    reason: Some(failed.errors.join(" ")),
                    user_created: false,
                }),
            }
        }
        Ok(report)
    }

    /// Each record with what it would create, or its problems.
    async fn plan_csv(
        &self,
        form: &CsvImportForm,
    ) -> Result<(Sheet, Vec<(usize, Result<Planned, RowProblems>)>), BatchError> {
        let sheet = csv::read(&form.text)
            .map_err(|error| invalid("text", format!("Cannot read the list: {error}.")))?;
        let columns: Vec<Option<Column>> = sheet
            .header
            .iter()
            .map(|header| Column::from_header(header))
            .collect();
        if !columns.contains(&Some(Column::Email)) {
            return Err(invalid(
                "text",
                "The first line must name the columns, with at least an e-mail address column (e.g. email;password).",
            ));
        }
        let base = self.base(&form.template_id).await?;
        let existing_names: HashSet<String> = self
            .mailboxes
            .list()
            .await?
            .into_iter()
            .map(|row| row.name.to_lowercase())
            .collect();
        let users: HashMap<String, UserRow> = self
            .accounts
            .list_users()
            .await?
            .into_iter()
            .map(|user| (user.email.clone(), user))
            .collect();
        let mut names_in_file = HashSet::new();
        let mut planned = Vec::new();
        for record in &sheet.records {
            let value = |column: Column| -> Option<String> {
                columns
                    .iter()
                    .position(|c| *c == Some(column))
                    .and_then(|index| record.fields.get(index))
                    .map(|value| value.trim().to_string())
                    .filter(|value| !value.is_empty())
            };
            let mut problems = RowProblems {
                email: value(Column::Email).unwrap_or_default(),
                mailbox: String::new(),
                errors: Vec::new(),
            };
            if let Some(problem) = &record.problem {
                problems
                    .errors
                    .push(format!("Cannot read this line: {problem}."));
                planned.push((record.line, Err(problems)));
                continue;
            }
            if record.fields.len() != sheet.header.len() {
                problems.errors.push(format!(
                    "Has {} fields, the header has {}; check the separators and quotes.",
                    record.fields.len(),
                    sheet.header.len()
                ));
            }
            let email = match normalize_email(&problems.email) {
                Ok(email) => email,
                Err(_) if problems.email.is_empty() => {
                    problems.errors.push("No e-mail address.".into());
                    String::new()
                }
                Err(_) => {
                    problems
                        .errors
                        .push(format!("{:?} is not an e-mail address.", problems.email));
                    String::new()
                }
            };
            let mut mailbox = base.form.clone();
            let name = value(Column::Name).unwrap_or_else(|| email.clone());
            problems.mailbox = name.clone();
            mailbox.name = name.clone();
            mailbox.email_address = email.clone();
            mailbox.username = value(Column::Username).unwrap_or_else(|| email.clone());
            for (column, field) in CSV_FIELDS {
                if let Some(value) = value(column) {
                    mailbox.set(field, value);
                }
            }
            // A given security without a port means that security's usual port.
            if value(Column::Security).is_some()
                && value(Column::Port).is_none()
                && let Ok(security) = mailbox.security.parse::<app::model::mailbox::Security>()
            {
                mailbox.port = security.default_port().to_string();
            }
            let secret = value(Column::Password).map(Secret::new);
            match mailbox.parse() {
                Ok(profile) => {
                    for error in self.mailboxes.problems(&profile, secret.is_some()) {
                        problems.errors.push(describe(error.field, &error.message));
                    }
                    if !name.is_empty() {
                        if existing_names.contains(&name.to_lowercase()) {
                            problems
                                .errors
                                .push(format!("A mailbox named {name:?} exists already."));
                        } else if !names_in_file.insert(name.to_lowercase()) {
                            problems
                                .errors
                                .push(format!("{name:?} appears twice in the list."));
                        }
                    }
                    if problems.errors.is_empty() {
                        let user = users.get(&email);
                        planned.push((
                            record.line,
                            Ok(Planned {
                                subject: format!("line {}: {email}", record.line),
                                display_name: value(Column::DisplayName)
                                    .or_else(|| user.map(|user| user.display_name.clone()))
                                    .unwrap_or_default(),
                                owner: user.map(|user| user.id),
                                email,
                                profile,
                                secret,
                            }),
                        ));
                        continue;
                    }
                }
                Err(error) => problems.errors.push(describe(error.field, &error.message)),
            }
            planned.push((record.line, Err(problems)));
        }
        Ok((sheet, planned))
    }

    // ---- master user ----

    /// One mailbox per selected user, logging in as the master user acting
    /// for them. Users who have a mailbox of that name already are skipped.
    pub async fn master_user(&self, form: &MasterBatchForm) -> Result<Vec<BatchRow>, BatchError> {
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
                    user_created: false,
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
            user_created: false,
        };
        let owner = match planned.owner {
            Some(owner) => owner,
            None => {
                // The new user signs in once an admin sets a password (or,
                // with SMTP, after a password reset).
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
                        row.user_created = true;
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

/// A row's problems, for the preview.
struct RowProblems {
    email: String,
    mailbox: String,
    errors: Vec<String>,
}

/// A field problem in the words of a list: which column to fix.
fn describe(field: &str, message: &str) -> String {
    let column = match field {
        "host" => "server",
        "port" => "port",
        "security" => "security",
        "username" => "user name",
        "secret" => "password",
        "folder_rules" => "folders",
        "schedule" => "schedule",
        "name" => "mailbox name",
        other => other,
    };
    format!("{column}: {message}")
}
