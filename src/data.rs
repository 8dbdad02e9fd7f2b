//! The files of `data/`, loaded and exposed to templates and pages as `data.<file stem>`.
//!
//! Each file is parsed with its format's parser; a malformed file is an error naming
//! `data/<file>:line:col`. A CSV file becomes a list of records keyed by its header row, with
//! each cell typed (see [`cell_value`]). Values are kept in the form templates read them
//! ([`tera::Value`]), made once: a CSV file's rows go straight into that form, sharing their
//! column names, so that a large file costs memory in proportion to its size.
//!
//! No value may hold a control character (`NUL`, an escape): a browser shows it as an error or
//! not at all, so it is refused at the place it is written, in every format.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::comparison::{self, Comparison};
use crate::error::{Error, Position, Result};
use crate::located::{control_in_value, control_message};
use crate::source::DATA_DIR;

/// Everything in `data/`, by file stem.
#[derive(Debug, Clone, Default)]
pub(crate) struct Data {
    /// Files by stem, sorted.
    pub(crate) files: BTreeMap<String, DataFile>,
    /// The files declaring `kind = "comparison"`, validated, by stem.
    pub(crate) comparisons: BTreeMap<String, Comparison>,
}

/// One loaded data file.
#[derive(Debug, Clone)]
pub(crate) struct DataFile {
    /// Path shown in errors: `data/<file>`.
    pub(crate) shown: PathBuf,
    /// The file's contents, as templates see them.
    pub(crate) value: tera::Value,
}

impl Data {
    /// All files as one map, for templates. The files' values are shared, not copied.
    pub(crate) fn to_value(&self) -> tera::Value {
        let mut map = tera::Map::with_capacity(self.files.len());
        for (stem, file) in &self.files {
            map.insert(tera::value::Key::String(Arc::from(stem.as_str())), file.value.clone());
        }
        tera::Value::from(map)
    }
}

/// A data file read: its value, and whether it declares a comparison.
pub(crate) struct Parsed {
    /// What templates see.
    pub(crate) value: tera::Value,
    /// Whether it says `kind = "comparison"`.
    pub(crate) comparison: bool,
    /// For a comparison, the text (byte order mark removed, line endings normalised), read again
    /// for the positions of its values; empty otherwise.
    pub(crate) text: String,
}

/// Loads every data file under `root/data/` (not in subfolders; hidden files ignored).
pub(crate) fn load(root: &Path) -> Result<Data> {
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
    for name in paths {
        let shown = Path::new(DATA_DIR).join(&name);
        let Some((stem, ext)) = name.rsplit_once('.') else {
            errors
                .push(Error::at(&shown, "a data file needs an extension: .toml, .yaml, .yml, .json or .csv"));
            continue;
        };
        let parsed = match crate::fs::read_source(&dir.join(&name), &shown)
            .and_then(|raw| parse_file(&raw, &shown, ext))
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

/// Parses the text of one data file in the format its extension `ext` names.
pub(crate) fn parse_file(raw: &str, shown: &Path, ext: &str) -> Result<Parsed> {
    let text = crate::located::normalize(raw);
    let ext = ext.to_ascii_lowercase();
    if ext == "csv" {
        let value = csv_records(&text, shown)?;
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
    Ok(Parsed { value: tera::Value::from_serializable(&value), comparison, text })
}

/// The first refused control character of `text` and its offset, found a byte at a time (a CSV
/// file may be large): C0 controls and DEL are single bytes, C1 controls two starting with 0xC2.
fn first_control(text: &str) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    let offset = bytes.iter().enumerate().position(|(i, &b)| {
        (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
            || b == 0x7f
            || (b == 0xc2 && bytes.get(i + 1).is_some_and(|next| (0x80..0xa0).contains(next)))
    })?;
    Some((offset, text[offset..].chars().next()?))
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

/// Reads CSV text into a list of records keyed by the header row.
fn csv_records(text: &str, shown: &Path) -> Result<tera::Value> {
    // The CSV reader takes an unclosed quote as running to the end of the file; that is a typo.
    if let Some(offset) = unclosed_quote(text) {
        return Err(Error::at_position(
            shown,
            Position::of_offset(text, offset),
            "the quoted cell opened here is never closed: add the closing `\"`",
        ));
    }
    // A CSV file has no escapes: a control character is in the text as it is.
    if let Some((offset, control)) = first_control(text) {
        return Err(Error::at_position(shown, Position::of_offset(text, offset), control_message(control)));
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let at = |line: u64, column: usize| Position::new(line.max(1) as usize, column);
    let headers = reader.headers().map_err(|e| Error::at_position(shown, at(1, 1), csv_message(&e)))?.clone();
    let mut seen = std::collections::HashSet::new();
    for (i, name) in headers.iter().enumerate() {
        if name.trim().is_empty() {
            return Err(Error::at_position(
                shown,
                at(1, 1),
                format!("column {} has no name in the header row", i + 1),
            ));
        }
        if !seen.insert(name.trim()) {
            return Err(Error::at_position(
                shown,
                at(1, 1),
                format!("the header row names column `{name}` twice"),
            ));
        }
    }
    // Every row's keys share one copy of each column name.
    let keys: Vec<tera::value::Key<'static>> =
        headers.iter().map(|name| tera::value::Key::String(Arc::from(name.trim()))).collect();
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(1, csv::Position::line);
                return Err(Error::at_position(shown, at(line, 1), csv_message(&e)));
            }
        }
        let mut row = tera::Map::with_capacity(keys.len());
        for (key, cell) in keys.iter().zip(record.iter()) {
            if let Some(value) = cell_value(cell) {
                row.insert(key.clone(), value);
            }
        }
        rows.push(tera::Value::from(row));
    }
    Ok(tera::Value::from(rows))
}

/// The byte offset of a `"` that opens a quoted cell and is never closed.
fn unclosed_quote(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut open = None;
    let mut cell_start = true;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if open.is_some() {
            if b == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    open = None;
                    cell_start = false;
                }
            }
        } else if matches!(b, b',' | b'\n' | b'\r') {
            cell_start = true;
        } else if b == b'"' && cell_start {
            open = Some(i);
        } else {
            cell_start = false;
        }
        i += 1;
    }
    open
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            let cells = if *len == 1 { "cell" } else { "cells" };
            format!("this row has {len} {cells} but the header row has {expected_len} columns")
        }
        _ => e.to_string(),
    }
}

/// Types one CSV cell: empty is missing; `true`/`false` are booleans; integers and decimal
/// numbers are numbers, except numbers with a leading zero (`007`, postal codes), which stay
/// text; anything else is text. Surrounding spaces are ignored for the typing, kept for text.
pub(crate) fn cell_value(cell: &str) -> Option<tera::Value> {
    let trimmed = cell.trim();
    if trimmed.is_empty() {
        return None;
    }
    let value = match trimmed {
        "true" | "TRUE" | "True" => tera::Value::from(true),
        "false" | "FALSE" | "False" => tera::Value::from(false),
        _ => {
            let digits = trimmed.trim_start_matches(['-', '+']);
            let leading_zero = digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0.");
            let numeric = !leading_zero && digits.starts_with(|c: char| c.is_ascii_digit());
            match (numeric, trimmed.parse::<i64>(), trimmed.parse::<f64>()) {
                (true, Ok(i), _) => tera::Value::from(i),
                (true, _, Ok(f)) if f.is_finite() => tera::Value::from(f),
                _ => tera::Value::from(cell),
            }
        }
    };
    Some(value)
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
    fn csv_cells_are_typed_and_empty_cells_missing() {
        let text = "name,count,ratio,ok,code,note\nA,3,0.5,true,007,plain\nB,-2,1e3,false,12, \n";
        let value = csv_records(text, Path::new("data/x.csv")).unwrap();
        assert_eq!(
            value,
            seen(json!([
                {"name": "A", "count": 3, "ratio": 0.5, "ok": true, "code": "007", "note": "plain"},
                {"name": "B", "count": -2, "ratio": 1000.0, "ok": false, "code": 12}
            ]))
        );
    }

    #[test]
    fn toml_dates_reach_templates_as_the_text_written() {
        let text = "checked = 2026-12-07\n[[rows]]\nat = 2026-12-07T10:30:00Z\nclock = 07:45:00\n";
        let parsed = parse_file(text, Path::new("data/x.toml"), "toml").unwrap();
        assert_eq!(
            parsed.value,
            seen(
                json!({"checked": "2026-12-07", "rows": [{"at": "2026-12-07T10:30:00Z", "clock": "07:45:00"}]})
            )
        );
    }

    #[test]
    fn words_that_parse_as_floats_stay_text() {
        assert_eq!(cell_value("NaN"), Some(seen(json!("NaN"))));
        assert_eq!(cell_value("inf"), Some(seen(json!("inf"))));
        assert_eq!(cell_value("0.25"), Some(seen(json!(0.25))));
    }

    #[test]
    fn a_ragged_row_names_its_line() {
        let e = csv_records("a,b\n1,2\n3\n", Path::new("data/x.csv")).unwrap_err();
        assert_eq!(e.to_string(), "data/x.csv:3:1: this row has 1 cell but the header row has 2 columns");
    }

    #[test]
    fn an_unclosed_quote_is_an_error_at_the_quote() {
        let e = csv_records("a,b\n1,\"two\n3,4\n", Path::new("data/x.csv")).unwrap_err();
        assert_eq!(e.position(), Some(Position::new(2, 3)));
        assert_eq!(unclosed_quote("a,\"b\"\"c\",d\n"), None);
        assert_eq!(unclosed_quote("a,b\"c,d\n"), None, "a quote inside a cell opens nothing");
    }

    #[test]
    fn duplicate_column_names_are_refused() {
        let e = csv_records("a,a\n1,2\n", Path::new("data/x.csv")).unwrap_err();
        assert_eq!(e.to_string(), "data/x.csv:1:1: the header row names column `a` twice");
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
        for (ext, text, expected) in cases {
            let message = parse_file(text, shown, ext).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(message.starts_with(expected), "{ext}: {message}");
        }
        assert!(parse_file("a\tb\n1\t2\r\n", shown, "csv").is_ok(), "tabs and line ends are text");
    }
}
