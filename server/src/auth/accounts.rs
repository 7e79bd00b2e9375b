//! User accounts and their sessions: create, list, disable, sign in, sign
//! out, change password, and the first administrator on a fresh
//! installation. Password reset by mail is `reset`; the changes
//! administrators make to users, recorded, are `users`.

use super::password::{self, HashingSlot};
use super::throttle::{self, Policy, Throttle};
use crate::audit::AuditLog;
use crate::db::entity::{password_reset, session, user};
use crate::notify::{Clock, SystemClock};
use app::model::{MIN_PASSWORD_LEN, Role, SessionUser, UserView};
use chrono::Duration as ChronoDuration;
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, SqlErr, TransactionTrait,
};
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub type UserRow = user::Model;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("wrong e-mail address or password")]
    BadCredentials,
    #[error("too many attempts; retry in {} s", .0.as_secs())]
    Throttled(Duration),
    #[error("a user with the e-mail address {0} exists already")]
    EmailTaken(String),
    #[error("no such user")]
    NotFound,
    /// The right password for an account an administrator disabled.
    #[error("this account is disabled")]
    Disabled,
    /// The change would leave no enabled administrator.
    #[error("{0} is the last active administrator")]
    LastAdmin(String),
    /// Deleting a user who still owns mailboxes (whose archived mail is theirs).
    #[error("{email} owns {count} mailbox(es)")]
    OwnsMailboxes { email: String, count: u64 },
    #[error("the stored role {0:?} is not known")]
    CorruptRole(String),
    #[error(transparent)]
    Hash(#[from] password::HashError),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("the audit log cannot be written: {0}")]
    Audit(DbErr),
}

/// A new session: the cookie value (shown to the browser once, stored only as a hash).
pub struct NewSession {
    pub user: UserRow,
    pub token: String,
    pub lifetime: Duration,
}

pub struct Accounts {
    pub(super) db: DatabaseConnection,
    session_lifetime: Duration,
    /// Failed password checks per account: sign-ins and password changes.
    per_account: Throttle,
    /// Failed sign-ins per client address.
    per_client: Throttle,
    /// Password-reset requests per e-mail address, known or not.
    pub(super) resets_per_address: Throttle,
    /// Password-reset requests per client address.
    pub(super) resets_per_client: Throttle,
    /// What "now" is for sessions, reset links and timestamps (a test sets its own).
    pub(super) clock: Arc<dyn Clock>,
    /// Where the changes people make to users are recorded (`users`).
    pub(super) audit: AuditLog,
}

/// How often a session's `last_seen_at` is written; more often would turn every page view into a write.
const LAST_SEEN_RESOLUTION: ChronoDuration = ChronoDuration::minutes(5);

impl Accounts {
    pub fn new(db: DatabaseConnection, session_lifetime: Duration) -> Self {
        password::prepare_dummy();
        Accounts {
            audit: AuditLog::new(db.clone()),
            db,
            session_lifetime,
            per_account: Throttle::new(Policy::SIGN_IN_PER_ACCOUNT),
            per_client: Throttle::new(Policy::SIGN_IN_PER_CLIENT),
            resets_per_address: Throttle::new(Policy::RESET_PER_ADDRESS),
            resets_per_client: Throttle::new(Policy::RESET_PER_CLIENT),
            clock: Arc::new(SystemClock),
        }
    }

    /// The same accounts, telling the time by `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub async fn create_user(
        &self,
        email: &str,
        display_name: &str,
        role: Role,
        password: &str,
    ) -> Result<UserRow, AuthError> {
        let email = normalize_email(email)?;
        let display_name = display_name.trim();
        let display_name = if display_name.is_empty() {
            email.split('@').next().unwrap_or(&email).to_string()
        } else {
            display_name.to_string()
        };
        check_password_rules(password, "password")?;
        let password_hash = HashingSlot::acquire().await.hash(password).await?;
        let now = self.clock.now();
        let row = user::ActiveModel {
            email: Set(email.clone()),
            display_name: Set(display_name),
            role: Set(role.as_str().to_string()),
            password_hash: Set(password_hash),
            disabled: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        row.insert(&self.db).await.map_err(|error| {
            if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
                AuthError::EmailTaken(email)
            } else {
                AuthError::Db(error)
            }
        })
    }

    pub async fn list_users(&self) -> Result<Vec<UserRow>, AuthError> {
        Ok(user::Entity::find()
            .order_by_asc(user::Column::Email)
            .all(&self.db)
            .await?)
    }

    pub async fn count_users(&self) -> Result<u64, AuthError> {
        Ok(user::Entity::find().count(&self.db).await?)
    }

    pub async fn find_by_email(&self, email: &str) -> Result<Option<UserRow>, AuthError> {
        Ok(user::Entity::find()
            .filter(user::Column::Email.eq(email.trim().to_lowercase()))
            .one(&self.db)
            .await?)
    }

    /// Remembers the language a person chose for pages and mails.
    pub async fn set_language(
        &self,
        user_id: i64,
        language: app::i18n::Lang,
    ) -> Result<(), AuthError> {
        user::Entity::update_many()
            .col_expr(
                user::Column::Language,
                sea_orm::sea_query::Expr::value(language.code()),
            )
            .filter(user::Column::Id.eq(user_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Disabling ends the user's sessions and reset links at once; the last
    /// active administrator is never disabled (`keep_an_admin`).
    pub async fn set_disabled(&self, user_id: i64, disabled: bool) -> Result<UserRow, AuthError> {
        let txn = self.db.begin().await?;
        let row = locked_user(&txn, user_id).await?;
        if disabled {
            keep_an_admin(&txn, &row).await?;
        }
        let mut active: user::ActiveModel = row.into();
        active.disabled = Set(disabled);
        active.updated_at = Set(self.clock.now());
        let updated = active.update(&txn).await?;
        if disabled {
            session::Entity::delete_many()
                .filter(session::Column::UserId.eq(user_id))
                .exec(&txn)
                .await?;
            // Nor does a link mailed before work once the account is enabled again.
            password_reset::Entity::delete_many()
                .filter(password_reset::Column::UserId.eq(user_id))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(updated)
    }

    /// Checks the password, with throttling per account and per client, and
    /// opens a session. `client` is the client's address as the web edge
    /// worked it out (behind a trusted proxy: the forwarded one).
    ///
    /// An unknown address costs the same Argon2 time as a known one, and the
    /// throttles are checked only once a hashing slot is free, so attempts
    /// that queued meanwhile see the failures recorded while they waited.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: Option<IpAddr>,
        user_agent: Option<&str>,
    ) -> Result<NewSession, AuthError> {
        let email = email.trim().to_lowercase();
        let account_key = key_of_account(&email);
        let client_key = client.map(throttle::client_key);
        let found = self.find_by_email(&email).await?;

        let slot = HashingSlot::acquire().await;
        let now = Instant::now();
        self.per_account
            .check(&account_key, now)
            .map_err(AuthError::Throttled)?;
        if let Some(key) = &client_key {
            self.per_client
                .check(key, now)
                .map_err(AuthError::Throttled)?;
        }
        let stored_hash = found.as_ref().map(|row| row.password_hash.as_str());
        let verified = slot.verify(password, stored_hash).await;

        let user = match found {
            Some(row) if verified && !row.disabled => row,
            // Said only to whoever knows the password: nobody else learns
            // that the account exists.
            Some(row) if verified => {
                tracing::info!(email = %row.email, ?client, "sign-in refused: account disabled");
                return Err(AuthError::Disabled);
            }
            _ => {
                self.per_account.record(&account_key, now);
                if let Some(key) = &client_key {
                    self.per_client.record(key, now);
                }
                tracing::info!(%email, ?client, "sign-in failed");
                return Err(AuthError::BadCredentials);
            }
        };
        // The account's owner proved it; the client's count stays (see the policy).
        self.per_account.clear(&account_key);
        let token = self.open_session(user.id, user_agent).await?;
        tracing::info!(email = %user.email, ?client, "signed in");
        Ok(NewSession {
            user,
            token,
            lifetime: self.session_lifetime,
        })
    }

    /// The enabled user behind a live session token.
    pub async fn session_user(&self, token: &str) -> Result<Option<UserRow>, AuthError> {
        let now = self.clock.now();
        let found = session::Entity::find()
            .filter(session::Column::TokenHash.eq(token_hash(token)))
            .find_also_related(user::Entity)
            .one(&self.db)
            .await?;
        let Some((session_row, Some(user_row))) = found else {
            return Ok(None);
        };
        if session_row.expires_at <= now || user_row.disabled {
            return Ok(None);
        }
        if now - session_row.last_seen_at > LAST_SEEN_RESOLUTION {
            session::Entity::update_many()
                .col_expr(session::Column::LastSeenAt, Expr::value(now))
                .filter(session::Column::Id.eq(session_row.id))
                .exec(&self.db)
                .await?;
        }
        Ok(Some(user_row))
    }

    pub async fn sign_out(&self, token: &str) -> Result<(), AuthError> {
        session::Entity::delete_many()
            .filter(session::Column::TokenHash.eq(token_hash(token)))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Changes a password after checking the current one, and ends every other
    /// session of the user (all of them when `keep_session` is `None`).
    pub async fn change_password(
        &self,
        user_id: i64,
        current_password: &str,
        new_password: &str,
        keep_session: Option<&str>,
    ) -> Result<(), AuthError> {
        let row = user::Entity::find_by_id(user_id)
            .one(&self.db)
            .await?
            .ok_or(AuthError::NotFound)?;
        // Guessing the current password with a stolen session is throttled
        // like guessing it at sign-in, on the same count.
        let account_key = key_of_account(&row.email);
        let slot = HashingSlot::acquire().await;
        let now = Instant::now();
        self.per_account
            .check(&account_key, now)
            .map_err(AuthError::Throttled)?;
        if !slot
            .verify(current_password, Some(&row.password_hash))
            .await
        {
            self.per_account.record(&account_key, now);
            return Err(AuthError::Invalid {
                field: "current_password",
                message: "The current password is not correct.".into(),
            });
        }
        self.per_account.clear(&account_key);
        check_password_rules(new_password, "new_password")?;
        self.set_password(row, new_password).await?;
        self.end_sessions(user_id, keep_session).await
    }

    /// The one place a password is replaced (a reset link, a change by the
    /// user, and any later way an administrator may set one): every reset
    /// link still out for the account stops working with it.
    pub(super) async fn set_password(
        &self,
        row: UserRow,
        new_password: &str,
    ) -> Result<(), AuthError> {
        let password_hash = HashingSlot::acquire().await.hash(new_password).await?;
        let user_id = row.id;
        let mut active: user::ActiveModel = row.into();
        active.password_hash = Set(password_hash);
        active.updated_at = Set(self.clock.now());
        active.update(&self.db).await?;
        password_reset::Entity::delete_many()
            .filter(password_reset::Column::UserId.eq(user_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    async fn open_session(
        &self,
        user_id: i64,
        user_agent: Option<&str>,
    ) -> Result<String, AuthError> {
        let token = new_token();
        let now = self.clock.now();
        let lifetime =
            ChronoDuration::from_std(self.session_lifetime).unwrap_or(ChronoDuration::hours(12));
        session::ActiveModel {
            token_hash: Set(token_hash(&token)),
            user_id: Set(user_id),
            created_at: Set(now),
            expires_at: Set(now + lifetime),
            last_seen_at: Set(now),
            user_agent: Set(user_agent.map(str::to_string)),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        // Expired sessions are swept here rather than by a timer: sign-ins are rare and cheap.
        session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lte(now))
            .exec(&self.db)
            .await?;
        Ok(token)
    }

    pub(super) async fn end_sessions(
        &self,
        user_id: i64,
        keep_session: Option<&str>,
    ) -> Result<(), AuthError> {
        let mut delete = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id));
        if let Some(token) = keep_session {
            delete = delete.filter(session::Column::TokenHash.ne(token_hash(token)));
        }
        delete.exec(&self.db).await?;
        Ok(())
    }
}

/// Lower-cases and checks an e-mail address. Deliberately lenient (`admin@localhost`
/// is fine): the address names an account, mail is not sent to it here.
pub fn normalize_email(email: &str) -> Result<String, AuthError> {
    let email = email.trim().to_lowercase();
    let invalid = |message: &str| AuthError::Invalid {
        field: "email",
        message: message.to_string(),
    };
    if email.is_empty() {
        return Err(invalid("Enter an e-mail address."));
    }
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("This is not a valid e-mail address."));
    }
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !domain.contains('@') =>
        {
            Ok(email)
        }
        _ => Err(invalid(
            "This is not a valid e-mail address (name@example.com).",
        )),
    }
}

pub(super) fn check_password_rules(password: &str, field: &'static str) -> Result<(), AuthError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(AuthError::Invalid {
            field,
            message: format!("Use at least {MIN_PASSWORD_LEN} characters."),
        });
    }
    Ok(())
}

/// A fresh 256-bit session token, hex-encoded.
pub(super) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub(super) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A random password for the first administrator: 20 characters from an
/// alphabet without look-alikes (no 0/O, 1/l/I).
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|byte| ALPHABET[*byte as usize % ALPHABET.len()] as char)
        .collect()
}

/// The throttling key of an e-mail address (lower-cased already).
pub(super) fn key_of_account(email: &str) -> String {
    format!("account:{email}")
}

impl UserRow {
    pub fn role(&self) -> Result<Role, AuthError> {
        self.role
            .parse()
            .map_err(|_| AuthError::CorruptRole(self.role.clone()))
    }

    pub fn to_session_user(&self) -> Result<SessionUser, AuthError> {
        Ok(SessionUser {
            id: self.id,
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            role: self.role()?,
            language: self.language(),
        })
    }

    /// The language the person chose, if any (an unknown code counts as none).
    pub fn language(&self) -> Option<app::i18n::Lang> {
        self.language
            .as_deref()
            .and_then(app::i18n::Lang::from_code)
    }

    pub fn to_view(&self) -> Result<UserView, AuthError> {
        Ok(UserView {
            id: self.id,
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            role: self.role()?,
            disabled: self.disabled,
            created_at: self.created_at,
        })
    }
}

/// Refuses a change that takes `row` out of the active administrators when
/// nobody else is left in them. Called inside the change's transaction, it
/// locks the active administrators' rows (PostgreSQL; SQLite lets one writer
/// in at a time anyway), so two administrators demoting or disabling each
/// other at the same moment cannot both succeed and leave nobody.
pub(super) async fn keep_an_admin(
    txn: &DatabaseTransaction,
    row: &UserRow,
) -> Result<(), AuthError> {
    if row.role != Role::Admin.as_str() || row.disabled {
        return Ok(());
    }
    let admins = user::Entity::find()
        .filter(user::Column::Role.eq(Role::Admin.as_str()))
        .filter(user::Column::Disabled.eq(false))
        .lock_exclusive()
        .all(txn)
        .await?;
    if admins.iter().all(|admin| admin.id == row.id) {
        return Err(AuthError::LastAdmin(row.email.clone()));
    }
    Ok(())
}

/// The user `user_id`, locked for the rest of `txn`.
pub(super) async fn locked_user(
    txn: &DatabaseTransaction,
    user_id: i64,
) -> Result<UserRow, AuthError> {
    user::Entity::find_by_id(user_id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(AuthError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lower_cased_and_checked() {
        assert_eq!(
            normalize_email(" Alice@Example.COM ").unwrap(),
            "alice@example.com"
        );
        assert_eq!(
            normalize_email("admin@localhost").unwrap(),
            "admin@localhost"
        );
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@",
            "a b@example.com",
            "a@b@c",
        ] {
            assert!(
                matches!(
                    normalize_email(bad),
                    Err(AuthError::Invalid { field: "email", .. })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn short_passwords_are_refused_on_the_named_field() {
        assert!(check_password_rules("0123456789", "password").is_ok());
        assert!(matches!(
            check_password_rules("short", "new_password"),
            Err(AuthError::Invalid {
                field: "new_password",
                ..
            })
        ));
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (first, second) = (new_token(), new_token());
        assert_eq!(first.len(), 64);
        assert_ne!(first, second);
        assert_eq!(token_hash(&first).len(), 64);
        assert_ne!(token_hash(&first), first);
    }

    #[test]
    fn generated_passwords_are_long_enough() {
        let generated = generate_password();
        assert_eq!(generated.chars().count(), 20);
        assert!(check_password_rules(&generated, "password").is_ok());
    }
}
