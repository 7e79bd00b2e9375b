//! Mailbox templates (Dr.DOC's prototypes): defaults a mailbox inherits field
//! by field. A template is stored as a profile (`MailboxInput` as JSON)
//! without an identity; the mailbox's own columns always hold the effective
//! values, so saving a template rewrites the inherited fields of every
//! mailbox that uses it, effective from their next run.

use super::mailboxes::{Editor, MailboxError, MailboxRow, Mailboxes, live};
use super::profile::{FieldError, MailboxInput};
use crate::audit::{Action, Actor};
use crate::db::entity::{mailbox, mailbox_template};
use app::model::mailbox_form::{FormField, MailboxForm};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    SqlErr, TryIntoModel,
};
use serde_json::json;
use std::collections::BTreeSet;

pub type TemplateRow = mailbox_template::Model;

/// A template's profile needs a user name to be a valid profile; it never
/// supplies one (the identity is always the mailbox's own).
const NO_USER: &str = "(each mailbox's own)";

pub struct Templates<'a> {
    db: &'a DatabaseConnection,
    mailboxes: &'a Mailboxes,
}

/// A mailbox's link to its template: the template's id and the fields the
/// mailbox takes from it.
pub type Inheritance = (i64, BTreeSet<FormField>);

impl Mailboxes {
    /// The templates these mailboxes inherit from.
    pub fn templates(&self) -> Templates<'_> {
        Templates::new(&self.db, self)
    }

    /// Links mailbox `id` to a template and records which fields it takes
    /// from there (`None`: its values are all its own).
    pub async fn set_template(
        &self,
        id: i64,
        template: Option<(i64, &BTreeSet<FormField>)>,
    ) -> Result<(), MailboxError> {
        let mut row: mailbox::ActiveModel = self.by_id(id).await?.into();
        let fields: Vec<&str> = template
            .map(|(_, fields)| fields.iter().map(|field| field.as_str()).collect())
            .unwrap_or_default();
        row.template_id = Set(template.map(|(template_id, _)| template_id));
        row.inherited = Set(serde_json::to_string(&fields).expect("names serialise"));
        row.updated_at = Set(Utc::now());
        row.update(&self.db).await?;
        Ok(())
    }

    /// The template of `row` and the fields it inherits.
    pub fn inheritance_of(&self, row: &MailboxRow) -> Result<Option<Inheritance>, MailboxError> {
        let Some(template_id) = row.template_id else {
            return Ok(None);
        };
        let names: Vec<String> =
            serde_json::from_str(&row.inherited).map_err(|error| MailboxError::Corrupt {
                name: row.name.clone(),
                reason: format!("inherited fields: {error}"),
            })?;
        let fields = names
            .iter()
            .map(|name| name.parse::<FormField>())
            .collect::<Result<_, _>>()
            .map_err(|reason| MailboxError::Corrupt {
                name: row.name.clone(),
                reason,
            })?;
        Ok(Some((template_id, fields)))
    }

    /// The mailboxes inheriting from template `template_id`.
    pub async fn inheriting_from(&self, template_id: i64) -> Result<Vec<MailboxRow>, MailboxError> {
        Ok(live()
            .filter(mailbox::Column::TemplateId.eq(template_id))
            .order_by_asc(mailbox::Column::Name)
            .all(&self.db)
            .await?)
    }
}

impl<'a> Templates<'a> {
    pub fn new(db: &'a DatabaseConnection, mailboxes: &'a Mailboxes) -> Self {
        Templates { db, mailboxes }
    }

    pub async fn list(&self) -> Result<Vec<TemplateRow>, MailboxError> {
        Ok(mailbox_template::Entity::find()
            .order_by_asc(mailbox_template::Column::Name)
            .all(self.db)
            .await?)
    }

    pub async fn by_id(&self, id: i64) -> Result<TemplateRow, MailboxError> {
        mailbox_template::Entity::find_by_id(id)
            .one(self.db)
            .await?
            .ok_or_else(|| MailboxError::NotFound(format!("template #{id}")))
    }

    /// The template as the editor's form (its id in `id`).
    pub fn form_of(&self, row: &TemplateRow) -> Result<MailboxForm, MailboxError> {
        let input: MailboxInput =
            serde_json::from_str(&row.settings).map_err(|error| MailboxError::Corrupt {
                name: row.name.clone(),
                reason: format!("template settings: {error}"),
            })?;
        let mut form = MailboxForm::from_input(Some(row.id), &input);
        form.username.clear();
        Ok(form)
    }

    /// Gives the form's inherited fields its template's values, whatever
    /// the form says in them; the link to keep, if the form has a template.
    pub async fn inherit(
        &self,
        form: &mut MailboxForm,
    ) -> Result<Option<Inheritance>, MailboxError> {
        let template_id = form.template_id().map_err(MailboxError::from)?;
        let inherited = form.inherited_fields().map_err(MailboxError::from)?;
        let Some(template_id) = template_id else {
            return Ok(None);
        };
        let template = self.by_id(template_id).await.map_err(|_| {
            MailboxError::invalid(
                "template_id",
                "This template no longer exists; choose another.",
            )
        })?;
        form.inherit(&self.form_of(&template)?, &inherited);
        Ok(Some((template_id, inherited)))
    }

    /// Creates (`id: None`) or replaces a template, then brings every
    /// mailbox inheriting from it up to date, and records it as `by`'s
    /// change. Nothing is saved unless every such mailbox stays valid with
    /// the new values.
    pub async fn save(
        &self,
        id: Option<i64>,
        input: &MailboxInput,
        by: &Actor,
    ) -> Result<TemplateRow, MailboxError> {
        let row = self.write(id, input).await?;
        tracing::info!(template = %row.name, by = %by.name(), "template saved");
        let target = format!("template {} ({})", row.id, row.name);
        let details = json!({ "after": input, "new": id.is_none() });
        self.mailboxes
            .record(by, Action::TemplateSaved, &target, details)
            .await?;
        Ok(row)
    }

    async fn write(
        &self,
        id: Option<i64>,
        input: &MailboxInput,
    ) -> Result<TemplateRow, MailboxError> {
        let mut input = input.clone();
        input.username = NO_USER.into();
        input.email_address = None;
        input.master_user = None;
        input.identity_kind = None;
        let errors = self.mailboxes.problems(&input, true);
        if !errors.is_empty() {
            return Err(MailboxError::Invalid(errors));
        }
        let settings = serde_json::to_string(&input).expect("a profile serialises");
        let now = Utc::now();
        let name_taken = |error: sea_orm::DbErr| match error.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                MailboxError::NameTaken(input.name.clone())
            }
            _ => MailboxError::Db(error),
        };
        let Some(id) = id else {
            let row = mailbox_template::ActiveModel {
                name: Set(input.name.trim().to_string()),
                settings: Set(settings),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            };
            return row.insert(self.db).await.map_err(name_taken);
        };

        let existing = self.by_id(id).await?;
        let mut changed: mailbox_template::ActiveModel = existing.into();
        changed.name = Set(input.name.trim().to_string());
        changed.settings = Set(settings);
        changed.updated_at = Set(now);
        let template = changed.clone().try_into_model()?;
        let updates = self.inherited_updates(&template).await?;
        // Every mailbox was checked above; a crash between these writes
        // leaves some on the old values until the template is saved again.
        let row = changed.update(self.db).await.map_err(name_taken)?;
        // Templates are the administrators'.
        for (mailbox_id, profile) in updates {
            self.mailboxes
                .update(Editor::Admin, mailbox_id, &profile, None)
                .await?;
        }
        Ok(row)
    }

    /// Deletes a template, as `by`'s recorded change. Its mailboxes keep the
    /// values they had, now as their own.
    pub async fn delete(&self, id: i64, by: &Actor) -> Result<TemplateRow, MailboxError> {
        let row = self.by_id(id).await?;
        for mailbox in self.mailboxes.inheriting_from(id).await? {
            self.mailboxes.set_template(mailbox.id, None).await?;
        }
        mailbox_template::Entity::delete_by_id(id)
            .exec(self.db)
            .await?;
        tracing::info!(template = %row.name, by = %by.name(), "template deleted");
        let target = format!("template {} ({})", row.id, row.name);
        self.mailboxes
            .record(by, Action::TemplateDeleted, &target, json!({}))
            .await?;
        Ok(row)
    }

    /// Each inheriting mailbox's profile with `template`'s values in its
    /// inherited fields, checked as saving would check it.
    async fn inherited_updates(
        &self,
        template: &TemplateRow,
    ) -> Result<Vec<(i64, MailboxInput)>, MailboxError> {
        let template_form = self.form_of(template)?;
        let mut updates = Vec::new();
        let mut problems = Vec::new();
        for row in self.mailboxes.inheriting_from(template.id).await? {
            let Some((_, fields)) = self.mailboxes.inheritance_of(&row)? else {
                continue;
            };
            let mut form = MailboxForm::from_input(Some(row.id), &self.mailboxes.input_of(&row)?);
            form.inherit(&template_form, &fields);
            let checked = match form.parse() {
                Err(error) => Err(FieldError {
                    field: error.field,
                    message: error.message(app::i18n::Lang::En),
                }),
                Ok(profile) => match self
                    .mailboxes
                    .check_update(Editor::Admin, &row, &profile, None)
                    .await
                {
                    Ok(_) => Ok(profile),
                    // A stored password only goes where it was entered for:
                    // the first of the template's fields that changed is named
                    // (the password is the mailbox's, not the template's).
                    Err(MailboxError::Invalid(errors)) => Err(errors
                        .iter()
                        .find(|error| error.field != "secret")
                        .or(errors.first())
                        .cloned()
                        .expect("an invalid profile has a problem")),
                    Err(other) => Err(FieldError {
                        field: "name",
                        message: other.to_string(),
                    }),
                },
            };
            match checked {
                Ok(profile) => updates.push((row.id, profile)),
                Err(problem) => problems.push(FieldError {
                    field: problem.field,
                    message: format!("Mailbox {:?} inherits this: {}", row.name, problem.message),
                }),
            }
        }
        if !problems.is_empty() {
            return Err(MailboxError::Invalid(problems));
        }
        Ok(updates)
    }
}
