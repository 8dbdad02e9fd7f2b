//! The files of `data/`, loaded and exposed to templates and pages as `data.<file stem>`.
//!
//! Each file is parsed with its format's parser; a malformed file is an error naming
//! `data/<file>:line:col`. A CSV file becomes a list of records keyed by its header row, with
//! each cell typed (see [`cell_value`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::comparison::{self, Comparison};
use crate::error::{Error, Position, Result};

/// The data folder's name, relative to the project root.
pub const DATA_DIR: &str = "data";

/// Everything in `data/`, by file stem.
#[derive(Debug, Clone, Default)]
pub struct Data {
    /// Files by stem, sorted.
    pub files: BTreeMap<String, DataFile>,
    /// The files declaring `kind = "comparison"`, validated, by stem.
    pub comparisons: BTreeMap<String, Comparison>,
}

/// One loaded data file.
#[derive(Debug, Clone)]
pub struct DataFile {
    /// Path shown in errors: `data/<file>`.
    pub shown: PathBuf,
    /// The file's contents.
    pub value: serde_json::Value,
}

impl Data {
    /// All files as one map, for templates.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::Value::Object(self.files.iter().map(|(k, f)| (k.clone(), f.value.clone())).collect())
    }
}

/// Loads every data file under `root/data/` (not in subfolders; hidden files ignored).
pub fn load(root: &Path) -> Result<Data> {
    let dir = root.join(DATA_DIR);
    let mut data = Data::default();
    if !dir.is_dir() {
        return Ok(data);
    }
    let entries =
        std::fs::read_dir(&dir).map_err(|e| Error::at(DATA_DIR, "cannot read the folder").caused_by(e))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::at(DATA_DIR, "cannot read the folder").caused_by(e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str().map(str::to_string) else {
            return Err(Error::at(entry.path(), "the file name is not valid UTF-8: rename the file"));
        };
        if name.starts_with('.') || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        paths.push(name);
    }
    paths.sort();
    let mut errors = Vec::new();
    for name in paths {
        let shown = Path::new(DATA_DIR).join(&name);
        let Some((stem, ext)) = name.rsplit_once('.') else {
            errors
                .push(Error::at(&shown, "a data file needs an extension: .toml, .yaml, .yml, .json or .csv"));
            continue;
        };
        match load_file(&dir.join(&name), &shown, ext) {
            Ok((value, text)) => {
                if let Some(other) = data.files.get(stem) {
                    errors.push(Error::at(
                        &shown,
                        format!(
                            "`{}` already provides `data.{stem}`: rename one of them",
                            other.shown.display()
                        ),
                    ));
                    continue;
                }
                if comparison::is_declared(&value) {
                    let validated = crate::located::parse(&text, ext, &shown)
                        .map_err(|e| vec![e])
                        .and_then(|root| comparison::validate(stem, &shown, &root));
                    match validated {
                        Ok(c) => {
                            data.comparisons.insert(stem.to_string(), c);
                        }
                        Err(e) => errors.extend(e),
                    }
                }
                data.files.insert(stem.to_string(), DataFile { shown, value });
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(data) } else { Err(Error::many(errors)) }
}

/// Parses one file; returns its value and its normalised text.
fn load_file(path: &Path, shown: &Path, ext: &str) -> Result<(serde_json::Value, String)> {
    let raw = crate::fs::read_source(path, shown)?;
    parse_file(&raw, shown, ext)
}

/// Parses the text of one data file in the format its extension `ext` names.
pub(crate) fn parse_file(raw: &str, shown: &Path, ext: &str) -> Result<(serde_json::Value, String)> {
    let text = crate::front_matter::normalize(raw).into_owned();
    let value = match ext.to_ascii_lowercase().as_str() {
        "toml" => toml::from_str(&text).map_err(|e| crate::config::toml_error(shown, &text, 0, &e)),
        "json" => serde_json::from_str::<Strict>(&text).map(|s| s.0).map_err(|e| {
            let message = e.to_string();
            let message = message.find(" at line ").map_or(message.as_str(), |i| &message[..i]).to_string();
            Error::at_position(shown, Position::new(e.line().max(1), e.column().max(1)), message)
        }),
        "yaml" | "yml" => serde_saphyr::from_str(&text).map_err(|e| crate::located::yaml_error(shown, &e)),
        "csv" => csv_records(&text, shown),
        other => Err(Error::at(
            shown,
            format!("`.{other}` is not a data format juxta reads: use .toml, .yaml, .yml, .json or .csv"),
        )),
    }?;
    Ok((value, text))
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
fn csv_records(text: &str, shown: &Path) -> Result<serde_json::Value> {
    // The CSV reader takes an unclosed quote as running to the end of the file; that is a typo.
    if let Some(offset) = unclosed_quote(text) {
        return Err(Error::at_position(
            shown,
            Position::of_offset(text, offset),
            "the quoted cell opened here is never closed: add the closing `\"`",
        ));
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
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(1, csv::Position::line);
            Error::at_position(shown, at(line, 1), csv_message(&e))
        })?;
        let mut row = serde_json::Map::new();
        for (name, cell) in headers.iter().zip(record.iter()) {
            if let Some(value) = cell_value(cell) {
                row.insert(name.trim().to_string(), value);
            }
        }
        rows.push(serde_json::Value::Object(row));
    }
    Ok(serde_json::Value::Array(rows))
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
pub fn cell_value(cell: &str) -> Option<serde_json::Value> {
    let trimmed = cell.trim();
    if trimmed.is_empty() {
        return None;
    }
    let value = match trimmed {
        "true" | "TRUE" | "True" => serde_json::Value::Bool(true),
        "false" | "FALSE" | "False" => serde_json::Value::Bool(false),
        _ => {
            let digits = trimmed.trim_start_matches(['-', '+']);
            let leading_zero = digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0.");
            let numeric = !leading_zero && digits.starts_with(|c: char| c.is_ascii_digit());
            match (numeric, trimmed.parse::<i64>(), trimmed.parse::<f64>()) {
                (true, Ok(i), _) => serde_json::Value::from(i),
                (true, _, Ok(f)) if f.is_finite() => serde_json::Value::from(f),
                _ => serde_json::Value::String(cell.to_string()),
            }
        }
    };
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csv_cells_are_typed_and_empty_cells_missing() {
        let text = "name,count,ratio,ok,code,note\nA,3,0.5,true,007,plain\nB,-2,1e3,false,12, \n";
        let value = csv_records(text, Path::new("data/x.csv")).unwrap();
        assert_eq!(
            value,
            json!([
                {"name": "A", "count": 3, "ratio": 0.5, "ok": true, "code": "007", "note": "plain"},
                {"name": "B", "count": -2, "ratio": 1000.0, "ok": false, "code": 12}
            ])
        );
    }

    #[test]
    fn words_that_parse_as_floats_stay_text() {
        assert_eq!(cell_value("NaN"), Some(json!("NaN")));
        assert_eq!(cell_value("inf"), Some(json!("inf")));
        assert_eq!(cell_value("0.25"), Some(json!(0.25)));
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
}
