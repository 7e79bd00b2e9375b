//! Numbers, sizes and times written the way each language writes them:
//! 13,579 and 1.4 GB and 2026-12-03 19:55 UTC in English, 13.579 and
//! 1,4 GB and 03.12.2026 19:55 UTC in German. Times stay in UTC, said so.

use chrono::{DateTime, Utc};
use fluent_templates::fluent_bundle::FluentValue;

use super::Lang;

/// A count with the language's thousands separator.
pub fn number(lang: Lang, value: u64) -> String {
    let digits = value.to_string();
    let separator = match lang {
        Lang::En => ',',
        Lang::De => '.',
    };
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (position, digit) in digits.chars().enumerate() {
        if position > 0 && (digits.len() - position).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    grouped
}

/// A decimal with one place and the language's decimal mark (1.4 / 1,4).
fn one_decimal(lang: Lang, value: f64) -> String {
    let text = format!("{value:.1}");
    match lang {
        Lang::En => text,
        Lang::De => text.replace('.', ","),
    }
}

/// Bytes as a person reads them (1.4 GB, 512 bytes / 1,4 GB, 512 Byte).
pub fn size(lang: Lang, bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return match lang {
            Lang::En => format!("{bytes} bytes"),
            Lang::De => format!("{bytes} Byte"),
        };
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{} {}", one_decimal(lang, value), UNITS[unit])
}

/// A day: 2026-12-03 / 03.12.2026.
pub fn date(lang: Lang, time: DateTime<Utc>) -> String {
    match lang {
        Lang::En => time.format("%Y-%m-%d").to_string(),
        Lang::De => time.format("%d.%m.%Y").to_string(),
    }
}

/// A day and minute in UTC: 2026-12-03 19:55 UTC / 03.12.2026 19:55 UTC.
pub fn date_time(lang: Lang, time: DateTime<Utc>) -> String {
    format!("{} {} UTC", date(lang, time), time.format("%H:%M"))
}

/// A day and second in UTC, where the order of events matters (audit, runs).
pub fn date_time_seconds(lang: Lang, time: DateTime<Utc>) -> String {
    format!("{} {} UTC", date(lang, time), time.format("%H:%M:%S"))
}

/// Fluent's number formatter for English bundles (see `i18n::MESSAGES`).
pub(super) fn fluent_number_en<M>(value: &FluentValue, _: &M) -> Option<String> {
    fluent_count(Lang::En, value)
}

/// Fluent's number formatter for German bundles.
pub(super) fn fluent_number_de<M>(value: &FluentValue, _: &M) -> Option<String> {
    fluent_count(Lang::De, value)
}

/// Whole non-negative numbers (counts) grouped; others as Fluent writes them.
fn fluent_count(lang: Lang, value: &FluentValue) -> Option<String> {
    match value {
        FluentValue::Number(number)
            if number.value >= 0.0 && number.value.fract() == 0.0 && number.value < 1e15 =>
        {
            Some(self::number(lang, number.value as u64))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn numbers_are_grouped_as_each_language_writes_them() {
        assert_eq!(number(Lang::En, 13_579), "13,579");
        assert_eq!(number(Lang::De, 13_579), "13.579");
        assert_eq!(number(Lang::De, 1_000_000), "1.000.000");
        assert_eq!(number(Lang::En, 999), "999");
        assert_eq!(number(Lang::En, 0), "0");
    }

    #[test]
    fn sizes_use_the_decimal_mark_of_the_language() {
        assert_eq!(size(Lang::En, 512), "512 bytes");
        assert_eq!(size(Lang::De, 512), "512 Byte");
        assert_eq!(size(Lang::En, 1_400_000_000), "1.4 GB");
        assert_eq!(size(Lang::De, 1_400_000_000), "1,4 GB");
    }

    #[test]
    fn dates_follow_the_language() {
        let time = Utc.with_ymd_and_hms(2026, 12, 3, 19, 55, 7).unwrap();
        assert_eq!(date_time(Lang::En, time), "2026-12-03 19:55 UTC");
        assert_eq!(date_time(Lang::De, time), "03.12.2026 19:55 UTC");
        assert_eq!(date_time_seconds(Lang::De, time), "03.12.2026 19:55:07 UTC");
    }
}
