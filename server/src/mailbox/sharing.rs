//! Who may read a mailbox they do not own: grants, and `visible_to`, *the*
//! visibility rule (own and granted; administrators all) that the access
//! rule and the archive's visibility follow. Besides, a user reads the
//! journal copies that name one of their addresses (`journal_addresses_of`),
//! whoever's journal mailbox holds them.

use super::mailboxes::{MailboxError, MailboxRow, Mailboxes, live, name_taken};
use crate::db::entity::{mailbox, mailbox_grant, user};
use chrono::Utc;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use std::collections::BTreeSet;

impl Mailboxes {
    /// The mailboxes `user_id` may see: their own and those granted to
    /// them; an admin sees every one. The archive's visibility follows this.
    pub async fn visible_to(
        &self,
        user_id: i64,
        is_admin: bool,
    ) -> Result<Vec<MailboxRow>, MailboxError> {
        let mut query = live().order_by_asc(mailbox::Column::Name);
        if !is_admin {
            let granted = Query::select()
                .column(mailbox_grant::Column::MailboxId)
                .from(mailbox_grant::Entity)
                .and_where(mailbox_grant::Column::UserId.eq(user_id))
                .to_owned();
            query = query.filter(
                Condition::any()
                    .add(mailbox::Column::OwnerId.eq(user_id))
                    .add(mailbox::Column::Id.in_subquery(granted)),
            );
        }
        Ok(query.all(&self.db).await?)
    }

    /// The addresses whose journal copies `user_id` reads wherever they are
    /// archived (`journal::parties`): their Tresor user's e-mail address,
    /// lower-cased.
    pub async fn journal_addresses_of(&self, user_id: i64) -> Result<Vec<String>, MailboxError> {
        Ok(user::Entity::find_by_id(user_id)
            .one(&self.db)
            .await?
            .map(|person| person.email.trim().to_lowercase())
            .filter(|address| address.contains('@'))
            .into_iter()
            .collect())
    }

    /// Whether `user_id` was granted mailbox `id`.
    pub async fn is_granted(&self, id: i64, user_id: i64) -> Result<bool, MailboxError> {
        Ok(mailbox_grant::Entity::find()
            .filter(mailbox_grant::Column::MailboxId.eq(id))
            .filter(mailbox_grant::Column::UserId.eq(user_id))
            .one(&self.db)
            .await?
            .is_some())
    }

    /// The users granted mailbox `id`.
    pub async fn grants(&self, id: i64) -> Result<Vec<i64>, MailboxError> {
        Ok(mailbox_grant::Entity::find()
            .filter(mailbox_grant::Column::MailboxId.eq(id))
            .order_by_asc(mailbox_grant::Column::UserId)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|grant| grant.user_id)
            .collect())
    }

    /// Who owns mailbox `id` (`None`: the organisation, a shared mailbox)
    /// and who else may read it; replaces the previous grants.
    pub async fn set_sharing(
        &self,
        id: i64,
        owner_id: Option<i64>,
        granted: &BTreeSet<i64>,
    ) -> Result<(), MailboxError> {
        let existing = self.by_id(id).await?;
        let name = existing.name.clone();
        let mut row: mailbox::ActiveModel = existing.into();
        let transaction = self.db.begin().await?;
        row.owner_id = Set(owner_id);
        row.updated_at = Set(Utc::now());
        // The new owner may have a mailbox of this name already.
        row.update(&transaction).await.map_err(name_taken(&name))?;
        mailbox_grant::Entity::delete_many()
            .filter(mailbox_grant::Column::MailboxId.eq(id))
            .exec(&transaction)
            .await?;
        let now = Utc::now();
        let grants = granted.iter().map(|user_id| mailbox_grant::ActiveModel {
            mailbox_id: Set(id),
            user_id: Set(*user_id),
            created_at: Set(now),
            ..Default::default()
        });
        if !granted.is_empty() {
            mailbox_grant::Entity::insert_many(grants)
                .exec(&transaction)
                .await?;
        }
        transaction.commit().await?;
        Ok(())
    }
}
