//! Where a dataset's facts come from, and how old they may be.
//!
//! A source is declared once under `[sources.<id>]` and named by its id, or written inline where
//! it is used: a bare web address, a line of text, or a table with the same fields as a declared
//! one (`title`, `publisher`, `url`, `accessed`, `note`). A value's `source` (or `sources`) may
//! name one source or a list of them; a dimension's applies to every value of the dimension that
//! names none of its own (a value's own sources replace the dimension's, they do not add to
//! them).
//!
//! `max_age` (on the dataset, or on a dimension for its values) says how old an `accessed` date
//! may be; `require_sources = true` asks for a source on every value. [`notices`] lists what
//! `juxta check` reports against them; [`future_dates`] the dates after the build date, which are
//! errors of the build.

use serde_json::json;

use super::{Comparison, Dated};
use crate::date::Date;
use crate::error::{Error, Position};

/// Units of `max_age`, singular.
const UNITS: [&str; 4] = ["day", "week", "month", "year"];

/// One source of facts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Source {
    /// The id it is declared with, or `inline-<n>` for one written where it is used.
    pub(crate) key: String,
    /// Whether it is declared under `sources`.
    pub(crate) declared: bool,
    /// Its title; for a bare web address, none.
    pub(crate) title: Option<String>,
    /// Who published it.
    pub(crate) publisher: Option<String>,
    /// Its web address (`http` or `https`).
    pub(crate) url: Option<String>,
    /// When it was read to check the facts.
    pub(crate) accessed: Option<Dated>,
    /// A remark, such as the table or section the facts are in.
    pub(crate) note: Option<String>,
    /// Where it is declared, or first written.
    pub(crate) at: Position,
}

/// `max_age = "18 months"`: a number of days, weeks, months or years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MaxAge {
    /// How many units.
    pub(crate) amount: u32,
    /// The unit: 0 days, 1 weeks, 2 months, 3 years (an index of [`UNITS`]).
    unit: usize,
}

/// Something `juxta check` reports about a dataset's sources: not an error of the build.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Notice {
    /// The data file, `data/<file>`.
    pub(crate) path: std::path::PathBuf,
    /// Where in it.
    pub(crate) at: Position,
    /// What is wrong.
    pub(crate) message: String,
}

impl Source {
    /// How the source is named in a citation: its title, else the host of its address.
    pub(crate) fn label(&self) -> String {
        match (&self.title, &self.url) {
            (Some(title), _) => title.clone(),
            (None, Some(url)) => host(url).unwrap_or(url).to_string(),
            (None, None) => self.key.clone(),
        }
    }

    /// The source as one line of text, for the CSV download: title, publisher, address and date.
    pub(crate) fn reference(&self) -> String {
        let mut parts: Vec<String> = self.title.iter().chain(&self.publisher).cloned().collect();
        parts.extend(self.url.clone());
        parts.extend(self.accessed.as_ref().map(|a| format!("accessed {}", a.value.as_str())));
        parts.extend(self.note.clone());
        parts.join(", ")
    }

    /// The source as published in the JSON download.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        json!({
            "title": self.title, "publisher": self.publisher, "url": self.url,
            "accessed": self.accessed.as_ref().map(|a| a.value.as_str()), "note": self.note,
        })
    }
}

/// The host of an `http(s)` address: `https://www.rfc-editor.org/rfc/x` → `www.rfc-editor.org`.
pub(crate) fn host(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    rest.split(['/', '?', '#']).next().filter(|h| !h.is_empty())
}

impl MaxAge {
    /// Reads `"18 months"`, `"1 year"`, `"90 days"`; the message says what is wrong.
    pub(crate) fn parse(text: &str) -> Result<MaxAge, String> {
        let shape = "it is a whole number and a unit, such as \"18 months\" (days, weeks, months or years)";
        let mut words = text.split_whitespace();
        let (Some(amount), Some(unit), None) = (words.next(), words.next(), words.next()) else {
            return Err(format!("`max_age = \"{text}\"` does not read as an age: {shape}"));
        };
        let amount: u32 = match amount.parse() {
            Ok(n) if n > 0 => n,
            _ => {
                return Err(format!(
                    "`max_age = \"{text}\"`: `{amount}` is not a whole number above 0: {shape}"
                ));
            }
        };
        let singular = unit.to_ascii_lowercase();
        let singular = singular.strip_suffix('s').unwrap_or(&singular);
        match UNITS.iter().position(|u| *u == singular) {
            Some(unit) => Ok(MaxAge { amount, unit }),
            None => {
                let plural = UNITS.map(|u| format!("{u}s"));
                let near = crate::suggest::closest(unit, plural.iter().map(String::as_str));
                Err(format!(
                    "`max_age = \"{text}\"`: unknown unit `{unit}`{near}; use days, weeks, months or years"
                ))
            }
        }
    }

    /// The date `self` after `date`: a month later is the same day of the next month (or its
    /// last day, when shorter).
    pub(crate) fn after(&self, date: &Date) -> Date {
        let days = match self.unit {
            0 => self.amount as i64,
            1 => self.amount as i64 * 7,
            unit => {
                let months = self.amount as i64 * if unit == 3 { 12 } else { 1 };
                return date.plus_months(months).unwrap_or_else(|| date.clone());
            }
        };
        Date::from_timestamp(date.timestamp() + days * 86_400).unwrap_or_else(|| date.clone())
    }
}

impl std::fmt::Display for MaxAge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = UNITS[self.unit];
        write!(f, "{} {unit}{}", self.amount, if self.amount == 1 { "" } else { "s" })
    }
}

/// What `juxta check` reports about `c` on `today`: values whose sources are older than
/// `max_age` or have no `accessed` date to tell, and, with `require_sources`, values without a
/// source. A source a whole dimension shares is reported once, at the dimension's `source`.
pub(crate) fn notices(c: &Comparison, today: &Date) -> Vec<Notice> {
    let mut notices = Vec::new();
    let mut notice = |at: Position, message: String| {
        let n = Notice { path: c.shown.clone(), at, message };
        if !notices.contains(&n) {
            notices.push(n);
        }
    };
    for d in &c.dimensions {
        let max_age = d.max_age.or(c.max_age);
        for (subject, cell) in c.subjects.iter().zip(&d.values) {
            let of = if cell.inherited {
                format!("dimension `{}`", d.id)
            } else {
                format!("the value for `{}` in dimension `{}`", subject.id, d.id)
            };
            if cell.sources.is_empty() {
                if c.require_sources && cell.value.is_some() {
                    notice(
                        cell.at,
                        format!("{of} has no source, and the dataset sets `require_sources = true`"),
                    );
                }
                continue;
            }
            let Some(max_age) = max_age else { continue };
            let at = if cell.inherited { d.sources_at } else { cell.sources_at }.unwrap_or(cell.at);
            for &i in &cell.sources {
                let source = &c.sources[i];
                let named = named(source);
                match &source.accessed {
                    None => notice(
                        at,
                        format!(
                            "{of}: {named} has no `accessed` date, so its age cannot be checked against \
                             `max_age` ({max_age})"
                        ),
                    ),
                    Some(accessed) if max_age.after(&accessed.value).timestamp() < today.timestamp() => {
                        notice(
                            at,
                            format!(
                                "{of}: {named} was accessed on {}, more than `max_age` ({max_age}) before the \
                             build date {}: check the facts again and update `accessed`",
                                accessed.value.as_str(),
                                today.ymd()
                            ),
                        )
                    }
                    Some(_) => {}
                }
            }
        }
    }
    notices.sort();
    notices
}

/// How a message names a source: `source `ts-36-306`` or `the source `https://…``.
fn named(source: &Source) -> String {
    if source.declared {
        format!("source `{}` (line {})", source.key, source.at.line)
    } else {
        format!("the source `{}`", source.url.as_deref().unwrap_or(&source.label()))
    }
}

/// Every date of `c` after `today`: an `accessed` date or the dataset's `updated` in the future
/// is a typo, and would make the facts look fresher than they are.
pub(crate) fn future_dates(c: &Comparison, today: &Date) -> Vec<Error> {
    let dates = c
        .sources
        .iter()
        .filter_map(|s| s.accessed.as_ref().map(|a| (a, "`accessed`")))
        .chain(c.updated.as_ref().map(|u| (u, "`updated`")));
    dates
        .filter(|(date, _)| date.value.timestamp() > today.timestamp())
        .map(|(date, field)| {
            Error::at_position(
                &c.shown,
                date.at,
                format!(
                    "{field} is {}, after the build date {}: a date cannot be in the future",
                    date.value.as_str(),
                    today.ymd()
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn ages_read_in_four_units_and_months_keep_the_day() {
        let age = MaxAge::parse("18 months").unwrap();
        assert_eq!(age.to_string(), "18 months");
        assert_eq!(age.after(&date("2025-01-31")).ymd(), "2026-07-31");
        assert_eq!(MaxAge::parse("1 month").unwrap().after(&date("2024-01-31")).ymd(), "2024-02-29");
        assert_eq!(MaxAge::parse("2 Years").unwrap().after(&date("2024-02-29")).ymd(), "2026-02-28");
        assert_eq!(MaxAge::parse("3 weeks").unwrap().after(&date("2026-12-20")).ymd(), "2027-01-10");
        assert_eq!(MaxAge::parse("1 day").unwrap().to_string(), "1 day");
    }

    #[test]
    fn an_age_that_does_not_parse_says_why() {
        assert_eq!(
            MaxAge::parse("18 monhts").unwrap_err(),
            "`max_age = \"18 monhts\"`: unknown unit `monhts` (did you mean `months`?); use days, weeks, months or years"
        );
        assert!(MaxAge::parse("18").unwrap_err().contains("such as \"18 months\""));
        assert!(MaxAge::parse("0 days").unwrap_err().contains("not a whole number above 0"));
        assert!(MaxAge::parse("-3 days").is_err());
        assert!(MaxAge::parse("eighteen months").is_err());
    }

    #[test]
    fn hosts_are_read_only_from_web_addresses() {
        assert_eq!(host("https://www.3gpp.org/spec?x=1"), Some("www.3gpp.org"));
        assert_eq!(host("javascript://%0aalert(1)"), None);
        assert_eq!(host("https://"), None);
    }
}
