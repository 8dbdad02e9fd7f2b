//! A data file parsed into a tree that keeps the line and column of every value and key, so that
//! errors found after parsing (a comparison dataset's validation) can point into the file.
//!
//! TOML is read with `toml`'s span-keeping document parser; YAML and JSON (a subset of YAML
//! 1.2) with `serde-saphyr`'s `Spanned`.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::error::{Error, Lines, Position, Result};

/// A value and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    /// Where the value starts (for a table of an array of tables, its header).
    pub(crate) at: Position,
    /// The value.
    pub(crate) value: Value,
}

/// A value of a data file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// YAML `null`, JSON `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer or a decimal number.
    Number(serde_json::Number),
    /// Text (TOML dates are kept as their text).
    Str(String),
    /// A list.
    Seq(Vec<Node>),
    /// A table, in the file's order.
    Map(Vec<Entry>),
}

/// One key of a table and its value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    /// The key.
    pub(crate) key: String,
    /// Where the key is written.
    pub(crate) key_at: Position,
    /// The value.
    pub(crate) node: Node,
}

impl Node {
    /// The entries when this is a table.
    pub(crate) fn entries(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value of `key` when this is a table holding it.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.entries()?.iter().find(|e| e.key == key).map(|e| &e.node)
    }

    /// The text when this is a string.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl Value {
    /// What kind of value this is, for error messages: "text", "a number", "a list".
    pub(crate) fn describe(&self) -> String {
        match self {
            Value::Null => "empty (null)".into(),
            Value::Bool(b) => format!("the boolean `{b}`"),
            Value::Number(n) => format!("the number `{n}`"),
            Value::Str(s) => format!("the text `{}`", shorten(s)),
            Value::Seq(_) => "a list".into(),
            Value::Map(_) => "a table".into(),
        }
    }
}

fn shorten(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Parses `text`, already known to be valid in its format (`ext`: toml, yaml, yml or json).
pub(crate) fn parse(text: &str, ext: &str, shown: &Path) -> Result<Node> {
    if ext.eq_ignore_ascii_case("toml") {
        let table = toml::de::DeTable::parse(text).map_err(|e| toml_error(shown, text, 0, &e))?;
        let lines = Lines::new(text);
        let at = lines.position(table.span().start);
        return Ok(Node { at, value: toml_table(&lines, table.get_ref()) });
    }
    let spanned: Spanned<Value> = serde_saphyr::from_str(text).map_err(|e| yaml_error(shown, &e))?;
    Ok(node(spanned))
}

/// A YAML error naming `shown` and the position in the whole file.
pub(crate) fn yaml_error(shown: &Path, e: &serde_saphyr::Error) -> Error {
    let inner = e.without_snippet();
    let at = inner.location().map_or(Position::new(1, 1), position);
    Error::at_position(shown, at, yaml_message(inner))
}

fn position(l: serde_saphyr::Location) -> Position {
    Position::new(l.line().max(1) as usize, l.column().max(1) as usize)
}

fn node(spanned: Spanned<Value>) -> Node {
    Node { at: position(spanned.referenced), value: spanned.value }
}

fn toml_table(lines: &Lines<'_>, table: &toml::de::DeTable<'_>) -> Value {
    let mut entries: Vec<Entry> = table
        .iter()
        .map(|(key, value)| Entry {
            key: key.get_ref().to_string(),
            key_at: lines.position(key.span().start),
            node: toml_node(lines, value),
        })
        .collect();
    // The parser keeps keys sorted; the file's order is what authors expect in messages.
    entries.sort_by_key(|e| e.key_at);
    Value::Map(entries)
}

fn toml_node(lines: &Lines<'_>, spanned: &toml::Spanned<toml::de::DeValue<'_>>) -> Node {
    use toml::de::DeValue;
    let at = lines.position(spanned.span().start);
    let value = match spanned.get_ref() {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()) {
            Ok(n) => Value::Number(n.into()),
            Err(_) => Value::Str(i.as_str().to_string()),
        },
        DeValue::Float(f) => {
            match f.as_str().replace('_', "").parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
                Some(n) => Value::Number(n),
                None => Value::Str(f.as_str().to_string()),
            }
        }
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Str(d.to_string()),
        DeValue::Array(items) => Value::Seq(items.iter().map(|v| toml_node(lines, v)).collect()),
        DeValue::Table(table) => toml_table(lines, table),
    };
    Node { at, value }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> std::result::Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> std::result::Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> std::result::Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or_else(|| Value::Str(v.to_string()), Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> std::result::Result<Value, E> {
        Ok(Value::Str(v))
    }

    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Value, D::Error> {
        Value::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Value>>()? {
            items.push(node(item));
        }
        Ok(Value::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            let value = map.next_value::<Spanned<Value>>()?;
            entries.push(Entry { key: key.value, key_at: position(key.referenced), node: node(value) });
        }
        Ok(Value::Map(entries))
    }
}

// ---------------------------------------------------------------------------------------------
// What every data format shares: text normalised, errors placed, control characters refused

/// Removes a UTF-8 byte order mark and turns CRLF line endings into LF, so that files saved by any
/// editor give the same output. Lines keep their numbers.
pub(crate) fn normalize(text: &str) -> Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\r') { Cow::Owned(text.replace("\r\n", "\n")) } else { Cow::Borrowed(text) }
}

/// Converts a TOML error into one naming `shown` and the line and column in the whole file;
/// `offset` is where the TOML fragment starts in `text` (non-zero for front matter).
pub(crate) fn toml_error(shown: &Path, text: &str, offset: usize, e: &toml::de::Error) -> Error {
    let message = e.message().trim_end().to_string();
    match e.span() {
        Some(span) => Error::at_position(shown, Position::of_offset(text, offset + span.start), message),
        None => Error::at(shown, message),
    }
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

/// Characters no value may hold: the C0 and C1 controls and DEL, but for tab, line feed and
/// carriage return (which are whitespace in a page).
pub(crate) fn is_refused_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// The first refused control character in a key or string of `value`.
pub(crate) fn control_in_value(value: &serde_json::Value) -> Option<char> {
    let in_text = |text: &str| text.chars().find(|&c| is_refused_control(c));
    match value {
        serde_json::Value::String(s) => in_text(s),
        serde_json::Value::Array(items) => items.iter().find_map(control_in_value),
        serde_json::Value::Object(map) => {
            map.iter().find_map(|(key, value)| in_text(key).or_else(|| control_in_value(value)))
        }
        _ => None,
    }
}

pub(crate) fn control_message(control: char) -> String {
    let name = match control {
        '\0' => " (NUL)",
        '\u{1b}' => " (escape)",
        _ => "",
    };
    format!(
        "this value holds the control character U+{:04X}{name}, which a web page cannot show: remove it",
        u32::from(control)
    )
}

/// Replaces each TOML date, time or date-time (which the `toml` crate hands to serde as a one-key
/// table, `{"$__toml_private_datetime": "2026-12-07"}`) by its text as written, so that templates
/// print `2026-12-07` and can compare and sort dates as strings. Used for every TOML value that
/// reaches templates as it is: data files, and the `extra` tables of front matter and site.toml.
pub(crate) fn dates_as_text(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if map.len() == 1
                && let Some(serde_json::Value::String(date)) = map.get("$__toml_private_datetime")
            {
                *value = serde_json::Value::String(date.clone());
                return;
            }
            map.values_mut().for_each(dates_as_text);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(dates_as_text),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str, ext: &str) -> Node {
        parse(text, ext, Path::new("data/x")).unwrap()
    }

    #[test]
    fn toml_positions_are_those_of_the_file() {
        let root = parsed("kind = \"comparison\"\n\n[[items]]\nid = \"a\"\nvalues = { x = 1.5 }\n", "toml");
        let items = root.get("items").unwrap();
        let Value::Seq(list) = &items.value else { panic!("not a list") };
        assert_eq!(list[0].at, Position::new(3, 1));
        let values = list[0].get("values").unwrap();
        assert_eq!(values.at, Position::new(5, 10));
        assert_eq!(values.entries().unwrap()[0].key_at, Position::new(5, 12));
        assert_eq!(values.get("x").unwrap().value, Value::Number(serde_json::Number::from_f64(1.5).unwrap()));
        assert_eq!(root.entries().unwrap()[0].key, "kind");
    }

    #[test]
    fn yaml_and_json_positions_are_those_of_the_file() {
        let root = parsed("kind: comparison\nitems:\n  - id: a\n    n: 3\n", "yaml");
        let Value::Seq(list) = &root.get("items").unwrap().value else { panic!("not a list") };
        assert_eq!(list[0].get("n").unwrap().at, Position::new(4, 8));
        assert_eq!(list[0].entries().unwrap()[1].key_at, Position::new(4, 5));

        let root =
            parsed("{\n  \"kind\":\"comparison\",\n  \"items\": [{\"id\": \"a\",\n \"n\":3}]\n}\n", "json");
        let Value::Seq(list) = &root.get("items").unwrap().value else { panic!("not a list") };
        assert_eq!(list[0].get("n").unwrap().at.line, 4);
        assert_eq!(list[0].get("id").unwrap().as_str(), Some("a"));
    }

    #[test]
    fn json_escapes_and_tabs_read_as_json_does() {
        let text =
            "{\"a\":\t\"x\\/y \\u00e9 \\ud83d\\ude00 \\\"q\\\"\",\n\"n\":1e5,\"m\":-0,\"l\":[],\"o\":{}}";
        let expected: serde_json::Value = serde_json::from_str(text).unwrap();
        let root = parse(text, "json", Path::new("data/x.json")).unwrap();
        assert_eq!(root.get("a").unwrap().as_str(), expected["a"].as_str());
        assert_eq!(root.get("n").unwrap().value, Value::Number(serde_json::Number::from_f64(1e5).unwrap()));
    }

    #[test]
    fn bom_and_crlf_are_normalized() {
        assert_eq!(normalize("\u{feff}a\r\nb\r\n"), "a\nb\n");
    }
}
