//! Splitting a content file into front matter and body, and parsing the front matter (TOML between
//! `+++` lines, YAML between `---` lines) into [`FrontMatter`].
//!
//! Parser positions are relative to the fragment between the delimiters; every error is mapped back
//! to the line and column of the whole file, which is what the author's editor shows.

use std::path::Path;

use serde::Deserialize;

use crate::date::Date;
use crate::error::{Error, Position, Result};

/// The front matter as the author wrote it. Unknown keys are errors: they are usually typos.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FrontMatter {
    /// The title; required.
    pub(crate) title: String,
    /// A one-line description for listings, search results and meta tags.
    pub(crate) description: Option<String>,
    /// Publication date.
    pub(crate) date: Option<Date>,
    /// Date of the last significant change.
    pub(crate) updated: Option<Date>,
    /// Drafts are left out of the build unless `--drafts` is given.
    #[serde(default)]
    pub(crate) draft: bool,
    /// Sort key within a section (lower first).
    pub(crate) weight: Option<i64>,
    /// Replaces the last segment of the page's URL.
    pub(crate) slug: Option<String>,
    /// A template to use instead of the default one.
    pub(crate) template: Option<String>,
    /// Free-form tags.
    #[serde(default)]
    pub(crate) tags: Vec<String>,
    /// Old URLs that should redirect to this page.
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
    /// Whether the page is in the search index (the default); a site map or a page listing
    /// every other page is better left out.
    #[serde(default = "yes")]
    pub(crate) in_search: bool,
    /// On a section (or the home page): lists at most this many pages on its page, the rest on
    /// further pages (`page/2/`, …); see [`crate::listings`].
    pub(crate) paginate_by: Option<usize>,
    /// Free values for templates, as `page.extra`.
    #[serde(default)]
    pub(crate) extra: serde_json::Map<String, serde_json::Value>,
}

fn yes() -> bool {
    true
}

/// The two front matter formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// TOML between `+++` lines.
    Toml,
    /// YAML between `---` lines.
    Yaml,
}

/// A content file split into its parts.
#[derive(Debug)]
pub(crate) struct Split<'a> {
    /// The front matter format.
    pub(crate) format: Format,
    /// The text between the delimiters.
    pub(crate) front: &'a str,
    /// Byte offset of `front` in the whole (normalised) file.
    pub(crate) front_offset: usize,
    /// The Markdown after the closing delimiter.
    pub(crate) body: &'a str,
    /// The 1-based line of the whole file on which `body` starts.
    pub(crate) body_line: usize,
}

/// Splits a normalised content file. `shown` is the path used in errors.
pub(crate) fn split<'a>(text: &'a str, shown: &Path) -> Result<Split<'a>> {
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
pub(crate) fn parse(split: &Split<'_>, text: &str, shown: &Path) -> Result<FrontMatter> {
    let mut front: FrontMatter = match split.format {
        Format::Toml => toml::from_str(split.front)
            .map_err(|e| crate::located::toml_error(shown, text, split.front_offset, &e))?,
        Format::Yaml => parse_yaml(split, text, shown)?,
    };
    front.extra.values_mut().for_each(crate::located::dates_as_text);
    if front.title.trim().is_empty() {
        let position = key_position(split, text, "title").unwrap_or(Position::new(1, 1));
        return Err(Error::at_position(shown, position, "`title` must not be empty"));
    }
    if let Some((key, control)) = control_in(&front) {
        let position = key_position(split, text, key).unwrap_or(Position::new(1, 1));
        return Err(Error::at_position(
            shown,
            position,
            format!("{key}: {}", crate::located::control_message(control)),
        ));
    }
    Ok(front)
}

/// The first key whose value holds a control character (written as an escape, `\u0000`: the
/// formats refuse them written as they are), and the character; see [`crate::data`].
fn control_in(front: &FrontMatter) -> Option<(&'static str, char)> {
    let in_text = |text: &str| text.chars().find(|&c| crate::located::is_refused_control(c));
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
            let found = front
                .extra
                .iter()
                .find_map(|(k, v)| in_text(k).or_else(|| crate::located::control_in_value(v)));
            Some(("extra", found?))
        })
}

fn parse_yaml(split: &Split<'_>, text: &str, shown: &Path) -> Result<FrontMatter> {
    // An empty YAML document is `null`, which would give a confusing "invalid type" message.
    if split.front.trim().is_empty() {
        return Err(Error::at_position(shown, Position::new(1, 1), "missing field `title`"));
    }
    serde_saphyr::from_str(split.front).map_err(|e| {
        let inner = e.without_snippet();
        let message = crate::located::yaml_message(inner);
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

/// The position of `key` (a top-level key) in the front matter, for errors found after parsing.
pub(crate) fn key_position(split: &Split<'_>, text: &str, key: &str) -> Option<Position> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
