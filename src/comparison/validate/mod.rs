//! Validation of a comparison dataset: the file's tree ([`Node`]) checked into a [`Comparison`], every
//! problem reported with the file, line and column.

mod sources;

use std::collections::HashMap;
use std::path::Path;

use super::*;
use crate::error::{Error, Position};
use crate::located::{Entry, Node, Value};
use sources::Catalogue;

// Validation

/// `key = value` written as the format of `file` writes it: TOML `key = value`, YAML
/// `key: value`, JSON `"key": value`.
pub(crate) fn syntax(file: &Path, key: &str, value: &str) -> String {
    match file.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("yaml" | "yml") => format!("{key}: {}", value.trim_matches('"')),
        Some("json") => format!("\"{key}\": {value}"),
        _ => format!("{key} = {value}"),
    }
}

/// Whether a data file's contents declare a comparison dataset.
pub(crate) fn is_declared(value: &serde_json::Value) -> bool {
    value.get("kind").and_then(serde_json::Value::as_str) == Some(KIND)
}

/// The keys of the dataset itself. `$schema` lets a JSON file name the JSON Schema of the format,
/// as editors expect.
const TOP_KEYS: [&str; 16] = [
    "kind",
    "title",
    "description",
    "license",
    "authors",
    "version",
    "updated",
    "page",
    "max_age",
    "require_sources",
    "sources",
    "scales",
    "subjects",
    "dimensions",
    "pages",
    "$schema",
];

/// Validates a comparison dataset; every problem found is returned, each with its position.
pub(crate) fn validate(id: &str, shown: &Path, root: &Node) -> std::result::Result<Comparison, Vec<Error>> {
    let mut v = Validator { shown, errors: Vec::new() };
    let what = "the dataset";
    v.known_keys(root, &TOP_KEYS, what);
    let title = v.text(root, "title", what, true).unwrap_or_default();
    let description = v.text(root, "description", what, false);
    let license = v.text(root, "license", what, false);
    let authors = v.texts(root, "authors", what);
    let version = v.text(root, "version", what, false);
    let updated = v.date(root, "updated", what);
    let page = v
        .text(root, "page", what, false)
        .map(|value| Located { value, at: root.get("page").map_or(root.at, |n| n.at) });
    let max_age = v.max_age(root, what);
    let require_sources = v.boolean(root, "require_sources", what).unwrap_or(false);
    let mut catalogue = v.declared_sources(root);
    let scales = v.scales(root);
    let subjects = v.subjects(root);
    let dimensions = v.dimensions(root, &subjects, &scales, &mut catalogue);
    v.cell_ids(root, &subjects, &dimensions);
    let pages = v.pages(root, &subjects, &dimensions);
    if v.errors.is_empty() {
        Ok(Comparison {
            id: id.to_string(),
            shown: shown.to_path_buf(),
            title,
            description,
            license,
            authors,
            version,
            updated,
            page,
            subjects,
            dimensions,
            sources: catalogue.sources,
            max_age,
            require_sources,
            pages,
        })
    } else {
        Err(v.errors)
    }
}

pub(super) struct Validator<'a> {
    pub(super) shown: &'a Path,
    pub(super) errors: Vec<Error>,
}

const SUBJECT_KEYS: [&str; 3] = ["id", "name", "description"];
const DIMENSION_KEYS: [&str; 12] = [
    "id", "label", "group", "summary", "type", "scale", "unit", "better", "max_age", "source", "sources",
    "values",
];
const VALUE_KEYS: [&str; 5] = ["value", "note", "source", "sources", "not_applicable"];
const SCALE_KEYS: [&str; 3] = ["min", "max", "labels"];
const TYPES: [&str; 4] = ["text", "rating", "boolean", "number"];

impl Validator<'_> {
    pub(super) fn error(&mut self, at: Position, message: impl Into<String>) {
        self.errors.push(Error::at_position(self.shown, at, message));
    }

    /// `key = value` as written in the file's format, for hints.
    pub(super) fn syntax(&self, key: &str, value: &str) -> String {
        syntax(self.shown, key, value)
    }

    pub(super) fn known_keys(&mut self, node: &Node, known: &[&str], what: &str) {
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
    pub(super) fn text(&mut self, node: &Node, key: &str, what: &str, required: bool) -> Option<String> {
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
        catalogue: &mut Catalogue,
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
            let better = kind.as_ref().and_then(|(kind, _)| self.better(node, &what, kind));
            let max_age = self.max_age(node, &what);
            let (sources, sources_at) = match self.source_refs(node, &what, catalogue) {
                Some((sources, at)) => (sources, Some(at)),
                None => (Vec::new(), None),
            };
            let values = kind.as_ref().map(|(kind, default)| {
                let context = ValueContext {
                    what: &what,
                    subject: "",
                    kind,
                    default_kind: *default,
                    inherited: &sources,
                };
                self.values(node, &context, subjects, catalogue)
            });
            if let (Some(id), Some(label), Some(summary), Some((kind, _)), Some(Some(values))) =
                (id, label, summary, kind, values)
            {
                dimensions.push(Dimension {
                    id,
                    label,
                    group,
                    summary,
                    kind,
                    better,
                    max_age,
                    sources,
                    sources_at,
                    values,
                });
            }
        }
        dimensions
    }

    /// `better = "lower"` or `"higher"`, for numbers and ratings.
    fn better(&mut self, node: &Node, what: &str, kind: &Kind) -> Option<Better> {
        let written = node.get("better")?;
        let better = match written.as_str() {
            Some("lower") => Better::Lower,
            Some("higher") => Better::Higher,
            _ => {
                let near = written
                    .as_str()
                    .map(|s| crate::suggest::closest(s, ["lower", "higher"].into_iter()))
                    .unwrap_or_default();
                self.error(
                    written.at,
                    format!(
                        "{what}: `better` must be `\"lower\"` or `\"higher\"`, not {}{near}",
                        written.value.describe()
                    ),
                );
                return None;
            }
        };
        if !kind.is_ordered() {
            self.error(
                written.at,
                format!(
                    "{what}: `better` applies only to dimensions of type `number` or `rating`, whose values \
                     can be ranked; this one is of type `{}`",
                    kind.name()
                ),
            );
            return None;
        }
        Some(better)
    }

    /// A list of text under `key`, empty when missing.
    fn texts(&mut self, node: &Node, key: &str, what: &str) -> Vec<String> {
        let Some(written) = node.get(key) else { return Vec::new() };
        let texts: Option<Vec<String>> = match &written.value {
            Value::Seq(items) => items.iter().map(|i| i.as_str().map(str::to_string)).collect(),
            _ => None,
        };
        texts.unwrap_or_else(|| {
            self.error(
                written.at,
                format!("`{key}` of {what} must be a list of text, not {}", written.value.describe()),
            );
            Vec::new()
        })
    }

    /// `true` or `false` under `key`.
    pub(super) fn boolean(&mut self, node: &Node, key: &str, what: &str) -> Option<bool> {
        let written = node.get(key)?;
        match written.value {
            Value::Bool(b) => Some(b),
            _ => {
                self.error(
                    written.at,
                    format!("`{key}` of {what} must be `true` or `false`, not {}", written.value.describe()),
                );
                None
            }
        }
    }

    /// Every table cell gets the id `<dimension>-<subject>`; no two may be the same, nor the same
    /// as a row's id (a dimension's own id).
    fn cell_ids(&mut self, root: &Node, subjects: &[Subject], dimensions: &[Dimension]) {
        let Some(Value::Seq(nodes)) = root.get("dimensions").map(|n| &n.value) else { return };
        let mut taken: HashMap<String, String> =
            dimensions.iter().map(|d| (d.id.clone(), format!("the row of dimension `{}`", d.id))).collect();
        for d in dimensions {
            let at = nodes
                .iter()
                .find(|n| n.get("id").and_then(Node::as_str) == Some(d.id.as_str()))
                .map_or(root.at, |n| n.at);
            for s in subjects {
                let id = d.cell_id(s);
                let this = format!("the cell of `{}` in dimension `{}`", s.id, d.id);
                if let Some(other) = taken.get(&id) {
                    self.error(
                        at,
                        format!(
                            "{this} would get the anchor `#{id}`, which {other} already has: rename a \
                             subject or dimension so that `<dimension>-<subject>` tells them apart"
                        ),
                    );
                } else {
                    taken.insert(id, this);
                }
            }
        }
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
        context: &ValueContext<'_>,
        subjects: &[Subject],
        catalogue: &mut Catalogue,
    ) -> Option<Vec<Cell>> {
        let what = context.what;
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
            let context = ValueContext { subject: &entry.key, ..*context };
            match self.cell(&entry.node, &context, catalogue) {
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

    fn cell(&mut self, node: &Node, context: &ValueContext<'_>, catalogue: &mut Catalogue) -> Option<Cell> {
        let ValueContext { what, subject, inherited, .. } = *context;
        let Some(_) = node.entries() else {
            let value = self.datum(node, context)?;
            return Some(Cell {
                value: Some(value),
                note: None,
                sources: inherited.to_vec(),
                inherited: !inherited.is_empty(),
                at: node.at,
                sources_at: None,
            });
        };
        let of = format!("the value for `{subject}` in {what}");
        self.known_keys(node, &VALUE_KEYS, &of);
        let note = self.text(node, "note", &of, false);
        let own = self.source_refs(node, &of, catalogue);
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
        let at = node.get("value").map_or(node.at, |v| v.at);
        Some(match own {
            Some((sources, sources_at)) => {
                Cell { value, note, sources, inherited: false, at, sources_at: Some(sources_at) }
            }
            None => Cell {
                value,
                note,
                sources: inherited.to_vec(),
                inherited: !inherited.is_empty(),
                at,
                sources_at: None,
            },
        })
    }

    fn datum(&mut self, node: &Node, context: &ValueContext<'_>) -> Option<Datum> {
        let ValueContext { what, subject, kind, default_kind, .. } = *context;
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
    /// The dimension's sources, for values that name none.
    inherited: &'a [usize],
    default_kind: bool,
}
