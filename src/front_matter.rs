//! Splitting a content file into front matter and body, and parsing the front matter (TOML between
//! `+++` lines, YAML between `---` lines) into [`FrontMatter`].
//!
//! Parser positions are relative to the fragment between the delimiters; every error is mapped back
//! to the line and column of the whole file, which is what the author's editor shows.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::path::Path;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Position, Result};

/// The front matter as the author wrote it. Unknown keys are errors: they are usually typos.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// The title; required.
    pub title: String,
    /// A one-line description for listings, search results and meta tags.
    pub description: Option<String>,
    /// Publication date.
    pub date: Option<Date>,
    /// Date of the last significant change.
    pub updated: Option<Date>,
    /// Drafts are left out of the build unless `--drafts` is given.
    #[serde(default)]
    pub draft: bool,
    /// Sort key within a section (lower first).
    pub weight: Option<i64>,
    /// Replaces the last segment of the page's URL.
    pub slug: Option<String>,
    /// A template to use instead of the default one.
    pub template: Option<String>,
    /// Free-form tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Old URLs that should redirect to this page.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Whether the page is in the search index (the default); a site map or a page listing
    /// every other page is better left out.
    #[serde(default = "yes")]
    pub in_search: bool,
    /// Free values for templates, as `page.extra`.
    #[serde(default)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

fn yes() -> bool {
    true
}

/// The two front matter formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// TOML between `+++` lines.
    Toml,
    /// YAML between `---` lines.
    Yaml,
}

/// A content file split into its parts.
#[derive(Debug)]
pub struct Split<'a> {
    /// The front matter format.
    pub format: Format,
    /// The text between the delimiters.
    pub front: &'a str,
    /// Byte offset of `front` in the whole (normalised) file.
    pub front_offset: usize,
    /// The Markdown after the closing delimiter.
    pub body: &'a str,
    /// The 1-based line of the whole file on which `body` starts.
    pub body_line: usize,
}

/// Removes a UTF-8 byte order mark and turns CRLF line endings into LF, so that files saved by any
/// editor give the same output. Lines keep their numbers.
pub fn normalize(text: &str) -> Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match memchr::memchr(b'\r', text.as_bytes()) {
        Some(_) => Cow::Owned(text.replace("\r\n", "\n")),
        None => Cow::Borrowed(text),
    }
}

/// Splits a normalised content file. `shown` is the path used in errors.
pub fn split<'a>(text: &'a str, shown: &Path) -> Result<Split<'a>> {
    let first_end = text.find('\n').unwrap_or(text.len());
    let format = match text[..first_end].trim_end() {
        "+++" => Format::Toml,
        "---" => Format::Yaml,
        _ => {
            return Err(Error::at_position(
                shown,
                Position::new(1, 1),
                "missing front matter: start the file with a `+++` line, then `title = \"…\"`, then a `+++` line",
            ));
        }
    };
    let delimiter = if format == Format::Toml { "+++" } else { "---" };
    let front_offset = (first_end + 1).min(text.len());
    let mut line_start = front_offset;
    let mut line_number = 2;
    while line_start < text.len() {
        let line_end = text[line_start..].find('\n').map_or(text.len(), |i| line_start + i);
        if text[line_start..line_end].trim_end() == delimiter {
            let body_start = (line_end + 1).min(text.len());
            return Ok(Split {
                format,
                front: &text[front_offset..line_start],
                front_offset,
                body: &text[body_start..],
                body_line: line_number + 1,
            });
        }
        line_start = line_end + 1;
        line_number += 1;
    }
    Err(Error::at_position(
        shown,
        Position::new(1, 1),
        format!(
            "the front matter opened here with `{delimiter}` is never closed: add a line with `{delimiter}` after it"
        ),
    ))
}

/// Parses the front matter of a split file; `text` is the whole normalised file.
pub fn parse(split: &Split<'_>, text: &str, shown: &Path) -> Result<FrontMatter> {
    let mut front: FrontMatter = match split.format {
        Format::Toml => match parse_plain_toml(split.front) {
            Some(front) => front,
            None => toml::from_str(split.front)
                .map_err(|e| crate::config::toml_error(shown, text, split.front_offset, &e))?,
        },
        Format::Yaml => parse_yaml(split, text, shown)?,
    };
    front.extra.values_mut().for_each(crate::data::dates_as_text);
    if front.title.trim().is_empty() {
        let position = key_position(split, text, "title").unwrap_or(Position::new(1, 1));
        return Err(Error::at_position(shown, position, "`title` must not be empty"));
    }
    if let Some((key, control)) = control_in(&front) {
        let position = key_position(split, text, key).unwrap_or(Position::new(1, 1));
        return Err(Error::at_position(
            shown,
            position,
            format!("{key}: {}", crate::data::control_message(control)),
        ));
    }
    Ok(front)
}

/// The first key whose value holds a control character (written as an escape, `\u0000`: the
/// formats refuse them written as they are), and the character; see [`crate::data`].
fn control_in(front: &FrontMatter) -> Option<(&'static str, char)> {
    let in_text = |text: &str| text.chars().find(|&c| crate::data::is_refused_control(c));
    let texts = [
        ("title", Some(&front.title)),
        ("description", front.description.as_ref()),
        ("slug", front.slug.as_ref()),
        ("template", front.template.as_ref()),
    ];
    let lists = [("tags", &front.tags), ("aliases", &front.aliases)];
    texts
        .into_iter()
        .find_map(|(key, text)| Some((key, in_text(text?)?)))
        .or_else(|| {
            lists.into_iter().find_map(|(key, list)| Some((key, list.iter().find_map(|t| in_text(t))?)))
        })
        .or_else(|| {
            let found =
                front.extra.iter().find_map(|(k, v)| in_text(k).or_else(|| crate::data::control_in_value(v)));
            Some(("extra", found?))
        })
}

/// Reads front matter written in the plainest TOML without the TOML parser, which costs more
/// than the rest of reading a page: one `key = value` a line, for the keys that take a string,
/// a date, a whole number, `true`/`false` or a one-line list of strings, each at most once, with
/// strings that hold no escape, and comments. `None` for anything else, including every
/// mistake, which the TOML parser then reads and reports. Its results are the parser's (a test
/// compares the two over many generated documents).
fn parse_plain_toml(front: &str) -> Option<FrontMatter> {
    let mut title = None;
    let mut front_matter = FrontMatter {
        title: String::new(),
        description: None,
        date: None,
        updated: None,
        draft: false,
        weight: None,
        slug: None,
        template: None,
        tags: Vec::new(),
        aliases: Vec::new(),
        in_search: true,
        extra: serde_json::Map::new(),
    };
    let mut seen = 0u16;
    for line in front.split('\n') {
        let line = line.trim_start_matches([' ', '\t']);
        if line.is_empty() || line.starts_with('#') {
            comment_or_nothing(line)?;
            continue;
        }
        let key_end = line.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))?;
        let (key, rest) = line.split_at(key_end);
        let rest = rest.trim_start_matches([' ', '\t']).strip_prefix('=')?.trim_start_matches([' ', '\t']);
        let bit = match key {
            "title" => {
                let (value, rest) = plain_string(rest)?;
                title = Some(value);
                comment_or_nothing(rest)?;
                1
            }
            "description" | "slug" | "template" => {
                let (value, rest) = plain_string(rest)?;
                comment_or_nothing(rest)?;
                let (field, bit) = match key {
                    "description" => (&mut front_matter.description, 2),
                    "slug" => (&mut front_matter.slug, 4),
                    _ => (&mut front_matter.template, 8),
                };
                *field = Some(value);
                bit
            }
            "date" | "updated" => {
                let (value, rest) = rest.split_at_checked(10)?;
                let plain = value.bytes().enumerate().all(|(i, b)| matches!(i, 4 | 7) == (b == b'-'))
                    && value.bytes().filter(u8::is_ascii_digit).count() == 8;
                comment_or_nothing(rest)?;
                let date = plain.then(|| Date::parse(value)).flatten()?;
                let (field, bit) = match key {
                    "date" => (&mut front_matter.date, 16),
                    _ => (&mut front_matter.updated, 32),
                };
                *field = Some(date);
                bit
            }
            "draft" | "in_search" => {
                let (value, rest) = if let Some(rest) = rest.strip_prefix("true") {
                    (true, rest)
                } else {
                    (false, rest.strip_prefix("false")?)
                };
                comment_or_nothing(rest)?;
                let (field, bit) = match key {
                    "draft" => (&mut front_matter.draft, 64),
                    _ => (&mut front_matter.in_search, 128),
                };
                *field = value;
                bit
            }
            "weight" => {
                let end = rest.find([' ', '\t', '#']).unwrap_or(rest.len());
                let (number, rest) = rest.split_at(end);
                let digits = number.strip_prefix(['+', '-']).unwrap_or(number);
                let plain = !digits.is_empty()
                    && digits.bytes().all(|b| b.is_ascii_digit())
                    && (digits == "0" || !digits.starts_with('0'));
                comment_or_nothing(rest)?;
                front_matter.weight = Some(plain.then(|| number.parse().ok()).flatten()?);
                256
            }
            "tags" | "aliases" => {
                let mut items = Vec::new();
                let mut rest = rest.strip_prefix('[')?.trim_start_matches([' ', '\t']);
                while !rest.starts_with(']') {
                    let (item, after) = plain_string(rest)?;
                    items.push(item);
                    let after = after.trim_start_matches([' ', '\t']);
                    rest = match after.strip_prefix(',') {
                        Some(after) => after.trim_start_matches([' ', '\t']),
                        None if after.starts_with(']') => after,
                        None => return None,
                    };
                }
                comment_or_nothing(&rest[1..])?;
                let (field, bit) = match key {
                    "tags" => (&mut front_matter.tags, 512),
                    _ => (&mut front_matter.aliases, 1024),
                };
                *field = items;
                bit
            }
            _ => return None,
        };
        if seen & bit != 0 {
            return None;
        }
        seen |= bit;
    }
    front_matter.title = title?;
    Some(front_matter)
}

/// A string of [`parse_plain_toml`] at the start of `text` (`"…"` without escapes, or `'…'`),
/// and what follows it.
fn plain_string(text: &str) -> Option<(String, &str)> {
    let quote = *text.as_bytes().first().filter(|&&b| matches!(b, b'"' | b'\''))?;
    let end = memchr::memchr(quote, &text.as_bytes()[1..])? + 1;
    let value = &text[1..end];
    let plain = !has_control(value) && (quote == b'\'' || !value.contains('\\'));
    plain.then(|| (value.to_string(), &text[end + 1..]))
}

/// `Some` if `text` is blank or a comment (after a value, or a whole line), as TOML allows them.
fn comment_or_nothing(text: &str) -> Option<()> {
    let text = text.trim_start_matches([' ', '\t']);
    let plain = text.is_empty() || (text.starts_with('#') && !has_control(text));
    plain.then_some(())
}

/// Whether `text` holds a control character TOML refuses in strings and comments: U+0000 to
/// U+001F but the tab, and U+007F. Each is one byte in UTF-8, so the bytes are read as they are.
fn has_control(text: &str) -> bool {
    text.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f)
}

fn parse_yaml(split: &Split<'_>, text: &str, shown: &Path) -> Result<FrontMatter> {
    // An empty YAML document is `null`, which would give a confusing "invalid type" message.
    if split.front.trim().is_empty() {
        return Err(Error::at_position(shown, Position::new(1, 1), "missing field `title`"));
    }
    serde_saphyr::from_str(split.front).map_err(|e| {
        let inner = e.without_snippet();
        let message = yaml_message(inner);
        let front_line = Position::of_offset(text, split.front_offset).line;
        match inner.location() {
            Some(l) if l.line() > 0 => {
                let position = Position::new(l.line() as usize + front_line - 1, l.column().max(1) as usize);
                Error::at_position(shown, position, message)
            }
            _ => Error::at_position(shown, Position::new(front_line, 1), message),
        }
    })
}

/// The YAML error message without the crate's own "at line X column Y" suffix, which counts
/// lines of the fragment rather than of the file.
pub(crate) fn yaml_message(e: &serde_saphyr::Error) -> String {
    let options = serde_saphyr::render_options! { snippets: serde_saphyr::SnippetMode::Off };
    let full = e.render_with_options(options);
    let first = full.lines().next().unwrap_or_default().trim();
    let cut = first.find(" at line ").map_or(first, |i| &first[..i]);
    let message = cut.trim_end_matches(['.', ',']);
    // The parser's limits stop documents that would grow huge, such as aliases of aliases.
    if let Some(limit) = message.strip_prefix("budget breached: ") {
        return format!(
            "the YAML grows past juxta's limits once its anchors and aliases (`&name`, `*name`) are \
             expanded ({limit}): write the values out, or split the file"
        );
    }
    // The parser's own advice names a setting of the library, not of juxta.
    if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(", set DuplicateKeyPolicy").next().unwrap_or(rest);
        return format!("the key `{key}` appears twice in this mapping");
    }
    message.to_string()
}

/// The position of `key` (a top-level key) in the front matter, for errors found after parsing.
pub fn key_position(split: &Split<'_>, text: &str, key: &str) -> Option<Position> {
    let mut offset = split.front_offset;
    for line in split.front.split_inclusive('\n') {
        let rest = line.trim_start();
        if let Some(after) = rest.strip_prefix(key) {
            let after = after.trim_start_matches([' ', '\t', '"', '\'']);
            if after.starts_with('=') || after.starts_with(':') {
                let column = line.len() - rest.len();
                return Some(Position::of_offset(text, offset + column));
            }
        }
        offset += line.len();
    }
    None
}

/// A date, or a date and time, as written in front matter (`2024-01-31`, `2024-01-31T09:30:00Z`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub struct Date {
    text: String,
    /// Seconds since the Unix epoch, in UTC; midnight UTC for a date without time.
    timestamp: i64,
}

impl Date {
    /// Parses `YYYY-MM-DD`, optionally followed by `THH:MM[:SS[.fff]]` and `Z` or `±HH:MM`.
    pub fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            let s = text.get(r)?;
            s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse().ok())?
        };
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return None;
        }
        let mut seconds = 0;
        if b.len() > 10 {
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
            seconds = hour * 3600 + minute * 60 + second - offset * 60;
        }
        let timestamp = days_from_civil(year, month, day) * 86_400 + seconds;
        Some(Date { text: text.to_string(), timestamp })
    }

    /// A date from a Unix timestamp (used for the build date).
    pub fn from_timestamp(timestamp: i64) -> Date {
        let mut text = String::with_capacity(20);
        push_rfc3339(&mut text, timestamp);
        Date { text, timestamp }
    }

    /// Seconds since the Unix epoch.
    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }

    /// The date as RFC 3339 in UTC, as feeds and sitemaps want it.
    pub fn rfc3339(&self) -> String {
        Date::from_timestamp(self.timestamp).text
    }

    /// Appends [`Date::rfc3339`] to `out`.
    pub fn push_rfc3339(&self, out: &mut String) {
        push_rfc3339(out, self.timestamp);
    }

    /// The date as written (what `Display` writes), without a copy.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The calendar date, `YYYY-MM-DD`, as written.
    pub fn ymd(&self) -> &str {
        &self.text[..10]
    }
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

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's civil calendar algorithms: exact for the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Appends `timestamp` as RFC 3339 in UTC (`2024-01-31T09:30:00Z`). Sitemaps write one per page,
/// so the common years are written digit by digit rather than through `format!`.
fn push_rfc3339(out: &mut String, timestamp: i64) {
    let (y, m, d) = civil_from_days(timestamp.div_euclid(86_400));
    let s = timestamp.rem_euclid(86_400);
    let (hour, minute, second) = (s / 3600, s / 60 % 60, s % 60);
    if !(0..=9999).contains(&y) {
        let _ = write!(out, "{y:04}-{m:02}-{d:02}T{hour:02}:{minute:02}:{second:02}Z");
        return;
    }
    let digits = |out: &mut String, n: i64, width: u32| {
        for place in (0..width).rev() {
            out.push(char::from(b'0' + (n / 10_i64.pow(place) % 10) as u8));
        }
    };
    for (n, width, after) in
        [(y, 4, '-'), (m, 2, '-'), (d, 2, 'T'), (hour, 2, ':'), (minute, 2, ':'), (second, 2, 'Z')]
    {
        digits(out, n, width);
        out.push(after);
    }
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain TOML reader gives what the TOML parser gives, or leaves the document to it.
    fn agrees_with_toml(document: &str) -> bool {
        let parsed = toml::from_str::<FrontMatter>(document);
        match parse_plain_toml(document) {
            Some(plain) => {
                assert_eq!(parsed.as_ref().ok(), Some(&plain), "{document:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn plain_toml_is_read_as_the_parser_reads_it() {
        let plain = [
            "title = \"Page\"\n",
            "title=\"Page\"\ndate = 2024-02-29\ndescription = 'C:\\\\path'\ntags = [\"a\", 'b',]\n",
            "# A comment\n\ttitle\t=\t\"Tab\" # and another\nweight = -7\ndraft = true\nin_search=false#x\n",
            "title = \"É \u{2028}\"\naliases = [ ]\nslug = \"s\"\ntemplate = \"t.html\"\nupdated = 2024-01-01\n",
            "title = \"\"\nweight = +0\n",
        ];
        for document in plain {
            assert!(agrees_with_toml(document), "not read: {document:?}");
        }
        let left = [
            "",
            "description = \"no title\"\n",
            "title = \"a\\nb\"\n",
            "title = \"\"\"x\"\"\"\n",
            "title = 'x'\ntitle = 'y'\n",
            "title = \"x\"\n[extra]\nk = 1\n",
            "title = \"x\"\ndate = 2024-02-30\n",
            "title = \"x\"\ndate = 2024-01-31T09:30:00Z\n",
            "title = \"x\"\nweight = 007\n",
            "title = \"x\"\nweight = 1_000\n",
            "title = \"x\"\ntags = [\n  \"a\",\n]\n",
            "title = \"x\"\nunknown = 1\n",
            "\"title\" = \"x\"\n",
            "title = \"x\" \"y\"\n",
            "title = \"x\"\r\n",
        ];
        for document in left {
            assert!(!agrees_with_toml(document), "read, but should be left to the parser: {document:?}");
        }
    }

    #[test]
    fn plain_toml_agrees_with_the_parser_on_generated_documents() {
        const KEYS: [&str; 14] = [
            "title",
            "description",
            "date",
            "updated",
            "draft",
            "weight",
            "slug",
            "template",
            "tags",
            "aliases",
            "in_search",
            "extra",
            "\"title\"",
            "Title",
        ];
        const VALUES: [&str; 33] = [
            "\"x\"",
            "'y'",
            "\"a\\\"b\"",
            "\"é\"",
            "\"tab\there\"",
            "\"\"",
            "''",
            "'\\'",
            "2024-01-31",
            "2024-02-30",
            "2023-02-29",
            "2024-01-31T09:30:00Z",
            "2024-01-31 09:30:00",
            "true",
            "false",
            "TRUE",
            "1",
            "-1",
            "+1",
            "01",
            "1_0",
            "9223372036854775808",
            "[]",
            "[\"a\",]",
            "[\"a\", 'b']",
            "[1]",
            "[\"a\"",
            "{}",
            "\"x\"y",
            "\"\u{7f}\"",
            "\"\u{85}\"",
            "'\u{9f}'",
            "\"\u{a0}\u{ff}\u{120}€\"",
        ];
        const AROUND: [(&str, &str); 8] = [
            (" = ", ""),
            ("=", ""),
            ("\t=\t", " # c"),
            (" =  ", "#c"),
            (" = ", " x"),
            (" = ", "\u{1}"),
            (" = ", " # \u{9f}"),
            (" = ", " # \u{a0}ÿ"),
        ];
        // A small deterministic generator, so that failures can be replayed.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut read = 0;
        for _ in 0..20_000 {
            let mut document = String::new();
            if next(4) != 0 {
                document.push_str("title = \"T\"\n");
            }
            for _ in 0..next(6) {
                match next(12) {
                    0 => document.push_str("# note\n"),
                    1 => document.push('\n'),
                    _ => {
                        let (before, after) = AROUND[next(AROUND.len())];
                        let indent = ["", "  ", "\t"][next(3)];
                        let (key, value) = (KEYS[next(KEYS.len())], VALUES[next(VALUES.len())]);
                        document.push_str(&format!("{indent}{key}{before}{value}{after}\n"));
                    }
                }
            }
            read += usize::from(agrees_with_toml(&document));
        }
        // Enough of the documents are plain for the comparison to mean something.
        assert!(read > 3_000, "only {read} documents were read without the parser");
    }

    #[test]
    fn dates_parse_with_and_without_time() {
        let d = Date::parse("2024-01-31").unwrap();
        assert_eq!(d.rfc3339(), "2024-01-31T00:00:00Z");
        let t = Date::parse("2024-01-31T09:30:00+02:00").unwrap();
        assert_eq!(t.rfc3339(), "2024-01-31T07:30:00Z");
        assert!(Date::parse("2023-02-29").is_none());
        assert!(Date::parse("2024-13-01").is_none());
        assert!(Date::parse("yesterday").is_none());
    }

    #[test]
    fn timestamps_round_trip() {
        assert_eq!(Date::from_timestamp(0).to_string(), "1970-01-01T00:00:00Z");
        // Years outside 0000-9999 are written as `format!` writes them.
        assert_eq!(Date::from_timestamp(-62_167_219_201).to_string(), "-001-12-31T23:59:59Z");
        assert_eq!(Date::from_timestamp(253_402_300_800).to_string(), "10000-01-01T00:00:00Z");
        assert_eq!(Date::from_timestamp(1_709_211_845).to_string(), "2024-02-29T13:04:05Z");
        assert_eq!(Date::from_timestamp(1_706_659_200).to_string(), "2024-01-31T00:00:00Z");
    }

    #[test]
    fn toml_dates_in_extra_reach_templates_as_the_text_written() {
        let text = "+++\ntitle = \"x\"\n[extra]\nreleased = 2026-12-07\nlist = [07:45:00]\n+++\n";
        let front = parse(&split(text, Path::new("a.md")).unwrap(), text, Path::new("a.md")).unwrap();
        assert_eq!(front.extra["released"], serde_json::json!("2026-12-07"));
        assert_eq!(front.extra["list"], serde_json::json!(["07:45:00"]));
    }

    #[test]
    fn split_finds_the_body_line() {
        let text = "+++\ntitle = \"x\"\n+++\nbody\n";
        let s = split(text, Path::new("a.md")).unwrap();
        assert_eq!(s.front, "title = \"x\"\n");
        assert_eq!(s.body, "body\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn closing_delimiter_without_final_newline_is_accepted() {
        let s = split("---\ntitle: x\n---", Path::new("a.md")).unwrap();
        assert_eq!(s.body, "");
    }

    #[test]
    fn bom_and_crlf_are_normalized() {
        assert_eq!(normalize("\u{feff}a\r\nb\r\n"), "a\nb\n");
    }
}
