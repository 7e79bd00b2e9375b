//! Password reset by mail: a request is counted (throttled per address and
//! per client, the same for known and unknown addresses), a one-time link
//! is issued for an enabled account (only its SHA-256 stored, for an hour,
//! only the newest of the account), and using it sets the new password and
//! ends every session. Administrators send the same links (`start_password_link`):
//! a reset, or an invitation for a new user.

use super::accounts::{
    Accounts, AuthError, UserRow, check_password_rules, key_of_account, new_token, normalize_email,
    token_hash,
};
use super::throttle;
use crate::db::entity::{password_reset, user};
use chrono::Duration as ChronoDuration;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use std::net::IpAddr;
use std::time::Instant;

/// How long a password-reset link works.
pub const RESET_LIFETIME: ChronoDuration = ChronoDuration::hours(1);

/// How long an invitation (a new user's link to choose a first password)
/// works: longer than a reset, since the person may not expect it.
pub const INVITATION_LIFETIME: ChronoDuration = ChronoDuration::days(7);

/// Why an administrator sends a set-password link (how long it works, what the mail says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// A new user chooses their first password.
    Invitation,
    /// An existing user chooses a new one.
    Reset,
}

impl Accounts {
    /// Counts a password-reset request for `email` from `client`, or refuses
    /// it when either has asked too often lately. The same for known and
    /// unknown addresses: the answer tells nothing about accounts.
    pub fn admit_password_reset(
        &self,
        email: &str,
        client: Option<IpAddr>,
    ) -> Result<(), AuthError> {
        let now = Instant::now();
        let address_key = key_of_account(&email.trim().to_lowercase());
        let client_key = client.map(throttle::client_key);
        self.resets_per_address
            .check(&address_key, now)
            .map_err(AuthError::Throttled)?;
        if let Some(key) = &client_key {
            self.resets_per_client
                .admit(key, now)
                .map_err(AuthError::Throttled)?;
        }
        self.resets_per_address.record(&address_key, now);
        Ok(())
    }

    /// Starts a password reset for `email`: a one-time token, valid for an
    /// hour, for the mail; any earlier link of the account stops working.
    /// `None` for an unknown or disabled account (the caller answers the same
    /// either way). Callers count the request with `admit_password_reset` first.
    pub async fn start_password_reset(
        &self,
        email: &str,
    ) -> Result<Option<(UserRow, String)>, AuthError> {
        let Ok(email) = normalize_email(email) else {
            return Ok(None);
        };
        let Some(row) = self.find_by_email(&email).await? else {
            return Ok(None);
        };
        if row.disabled {
            return Ok(None);
        }
        let token = self.issue_password_link(&row, RESET_LIFETIME).await?;
        Ok(Some((row, token)))
    }

    /// A one-time token for `user_id` to choose a password with, as an
    /// administrator sends it: `INVITATION_LIFETIME` for a new user, else
    /// `RESET_LIFETIME`. Disabled accounts get none (`AuthError::Disabled`).
    pub async fn start_password_link(
        &self,
        user_id: i64,
        purpose: LinkPurpose,
    ) -> Result<(UserRow, String), AuthError> {
        let row = user::Entity::find_by_id(user_id)
            .one(&self.db)
            .await?
            .ok_or(AuthError::NotFound)?;
        if row.disabled {
            return Err(AuthError::Disabled);
        }
        let lifetime = match purpose {
            LinkPurpose::Invitation => INVITATION_LIFETIME,
            LinkPurpose::Reset => RESET_LIFETIME,
        };
        let token = self.issue_password_link(&row, lifetime).await?;
        Ok((row, token))
    }

    /// Stores a new token's hash for `row`, valid for `lifetime`; any earlier
    /// link of the account stops working.
    async fn issue_password_link(
        &self,
        row: &UserRow,
        lifetime: ChronoDuration,
    ) -> Result<String, AuthError> {
        let token = new_token();
        let now = self.clock.now();
        let issued = password_reset::ActiveModel {
            user_id: Set(row.id),
            token_hash: Set(token_hash(&token)),
            created_at: Set(now),
            expires_at: Set(now + lifetime),
            used_at: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        password_reset::Entity::delete_many()
            .filter(password_reset::Column::UserId.eq(row.id))
            .filter(password_reset::Column::Id.ne(issued.id))
            .exec(&self.db)
            .await?;
        Ok(token)
    }

    /// Sets a new password with a reset token (once, within its hour, and only
    /// the account's newest) and ends every session of the account.
    pub async fn finish_password_reset(
        &self,
        token: &str,
        new_password: &str,
    ) -> Result<UserRow, AuthError> {
        check_password_rules(new_password, "new_password")?;
        let expired = || AuthError::Invalid {
            field: "token",
            message: "This link has expired or was used already; ask for a new one.".into(),
        };
        let now = self.clock.now();
        let reset = password_reset::Entity::find()
            .filter(password_reset::Column::TokenHash.eq(token_hash(token)))
            .one(&self.db)
            .await?
            .filter(|reset| reset.used_at.is_none() && reset.expires_at > now)
            .ok_or_else(expired)?;
        // Issuing a link deletes the older ones; this catches two issued at
        // the same moment, each before the other was committed.
        let newer = password_reset::Entity::find()
            .filter(password_reset::Column::UserId.eq(reset.user_id))
            .filter(password_reset::Column::Id.gt(reset.id))
            .count(&self.db)
            .await?;
        if newer > 0 {
            return Err(expired());
        }
        // Used up first: a second request with the same token finds it spent.
        let spent = password_reset::Entity::update_many()
            .col_expr(password_reset::Column::UsedAt, Expr::value(now))
            .filter(password_reset::Column::Id.eq(reset.id))
            .filter(password_reset::Column::UsedAt.is_null())
            .exec(&self.db)
            .await?;
        if spent.rows_affected != 1 {
            return Err(expired());
        }
        let row = user::Entity::find_by_id(reset.user_id)
            .one(&self.db)
            .await?
            .filter(|row| !row.disabled)
            .ok_or_else(expired)?;
        self.set_password(row.clone(), new_password).await?;
        self.end_sessions(row.id, None).await?;
        Ok(row)
    }
}
