//! When a mailbox is archived unattended: an interval (`30m`, `6h`, `1d`) or
//! a cron expression (`0 2 * * *`, `@daily`), evaluated in UTC.

use chrono::{DateTime, Duration, Utc};
use croner::Cron;
use std::str::FromStr;

#[derive(Debug, Clone)]
pub enum Schedule {
    /// Again this long after the last run started.
    Every(Duration),
    /// At the times the cron expression names.
    Cron(Box<Cron>),
}

/// The shortest interval: more often only hammers the server.
const MIN_INTERVAL_MINUTES: i64 = 5;

impl Schedule {
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let text = text.trim();
        if let Some(interval) = parse_interval(text) {
            let interval = interval?;
            if interval < Duration::minutes(MIN_INTERVAL_MINUTES) {
                return Err(format!("run at most every {MIN_INTERVAL_MINUTES} minutes"));
            }
            return Ok(Schedule::Every(interval));
        }
        Cron::from_str(text)
            .map(|cron| Schedule::Cron(Box::new(cron)))
            .map_err(|error| {
                format!(
                    "{text:?} is neither an interval (30m, 6h, 1d) nor a cron expression (0 2 * * *): {error}"
                )
            })
    }

    /// When the next run is due, given when the last one started (none: now).
    pub fn next_run(
        &self,
        last_started: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> DateTime<Utc> {
        let Some(last) = last_started else {
            return now;
        };
        match self {
            Schedule::Every(interval) => last + *interval,
            Schedule::Cron(cron) => cron
                .find_next_occurrence(&last, false)
                // An expression with no future time (e.g. 30 February) never runs.
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
        }
    }
}

/// `None` when `text` does not look like an interval at all.
fn parse_interval(text: &str) -> Option<Result<Duration, String>> {
    let unit_at = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(unit_at);
    let number: i64 = number.parse().ok()?;
    let duration = match unit.trim() {
        "m" | "min" | "minutes" => Duration::minutes(number),
        "h" | "hours" => Duration::hours(number),
        "d" | "days" => Duration::days(number),
        _ => return None,
    };
    Some(Ok(duration))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn intervals_and_cron_expressions() {
        let now = at("2026-11-22T10:00:00Z");
        let every = Schedule::parse("30m").unwrap();
        assert_eq!(every.next_run(None, now), now, "never run: due now");
        assert_eq!(
            every.next_run(Some(at("2026-11-22T09:45:00Z")), now),
            at("2026-11-22T10:15:00Z")
        );
        let nightly = Schedule::parse("0 2 * * *").unwrap();
        assert_eq!(
            nightly.next_run(Some(at("2026-11-22T02:00:30Z")), now),
            at("2026-11-23T02:00:00Z")
        );
        assert!(Schedule::parse("@daily").is_ok());
    }

    #[test]
    fn nonsense_and_hammering_are_refused() {
        assert!(
            Schedule::parse("1m")
                .unwrap_err()
                .contains("at most every 5 minutes")
        );
        assert!(
            Schedule::parse("sometimes")
                .unwrap_err()
                .contains("neither an interval")
        );
        assert!(Schedule::parse("61 * * * *").is_err());
    }
}
