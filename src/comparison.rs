//! Comparison datasets: data files declaring `kind = "comparison"`, validated into
//! [`Comparison`]s with every error naming the file, line and column.
//!
//! A dataset has subjects (the things compared), dimensions (the aspects they are compared on)
//! and, per dimension, one value per subject. A dimension's `type` says what its values are:
//! `text` (the default), `rating` on one of the file's `scales`, `boolean`, or `number` with an
//! optional `unit`. A value is written bare (`iot = 3`) or as a table with a `note` and a
//! `source`; `not_applicable = true` stands in for a value that does not apply.
//!
//! Each dataset is also published as JSON ([`Comparison::to_json`]) and CSV
//! ([`Comparison::to_csv`]) under [`DOWNLOADS_DIR`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::error::{Error, Position};
use crate::located::{Entry, Node, Value};

/// The value of `kind` that makes a data file a comparison dataset.
pub const KIND: &str = "comparison";

/// The output folder of the JSON and CSV downloads.
pub const DOWNLOADS_DIR: &str = "data";

/// A validated comparison dataset.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The data file's stem, which names the dataset.
    pub id: String,
    /// `data/<file>`, for messages.
    pub shown: PathBuf,
    /// The dataset's title, the default caption of its tables.
    pub title: String,
    /// A sentence or two about the dataset.
    pub description: Option<String>,
    /// A licence name or URL.
    pub license: Option<String>,
    /// The things compared, in the file's order.
    pub subjects: Vec<Subject>,
    /// The aspects they are compared on, in the file's order.
    pub dimensions: Vec<Dimension>,
}

/// One of the things compared.
#[derive(Debug, Clone)]
pub struct Subject {
    /// Short id used in `values` and in selections.
    pub id: String,
    /// Name shown in column headers.
    pub name: String,
    /// Optional short description.
    pub description: Option<String>,
}

/// One aspect the subjects are compared on.
#[derive(Debug, Clone)]
pub struct Dimension {
    /// Id, also the id of its table row.
    pub id: String,
    /// Name shown in row headers.
    pub label: String,
    /// Optional group, shown as a sub-heading in tables.
    pub group: Option<String>,
    /// One-line summary of what the dimension is about.
    pub summary: String,
    /// What its values are.
    pub kind: Kind,
    /// One value per subject, in the order of [`Comparison::subjects`].
    pub values: Vec<Cell>,
}

/// The type of a dimension's values.
#[derive(Debug, Clone)]
pub enum Kind {
    /// Free text.
    Text,
    /// A whole number on a scale.
    Rating(Scale),
    /// Yes or no.
    Boolean,
    /// A number with an optional unit.
    Number {
        /// Unit written after the number (`ms`, `km`).
        unit: Option<String>,
    },
}

/// A rating scale from `min` to `max`, with optional names for each step.
#[derive(Debug, Clone)]
pub struct Scale {
    /// The scale's id in the file's `scales`.
    pub id: String,
    /// Lowest rating.
    pub min: i64,
    /// Highest rating.
    pub max: i64,
    /// One name per step, from `min` to `max`, or none.
    pub labels: Vec<String>,
}

/// One subject's value on one dimension.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The value; `None` when it does not apply.
    pub value: Option<Datum>,
    /// A short remark shown with the value.
    pub note: Option<String>,
    /// Where the value comes from: a URL or a citation.
    pub source: Option<String>,
}

/// A value of one of the four types.
#[derive(Debug, Clone, PartialEq)]
pub enum Datum {
    /// Text.
    Text(String),
    /// A rating on the dimension's scale.
    Rating(i64),
    /// Yes or no.
    Boolean(bool),
    /// A number.
    Number(serde_json::Number),
}

impl Kind {
    fn name(&self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Rating(_) => "rating",
            Kind::Boolean => "boolean",
            Kind::Number { .. } => "number",
        }
    }
}

impl Comparison {
    /// The dimension with id `id`.
    pub fn dimension(&self, id: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.id == id)
    }

    /// The index of subject `id`.
    pub fn subject_index(&self, id: &str) -> Option<usize> {
        self.subjects.iter().position(|s| s.id == id)
    }

    /// The site path of a download (`data/<id>.json`).
    pub fn download_path(&self, extension: &str) -> String {
        format!("{DOWNLOADS_DIR}/{}.{extension}", self.id)
    }

    /// The dataset as published in `data/<id>.json`: every value with its display text.
    pub fn to_json(&self) -> serde_json::Value {
        let subjects: Vec<_> = self
            .subjects
            .iter()
            .map(|s| json!({"id": s.id, "name": s.name, "description": s.description}))
            .collect();
        let dimensions: Vec<_> = self
            .dimensions
            .iter()
            .map(|d| {
                let mut dimension = json!({
                    "id": d.id, "label": d.label, "group": d.group, "summary": d.summary,
                    "type": d.kind.name(),
                });
                match &d.kind {
                    Kind::Rating(scale) => {
                        dimension["scale"] =
                            json!({"min": scale.min, "max": scale.max, "labels": scale.labels});
                    }
                    Kind::Number { unit } => dimension["unit"] = json!(unit),
                    Kind::Text | Kind::Boolean => {}
                }
                let values: serde_json::Map<_, _> = self
                    .subjects
                    .iter()
                    .zip(&d.values)
                    .map(|(s, cell)| (s.id.clone(), cell_json(d, cell)))
                    .collect();
                dimension["values"] = serde_json::Value::Object(values);
                dimension
            })
            .collect();
        json!({
            "id": self.id, "title": self.title, "description": self.description,
            "license": self.license, "subjects": subjects, "dimensions": dimensions,
        })
    }

    /// The dataset as published in `data/<id>.csv`: one row per dimension, one column per
    /// subject holding the value's display text, plus note and source columns when any value
    /// has one.
    pub fn to_csv(&self) -> String {
        let has_notes = self.dimensions.iter().flat_map(|d| &d.values).any(|c| c.note.is_some());
        let has_sources = self.dimensions.iter().flat_map(|d| &d.values).any(|c| c.source.is_some());
        let mut header = vec!["id".to_string(), "dimension".into(), "group".into(), "summary".into()];
        for s in &self.subjects {
            header.push(s.name.clone());
            if has_notes {
                header.push(format!("{} note", s.name));
            }
            if has_sources {
                header.push(format!("{} source", s.name));
            }
        }
        let mut rows = vec![header];
        for d in &self.dimensions {
            let mut row =
                vec![d.id.clone(), d.label.clone(), d.group.clone().unwrap_or_default(), d.summary.clone()];
            for cell in &d.values {
                row.push(text(d, cell));
                if has_notes {
                    row.push(cell.note.clone().unwrap_or_default());
                }
                if has_sources {
                    row.push(cell.source.clone().unwrap_or_default());
                }
            }
            rows.push(row);
        }
        let mut out = String::new();
        for row in rows {
            let cells: Vec<String> = row.iter().map(|c| csv_cell(c)).collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
        out
    }
}

/// The display text of a value: `Yes`, `High (3 of 3)`, `12 ms`, `Not applicable`.
pub fn text(dimension: &Dimension, cell: &Cell) -> String {
    match (&cell.value, &dimension.kind) {
        (None, _) => "Not applicable".into(),
        (Some(Datum::Text(t)), _) => t.clone(),
        (Some(Datum::Boolean(b)), _) => if *b { "Yes" } else { "No" }.into(),
        (Some(Datum::Number(n)), Kind::Number { unit: Some(unit) }) => format!("{n} {unit}"),
        (Some(Datum::Number(n)), _) => n.to_string(),
        (Some(Datum::Rating(r)), Kind::Rating(scale)) => rating_text(*r, scale),
        (Some(Datum::Rating(r)), _) => r.to_string(),
    }
}

fn rating_text(rating: i64, scale: &Scale) -> String {
    let score = if scale.min <= 1 {
        format!("{rating} of {}", scale.max)
    } else {
        format!("{rating} on a scale of {} to {}", scale.min, scale.max)
    };
    match scale.labels.get((rating - scale.min) as usize) {
        Some(label) => format!("{label} ({score})"),
        None => score,
    }
}

fn cell_json(dimension: &Dimension, cell: &Cell) -> serde_json::Value {
    let value = match &cell.value {
        None => serde_json::Value::Null,
        Some(Datum::Text(t)) => json!(t),
        Some(Datum::Rating(r)) => json!(r),
        Some(Datum::Boolean(b)) => json!(b),
        Some(Datum::Number(n)) => serde_json::Value::Number(n.clone()),
    };
    json!({
        "value": value,
        "text": text(dimension, cell),
        "not_applicable": cell.value.is_none(),
        "note": cell.note,
        "source": cell.source,
    })
}

/// Quotes a CSV cell when needed. A text cell starting with `=`, `+`, `-` or `@` is prefixed
/// with `'` so that spreadsheets show it instead of evaluating it as a formula.
fn csv_cell(cell: &str) -> String {
    let is_number = cell.parse::<f64>().is_ok_and(f64::is_finite);
    let guarded = if !is_number && cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

// ---------------------------------------------------------------------------------------------
// Validation

/// `key = value` written as the format of `file` writes it: TOML `key = value`, YAML
/// `key: value`, JSON `"key": value`.
pub fn syntax(file: &Path, key: &str, value: &str) -> String {
    match file.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("yaml" | "yml") => format!("{key}: {}", value.trim_matches('"')),
        Some("json") => format!("\"{key}\": {value}"),
        _ => format!("{key} = {value}"),
    }
}

/// Whether a data file's contents declare a comparison dataset.
pub fn is_declared(value: &serde_json::Value) -> bool {
    value.get("kind").and_then(serde_json::Value::as_str) == Some(KIND)
}

/// Validates a comparison dataset; every problem found is returned, each with its position.
pub fn validate(id: &str, shown: &Path, root: &Node) -> std::result::Result<Comparison, Vec<Error>> {
    let mut v = Validator { shown, errors: Vec::new() };
    let top = ["kind", "title", "description", "license", "scales", "subjects", "dimensions"];
    v.known_keys(root, &top, "the dataset");
    let title = v.text(root, "title", "the dataset", true).unwrap_or_default();
    let description = v.text(root, "description", "the dataset", false);
    let license = v.text(root, "license", "the dataset", false);
    let scales = v.scales(root);
    let subjects = v.subjects(root);
    let dimensions = v.dimensions(root, &subjects, &scales);
    if v.errors.is_empty() {
        Ok(Comparison {
            id: id.to_string(),
            shown: shown.to_path_buf(),
            title,
            description,
            license,
            subjects,
            dimensions,
        })
    } else {
        Err(v.errors)
    }
}

struct Validator<'a> {
    shown: &'a Path,
    errors: Vec<Error>,
}

const SUBJECT_KEYS: [&str; 3] = ["id", "name", "description"];
const DIMENSION_KEYS: [&str; 8] = ["id", "label", "group", "summary", "type", "scale", "unit", "values"];
const VALUE_KEYS: [&str; 4] = ["value", "note", "source", "not_applicable"];
const SCALE_KEYS: [&str; 3] = ["min", "max", "labels"];
const TYPES: [&str; 4] = ["text", "rating", "boolean", "number"];

impl Validator<'_> {
    fn error(&mut self, at: Position, message: impl Into<String>) {
        self.errors.push(Error::at_position(self.shown, at, message));
    }

    /// `key = value` as written in the file's format, for hints.
    fn syntax(&self, key: &str, value: &str) -> String {
        syntax(self.shown, key, value)
    }

    fn known_keys(&mut self, node: &Node, known: &[&str], what: &str) {
        for entry in node.entries().unwrap_or_default() {
            if !known.contains(&entry.key.as_str()) {
                let near = crate::suggest::closest(&entry.key, known.iter().copied());
                let expected = known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
                self.error(
                    entry.key_at,
                    format!("unknown field `{}` in {what}{near}; expected one of {expected}", entry.key),
                );
            }
        }
    }

    /// A text field; reports it when it is missing and `required`, or not text.
    fn text(&mut self, node: &Node, key: &str, what: &str, required: bool) -> Option<String> {
        match node.get(key) {
            None if required => {
                self.error(node.at, format!("{what} has no `{key}`"));
                None
            }
            None => None,
            Some(Node { value: Value::Str(s), .. }) => Some(s.clone()),
            Some(other) => {
                self.error(
                    other.at,
                    format!("`{key}` of {what} must be text, not {}", other.value.describe()),
                );
                None
            }
        }
    }

    /// A list of tables under `key`, with the position of the key when it is missing or empty.
    fn tables<'n>(&mut self, root: &'n Node, key: &str) -> Vec<&'n Node> {
        let at =
            root.entries().unwrap_or_default().iter().find(|e| e.key == key).map_or(root.at, |e| e.key_at);
        let items = match root.get(key).map(|n| &n.value) {
            Some(Value::Seq(items)) if !items.is_empty() => items,
            Some(Value::Seq(_)) | None => {
                self.error(at, format!("a comparison needs at least one entry in `{key}`"));
                return Vec::new();
            }
            Some(other) => {
                self.error(at, format!("`{key}` must be a list of tables, not {}", other.describe()));
                return Vec::new();
            }
        };
        let mut tables = Vec::new();
        for item in items {
            if item.entries().is_some() {
                tables.push(item);
            } else {
                self.error(
                    item.at,
                    format!("each entry of `{key}` must be a table, not {}", item.value.describe()),
                );
            }
        }
        tables
    }

    /// The `id` of a subject or dimension: present, text, a valid id, not seen before.
    fn id(
        &mut self,
        node: &Node,
        what: &str,
        index: usize,
        seen: &mut HashMap<String, Position>,
    ) -> Option<String> {
        let id = self.text(node, "id", &format!("{what} {}", index + 1), true)?;
        let at = node.get("id").map_or(node.at, |n| n.at);
        if id.is_empty()
            || !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            self.error(
                at,
                format!("{what} id `{id}` may use only lowercase letters a–z, digits, `-` and `_`"),
            );
            return None;
        }
        if let Some(first) = seen.get(&id) {
            self.error(at, format!("{what} id `{id}` is used twice (first on line {})", first.line));
            return None;
        }
        seen.insert(id.clone(), at);
        Some(id)
    }

    fn scales(&mut self, root: &Node) -> HashMap<String, Scale> {
        let mut scales = HashMap::new();
        let Some(node) = root.get("scales") else { return scales };
        let Some(entries) = node.entries() else {
            self.error(node.at, format!("`scales` must be a table of scales, not {}", node.value.describe()));
            return scales;
        };
        for Entry { key, key_at, node } in entries {
            let what = format!("scale `{key}`");
            if node.entries().is_none() {
                self.error(*key_at, format!("{what} must be a table with `min` and `max`"));
                continue;
            }
            self.known_keys(node, &SCALE_KEYS, &what);
            let min = self.integer(node, "min", &what);
            let max = self.integer(node, "max", &what);
            let (Some(min), Some(max)) = (min, max) else { continue };
            if min >= max {
                self.error(node.at, format!("{what}: `min` ({min}) must be less than `max` ({max})"));
                continue;
            }
            let labels = self.labels(node, &what, max - min + 1);
            scales.insert(key.clone(), Scale { id: key.clone(), min, max, labels });
        }
        scales
    }

    fn integer(&mut self, node: &Node, key: &str, what: &str) -> Option<i64> {
        match node.get(key) {
            None => {
                self.error(node.at, format!("{what} has no `{key}`"));
                None
            }
            Some(Node { value: Value::Number(n), at }) => {
                let i = n.as_i64();
                if i.is_none() {
                    self.error(*at, format!("`{key}` of {what} must be a whole number, not `{n}`"));
                }
                i
            }
            Some(other) => {
                self.error(
                    other.at,
                    format!("`{key}` of {what} must be a whole number, not {}", other.value.describe()),
                );
                None
            }
        }
    }

    fn labels(&mut self, node: &Node, what: &str, steps: i64) -> Vec<String> {
        let Some(labels) = node.get("labels") else { return Vec::new() };
        let texts: Option<Vec<String>> = match &labels.value {
            Value::Seq(items) => items.iter().map(|i| i.as_str().map(str::to_string)).collect(),
            _ => None,
        };
        match texts {
            Some(texts) if texts.len() as i64 == steps => texts,
            Some(texts) => {
                self.error(
                    labels.at,
                    format!("{what} has {steps} steps but {} labels: give one label per step", texts.len()),
                );
                Vec::new()
            }
            None => {
                self.error(labels.at, format!("`labels` of {what} must be a list of text"));
                Vec::new()
            }
        }
    }

    fn subjects(&mut self, root: &Node) -> Vec<Subject> {
        let mut seen = HashMap::new();
        let mut subjects = Vec::new();
        for (i, node) in self.tables(root, "subjects").into_iter().enumerate() {
            let id = self.id(node, "subject", i, &mut seen);
            let what = match &id {
                Some(id) => format!("subject `{id}`"),
                None => format!("subject {}", i + 1),
            };
            self.known_keys(node, &SUBJECT_KEYS, &what);
            let name = self.text(node, "name", &what, true);
            let description = self.text(node, "description", &what, false);
            if let (Some(id), Some(name)) = (id, name) {
                subjects.push(Subject { id, name, description });
            }
        }
        subjects
    }

    fn dimensions(
        &mut self,
        root: &Node,
        subjects: &[Subject],
        scales: &HashMap<String, Scale>,
    ) -> Vec<Dimension> {
        let mut seen = HashMap::new();
        let mut dimensions = Vec::new();
        for (i, node) in self.tables(root, "dimensions").into_iter().enumerate() {
            let id = self.id(node, "dimension", i, &mut seen);
            let what = match &id {
                Some(id) => format!("dimension `{id}`"),
                None => format!("dimension {}", i + 1),
            };
            self.known_keys(node, &DIMENSION_KEYS, &what);
            let label = self.text(node, "label", &what, true);
            let group = self.text(node, "group", &what, false);
            let summary = self.text(node, "summary", &what, true);
            let kind = self.kind(node, &what, scales);
            let values =
                kind.as_ref().map(|(kind, default)| self.values(node, &what, kind, *default, subjects));
            if let (Some(id), Some(label), Some(summary), Some((kind, _)), Some(Some(values))) =
                (id, label, summary, kind, values)
            {
                dimensions.push(Dimension { id, label, group, summary, kind, values });
            }
        }
        dimensions
    }

    /// The dimension's type, and whether it is the default (no `type` written).
    fn kind(&mut self, node: &Node, what: &str, scales: &HashMap<String, Scale>) -> Option<(Kind, bool)> {
        let written = self.text(node, "type", what, false);
        let name = written.as_deref().unwrap_or("text");
        let at = node.get("type").map_or(node.at, |n| n.at);
        let unit = self.text(node, "unit", what, false);
        let scale = self.text(node, "scale", what, false);
        if unit.is_some() && name != "number" {
            let at = node.get("unit").map_or(at, |n| n.at);
            self.error(at, format!("{what}: `unit` applies only to dimensions of type `number`"));
        }
        if scale.is_some() && name != "rating" {
            let at = node.get("scale").map_or(at, |n| n.at);
            self.error(at, format!("{what}: `scale` applies only to dimensions of type `rating`"));
        }
        let kind = match name {
            "text" => Kind::Text,
            "boolean" => Kind::Boolean,
            "number" => Kind::Number { unit },
            "rating" => {
                let mut names: Vec<&str> = scales.keys().map(String::as_str).collect();
                names.sort_unstable();
                let declared = if names.is_empty() {
                    "the file declares no `scales`".to_string()
                } else {
                    format!(
                        "declared: {}",
                        names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                    )
                };
                match scale {
                    None => {
                        self.error(
                            at,
                            format!("{what} is of type `rating` and needs a `scale` ({declared})"),
                        );
                        return None;
                    }
                    Some(s) => match scales.get(&s) {
                        Some(scale) => Kind::Rating(scale.clone()),
                        None => {
                            let near = crate::suggest::closest(&s, names.iter().copied());
                            let at = node.get("scale").map_or(at, |n| n.at);
                            self.error(at, format!("{what}: there is no scale `{s}`{near} ({declared})"));
                            return None;
                        }
                    },
                }
            }
            other => {
                let near = crate::suggest::closest(other, TYPES.iter().copied());
                self.error(
                    at,
                    format!("{what}: unknown type `{other}`{near}; expected `text`, `rating`, `boolean` or `number`"),
                );
                return None;
            }
        };
        Some((kind, written.is_none()))
    }

    /// One value per subject, in the subjects' order; `None` when any is missing or invalid.
    fn values(
        &mut self,
        node: &Node,
        what: &str,
        kind: &Kind,
        default_kind: bool,
        subjects: &[Subject],
    ) -> Option<Vec<Cell>> {
        let Some(values) = node.get("values") else {
            self.error(node.at, format!("{what} has no `values`: give one value per subject"));
            return None;
        };
        let Some(entries) = values.entries() else {
            self.error(
                values.at,
                format!(
                    "`values` of {what} must be a table of subject ids to values, not {}",
                    values.value.describe()
                ),
            );
            return None;
        };
        let mut cells: Vec<Option<Cell>> = vec![None; subjects.len()];
        let mut ok = true;
        for entry in entries {
            let Some(index) = subjects.iter().position(|s| s.id == entry.key) else {
                let near = crate::suggest::closest(&entry.key, subjects.iter().map(|s| s.id.as_str()));
                self.error(
                    entry.key_at,
                    format!("{what} has a value for `{}`, which is not a subject{near}", entry.key),
                );
                ok = false;
                continue;
            };
            let context = ValueContext { what, subject: &entry.key, kind, default_kind };
            match self.cell(&entry.node, &context) {
                Some(cell) => cells[index] = Some(cell),
                None => ok = false,
            }
        }
        for (subject, cell) in subjects.iter().zip(&cells) {
            if cell.is_none() && !entries.iter().any(|e| e.key == subject.id) {
                self.error(
                    values.at,
                    format!(
                        "{what} has no value for subject `{}`: add one, or mark it `{}` if it does not apply",
                        subject.id,
                        self.syntax("not_applicable", "true")
                    ),
                );
                ok = false;
            }
        }
        if ok { cells.into_iter().collect() } else { None }
    }

    fn cell(&mut self, node: &Node, context: &ValueContext<'_>) -> Option<Cell> {
        let ValueContext { what, subject, .. } = *context;
        let Some(_) = node.entries() else {
            let value = self.datum(node, context)?;
            return Some(Cell { value: Some(value), note: None, source: None });
        };
        let of = format!("the value for `{subject}` in {what}");
        self.known_keys(node, &VALUE_KEYS, &of);
        let note = self.text(node, "note", &of, false);
        let source = self.text(node, "source", &of, false);
        let not_applicable = match node.get("not_applicable") {
            None => false,
            Some(Node { value: Value::Bool(b), .. }) => *b,
            Some(other) => {
                self.error(
                    other.at,
                    format!("`not_applicable` must be `true` or `false`, not {}", other.value.describe()),
                );
                return None;
            }
        };
        let value = match (node.get("value"), not_applicable) {
            (Some(value), true) => {
                self.error(
                    value.at,
                    format!("{of} is marked `not_applicable` and cannot also have a `value`"),
                );
                return None;
            }
            (None, true) => None,
            (Some(value), false) => Some(self.datum(value, context)?),
            (None, false) => {
                let marker = self.syntax("not_applicable", "true");
                self.error(node.at, format!("{of} has no `value` (or `{marker}`)"));
                return None;
            }
        };
        Some(Cell { value, note, source })
    }

    fn datum(&mut self, node: &Node, context: &ValueContext<'_>) -> Option<Datum> {
        let ValueContext { what, subject, kind, default_kind } = *context;
        let datum = match (kind, &node.value) {
            (Kind::Text, Value::Str(s)) => Some(Datum::Text(s.clone())),
            (Kind::Boolean, Value::Bool(b)) => Some(Datum::Boolean(*b)),
            (Kind::Number { .. }, Value::Number(n)) => Some(Datum::Number(n.clone())),
            (Kind::Rating(scale), Value::Number(n)) => match n.as_i64() {
                Some(r) if (scale.min..=scale.max).contains(&r) => Some(Datum::Rating(r)),
                Some(r) => {
                    self.error(
                        node.at,
                        format!(
                            "{what}: rating {r} for `{subject}` is outside the scale `{}` ({} to {})",
                            scale.id, scale.min, scale.max
                        ),
                    );
                    return None;
                }
                None => None,
            },
            _ => None,
        };
        if datum.is_none() {
            let default = if default_kind { " (the default)" } else { "" };
            let hint = match (kind, &node.value) {
                (Kind::Text, Value::Number(_) | Value::Bool(_)) => {
                    ": put it in quotes to make it text, or give the dimension another `type`"
                }
                (Kind::Rating(_), Value::Number(_)) => ": a rating is a whole number",
                _ => "",
            };
            self.error(
                node.at,
                format!(
                    "{what} is of type `{}`{default}, but the value for `{subject}` is {}{hint}",
                    kind.name(),
                    node.value.describe()
                ),
            );
        }
        datum
    }
}

/// What a value is checked against.
#[derive(Clone, Copy)]
struct ValueContext<'a> {
    what: &'a str,
    subject: &'a str,
    kind: &'a Kind,
    default_kind: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"
kind = "comparison"
title = "Two things"

[scales.level]
min = 1
max = 3
labels = ["Low", "Medium", "High"]

[[subjects]]
id = "a"
name = "A"

[[subjects]]
id = "b"
name = "B, the second"

[[dimensions]]
id = "size"
label = "Size"
summary = "How big"
type = "number"
unit = "cm"
values = { a = 3, b = 4.5 }

[[dimensions]]
id = "reach"
label = "Reach"
summary = "How far"
type = "rating"
scale = "level"
values = { a = 3, b = { value = 1, note = "=SUM(A1)" } }

[[dimensions]]
id = "open"
label = "Open"
summary = "Whether it is open"
type = "boolean"
values.a = true
values.b = { not_applicable = true, source = "https://example.com/b" }
"#;

    fn check(text: &str) -> std::result::Result<Comparison, Vec<String>> {
        let shown = Path::new("data/x.toml");
        let node = crate::located::parse(text, "toml", shown).unwrap();
        validate("x", shown, &node).map_err(|errors| errors.iter().map(|e| e.to_string()).collect())
    }

    #[test]
    fn values_get_display_text() {
        let c = check(VALID).unwrap();
        let texts: Vec<String> =
            c.dimensions.iter().flat_map(|d| d.values.iter().map(|v| text(d, v))).collect();
        assert_eq!(texts, ["3 cm", "4.5 cm", "High (3 of 3)", "Low (1 of 3)", "Yes", "Not applicable"]);
    }

    #[test]
    fn csv_download_quotes_and_guards_formulas() {
        let csv = check(VALID).unwrap().to_csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "id,dimension,group,summary,A,A note,A source,\"B, the second\",\"B, the second note\",\"B, the second source\""
        );
        assert_eq!(lines[2], "reach,Reach,,How far,High (3 of 3),,,Low (1 of 3),'=SUM(A1),");
    }

    #[test]
    fn a_missing_value_names_the_dimension_and_subject() {
        let text = VALID.replace("values = { a = 3, b = 4.5 }", "values = { a = 3 }");
        assert_eq!(
            check(&text).unwrap_err(),
            ["data/x.toml:24:10: dimension `size` has no value for subject `b`: add one, or mark it \
              `not_applicable = true` if it does not apply"]
        );
    }
}
