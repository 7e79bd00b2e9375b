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

/// One summary a day.
pub const SUMMARY_EVERY: Duration = Duration::hours(24);

/// One mailbox's runs within the summary's span.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct MailboxDay {
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
        let mail = Mail {
            to,
            subject: summary_subject(&days),
            body: summary_body(&days, since, now),
        };
        let settings = self.settings_of(row.clone())?;
        send(&settings, &mail).await?;
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
                Err(_) => day.name = format!("mailbox #{}", row.mailbox_id),
            }
        }
        let mut days: Vec<MailboxDay> = days.into_values().collect();
        days.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(days)
    }
}

fn summary_subject(days: &[MailboxDay]) -> String {
    let failing = days.iter().filter(|day| day.failed_runs > 0).count();
    let archived: u64 = days.iter().map(|day| day.archived).sum();
    match (days.is_empty(), failing) {
        (true, _) => "Tresor: no archiving runs in the last day".into(),
        (false, 0) => format!("Tresor: daily summary — {archived} messages archived, no failures"),
        (false, n) => format!(
            "Tresor: daily summary — {archived} messages archived, {n} mailbox{} with failed runs",
            if n == 1 { "" } else { "es" }
        ),
    }
}

fn summary_body(days: &[MailboxDay], since: DateTime<Utc>, until: DateTime<Utc>) -> String {
    let span = format!(
        "{} to {}",
        since.format("%Y-%m-%d %H:%M"),
        until.format("%Y-%m-%d %H:%M UTC")
    );
    if days.is_empty() {
        return format!(
            "No archiving run ended between {span}.\n\n\
             If mailboxes are scheduled, check that Tresor is running and the mailboxes are not paused.\n"
        );
    }
    let mut body = format!("Archiving runs that ended between {span}:\n\n");
    for day in days {
        body.push_str(&format!(
            "{}: {} run{}{}, {} archived, {} duplicates, {} messages failed\n",
            day.name,
            day.runs,
            if day.runs == 1 { "" } else { "s" },
            if day.failed_runs > 0 {
                format!(" ({} failed)", day.failed_runs)
            } else {
                String::new()
            },
            day.archived,
            day.duplicates,
            day.failed_messages,
        ));
        if let Some(error) = &day.last_error {
            body.push_str(&format!("    last error: {error}\n"));
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
                name: "Buchhaltung".into(),
                runs: 4,
                failed_runs: 1,
                archived: 120,
                duplicates: 3,
                failed_messages: 1,
                last_error: Some("authentication failed".into()),
            },
            MailboxDay {
                name: "Vertrieb".into(),
                runs: 1,
                archived: 7,
                ..Default::default()
            },
        ];
        assert_eq!(
            summary_subject(&days),
            "Tresor: daily summary — 127 messages archived, 1 mailbox with failed runs"
        );
        let now = Utc::now();
        let body = summary_body(&days, now - SUMMARY_EVERY, now);
        assert!(body.contains("Buchhaltung: 4 runs (1 failed), 120 archived, 3 duplicates, 1 messages failed\n    last error: authentication failed"), "{body}");
        assert!(body.contains("Vertrieb: 1 run, 7 archived"), "{body}");
        assert_eq!(
            summary_subject(&[]),
            "Tresor: no archiving runs in the last day"
        );
        assert!(summary_body(&[], now - SUMMARY_EVERY, now).contains("No archiving run ended"));
    }
}
