//! The changes people make to mailboxes, with their rules and their audit
//! entries, the same for the web and the command line: saving the editor's
//! form (the template's values in the fields it lends, who may name a CA
//! file, who may share and with whom), trying it, adding a mailbox from the
//! command line, deleting one. Who may touch which mailbox at all is the
//! access rule's (`crate::access`), asked by the caller before.

use super::mailboxes::{Editor, MailboxError, MailboxRow, Mailboxes};
use super::profile::MailboxInput;
use crate::audit::{Action, Actor};
use crate::db::entity::mailbox;
use crate::secrets::Secret;
use app::model::SessionUser;
use app::model::mailbox_form::{FormField, MailboxForm};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;
use std::collections::BTreeSet;

/// Who changes mailboxes: what they may set, who owns what they create, and
/// their name in the audit log.
#[derive(Debug, Clone)]
pub struct Author {
    pub editor: Editor,
    /// The person, who owns a mailbox they create unless it is shared;
    /// `None`: the command line.
    pub user_id: Option<i64>,
    pub actor: Actor,
}

impl Author {
    /// A signed-in person, with what their role lets them set.
    pub fn person(user: &SessionUser) -> Author {
        Author {
            editor: Editor::of(user.role),
            user_id: Some(user.id),
            actor: Actor::User {
                id: user.id,
                email: user.email.clone(),
            },
        }
    }

    /// The command line, run by whoever holds the data directory and its
    /// master key: an administrator's powers.
    pub fn operator() -> Author {
        Author {
            editor: Editor::Admin,
            user_id: None,
            actor: Actor::Operator,
        }
    }

    /// Only administrators share mailboxes (and take them back).
    fn shares(&self) -> bool {
        self.editor == Editor::Admin
    }
}

/// What the audit log keeps of a saved mailbox besides its settings.
struct Saved<'a> {
    secret_changed: bool,
    shared: bool,
    granted: &'a BTreeSet<i64>,
}

impl Mailboxes {
    /// Saves the editor's form as `by` may: creates a mailbox (`existing`
    /// None; `by`'s own unless an administrator shares it) or replaces
    /// `existing`, links its template, sets who shares it, and records the
    /// change. Every problem is a field's (`MailboxError::Invalid`).
    pub async fn save(
        &self,
        by: &Author,
        existing: Option<&MailboxRow>,
        mut form: MailboxForm,
    ) -> Result<MailboxRow, MailboxError> {
        let inheritance = self.templates().inherit(&mut form).await?;
        self.check_ca_file(by, &form, existing).await?;
        let granted = self.grantees(by, &form).await?;
        let input = form.parse()?;
        let secret = form.secret().map(Secret::new);
        // The change as the audit log keeps it: the settings before and
        // after; of the secret only whether it changed.
        let before = existing.map(|row| self.input_of(row)).transpose()?;
        let row = match existing {
            Some(existing) => {
                self.update(by.editor, existing.id, &input, secret.as_ref())
                    .await?
            }
            None => {
                // Created with the owner it ends up with: names are unique
                // per owner, so a name check against another owner's would
                // be wrong (and leave a half-made mailbox).
                let owner = match form.shared {
                    Some(_) if by.shares() => None,
                    _ => by.user_id,
                };
                self.create(by.editor, owner, &input, secret.as_ref())
                    .await?
            }
        };
        self.set_template(
            row.id,
            inheritance.as_ref().map(|(id, fields)| (*id, fields)),
        )
        .await?;
        if by.shares() {
            // Unsharing gives the mailbox to the admin who does it.
            let owner = match form.shared {
                Some(_) => None,
                None => row.owner_id.or(by.user_id),
            };
            self.set_sharing(row.id, owner, &granted).await?;
        }
        let saved = Saved {
            secret_changed: secret.is_some(),
            shared: form.shared.is_some(),
            granted: &granted,
        };
        self.record_saved(by, before, &row, &input, saved).await?;
        Ok(row)
    }

    /// Adds a mailbox of `owner_id` (`None`: shared) from the command line's
    /// profile, recorded as the editor's would be.
    pub async fn add(
        &self,
        by: &Author,
        owner_id: Option<i64>,
        profile: &MailboxInput,
        secret: Option<&Secret>,
    ) -> Result<MailboxRow, MailboxError> {
        let row = self.create(by.editor, owner_id, profile, secret).await?;
        let saved = Saved {
            secret_changed: secret.is_some(),
            shared: owner_id.is_none(),
            granted: &BTreeSet::new(),
        };
        self.record_saved(by, None, &row, profile, saved).await?;
        Ok(row)
    }

    /// The row a test of the editor's values (`profile`, read from `form`)
    /// would use, as `by` may try them: see `probe_row`. Saves nothing.
    pub async fn probe_form(
        &self,
        by: &Author,
        existing: Option<&MailboxRow>,
        form: &MailboxForm,
        profile: &MailboxInput,
    ) -> Result<MailboxRow, MailboxError> {
        let secret = form.secret().map(Secret::new);
        self.check_ca_file(by, form, existing).await?;
        let owner = existing.map_or(by.user_id, |row| row.owner_id);
        self.probe_row(by.editor, owner, existing, profile, secret.as_ref())
            .await
    }

    /// Deletes the profile, as `by`'s recorded change: it stops running and
    /// leaves every list, and its name becomes free. The mail it archived,
    /// its locations and job logs stay (retention decides about mail, never
    /// the deletion of a profile).
    pub async fn delete(&self, id: i64, by: &Actor) -> Result<MailboxRow, MailboxError> {
        let existing = self.by_id(id).await?;
        let mut row: mailbox::ActiveModel = existing.clone().into();
        let now = Utc::now();
        row.name = Set(format!("{} (deleted #{id})", existing.name));
        row.enabled = Set(false);
        row.deleted_at = Set(Some(now));
        row.updated_at = Set(now);
        let deleted = row.update(&self.db).await?;
        tracing::info!(mailbox = %existing.name, by = %by.name(), "mailbox deleted");
        let target = format!("mailbox {} ({})", existing.id, existing.name);
        self.record(by, Action::MailboxDeleted, &target, json!({}))
            .await?;
        Ok(deleted)
    }

    /// Only administrators name files on the Tresor server: anyone else may
    /// keep the CA file an administrator chose (the mailbox's, or its
    /// template's), but not name another — reading it would tell them
    /// whether some file exists.
    async fn check_ca_file(
        &self,
        by: &Author,
        form: &MailboxForm,
        existing: Option<&MailboxRow>,
    ) -> Result<(), MailboxError> {
        let named = form.ca_file.trim();
        if by.editor == Editor::Admin || named.is_empty() {
            return Ok(());
        }
        let template_ca_file = match form.template_id()? {
            Some(id) if form.inherited_fields()?.contains(&FormField::CaFile) => {
                let templates = self.templates();
                match templates.by_id(id).await {
                    Ok(template) => Some(templates.form_of(&template)?.ca_file),
                    Err(_) => None,
                }
            }
            _ => None,
        };
        let chosen_by_admin = [
            template_ca_file.as_deref(),
            existing.and_then(|row| row.ca_file.as_deref()),
        ];
        if chosen_by_admin
            .into_iter()
            .flatten()
            .any(|path| path.trim() == named)
        {
            return Ok(());
        }
        Err(MailboxError::invalid(
            "ca_file",
            "Only an administrator can name a CA file on the Tresor server: leave it empty, or ask an administrator to set it for this mailbox.",
        ))
    }

    /// The users the form shares the mailbox with, by address: only an
    /// administrator shares, and only with users that exist.
    async fn grantees(
        &self,
        by: &Author,
        form: &MailboxForm,
    ) -> Result<BTreeSet<i64>, MailboxError> {
        let sharing = form.shared.is_some() || !form.grants.trim().is_empty();
        if sharing && !by.shares() {
            return Err(MailboxError::invalid(
                "grants",
                "Only an administrator shares mailboxes.",
            ));
        }
        let mut ids = BTreeSet::new();
        for address in form.grant_addresses() {
            let user = self.user_by_email(address.trim()).await?.ok_or_else(|| {
                MailboxError::invalid(
                    "grants",
                    format!("There is no user with the address {address}; add the user first."),
                )
            })?;
            ids.insert(user.id);
        }
        Ok(ids)
    }

    /// Records a created (`before` None) or changed mailbox.
    async fn record_saved(
        &self,
        by: &Author,
        before: Option<MailboxInput>,
        row: &MailboxRow,
        after: &MailboxInput,
        saved: Saved<'_>,
    ) -> Result<(), MailboxError> {
        tracing::info!(mailbox = %row.name, by = %by.actor.name(), "mailbox saved");
        let (action, mut details) = match before {
            Some(before) => (
                Action::MailboxChanged,
                json!({ "before": before, "after": after }),
            ),
            None => (Action::MailboxCreated, json!({ "after": after })),
        };
        details["secret_changed"] = json!(saved.secret_changed);
        details["shared"] = json!(saved.shared);
        details["granted_user_ids"] = json!(saved.granted);
        let target = format!("mailbox {} ({})", row.id, row.name);
        self.record(&by.actor, action, &target, details).await
    }
}
