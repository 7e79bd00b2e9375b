//! The optional daily job summary: one mail a day to the instance's summary
//! recipients listing every mailbox's runs since the previous summary. A day
//! without any run is reported too: that is how an administrator learns the
//! schedule stopped.

use super::{Mail, Notifier, NotifyError, addresses, send};
use crate::db::entity::{job, smtp_settings};
use app::model::job::JobLog;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use std::collections::BTreeMap;

use app::i18n::{Lang, format};
use app::t;

/// One summary a day.
pub const SUMMARY_EVERY: Duration = Duration::hours(24);

/// One mailbox's runs within the summary's span.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct MailboxDay {
    mailbox_id: i64,
    /// Empty when the run's log cannot be read.
    name: String,
    runs: u32,
    failed_runs: u32,
    archived: u64,
    duplicates: u64,
    failed_messages: u64,
    last_error: Option<String>,
}

impl Notifier {
    /// Sends the summary when one is due: recipients are set and the last one
    /// went out at least `SUMMARY_EVERY` ago (the first: at once, covering
    /// the past day). Returns whether one was sent.
    pub async fn send_summary_if_due(&self) -> Result<bool, NotifyError> {
        let Some(row) = self.row_for(None).await? else {
            return Ok(false);
        };
        let to = addresses(&row.summary_recipients);
        let now = self.clock.now();
        if to.is_empty()
            || row
                .summary_sent_at
                .is_some_and(|last| now - last < SUMMARY_EVERY)
        {
            return Ok(false);
        }
        let since = row.summary_sent_at.unwrap_or(now - SUMMARY_EVERY);
        let days = self.runs_between(since, now).await?;
        let settings = self.settings_of(row.clone())?;
        for (audience, to) in super::language::audiences(&self.db, to).await? {
            let (subject, body) = audience.compose(
                |lang| summary_subject(lang, &days),
                |lang| summary_body(lang, &days, since, now),
            );
            send(&settings, &Mail { to, subject, body }).await?;
        }
        let mut row: smtp_settings::ActiveModel = row.into();
        row.summary_sent_at = Set(Some(now));
        row.update(&self.db).await?;
        Ok(true)
    }

    /// Runs that ended in `[since, until)`, by mailbox.
    async fn runs_between(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<MailboxDay>, NotifyError> {
        let jobs = job::Entity::find()
            .filter(job::Column::FinishedAt.gte(since))
            .filter(job::Column::FinishedAt.lt(until))
            .order_by_asc(job::Column::Id)
            .all(&self.db)
            .await?;
        let mut days: BTreeMap<i64, MailboxDay> = BTreeMap::new();
        for row in jobs {
            let day = days.entry(row.mailbox_id).or_default();
            day.mailbox_id = row.mailbox_id;
            day.runs += 1;
            if row.status == "failed" {
                day.failed_runs += 1;
                day.last_error = row.error.clone();
            }
            match serde_json::from_str::<JobLog>(&row.log) {
                Ok(log) => {
                    day.name = log.mailbox;
                    day.archived += log.archived;
                    day.duplicates += log.duplicates;
                    day.failed_messages += log.failed;
                }
                // Named in the reader's language when the mail is written.
                Err(_) => day.name.clear(),
            }
        }
        let mut days: Vec<MailboxDay> = days.into_values().collect();
        days.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(days)
    }
}

fn summary_subject(lang: Lang, days: &[MailboxDay]) -> String {
    let failing = days.iter().filter(|day| day.failed_runs > 0).count();
    let archived: u64 = days.iter().map(|day| day.archived).sum();
    match (days.is_empty(), failing) {
        (true, _) => t!(lang, "mail-summary-subject-none"),
        (false, 0) => t!(lang, "mail-summary-subject-ok", archived = archived),
        (false, failing) => t!(
            lang,
            "mail-summary-subject-failing",
            archived = archived,
            failing = failing
        ),
    }
}

fn summary_body(
    lang: Lang,
    days: &[MailboxDay],
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> String {
    let since = format::date_time(lang, since);
    let until = format::date_time(lang, until);
    if days.is_empty() {
        return t!(lang, "mail-summary-none", since = since, until = until) + "\n";
    }
    let mut body = t!(lang, "mail-summary-intro", since = since, until = until) + "\n\n";
    for day in days {
        let name = if day.name.is_empty() {
            t!(
                lang,
                "mail-summary-unknown-mailbox",
                id = day.mailbox_id.to_string()
            )
        } else {
            day.name.clone()
        };
        body.push_str(&t!(
            lang,
            "mail-summary-line",
            mailbox = name,
            runs = day.runs,
            failed_runs = day.failed_runs,
            archived = day.archived,
            duplicates = day.duplicates,
            failed = day.failed_messages,
        ));
        body.push('\n');
        if let Some(error) = &day.last_error {
            body.push_str("    ");
            body.push_str(&t!(lang, "mail-summary-last-error", error = error.as_str()));
            body.push('\n');
        }
    }
    body
}

/// `tresor serve`'s summary routine: looks every ten minutes whether a
/// summary is due, so a restart neither skips nor repeats a day.
pub async fn run_schedule(
    notifier: std::sync::Arc<Notifier>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    const LOOK_EVERY: std::time::Duration = std::time::Duration::from_secs(600);
    loop {
        if let Err(error) = notifier.send_summary_if_due().await {
            tracing::warn!(%error, "the daily job summary could not be sent; trying again in ten minutes");
        }
        tokio::select! {
            _ = tokio::time::sleep(LOOK_EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_every_mailbox_and_its_failures() {
        let days = vec![
            MailboxDay {
                mailbox_id: 1,
                name: "Buchhaltung".into(),
                runs: 4,
                failed_runs: 1,
                archived: 120,
                duplicates: 3,
                failed_messages: 1,
                last_error: Some("authentication failed".into()),
            },
            MailboxDay {
                mailbox_id: 2,
                name: "Vertrieb".into(),
                runs: 1,
                archived: 7,
                ..Default::default()
            },
        ];
        assert_eq!(
            summary_subject(Lang::En, &days),
            "Tresor: daily summary — 127 messages archived, 1 mailbox with failed runs"
        );
        let now = Utc::now();
        let body = summary_body(Lang::En, &days, now - SUMMARY_EVERY, now);
        assert!(body.contains("Buchhaltung: 4 runs (1 failed), 120 archived, 3 duplicates, 1 messages failed\n    last error: authentication failed"), "{body}");
        assert!(body.contains("Vertrieb: 1 run, 7 archived"), "{body}");
        assert_eq!(
            summary_subject(Lang::En, &[]),
            "Tresor: no archiving runs in the last day"
        );
        assert!(
            summary_body(Lang::En, &[], now - SUMMARY_EVERY, now)
                .contains("No archiving run ended")
        );
        let german = summary_body(Lang::De, &days, now - SUMMARY_EVERY, now);
        assert!(
            german.contains("Buchhaltung: 4 Läufe (1 fehlgeschlagen), 120 archiviert, 3 Duplikate"),
            "{german}"
        );
        assert!(
            german.contains("Vertrieb: 1 Lauf, 7 archiviert"),
            "{german}"
        );
    }
}
