//! Writing profiles: creating one (checked, its secret sealed to its row),
//! the import mailbox files go into, a journal mailbox, replacing a profile, pausing it,
//! choosing its sign-in app. These write what they are given and record
//! nothing; the changes people make go through `editing`, which records them.

use super::checks::Purpose;
use super::mailboxes::{
    Editor, MailboxError, MailboxRow, Mailboxes, name_taken, new_row, owned_by, secret_context,
};
use super::profile::{MailboxInput, Source};
use crate::db::entity::{mailbox, oauth_flow, oauth_grant};
use crate::secrets::Secret;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, QueryFilter, Set, TransactionTrait,
};

impl Mailboxes {
    /// Creates a mailbox of `owner_id` (`None`: the organisation's), as
    /// `editor` may: see `check_profile`.
    pub async fn create(
        &self,
        editor: Editor,
        owner_id: Option<i64>,
        profile: &MailboxInput,
        secret: Option<&Secret>,
    ) -> Result<MailboxRow, MailboxError> {
        self.check_profile(editor, None, profile, secret, Purpose::Save)
            .await?;
        let transaction = self.db.begin().await?;
        // Names are unique per owner (and among shared mailboxes), so a
        // taken name says only that the same owner has one of that name.
        let row = new_row(owner_id, profile, profile.source)
            .insert(&transaction)
            .await
            .map_err(name_taken(&profile.name))?;
        let row = match secret {
            Some(secret) => {
                let sealed = self.secrets.seal(secret, &secret_context(row.id));
                let mut active: mailbox::ActiveModel = row.into();
                active.secret_sealed = Set(Some(sealed));
                active.update(&transaction).await?
            }
            None => row,
        };
        transaction.commit().await?;
        Ok(row)
    }

    /// The mailbox `name` of `owner_id` that imported mail goes into, created
    /// on first use. It has no server and is never scheduled.
    pub async fn import_target(
        &self,
        owner_id: Option<i64>,
        name: &str,
    ) -> Result<MailboxRow, MailboxError> {
        // Only the owner's own names count: another owner's mailbox of the
        // same name is neither found nor reported.
        if let Some(existing) = mailbox::Entity::find()
            .filter(mailbox::Column::Name.eq(name))
            .filter(owned_by(owner_id))
            .one(&self.db)
            .await?
        {
            if existing.source != Source::Import.as_str() {
                return Err(MailboxError::NameTaken(name.to_string()));
            }
            return Ok(existing);
        }
        // No server: port 0, never enabled for scheduled runs.
        let mut row = new_row(owner_id, &MailboxInput::new(name, "", ""), Source::Import);
        row.port = Set(0);
        row.enabled = Set(false);
        row.insert(&self.db).await.map_err(name_taken(name))
    }

    /// Creates the journal mailbox `name`, the organisation's (shared): its
    /// mail arrives over SMTP (`crate::journal`), so it has no server and is
    /// never scheduled. Which addresses it takes is `journal`'s to record.
    pub async fn create_journal(&self, name: &str) -> Result<MailboxRow, MailboxError> {
        let mut row = new_row(None, &MailboxInput::new(name, "", ""), Source::Journal);
        row.port = Set(0);
        row.enabled = Set(false);
        row.insert(&self.db).await.map_err(name_taken(name))
    }

    /// Replaces the profile of mailbox `id`; `secret: None` keeps the stored
    /// one. The owner, source and archive are untouched. Takes effect from
    /// the next run. A change of anything the OAuth grant was given for
    /// (`credential_binding`) drops the grant: the mailbox needs a sign-in.
    pub async fn update(
        &self,
        editor: Editor,
        id: i64,
        profile: &MailboxInput,
        secret: Option<&Secret>,
    ) -> Result<MailboxRow, MailboxError> {
        let existing = self.by_id(id).await?;
        let change = self
            .check_update(editor, &existing, profile, secret)
            .await?;
        let mut row = new_row(existing.owner_id, profile, profile.source);
        row.id = Set(id);
        row.enabled = Set(existing.enabled);
        row.created_at = Set(existing.created_at);
        row.template_id = Set(existing.template_id);
        row.inherited = Set(existing.inherited);
        row.secret_sealed = Set(match secret {
            Some(secret) => Some(self.secrets.seal(secret, &secret_context(id))),
            None => existing.secret_sealed,
        });
        let transaction = self.db.begin().await?;
        if change.drops_grant {
            forget_sign_in(&transaction, id).await?;
        }
        let row = row
            .update(&transaction)
            .await
            .map_err(name_taken(&profile.name))?;
        transaction.commit().await?;
        Ok(row)
    }

    /// Switches scheduled runs on or off; manual runs stay possible.
    pub async fn set_enabled(&self, id: i64, enabled: bool) -> Result<MailboxRow, MailboxError> {
        let mut row: mailbox::ActiveModel = self.by_id(id).await?.into();
        row.enabled = Set(enabled);
        row.updated_at = Set(Utc::now());
        Ok(row.update(&self.db).await?)
    }

    /// Chooses the sign-in app an OAuth mailbox logs in with (`None`: a
    /// stored token is used as it is).
    /// A grant from another app goes with the change.
    pub async fn set_oauth_app(
        &self,
        id: i64,
        app_id: Option<i64>,
    ) -> Result<MailboxRow, MailboxError> {
        let existing = self.by_id(id).await?;
        let changed = existing.oauth_app_id != app_id;
        let mut row: mailbox::ActiveModel = existing.into();
        row.oauth_app_id = Set(app_id);
        row.updated_at = Set(Utc::now());
        let transaction = self.db.begin().await?;
        if changed {
            forget_sign_in(&transaction, id).await?;
        }
        let row = row.update(&transaction).await?;
        transaction.commit().await?;
        Ok(row)
    }
}

/// Drops mailbox `id`'s OAuth grant and the sign-ins under way for it.
async fn forget_sign_in(transaction: &sea_orm::DatabaseTransaction, id: i64) -> Result<(), DbErr> {
    oauth_grant::Entity::delete_by_id(id)
        .exec(transaction)
        .await?;
    oauth_flow::Entity::delete_many()
        .filter(oauth_flow::Column::MailboxId.eq(id))
        .exec(transaction)
        .await?;
    Ok(())
}
