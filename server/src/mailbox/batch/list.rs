//! A CSV list of mailboxes: `preview_csv` shows what `import_csv` would do,
//! row by row, without saving anything; both go through `plan_csv`. A row
//! that cannot be used is reported, never the list's failure.

use super::{Batch, BatchError, Planned, counts, invalid};
use crate::audit::Actor;
use crate::auth::{UserRow, normalize_email};
use crate::mailbox::csv::{self, Column, Sheet};
use crate::secrets::Secret;
use app::model::batch::{BatchOutcome, BatchRow, CsvColumn, CsvImportForm, CsvPreview, CsvRow};
use app::model::mailbox_form::FormField;
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// The profile fields a CSV column can set.
const CSV_FIELDS: [(Column, FormField); 5] = [
    (Column::Host, FormField::Host),
    (Column::Port, FormField::Port),
    (Column::Security, FormField::Security),
    (Column::Folders, FormField::FolderRules),
    (Column::Schedule, FormField::Schedule),
];
impl Batch<'_> {
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

    /// Creates every row the preview accepts, recorded as `by`'s batch; the
    /// others are reported failed.
    pub async fn import_csv(
        &self,
        form: &CsvImportForm,
        by: &Actor,
    ) -> Result<Vec<BatchRow>, BatchError> {
        let rows = self.import_csv_rows(form).await?;
        let [created, _, failed] = counts(&rows);
        tracing::info!(by = %by.name(), created, failed, "mailbox list imported");
        let details = json!({ "kind": "CSV list", "created": created, "failed": failed });
        self.record(by, details).await?;
        Ok(rows)
    }

    async fn import_csv_rows(&self, form: &CsvImportForm) -> Result<Vec<BatchRow>, BatchError> {
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
                    new_user: None,
                    invited: false,
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
                Err(error) => problems
                    .errors
                    .push(describe(error.field, &error.message(app::i18n::Lang::En))),
            }
            planned.push((record.line, Err(problems)));
        }
        Ok((sheet, planned))
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
