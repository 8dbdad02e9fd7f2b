//! Dates as authors write them (`2024-01-31`, `2024-01-31T09:30:00Z`) and as feeds and sitemaps
//! want them (RFC 3339 in UTC). The calendar is the `time` crate's; what is read and written here
//! is the text.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// A date, or a date and time, as written in front matter or data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub(crate) struct Date {
    text: String,
    /// Seconds since the Unix epoch, in UTC; midnight UTC for a date without time.
    timestamp: i64,
}

/// Days from 1 January of year 1 BC (the proleptic Gregorian calendar's year 0) to the Unix epoch.
const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;

impl Date {
    /// Parses `YYYY-MM-DD`, optionally followed by `THH:MM[:SS[.fff]]` and `Z` or `±HH:MM`.
    pub(crate) fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            let s = text.get(r)?;
            s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse().ok())?
        };
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let month = time::Month::try_from(u8::try_from(num(5..7)?).ok()?).ok()?;
        let day = u8::try_from(num(8..10)?).ok()?;
        let date = time::Date::from_calendar_date(num(0..4)? as i32, month, day).ok()?;
        let seconds = match b.len() {
            10 => 0,
            _ => time_of_day(text)?,
        };
        let timestamp = (i64::from(date.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY) * 86_400 + seconds;
        Some(Date { text: text.to_string(), timestamp })
    }

    /// A date from a Unix timestamp (the build date, a feed's dates); `None` outside the years
    /// 0000 to 9999.
    pub(crate) fn from_timestamp(timestamp: i64) -> Option<Date> {
        let utc = time::OffsetDateTime::from_unix_timestamp(timestamp).ok()?;
        if utc.year() < 0 {
            return None;
        }
        let text = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            utc.year(),
            u8::from(utc.month()),
            utc.day(),
            utc.hour(),
            utc.minute(),
            utc.second()
        );
        Some(Date { text, timestamp })
    }

    /// Seconds since the Unix epoch.
    pub(crate) fn timestamp(&self) -> i64 {
        self.timestamp
    }

    /// The date as RFC 3339 in UTC, as feeds and sitemaps want it.
    pub(crate) fn rfc3339(&self) -> String {
        Date::from_timestamp(self.timestamp).map_or_else(|| self.text.clone(), |d| d.text)
    }

    /// The date as written (what `Display` writes), without a copy.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// The calendar date, `YYYY-MM-DD`, as written.
    pub(crate) fn ymd(&self) -> &str {
        &self.text[..10]
    }

    /// The same day `months` later (or the last day of that month, when it is shorter), as a
    /// date without time.
    pub(crate) fn plus_months(&self, months: i64) -> Option<Date> {
        let field = |range: std::ops::Range<usize>| self.text[range].parse::<i64>().ok();
        let total = field(0..4)? * 12 + field(5..7)? - 1 + months;
        let year = i32::try_from(total.div_euclid(12)).ok()?;
        let month = time::Month::try_from(u8::try_from(total.rem_euclid(12) + 1).ok()?).ok()?;
        let day = u8::try_from(field(8..10)?).ok()?.min(time::util::days_in_month(month, year));
        Date::parse(&format!("{year:04}-{:02}-{day:02}", u8::from(month)))
    }
}

/// The seconds a date's time of day adds (`THH:MM[:SS[.fff]]`, then `Z` or `±HH:MM`), in UTC.
/// A leap second (`:60`) is read as the next second.
fn time_of_day(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(r)?;
        s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse().ok())?
    };
    if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 16 || b[13] != b':' {
        return None;
    }
    let (hour, minute) = (num(11..13)?, num(14..16)?);
    let mut i = 16;
    let mut second = 0;
    if b.get(i) == Some(&b':') {
        second = num(17..19)?;
        i = 19;
        if b.get(i) == Some(&b'.') {
            i += 1;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let offset = match &text[i..] {
        "" | "Z" | "z" => 0,
        zone if zone.len() == 6 && (zone.starts_with('+') || zone.starts_with('-')) => {
            let minutes = num(i + 1..i + 3)? * 60 + num(i + 4..i + 6)?;
            if zone.starts_with('-') { -minutes } else { minutes }
        }
        _ => return None,
    };
    Some(hour * 3600 + minute * 60 + second - offset * 60)
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        d.text
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Date, D::Error> {
        deserializer.deserialize_any(DateVisitor)
    }
}

struct DateVisitor;

impl<'de> Visitor<'de> for DateVisitor {
    type Value = Date;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date such as 2024-01-31 or 2024-01-31T09:30:00Z")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Date, E> {
        Date::parse(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }

    // TOML hands its native date-times over as a one-entry map holding the text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Date, A::Error> {
        match map.next_entry::<String, String>()? {
            Some((_, text)) => self.visit_str(&text),
            None => Err(de::Error::invalid_length(0, &self)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_with_and_without_time() {
        let d = Date::parse("2024-01-31").unwrap();
        assert_eq!(d.rfc3339(), "2024-01-31T00:00:00Z");
        let t = Date::parse("2024-01-31T09:30:00+02:00").unwrap();
        assert_eq!(t.rfc3339(), "2024-01-31T07:30:00Z");
        assert_eq!(Date::parse("2024-02-29T23:59:60Z").unwrap().rfc3339(), "2024-03-01T00:00:00Z");
        for refused in
            ["2023-02-29", "2024-13-01", "2024-00-10", "2024-01-32", "yesterday", "2024-01-31T25:00Z"]
        {
            assert!(Date::parse(refused).is_none(), "{refused}");
        }
    }

    #[test]
    fn timestamps_round_trip() {
        let text = |seconds| Date::from_timestamp(seconds).map(|d| d.to_string());
        assert_eq!(text(0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(text(1_709_211_845).as_deref(), Some("2024-02-29T13:04:05Z"));
        assert_eq!(text(1_706_659_200).as_deref(), Some("2024-01-31T00:00:00Z"));
        assert_eq!(text(-62_167_219_200).as_deref(), Some("0000-01-01T00:00:00Z"));
        // Outside the years an RFC 3339 date can write.
        assert_eq!(text(-62_167_219_201), None);
        assert_eq!(text(253_402_300_800), None);
    }

    #[test]
    fn months_later_keep_the_day_or_take_the_last_of_a_shorter_month() {
        let later = |date: &str, months| Date::parse(date).unwrap().plus_months(months).unwrap().to_string();
        assert_eq!(later("2024-01-31", 1), "2024-02-29");
        assert_eq!(later("2024-02-29", 24), "2026-02-28");
        assert_eq!(later("2025-01-31", 18), "2026-07-31");
        assert_eq!(later("2024-11-15", 2), "2025-01-15");
    }
}
