//! Notifications by mail: SMTP settings (the instance's; a mailbox's own
//! win over them), and the failure notices administrators get when a
//! mailbox keeps failing — at most one a day per mailbox, for at most
//! `GIVE_UP_AFTER` (DocuWare's 21 days), then silence until it works again.
//!
//! Organisations do not exist in Tresor yet; when they do, their settings sit
//! between the mailbox's and the instance's in `settings_for`.

mod changes;
mod language;
mod smtp;
mod summary;

pub use language::Audience;
pub use smtp::{Mail, SmtpError, SmtpSecurity, SmtpSettings, send};
pub use summary::{SUMMARY_EVERY, run_schedule as run_summaries};

use crate::db::entity::{failure_notice, smtp_settings, user};
use crate::secrets::{Secret, SecretBox};
use app::i18n::Lang;
use app::t;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set,
};
use std::sync::Arc;

/// At most one failure notice per mailbox within this span.
pub const NOTICE_EVERY: Duration = Duration::hours(24);
/// No more notices for a mailbox that has failed this long.
pub const GIVE_UP_AFTER: Duration = Duration::days(21);

/// The time, injectable so tests can live through three weeks in a second.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error(transparent)]
    Smtp(#[from] SmtpError),
    #[error("the stored SMTP password cannot be opened: {0}")]
    Secret(String),
    #[error("{0}")]
    Invalid(String),
    #[error("the audit log cannot be written: {0}")]
    Audit(DbErr),
}

/// Whether a failing mailbox gets a notice now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeDecision {
    Send,
    /// One went out less than `NOTICE_EVERY` ago.
    SentRecently,
    /// It has failed for longer than `GIVE_UP_AFTER`.
    GaveUp,
}

pub fn decide(
    failing_since: DateTime<Utc>,
    last_sent_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> NoticeDecision {
    if now - failing_since >= GIVE_UP_AFTER {
        NoticeDecision::GaveUp
    } else if last_sent_at.is_some_and(|last| now - last < NOTICE_EVERY) {
        NoticeDecision::SentRecently
    } else {
        NoticeDecision::Send
    }
}

/// The instance's SMTP settings as an administrator enters them.
#[derive(Debug, Clone)]
pub struct SmtpInput {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub from_address: String,
    pub from_name: String,
    pub ca_file: Option<String>,
    pub extra_recipients: Vec<String>,
    /// Who gets the daily job summary; only the instance's settings have any.
    pub summary_recipients: Vec<String>,
}

/// What saving does to the stored password.
#[derive(Debug, Clone)]
pub enum PasswordChange {
    Keep,
    Set(Secret),
    /// For a server that takes mail without AUTH.
    Remove,
}

/// Settings as stored at one level, without the password itself.
#[derive(Debug, Clone)]
pub struct StoredSmtp {
    pub input: SmtpInput,
    pub password_stored: bool,
    pub updated_at: DateTime<Utc>,
    pub summary_sent_at: Option<DateTime<Utc>>,
}

pub struct Notifier {
    db: DatabaseConnection,
    /// Where changes to the settings are recorded (`changes`).
    audit: crate::audit::AuditLog,
    secrets: Arc<SecretBox>,
    clock: Arc<dyn Clock>,
    /// For links in mails, e.g. `https://archive.example.com`.
    public_url: Option<String>,
}

fn secret_context(id: i64) -> String {
    format!("smtp_settings:{id}:secret")
}

impl Notifier {
    pub fn new(
        db: DatabaseConnection,
        secrets: Arc<SecretBox>,
        clock: Arc<dyn Clock>,
        public_url: Option<String>,
    ) -> Notifier {
        Notifier {
            audit: crate::audit::AuditLog::new(db.clone()),
            db,
            secrets,
            clock,
            public_url,
        }
    }

    /// Saves the instance's settings (`mailbox_id` None) or a mailbox's.
    pub async fn save_settings(
        &self,
        mailbox_id: Option<i64>,
        input: &SmtpInput,
        password: PasswordChange,
    ) -> Result<(), NotifyError> {
        if input.host.trim().is_empty() || input.port == 0 {
            return Err(NotifyError::Invalid(
                "name the SMTP server and its port".into(),
            ));
        }
        if !input.from_address.contains('@') {
            return Err(NotifyError::Invalid(format!(
                "{} is not a sender address",
                input.from_address
            )));
        }
        let existing = self.row_for(mailbox_id).await?;
        let mut row = match &existing {
            Some(row) => smtp_settings::ActiveModel::from(row.clone()),
            None => smtp_settings::ActiveModel {
                mailbox_id: Set(mailbox_id),
                ..Default::default()
            },
        };
        row.host = Set(input.host.trim().to_string());
        row.port = Set(i32::from(input.port));
        row.security = Set(input.security.as_str().into());
        row.username = Set(input.username.clone().filter(|name| !name.is_empty()));
        row.from_address = Set(input.from_address.trim().to_string());
        row.from_name = Set(input.from_name.trim().to_string());
        row.ca_file = Set(input.ca_file.clone().filter(|path| !path.is_empty()));
        row.extra_recipients = Set(input.extra_recipients.join(","));
        // A digest of every mailbox's runs belongs to the instance.
        row.summary_recipients = Set(if mailbox_id.is_none() {
            input.summary_recipients.join(",")
        } else {
            String::new()
        });
        row.updated_at = Set(self.clock.now());
        if existing.is_none() || matches!(password, PasswordChange::Remove) {
            row.secret_sealed = Set(None);
        }
        let saved = match existing {
            Some(_) => row.update(&self.db).await?,
            None => row.insert(&self.db).await?,
        };
        if let PasswordChange::Set(password) = password {
            // Sealed to its row, so it needs the id first.
            let mut row = smtp_settings::ActiveModel::from(saved.clone());
            row.secret_sealed = Set(Some(
                self.secrets.seal(&password, &secret_context(saved.id)),
            ));
            row.update(&self.db).await?;
        }
        Ok(())
    }

    /// The settings stored at one level, if any (never the password).
    pub async fn stored(&self, mailbox_id: Option<i64>) -> Result<Option<StoredSmtp>, NotifyError> {
        let Some(row) = self.row_for(mailbox_id).await? else {
            return Ok(None);
        };
        Ok(Some(StoredSmtp {
            password_stored: row.secret_sealed.is_some(),
            updated_at: row.updated_at,
            summary_sent_at: row.summary_sent_at,
            input: SmtpInput {
                host: row.host,
                port: u16::try_from(row.port).unwrap_or(587),
                security: SmtpSecurity::parse(&row.security).unwrap_or(SmtpSecurity::StartTls),
                username: row.username,
                from_address: row.from_address,
                from_name: row.from_name,
                ca_file: row.ca_file,
                extra_recipients: addresses(&row.extra_recipients),
                summary_recipients: addresses(&row.summary_recipients),
            },
        }))
    }

    /// The mailboxes that have settings of their own.
    pub async fn mailboxes_with_settings(
        &self,
    ) -> Result<std::collections::HashSet<i64>, NotifyError> {
        Ok(smtp_settings::Entity::find()
            .filter(smtp_settings::Column::MailboxId.is_not_null())
            .all(&self.db)
            .await?
            .into_iter()
            .filter_map(|row| row.mailbox_id)
            .collect())
    }

    async fn row_for(
        &self,
        mailbox_id: Option<i64>,
    ) -> Result<Option<smtp_settings::Model>, DbErr> {
        let query = smtp_settings::Entity::find();
        match mailbox_id {
            Some(id) => {
                query
                    .filter(smtp_settings::Column::MailboxId.eq(id))
                    .one(&self.db)
                    .await
            }
            None => {
                query
                    .filter(smtp_settings::Column::MailboxId.is_null())
                    .one(&self.db)
                    .await
            }
        }
    }

    /// The settings that apply to a mailbox: its own, else the instance's;
    /// `None` when nothing is configured (then nothing is sent).
    pub async fn settings_for(
        &self,
        mailbox_id: Option<i64>,
    ) -> Result<Option<SmtpSettings>, NotifyError> {
        let own = match mailbox_id {
            Some(id) => self.row_for(Some(id)).await?,
            None => None,
        };
        let row = match own {
            Some(row) => Some(row),
            None => self.row_for(None).await?,
        };
        row.map(|row| self.settings_of(row)).transpose()
    }

    fn settings_of(&self, row: smtp_settings::Model) -> Result<SmtpSettings, NotifyError> {
        let password = row
            .secret_sealed
            .as_deref()
            .map(|sealed| self.secrets.open(sealed, &secret_context(row.id)))
            .transpose()
            .map_err(|error| NotifyError::Secret(error.to_string()))?;
        Ok(SmtpSettings {
            host: row.host,
            port: u16::try_from(row.port).unwrap_or(587),
            security: SmtpSecurity::parse(&row.security).unwrap_or(SmtpSecurity::StartTls),
            username: row.username,
            password,
            from_address: row.from_address,
            from_name: row.from_name,
            ca_file: row.ca_file.map(Into::into),
            extra_recipients: addresses(&row.extra_recipients),
        })
    }

    /// Sends `mail` with the settings that apply to `mailbox_id`.
    pub async fn send_mail(&self, mailbox_id: Option<i64>, mail: &Mail) -> Result<(), NotifyError> {
        let settings = self.settings_for(mailbox_id).await?.ok_or_else(|| {
            NotifyError::Invalid("no SMTP server is configured; set one first".into())
        })?;
        Ok(send(&settings, mail).await?)
    }

    /// Sends a test mail with the settings that apply to `mailbox` (id and
    /// name; `None`: the instance's), in `lang` (the sender's); returns the
    /// server it went through, in words.
    pub async fn send_test(
        &self,
        mailbox: Option<(i64, &str)>,
        to: &str,
        lang: Lang,
    ) -> Result<String, NotifyError> {
        let settings = self
            .settings_for(mailbox.map(|(id, _)| id))
            .await?
            .ok_or_else(|| {
                NotifyError::Invalid("no SMTP server is configured; set one first".into())
            })?;
        let server = settings.describe();
        let (subject, body) = match mailbox {
            Some((_, name)) => (
                t!(lang, "mail-test-subject-mailbox", mailbox = name),
                t!(
                    lang,
                    "mail-test-body-mailbox",
                    mailbox = name,
                    to = to,
                    server = server.clone()
                ),
            ),
            None => (
                t!(lang, "mail-test-subject"),
                t!(lang, "mail-test-body", to = to, server = server.clone()),
            ),
        };
        let mail = Mail {
            to: vec![to.to_string()],
            subject,
            body,
        };
        send(&settings, &mail).await?;
        Ok(server)
    }

    /// After a run: a failing mailbox may get a notice (to the admins and the
    /// extra recipients); a working one starts afresh. Returns whether a
    /// notice went out.
    pub async fn job_finished(
        &self,
        mailbox_id: i64,
        mailbox_name: &str,
        error: Option<&str>,
    ) -> Result<bool, NotifyError> {
        let now = self.clock.now();
        let state = failure_notice::Entity::find_by_id(mailbox_id)
            .one(&self.db)
            .await?;
        let Some(error) = error else {
            if state.is_some() {
                failure_notice::Entity::delete_by_id(mailbox_id)
                    .exec(&self.db)
                    .await?;
            }
            return Ok(false);
        };
        let state = match state {
            Some(state) => state,
            None => {
                failure_notice::ActiveModel {
                    mailbox_id: Set(mailbox_id),
                    failing_since: Set(now),
                    last_sent_at: Set(None),
                    sent_count: Set(0),
                }
                .insert(&self.db)
                .await?
            }
        };
        if decide(state.failing_since, state.last_sent_at, now) != NoticeDecision::Send {
            return Ok(false);
        }
        let Some(settings) = self.settings_for(Some(mailbox_id)).await? else {
            tracing::debug!(
                mailbox = mailbox_name,
                "no SMTP server configured: no failure notice"
            );
            return Ok(false);
        };
        let mut to: Vec<String> = user::Entity::find()
            .filter(user::Column::Role.eq("admin"))
            .filter(user::Column::Disabled.eq(false))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|admin| admin.email)
            .collect();
        to.extend(settings.extra_recipients.iter().cloned());
        to.sort();
        to.dedup();
        if to.is_empty() {
            return Ok(false);
        }
        let days = (now - state.failing_since).num_days();
        let link = self
            .public_url
            .as_deref()
            .map(|url| format!("\n{}/mailboxes/{mailbox_id}\n", url.trim_end_matches('/')))
            .unwrap_or_default();
        for (audience, to) in language::audiences(&self.db, to).await? {
            let (subject, body) = audience.compose(
                |lang| t!(lang, "mail-failure-subject", mailbox = mailbox_name),
                |lang| {
                    t!(
                        lang,
                        "mail-failure-body",
                        mailbox = mailbox_name,
                        since = app::i18n::format::date_time(lang, state.failing_since),
                        days = days,
                        error = error,
                        link = link.clone(),
                        give_up = GIVE_UP_AFTER.num_days(),
                    )
                },
            );
            send(&settings, &Mail { to, subject, body }).await?;
        }
        let mut state: failure_notice::ActiveModel = state.into();
        state.last_sent_at = Set(Some(now));
        state.sent_count = Set(state.sent_count.unwrap() + 1);
        state.update(&self.db).await?;
        Ok(true)
    }
}

/// Addresses stored separated by commas.
fn addresses(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|address| !address.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_notice_a_day_for_three_weeks() {
        let start = DateTime::parse_from_rfc3339("2026-11-01T06:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(decide(start, None, start), NoticeDecision::Send);
        assert_eq!(
            decide(start, Some(start), start + Duration::hours(23)),
            NoticeDecision::SentRecently
        );
        assert_eq!(
            decide(start, Some(start), start + Duration::hours(24)),
            NoticeDecision::Send
        );
        let last_day = start + Duration::days(20) + Duration::hours(23);
        assert_eq!(
            decide(start, Some(start + Duration::days(19)), last_day),
            NoticeDecision::Send
        );
        assert_eq!(
            decide(start, Some(last_day), start + Duration::days(21)),
            NoticeDecision::GaveUp
        );
    }
}
