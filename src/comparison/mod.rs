//! Comparison datasets: data files declaring `kind = "comparison"`, validated into
//! [`Comparison`]s with every error naming the file, line and column.
//!
//! A dataset has subjects (the things compared), dimensions (the aspects they are compared on)
//! and, per dimension, one value per subject. A dimension's `type` says what its values are:
//! `text` (the default), `rating` on one of the file's `scales`, `boolean`, or `number` with an
//! optional `unit`. A value is written bare (`iot = 3`) or as a table with a `note` and its
//! sources; `not_applicable = true` stands in for a value that does not apply.
//!
//! | module | owns |
//! |---|---|
//! | [`validate`] | the file's tree checked into a [`Comparison`] |
//! | [`sources`] | sources declared once or written inline, `max_age`, and what `juxta check` says of them |
//! | [`pages`] | `[pages]`: the pair, subject and dimension pages a dataset asks for, made into site pages |
//! | [`view`] | the content of those pages, and the values their templates read |
//! | [`publish`] | the files published beside the downloads: Frictionless `datapackage.json`, citations, embeds |
//!
//! Each dataset is also published as JSON ([`Comparison::to_json`]) and CSV
//! ([`Comparison::to_csv`]) under [`DOWNLOADS_DIR`].

pub(crate) mod cite;
pub(crate) mod pages;
pub(crate) mod publish;
pub(crate) mod sources;
mod validate;
pub(crate) mod view;

use std::path::PathBuf;

use serde_json::json;

use crate::date::Date;
use crate::error::Position;

pub(crate) use sources::{MaxAge, Source};
pub(crate) use validate::{is_declared, syntax, validate};

/// The value of `kind` that makes a data file a comparison dataset.
pub(crate) const KIND: &str = "comparison";

/// The output folder of the JSON and CSV downloads.
pub(crate) const DOWNLOADS_DIR: &str = "data";

/// A validated comparison dataset.
#[derive(Debug, Clone)]
pub(crate) struct Comparison {
    /// The data file's stem, which names the dataset.
    pub(crate) id: String,
    /// `data/<file>`, for messages.
    pub(crate) shown: PathBuf,
    /// The dataset's title, the default caption of its tables.
    pub(crate) title: String,
    /// A sentence or two about the dataset.
    pub(crate) description: Option<String>,
    /// A licence name or URL.
    pub(crate) license: Option<String>,
    /// Who compiled the dataset, for citations; the site's author when empty.
    pub(crate) authors: Vec<String>,
    /// The dataset's version, for citations.
    pub(crate) version: Option<String>,
    /// When the dataset was last revised as a whole.
    pub(crate) updated: Option<Dated>,
    /// The content page that presents the dataset (`protocols.md`), relative to `content/`.
    pub(crate) page: Option<Located<String>>,
    /// The things compared, in the file's order.
    pub(crate) subjects: Vec<Subject>,
    /// The aspects they are compared on, in the file's order.
    pub(crate) dimensions: Vec<Dimension>,
    /// Every source a value cites: those declared under `sources`, in the file's order, then
    /// those written inline, in the order they first appear.
    pub(crate) sources: Vec<Source>,
    /// How old a source's `accessed` date may be before `juxta check` calls it stale.
    pub(crate) max_age: Option<MaxAge>,
    /// Whether `juxta check` reports values without a source.
    pub(crate) require_sources: bool,
    /// The pages the dataset asks for.
    pub(crate) pages: pages::Request,
}

/// A value with the position where the file writes it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Located<T> {
    /// The value.
    pub(crate) value: T,
    /// Where it is written.
    pub(crate) at: Position,
}

/// A date written in a data file, with its position (for the check that it is not in the future).
pub(crate) type Dated = Located<Date>;

/// One of the things compared.
#[derive(Debug, Clone)]
pub(crate) struct Subject {
    /// Short id used in `values` and in selections.
    pub(crate) id: String,
    /// Name shown in column headers.
    pub(crate) name: String,
    /// Optional short description.
    pub(crate) description: Option<String>,
}

/// One aspect the subjects are compared on.
#[derive(Debug, Clone)]
pub(crate) struct Dimension {
    /// Id, also the id of its table row.
    pub(crate) id: String,
    /// Name shown in row headers.
    pub(crate) label: String,
    /// Optional group, shown as a sub-heading in tables.
    pub(crate) group: Option<String>,
    /// One-line summary of what the dimension is about.
    pub(crate) summary: String,
    /// What its values are.
    pub(crate) kind: Kind,
    /// Which way is better, for ordered values (numbers and ratings).
    pub(crate) better: Option<Better>,
    /// Replaces the dataset's `max_age` for this dimension's sources.
    pub(crate) max_age: Option<MaxAge>,
    /// Sources of every value that names none of its own (indexes into [`Comparison::sources`]).
    pub(crate) sources: Vec<usize>,
    /// Where the dimension's `source` (or `sources`) is written.
    pub(crate) sources_at: Option<Position>,
    /// One value per subject, in the order of [`Comparison::subjects`].
    pub(crate) values: Vec<Cell>,
}

/// The type of a dimension's values.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
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

/// Which values of a dimension are better: `better = "lower"` or `"higher"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Better {
    /// Less is better (latency, power use, cost).
    Lower,
    /// More is better (range, battery life).
    Higher,
}

/// A rating scale from `min` to `max`, with optional names for each step.
#[derive(Debug, Clone)]
pub(crate) struct Scale {
    /// The scale's id in the file's `scales`.
    pub(crate) id: String,
    /// Lowest rating.
    pub(crate) min: i64,
    /// Highest rating.
    pub(crate) max: i64,
    /// One name per step, from `min` to `max`, or none.
    pub(crate) labels: Vec<String>,
}

/// One subject's value on one dimension.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    /// The value; `None` when it does not apply.
    pub(crate) value: Option<Datum>,
    /// A short remark shown with the value.
    pub(crate) note: Option<String>,
    /// Where the value comes from (indexes into [`Comparison::sources`]): its own sources, or
    /// else its dimension's.
    pub(crate) sources: Vec<usize>,
    /// Whether [`Cell::sources`] are the dimension's, the value naming none of its own.
    pub(crate) inherited: bool,
    /// Where the value is written.
    pub(crate) at: Position,
    /// Where the value's own `source` is written.
    pub(crate) sources_at: Option<Position>,
}

/// A value of one of the four types.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Datum {
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

    /// Whether values of this type can be ranked (numbers and ratings).
    pub(crate) fn is_ordered(&self) -> bool {
        matches!(self, Kind::Rating(_) | Kind::Number { .. })
    }
}

impl Better {
    /// `lower` or `higher`, as written.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Better::Lower => "lower",
            Better::Higher => "higher",
        }
    }
}

impl Cell {
    /// The value as a number, for ranking and sorting: numbers and ratings only.
    pub(crate) fn number(&self) -> Option<f64> {
        match &self.value {
            Some(Datum::Number(n)) => n.as_f64(),
            Some(Datum::Rating(r)) => Some(*r as f64),
            _ => None,
        }
    }
}

impl Dimension {
    /// The ids of the cells' anchors: `<dimension>-<subject>`.
    pub(crate) fn cell_id(&self, subject: &Subject) -> String {
        format!("{}-{}", self.id, subject.id)
    }
}

impl Comparison {
    /// The dimension with id `id`.
    pub(crate) fn dimension(&self, id: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.id == id)
    }

    /// The index of subject `id`.
    pub(crate) fn subject_index(&self, id: &str) -> Option<usize> {
        self.subjects.iter().position(|s| s.id == id)
    }

    /// The site path of a download (`data/<id>.json`).
    pub(crate) fn download_path(&self, extension: &str) -> String {
        format!("{DOWNLOADS_DIR}/{}.{extension}", self.id)
    }

    /// The newest date among the dataset's `updated` and the `accessed` dates of the sources of
    /// `cells`: when the facts shown were last checked.
    pub(crate) fn checked<'c>(&'c self, cells: impl IntoIterator<Item = &'c Cell>) -> Option<&'c Date> {
        let accessed = cells
            .into_iter()
            .flat_map(|cell| &cell.sources)
            .filter_map(|&i| self.sources[i].accessed.as_ref().map(|a| &a.value));
        accessed.chain(self.updated.as_ref().map(|u| &u.value)).max_by_key(|d| d.timestamp())
    }

    /// The dataset as published in `data/<id>.json`: every value with its display text, and
    /// every source cited, by key.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        let subjects: Vec<_> = self
            .subjects
            .iter()
            .map(|s| json!({"id": s.id, "name": s.name, "description": s.description}))
            .collect();
        let dimensions: Vec<_> = self.dimensions.iter().map(|d| self.dimension_json(d)).collect();
        let sources: serde_json::Map<_, _> =
            self.sources.iter().map(|s| (s.key.clone(), s.to_json())).collect();
        json!({
            "id": self.id, "title": self.title, "description": self.description,
            "license": self.license, "authors": self.authors, "version": self.version,
            "updated": self.updated.as_ref().map(|u| u.value.as_str()),
            "subjects": subjects, "dimensions": dimensions, "sources": sources,
        })
    }

    fn dimension_json(&self, d: &Dimension) -> serde_json::Value {
        let mut dimension = json!({
            "id": d.id, "label": d.label, "group": d.group, "summary": d.summary,
            "type": d.kind.name(),
        });
        match &d.kind {
            Kind::Rating(scale) => {
                dimension["scale"] = json!({"min": scale.min, "max": scale.max, "labels": scale.labels});
            }
            Kind::Number { unit } => dimension["unit"] = json!(unit),
            Kind::Text | Kind::Boolean => {}
        }
        if let Some(better) = d.better {
            dimension["better"] = json!(better.name());
        }
        if !d.sources.is_empty() {
            dimension["sources"] = json!(self.keys(&d.sources));
        }
        let values: serde_json::Map<_, _> = self
            .subjects
            .iter()
            .zip(&d.values)
            .map(|(s, cell)| (s.id.clone(), self.cell_json(d, cell)))
            .collect();
        dimension["values"] = serde_json::Value::Object(values);
        dimension
    }

    fn cell_json(&self, dimension: &Dimension, cell: &Cell) -> serde_json::Value {
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
            // The first source as one line of text, as the download had it before values could
            // name several; `sources` has them all.
            "source": cell.sources.first().map(|&i| self.sources[i].reference()),
            "sources": self.keys(&cell.sources),
        })
    }

    fn keys(&self, sources: &[usize]) -> Vec<&str> {
        sources.iter().map(|&i| self.sources[i].key.as_str()).collect()
    }

    /// The dataset as published in `data/<id>.csv`: one row per dimension, one column per
    /// subject holding the value's display text, plus note and source columns when any value
    /// has one (a value's sources are written one after another, separated by `; `).
    pub(crate) fn to_csv(&self) -> String {
        let has_notes = self.dimensions.iter().flat_map(|d| &d.values).any(|c| c.note.is_some());
        let has_sources = self.dimensions.iter().flat_map(|d| &d.values).any(|c| !c.sources.is_empty());
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
                    let sources: Vec<String> =
                        cell.sources.iter().map(|&i| self.sources[i].reference()).collect();
                    row.push(sources.join("; "));
                }
            }
            rows.push(row);
        }
        let mut out = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
        for row in rows {
            out.write_record(row.iter().map(|cell| guard_formula(cell).into_owned()))
                .expect("writing to memory cannot fail");
        }
        let bytes = out.into_inner().expect("writing to memory cannot fail");
        String::from_utf8(bytes).expect("the cells are text")
    }
}

/// The display text of a value: `Yes`, `High (3 of 3)`, `12 ms`, `Not applicable`.
pub(crate) fn text(dimension: &Dimension, cell: &Cell) -> String {
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

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first, or a tab or carriage
/// return) gets a `'` before it; a number keeps its sign.
fn guard_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    let is_number = cell.parse::<f64>().is_ok_and(f64::is_finite);
    match !is_number && cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        true => format!("'{cell}").into(),
        false => cell.into(),
    }
}

/// The site path of the Frictionless data package describing every dataset.
pub(crate) const DATAPACKAGE: &str = "data/datapackage.json";

/// The site path of the stylesheet with the table controls' rules.
pub(crate) const STYLESHEET: &str = "comparison.css";

/// The folder of the embeddable tables.
pub(crate) const EMBED_DIR: &str = "embed";

/// The site path of the folder of `c`'s embeddable table: `embed/<id>/`.
pub(crate) fn embed_path(c: &Comparison) -> String {
    format!("{EMBED_DIR}/{}/", c.id)
}

/// The site files the datasets publish besides their downloads (see [`publish`]), with the data file that asks for each (for the
/// check that no other source writes them).
pub(crate) fn files(
    comparisons: &std::collections::BTreeMap<String, Comparison>,
) -> Vec<(String, &std::path::Path)> {
    let mut files = Vec::new();
    if let Some(first) = comparisons.values().next() {
        files.push((DATAPACKAGE.to_string(), first.shown.as_path()));
    }
    for c in comparisons.values().filter(|c| c.pages.embed) {
        files.push((format!("{}index.html", embed_path(c)), c.shown.as_path()));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

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
