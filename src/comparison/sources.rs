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

use std::collections::HashMap;

use serde_json::json;

use super::validate::Validator;
use super::{Comparison, Dated, Located};
use crate::error::{Error, Position};
use crate::front_matter::Date;
use crate::located::{Node, Value};

/// The fields of a source written as a table.
const SOURCE_KEYS: [&str; 5] = ["title", "publisher", "url", "accessed", "note"];

/// Units of `max_age`, singular.
const UNITS: [&str; 4] = ["day", "week", "month", "year"];

/// One source of facts.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// The id it is declared with, or `inline-<n>` for one written where it is used.
    pub key: String,
    /// Whether it is declared under `sources`.
    pub declared: bool,
    /// Its title; for a bare web address, none.
    pub title: Option<String>,
    /// Who published it.
    pub publisher: Option<String>,
    /// Its web address (`http` or `https`).
    pub url: Option<String>,
    /// When it was read to check the facts.
    pub accessed: Option<Dated>,
    /// A remark, such as the table or section the facts are in.
    pub note: Option<String>,
    /// Where it is declared, or first written.
    pub at: Position,
}

/// `max_age = "18 months"`: a number of days, weeks, months or years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxAge {
    /// How many units.
    pub amount: u32,
    /// The unit: 0 days, 1 weeks, 2 months, 3 years (an index of [`UNITS`]).
    unit: usize,
}

/// Something `juxta check` reports about a dataset's sources: not an error of the build.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Notice {
    /// The data file, `data/<file>`.
    pub path: std::path::PathBuf,
    /// Where in it.
    pub at: Position,
    /// What is wrong.
    pub message: String,
}

impl Source {
    /// How the source is named in a citation: its title, else the host of its address.
    pub fn label(&self) -> String {
        match (&self.title, &self.url) {
            (Some(title), _) => title.clone(),
            (None, Some(url)) => host(url).unwrap_or(url).to_string(),
            (None, None) => self.key.clone(),
        }
    }

    /// The source as one line of text, for the CSV download: title, publisher, address and date.
    pub fn reference(&self) -> String {
        let mut parts: Vec<String> = self.title.iter().chain(&self.publisher).cloned().collect();
        parts.extend(self.url.clone());
        parts.extend(self.accessed.as_ref().map(|a| format!("accessed {}", a.value.as_str())));
        parts.extend(self.note.clone());
        parts.join(", ")
    }

    /// The source as published in the JSON download.
    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "title": self.title, "publisher": self.publisher, "url": self.url,
            "accessed": self.accessed.as_ref().map(|a| a.value.as_str()), "note": self.note,
        })
    }
}

/// The host of an `http(s)` address: `https://www.rfc-editor.org/rfc/x` → `www.rfc-editor.org`.
pub fn host(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    rest.split(['/', '?', '#']).next().filter(|h| !h.is_empty())
}

impl MaxAge {
    /// Reads `"18 months"`, `"1 year"`, `"90 days"`; the message says what is wrong.
    pub fn parse(text: &str) -> Result<MaxAge, String> {
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
    pub fn after(&self, date: &Date) -> Date {
        let days = match self.unit {
            0 => self.amount as i64,
            1 => self.amount as i64 * 7,
            unit => {
                let months = self.amount as i64 * if unit == 3 { 12 } else { 1 };
                let ymd = date.ymd();
                let (y, m, d) =
                    (ymd[..4].parse::<i64>(), ymd[5..7].parse::<i64>(), ymd[8..10].parse::<i64>());
                let (Ok(y), Ok(m), Ok(d)) = (y, m, d) else { return date.clone() };
                let total = y * 12 + (m - 1) + months;
                let (y, m) = (total.div_euclid(12), total.rem_euclid(12) + 1);
                let day = d.min(days_in_month(y, m));
                return Date::parse(&format!("{y:04}-{m:02}-{day:02}")).unwrap_or_else(|| date.clone());
            }
        };
        Date::from_timestamp(date.timestamp() + days * 86_400)
    }
}

impl std::fmt::Display for MaxAge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = UNITS[self.unit];
        write!(f, "{} {unit}{}", self.amount, if self.amount == 1 { "" } else { "s" })
    }
}

fn days_in_month(y: i64, m: i64) -> i64 {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// What `juxta check` reports about `c` on `today`: values whose sources are older than
/// `max_age` or have no `accessed` date to tell, and, with `require_sources`, values without a
/// source. A source a whole dimension shares is reported once, at the dimension's `source`.
pub fn notices(c: &Comparison, today: &Date) -> Vec<Notice> {
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
pub fn future_dates(c: &Comparison, today: &Date) -> Vec<Error> {
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

/// The sources of a dataset as they are read: declared ones by id, inline ones added as found.
#[derive(Default)]
pub(super) struct Catalogue {
    pub(super) sources: Vec<Source>,
    by_id: HashMap<String, usize>,
    inline: usize,
}

impl Catalogue {
    /// The index of `source`, an inline source: the same source written twice is kept once.
    fn add_inline(&mut self, mut source: Source) -> usize {
        let same = |s: &Source| {
            !s.declared
                && (&s.title, &s.publisher, &s.url, &s.note)
                    == (&source.title, &source.publisher, &source.url, &source.note)
                && s.accessed.as_ref().map(|a| &a.value) == source.accessed.as_ref().map(|a| &a.value)
        };
        if let Some(i) = self.sources.iter().position(same) {
            return i;
        }
        loop {
            self.inline += 1;
            let key = format!("inline-{}", self.inline);
            if !self.by_id.contains_key(&key) {
                source.key = key;
                break;
            }
        }
        self.sources.push(source);
        self.sources.len() - 1
    }
}

impl Validator<'_> {
    /// `[sources.<id>]`: the sources declared once and named by id.
    pub(super) fn declared_sources(&mut self, root: &Node) -> Catalogue {
        let mut catalogue = Catalogue::default();
        let Some(node) = root.get("sources") else { return catalogue };
        let Some(entries) = node.entries() else {
            self.error(
                node.at,
                format!(
                    "`sources` must be a table of sources by id (`[sources.<id>]`), not {}",
                    node.value.describe()
                ),
            );
            return catalogue;
        };
        for entry in entries {
            let what = format!("source `{}`", entry.key);
            if !is_id(&entry.key) {
                self.error(
                    entry.key_at,
                    format!(
                        "source id `{}` may use only lowercase letters a–z, digits, `-` and `_`",
                        entry.key
                    ),
                );
                continue;
            }
            if entry.node.entries().is_none() {
                self.error(
                    entry.node.at,
                    format!("{what} must be a table with a `title`, not {}", entry.node.value.describe()),
                );
                continue;
            }
            if let Some(mut source) = self.source_table(&entry.node, &what) {
                source.key = entry.key.clone();
                source.declared = true;
                source.at = entry.key_at;
                catalogue.by_id.insert(entry.key.clone(), catalogue.sources.len());
                catalogue.sources.push(source);
            }
        }
        catalogue
    }

    /// The sources a value or dimension names under `source` or `sources`, with where they are
    /// written; `None` when it names none, or when what it names is wrong (reported).
    pub(super) fn source_refs(
        &mut self,
        node: &Node,
        what: &str,
        catalogue: &mut Catalogue,
    ) -> Option<(Vec<usize>, Position)> {
        let (one, many) = (node.get("source"), node.get("sources"));
        let written = match (one, many) {
            (Some(a), Some(_)) => {
                self.error(a.at, format!("{what} has both `source` and `sources`: keep one of them"));
                return None;
            }
            (Some(n), None) | (None, Some(n)) => n,
            (None, None) => return None,
        };
        let items: Vec<&Node> = match &written.value {
            Value::Seq(items) => items.iter().collect(),
            _ => vec![written],
        };
        let mut found = Vec::new();
        for item in items {
            if let Some(i) = self.source_ref(item, what, catalogue)
                && !found.contains(&i)
            {
                found.push(i);
            }
        }
        Some((found, written.at))
    }

    /// One source named: an id, a web address, a line of text, or a table.
    fn source_ref(&mut self, node: &Node, what: &str, catalogue: &mut Catalogue) -> Option<usize> {
        let inline = |title: Option<String>, url: Option<String>| Source {
            key: String::new(),
            declared: false,
            title,
            publisher: None,
            url,
            accessed: None,
            note: None,
            at: node.at,
        };
        match &node.value {
            Value::Str(s) if s.contains("://") => Some(catalogue.add_inline(inline(None, Some(s.clone())))),
            Value::Str(s) if is_id(s) => match catalogue.by_id.get(s) {
                Some(&i) => Some(i),
                None => {
                    let near = crate::suggest::closest(s, catalogue.by_id.keys().map(String::as_str));
                    let declared = if catalogue.by_id.is_empty() {
                        "the file declares no `sources`".to_string()
                    } else {
                        let mut ids: Vec<&str> = catalogue.by_id.keys().map(String::as_str).collect();
                        ids.sort_unstable();
                        format!(
                            "declared: {}",
                            ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
                        )
                    };
                    self.error(
                        node.at,
                        format!("{what} names the source `{s}`, which is not declared{near} ({declared})"),
                    );
                    None
                }
            },
            // Text that is neither an address nor an id is a citation, shown as written.
            Value::Str(s) => Some(catalogue.add_inline(inline(Some(s.clone()), None))),
            Value::Map(_) => {
                let source = self.source_table(node, &format!("a source of {what}"))?;
                Some(catalogue.add_inline(source))
            }
            other => {
                self.error(
                    node.at,
                    format!(
                        "a source of {what} must be a source id, a web address, or a table with a \
                         `title`, not {}",
                        other.describe()
                    ),
                );
                None
            }
        }
    }

    /// A source written as a table, declared or inline.
    fn source_table(&mut self, node: &Node, what: &str) -> Option<Source> {
        self.known_keys(node, &SOURCE_KEYS, what);
        let errors = self.errors.len();
        let title = self.text(node, "title", what, true);
        let publisher = self.text(node, "publisher", what, false);
        let url = self.text(node, "url", what, false);
        let note = self.text(node, "note", what, false);
        if let (Some(url), Some(at)) = (&url, node.get("url").map(|n| n.at))
            && host(url).is_none()
        {
            self.error(
                at,
                format!("`url` of {what} must be a web address starting with `https://` or `http://`"),
            );
        }
        let accessed = self.date(node, "accessed", what);
        if let (Some(accessed), None) = (&accessed, &url) {
            self.error(
                accessed.at,
                format!(
                    "{what} has an `accessed` date but no `url`: add the address that was read on that date"
                ),
            );
        }
        (self.errors.len() == errors).then(|| Source {
            key: String::new(),
            declared: false,
            title,
            publisher,
            url,
            accessed,
            note,
            at: node.at,
        })
    }

    /// A calendar date under `key`: a TOML date (`2026-12-07`), or text of that shape in YAML and
    /// JSON.
    pub(super) fn date(&mut self, node: &Node, key: &str, what: &str) -> Option<Dated> {
        let written = node.get(key)?;
        let date = written.as_str().filter(|s| s.len() == 10).and_then(Date::parse);
        if date.is_none() {
            let json = self.shown.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
            let example = if json { "\"2026-12-07\"" } else { "2026-12-07" };
            self.error(
                written.at,
                format!(
                    "`{key}` of {what} must be a date such as {example}, not {}",
                    written.value.describe()
                ),
            );
        }
        date.map(|value| Located { value, at: written.at })
    }

    /// `max_age` of the dataset or a dimension.
    pub(super) fn max_age(&mut self, node: &Node, what: &str) -> Option<MaxAge> {
        let written = node.get("max_age")?;
        let Some(text) = written.as_str() else {
            self.error(
                written.at,
                format!(
                    "`max_age` of {what} must be text such as {}, not {}",
                    self.syntax("max_age", "\"18 months\""),
                    written.value.describe()
                ),
            );
            return None;
        };
        MaxAge::parse(text).map_err(|m| self.error(written.at, m)).ok()
    }
}

/// Whether `s` has the shape of an id: lowercase letters a–z, digits, `-` and `_`.
pub(super) fn is_id(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
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
