//! The `sources` of a dataset as validation reads them: those declared once under `[sources]`
//! and named by id, and those written inline in a value, each checked where it is written.

use std::collections::HashMap;

use super::Validator;
use crate::comparison::sources::*;
use crate::comparison::{Dated, Located};
use crate::date::Date;
use crate::error::Position;
use crate::located::{Node, Value};

/// The fields of a source written as a table.
const SOURCE_KEYS: [&str; 5] = ["title", "publisher", "url", "accessed", "note"];

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
