//! CSV data files: each row a record keyed by the header row, each cell typed (see
//! [`cell_value`]). A file is checked row by row with the `csv` crate's reader, whether or not
//! its records are made: a file no template reads costs the memory of its text alone.

use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Position, Result};
use crate::located::control_message;

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

/// Reads CSV text into a list of records keyed by the header row, or, when `keep` is false
/// (a file no template reads), reads and checks every row the same way without making records:
/// the errors are the same, and the memory taken does not grow with the file.
pub(super) fn records(text: &str, shown: &Path, keep: bool) -> Result<Option<tera::Value>> {
    let (mut reader, keys) = checked_reader(text, shown)?;
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
        if !keep {
            continue;
        }
        let mut row = tera::Map::with_capacity(keys.len());
        for (key, cell) in keys.iter().zip(record.iter()) {
            if let Some(value) = cell_value(cell) {
                row.insert(key.clone(), value);
            }
        }
        rows.push(tera::Value::from(row));
    }
    Ok(keep.then(|| tera::Value::from(rows)))
}

/// A reader positioned after the header row of `text`, which has been checked for an unclosed
/// quote, control characters and a bad header row; and the header's column names, which every
/// row's keys share (one copy of each).
fn checked_reader<'t>(
    text: &'t str,
    shown: &Path,
) -> Result<(csv::Reader<&'t [u8]>, Vec<tera::value::Key<'static>>)> {
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
    let headers = reader.headers().map_err(|e| Error::at_position(shown, at(1, 1), csv_message(&e)))?;
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
    let keys = headers.iter().map(|name| tera::value::Key::String(Arc::from(name.trim()))).collect();
    Ok((reader, keys))
}

/// A position the CSV reader reports (a line from 1, or 0 before the first).
fn at(line: u64, column: usize) -> Position {
    Position::new(line.max(1) as usize, column)
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

    /// The records of `text`, or its error.
    fn read(text: &str) -> Result<tera::Value> {
        records(text, Path::new("data/x.csv"), true).map(|value| value.expect("records are kept"))
    }

    #[test]
    fn csv_cells_are_typed_and_empty_cells_missing() {
        let text = "name,count,ratio,ok,code,note\nA,3,0.5,true,007,plain\nB,-2,1e3,false,12, \n";
        assert_eq!(
            read(text).unwrap(),
            seen(json!([
                {"name": "A", "count": 3, "ratio": 0.5, "ok": true, "code": "007", "note": "plain"},
                {"name": "B", "count": -2, "ratio": 1000.0, "ok": false, "code": 12}
            ]))
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
        let e = read("a,b\n1,2\n3\n").unwrap_err();
        assert_eq!(e.to_string(), "data/x.csv:3:1: this row has 1 cell but the header row has 2 columns");
    }

    #[test]
    fn an_unclosed_quote_is_an_error_at_the_quote() {
        let e = read("a,b\n1,\"two\n3,4\n").unwrap_err();
        assert_eq!(e.position(), Some(Position::new(2, 3)));
        assert_eq!(unclosed_quote("a,\"b\"\"c\",d\n"), None);
        assert_eq!(unclosed_quote("a,b\"c,d\n"), None, "a quote inside a cell opens nothing");
    }

    #[test]
    fn duplicate_column_names_are_refused() {
        let e = read("a,a\n1,2\n").unwrap_err();
        assert_eq!(e.to_string(), "data/x.csv:1:1: the header row names column `a` twice");
    }

    /// A file no template reads is checked as a read one is: every error the same, at the same
    /// place, and nothing kept.
    #[test]
    fn a_file_read_without_keeping_its_records_has_the_same_errors() {
        let cases = [
            "a,b\n1,2\n3\n",
            "a,b\n1,\"two\n3,4\n",
            "a,a\n1,2\n",
            "a, \n1,2\n",
            "a,b\n1,x\u{0}y\n",
            "a,b\n1,2,3\n",
            "a,b\n1,2\n",
            "",
        ];
        for text in cases {
            let kept = records(text, Path::new("data/x.csv"), true);
            let checked = records(text, Path::new("data/x.csv"), false);
            match (kept, checked) {
                (Ok(Some(_)), Ok(None)) => {}
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text:?}"),
                (a, b) => panic!("{text:?}: {a:?} / {b:?}"),
            }
        }
    }
}
