//! The files of `data/`, loaded and exposed to templates and pages as `data.<file stem>`.
//!
//! Each file is parsed with its format's parser; a malformed file is an error naming
//! `data/<file>:line:col`. A CSV file becomes a list of records keyed by its header row, with
//! each cell typed (see [`csv::cell_value`]). Values are kept in the form templates read them
//! ([`tera::Value`]), made once: a CSV file's rows go straight into that form, sharing their
//! column names, so that a large file costs memory in proportion to its size.
//!
//! Only the files that templates and pages can read are kept for them ([`Readers`] says which):
//! every file is read and checked, with the same errors, but a file nothing names costs no
//! memory once checked, and a CSV file's rows are checked one at a time without being made
//! into values at all.
//!
//! No value may hold a control character (`NUL`, an escape): a browser shows it as an error or
//! not at all, so it is refused at the place it is written, in every format.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::comparison::{self, Comparison};
use crate::error::{Error, Position, Result};
use crate::located::{control_in_value, control_message};
use crate::source::DATA_DIR;

mod csv;

/// Everything in `data/`, by file stem.
#[derive(Debug, Clone, Default)]
pub(crate) struct Data {
    /// Files by stem, sorted.
    pub(crate) files: BTreeMap<String, DataFile>,
    /// The files declaring `kind = "comparison"`, validated, by stem.
    pub(crate) comparisons: BTreeMap<String, Comparison>,
}

/// One data file, read and checked.
#[derive(Debug, Clone)]
pub(crate) struct DataFile {
    /// Path shown in errors: `data/<file>`.
    pub(crate) shown: PathBuf,
    /// The file's contents, as templates see them; `None` when nothing reads the file.
    pub(crate) value: Option<tera::Value>,
}

impl Data {
    /// The files kept for templates as one map. The files' values are shared, not copied.
    pub(crate) fn to_value(&self) -> tera::Value {
        let mut map = tera::Map::with_capacity(self.files.len());
        for (stem, file) in &self.files {
            if let Some(value) = &file.value {
                map.insert(tera::value::Key::String(Arc::from(stem.as_str())), value.clone());
            }
        }
        tera::Value::from(map)
    }

    /// Whether `readers` read a file that was not kept: the data must be loaded again for them.
    pub(crate) fn lacks(&self, readers: &Readers) -> bool {
        let stems: Vec<&str> = self.files.keys().map(String::as_str).collect();
        self.files.iter().any(|(stem, file)| file.value.is_none() && readers.read(stem, &stems))
    }
}

/// What templates, page bodies and the `extra` tables of front matter and `site.toml` read of
/// `data`, which decides the files kept for them. A file is kept when
///
/// - something reads `data` as a whole ([`Readers::whole`]), or
/// - a template or body reads it as `data.<name>` or `data["<name>"]`, or reads a name that no
///   file has but is close to the file's (a misspelling: Tera's error then lists the file), or
/// - its name appears as a word (not within a longer name of letters, digits and `_`) in a
///   template, a page's body, or a key or text of an `extra` table.
///
/// The last rule is a net under the first two: it catches a name that reaches a template any
/// other way, and may keep a file nothing reads. A file a template reads is never left out.
#[derive(Debug, Clone, Default)]
pub(crate) struct Readers {
    /// Something reads `data` as a whole: loops over it, prints it, tests it, indexes it with a
    /// name computed when rendering, or assigns it or hands it to a filter, function or
    /// component; or a template reads every variable (`__tera_context`). Every file is kept.
    pub(crate) whole: bool,
    /// The names read as `data.<name>` or `data["<name>"]`.
    pub(crate) names: BTreeSet<String>,
    /// Texts in which a file's name, as a word, keeps it.
    pub(crate) texts: Vec<Arc<str>>,
}

impl Readers {
    /// Readers that keep every file.
    pub(crate) fn every() -> Readers {
        Readers { whole: true, ..Readers::default() }
    }

    /// Whether the file `stem` is kept; `stems` are every data file's.
    pub(crate) fn read(&self, stem: &str, stems: &[&str]) -> bool {
        self.whole
            || self.names.contains(stem)
            || self
                .names
                .iter()
                .any(|name| !stems.contains(&name.as_str()) && crate::suggest::is_close(name, stem))
            || self.texts.iter().any(|text| has_word(text, stem))
    }
}

/// Whether `word` appears in `text` with no letter, digit or `_` just before or after it.
fn has_word(text: &str, word: &str) -> bool {
    let is_name = |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_');
    let bytes = text.as_bytes();
    !word.is_empty()
        && memchr::memmem::find_iter(bytes, word.as_bytes()).any(|at| {
            !is_name(at.checked_sub(1).and_then(|before| bytes.get(before)))
                && !is_name(bytes.get(at + word.len()))
        })
}

/// A data file read: its value, and whether it declares a comparison.
pub(crate) struct Parsed {
    /// What templates see, when it is kept for them.
    pub(crate) value: Option<tera::Value>,
    /// Whether it says `kind = "comparison"`.
    pub(crate) comparison: bool,
    /// For a comparison, the text (byte order mark removed, line endings normalised), read again
    /// for the positions of its values; empty otherwise.
    pub(crate) text: String,
}

/// Loads every data file under `root/data/` (not in subfolders; hidden files ignored), keeping
/// for templates the files `readers` read.
pub(crate) fn load(root: &Path, readers: &Readers) -> Result<Data> {
    let dir = root.join(DATA_DIR);
    let mut data = Data::default();
    if !dir.is_dir() {
        return Ok(data);
    }
    let entries =
        std::fs::read_dir(&dir).map_err(|e| Error::at(DATA_DIR, "cannot read the folder").caused_by(e))?;
    let mut paths = Vec::new();
    let mut errors = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::at(DATA_DIR, "cannot read the folder").caused_by(e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str().map(str::to_string) else {
            let shown = Path::new(DATA_DIR).join(entry.file_name());
            errors.push(Error::at(shown, "the file name is not valid UTF-8: rename the file"));
            continue;
        };
        if name.starts_with('.') || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        if let Err(problem) = crate::urls::check_portable(&name) {
            errors.push(Error::at(Path::new(DATA_DIR).join(&name), format!("{problem}: rename the file")));
            continue;
        }
        paths.push(name);
    }
    paths.sort();
    let stems: Vec<&str> =
        paths.iter().map(|name| name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s)).collect();
    for name in &paths {
        let shown = Path::new(DATA_DIR).join(name);
        let Some((stem, ext)) = name.rsplit_once('.') else {
            errors
                .push(Error::at(&shown, "a data file needs an extension: .toml, .yaml, .yml, .json or .csv"));
            continue;
        };
        let keep = readers.read(stem, &stems);
        let parsed = match crate::fs::read_source(&dir.join(name), &shown)
            .and_then(|raw| parse_file(&raw, &shown, ext, keep))
        {
            Ok(parsed) => parsed,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if let Some(other) = data.files.get(stem) {
            errors.push(Error::at(
                &shown,
                format!("`{}` already provides `data.{stem}`: rename one of them", other.shown.display()),
            ));
            continue;
        }
        if parsed.comparison {
            let validated = crate::located::parse(&parsed.text, ext, &shown)
                .map_err(|e| vec![e])
                .and_then(|root| comparison::validate(stem, &shown, &root));
            match validated {
                Ok(c) => {
                    data.comparisons.insert(stem.to_string(), c);
                }
                Err(e) => errors.extend(e),
            }
        }
        data.files.insert(stem.to_string(), DataFile { shown, value: parsed.value });
    }
    if errors.is_empty() { Ok(data) } else { Err(Error::many(errors)) }
}

/// Parses the text of one data file in the format its extension `ext` names; its value is made
/// for templates only when `keep`, but it is checked all the same.
pub(crate) fn parse_file(raw: &str, shown: &Path, ext: &str, keep: bool) -> Result<Parsed> {
    let text = crate::located::normalize(raw);
    let ext = ext.to_ascii_lowercase();
    if ext == "csv" {
        let value = csv::records(&text, shown, keep)?;
        return Ok(Parsed { value, comparison: false, text: String::new() });
    }
    let mut value: serde_json::Value = match ext.as_str() {
        "toml" => toml::from_str(&text).map_err(|e| crate::located::toml_error(shown, &text, 0, &e)),
        "json" => serde_json::from_str::<Strict>(&text).map(|s| s.0).map_err(|e| {
            let message = e.to_string();
            let message = message.find(" at line ").map_or(message.as_str(), |i| &message[..i]).to_string();
            Error::at_position(shown, Position::new(e.line().max(1), e.column().max(1)), message)
        }),
        "yaml" | "yml" => serde_saphyr::from_str(&text).map_err(|e| crate::located::yaml_error(shown, &e)),
        other => Err(Error::at(
            shown,
            format!("`.{other}` is not a data format juxta reads: use .toml, .yaml, .yml, .json or .csv"),
        )),
    }?;
    if let Some(control) = control_in_value(&value) {
        return Err(control_error(&text, &ext, shown, control));
    }
    crate::located::dates_as_text(&mut value);
    let comparison = comparison::is_declared(&value);
    let text = if comparison { text.into_owned() } else { String::new() };
    let value = keep.then(|| tera::Value::from_serializable(&value));
    Ok(Parsed { value, comparison, text })
}

/// The error for a control character in a value, at the key or value holding it (found by reading
/// the file again with positions, which only a file with this error pays for).
fn control_error(text: &str, ext: &str, shown: &Path, control: char) -> Error {
    let message = control_message(control);
    let at = crate::located::parse(text, ext, shown).ok().and_then(|root| position_of(&root, control));
    match at {
        Some(at) => Error::at_position(shown, at, message),
        None => Error::at(shown, message),
    }
}

/// Where the key or string holding `control` is written.
fn position_of(node: &crate::located::Node, control: char) -> Option<Position> {
    use crate::located::Value;
    match &node.value {
        Value::Str(s) if s.contains(control) => Some(node.at),
        Value::Seq(items) => items.iter().find_map(|n| position_of(n, control)),
        Value::Map(entries) => entries.iter().find_map(|e| match e.key.contains(control) {
            true => Some(e.key_at),
            false => position_of(&e.node, control),
        }),
        _ => None,
    }
}

/// A JSON value read like `serde_json::Value`, except that a key written twice in one object is
/// an error (at the second one) rather than silently replacing the first, as in the other
/// formats.
struct Strict(serde_json::Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Strict, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> std::result::Result<serde_json::Value, E> {
        Ok(v.into())
    }

    fn visit_i64<E>(self, v: i64) -> std::result::Result<serde_json::Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E>(self, v: u64) -> std::result::Result<serde_json::Value, E> {
        Ok(v.into())
    }

    fn visit_f64<E>(self, v: f64) -> std::result::Result<serde_json::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> std::result::Result<serde_json::Value, E> {
        Ok(v.into())
    }

    fn visit_string<E>(self, v: String) -> std::result::Result<serde_json::Value, E> {
        Ok(v.into())
    }

    fn visit_unit<E>(self) -> std::result::Result<serde_json::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<serde_json::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(serde_json::Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<serde_json::Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "the key `{key}` appears twice in this object"
                )));
            }
            let Strict(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(serde_json::Value::Object(object))
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A value as templates see it, from JSON.
    fn seen(value: serde_json::Value) -> tera::Value {
        tera::Value::from_serializable(&value)
    }

    #[test]
    fn toml_dates_reach_templates_as_the_text_written() {
        let text = "checked = 2026-12-07\n[[rows]]\nat = 2026-12-07T10:30:00Z\nclock = 07:45:00\n";
        let parsed = parse_file(text, Path::new("data/x.toml"), "toml", true).unwrap();
        assert_eq!(
            parsed.value.unwrap(),
            seen(
                json!({"checked": "2026-12-07", "rows": [{"at": "2026-12-07T10:30:00Z", "clock": "07:45:00"}]})
            )
        );
    }

    #[test]
    fn a_control_character_in_a_value_is_an_error_where_it_is_written() {
        let shown = Path::new("data/x");
        let cases = [
            ("csv", "a,b\n1,x\u{0}y\n", "data/x:2:4: this value holds the control character U+0000 (NUL)"),
            ("csv", "a,b\n1,\u{85}\n", "data/x:2:3: this value holds the control character U+0085"),
            (
                "json",
                "{\"a\": [1, \"x\\u0000\"]}",
                "data/x:1:11: this value holds the control character U+0000",
            ),
            (
                "toml",
                "a = 1\n[t]\n\"k\\u001b\" = 2\n",
                "data/x:3:1: this value holds the control character U+001B (escape)",
            ),
            ("yaml", "a:\n  - \"\\x07\"\n", "data/x:2:5: this value holds the control character U+0007"),
        ];
        for ((ext, text, expected), keep) in cases.into_iter().flat_map(|case| [(case, true), (case, false)])
        {
            let message = parse_file(text, shown, ext, keep).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(message.starts_with(expected), "{ext}, kept {keep}: {message}");
        }
        assert!(parse_file("a\tb\n1\t2\r\n", shown, "csv", false).is_ok(), "tabs and line ends are text");
    }

    #[test]
    fn a_name_counts_as_a_word_only_where_no_letter_digit_or_underscore_touches_it() {
        for text in ["data.big", "data[\"big\"]", "big", "(big)", "rows of big-endian", "é big é"] {
            assert!(has_word(text, "big"), "{text}");
        }
        for text in ["bigger", "a_big", "big_table", "big2", "2big", "", "bi g"] {
            assert!(!has_word(text, "big"), "{text}");
        }
        assert!(has_word("data[\"my-rows\"]", "my-rows"));
        assert!(has_word("the big and bigger", "big"), "a later occurrence counts");
        assert!(!has_word("anything", ""));
    }

    #[test]
    fn a_file_is_kept_when_read_by_name_by_a_near_miss_or_named_as_a_word() {
        let stems = ["protocols", "rows", "big"];
        let readers = Readers {
            names: ["rows".to_string(), "protocls".to_string(), "nothing_like_it".to_string()].into(),
            texts: vec![Arc::from("{{ data.rows }} and protocols")],
            ..Readers::default()
        };
        assert!(readers.read("rows", &stems));
        assert!(readers.read("protocols", &stems));
        assert!(!readers.read("big", &stems));
        let misspelt = Readers { names: ["protocls".to_string()].into(), ..Readers::default() };
        assert!(misspelt.read("protocols", &stems), "Tera's error lists the file meant");
        let near_but_real = Readers { names: ["rows".to_string()].into(), ..Readers::default() };
        assert!(
            !near_but_real.read("rowz", &["rows", "rowz"]),
            "a name read that is a file's is no misspelling"
        );
        assert!(Readers::every().read("big", &stems));
        assert!(!Readers::default().read("big", &stems));
    }
}
