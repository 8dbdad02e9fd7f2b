//! The HTML of a comparison table, its downloads links and its schema.org `Dataset` JSON-LD.
//!
//! The table is built for reading by everyone: a `<caption>`, column headers with
//! `scope="col"`, one row per dimension with a row header (`scope="row"`) and a stable id, and
//! optional group sub-headings (`scope="rowgroup"`). Every value is written as text (`Yes`,
//! `High (3 of 3)`), so nothing depends on colour or icons. Every piece of data is escaped for
//! where it goes: HTML text, attribute, or JSON inside `<script>`.

use std::fmt::Write as _;
use std::sync::Arc;

use tera::{Kwargs, State, TeraResult, Value};

use crate::comparison::{self, Comparison, Datum, Dimension};
use crate::markdown::escape;
use crate::site::Site;
use crate::urls;

/// What a table shows; every field has a default that shows the whole dataset.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Dimension ids, in the order to show them; all when `None`.
    pub dimensions: Option<Vec<String>>,
    /// Subject ids, in the order to show them; all when `None`.
    pub subjects: Option<Vec<String>>,
    /// Only the dimensions of these groups; all when `None`.
    pub groups: Option<Vec<String>>,
    /// Replaces the dataset's title as the caption.
    pub caption: Option<String>,
    /// Leaves out the one-line summaries under the row headers.
    pub hide_summaries: bool,
    /// Leaves out the group sub-headings.
    pub hide_groups: bool,
    /// Put before each dimension id to make the row ids (for two tables of one dataset on a page).
    pub id_prefix: String,
    /// Leaves out the downloads links and the JSON-LD.
    pub hide_downloads: bool,
}

/// Links and addresses the table needs, relative to the page showing it.
pub struct Links {
    /// Link to the JSON download from the page.
    pub json: String,
    /// Link to the CSV download from the page.
    pub csv: String,
    /// Absolute URL of the JSON download.
    pub json_absolute: String,
    /// Absolute URL of the CSV download.
    pub csv_absolute: String,
    /// Absolute URL of the page, when known.
    pub page: Option<String>,
}

/// Checks a selection against the dataset; the message names what is missing and suggests a
/// close match.
pub fn check(c: &Comparison, selection: &Selection) -> Result<(), String> {
    for id in selection.dimensions.iter().flatten() {
        if c.dimension(id).is_none() {
            let near = crate::suggest::closest(id, c.dimensions.iter().map(|d| d.id.as_str()));
            return Err(format!("`{}` has no dimension `{id}`{near}", c.shown.display()));
        }
    }
    for id in selection.subjects.iter().flatten() {
        if c.subject_index(id).is_none() {
            let near = crate::suggest::closest(id, c.subjects.iter().map(|s| s.id.as_str()));
            return Err(format!("`{}` has no subject `{id}`{near}", c.shown.display()));
        }
    }
    for group in selection.groups.iter().flatten() {
        if !c.dimensions.iter().any(|d| d.group.as_deref() == Some(group.as_str())) {
            let near = crate::suggest::closest(group, c.dimensions.iter().filter_map(|d| d.group.as_deref()));
            return Err(format!("`{}` has no group `{group}`{near}", c.shown.display()));
        }
    }
    Ok(())
}

/// Renders the table (after [`check`]). The output has no blank line, so that Markdown keeps it
/// as one HTML block.
pub fn render(c: &Comparison, selection: &Selection, links: &Links) -> String {
    let subjects: Vec<usize> = match &selection.subjects {
        Some(ids) => ids.iter().filter_map(|id| c.subject_index(id)).collect(),
        None => (0..c.subjects.len()).collect(),
    };
    let mut dimensions: Vec<&Dimension> = match &selection.dimensions {
        Some(ids) => ids.iter().filter_map(|id| c.dimension(id)).collect(),
        None => c.dimensions.iter().collect(),
    };
    if let Some(groups) = &selection.groups {
        dimensions.retain(|d| d.group.as_ref().is_some_and(|g| groups.contains(g)));
    }
    let caption = selection.caption.as_deref().unwrap_or(&c.title);

    let mut html = String::with_capacity(1024 + dimensions.len() * 400);
    let _ = writeln!(
        html,
        "<div class=\"comparison\">\n<div class=\"table-scroll\" role=\"region\" aria-label=\"{}\" tabindex=\"0\">\n\
         <table class=\"comparison-table\">\n<caption>{}</caption>",
        escape(caption),
        escape(caption)
    );
    html.push_str("<thead>\n<tr><th scope=\"col\">Dimension</th>");
    for &s in &subjects {
        let _ = write!(html, "<th scope=\"col\">{}</th>", escape(&c.subjects[s].name));
    }
    html.push_str("</tr>\n</thead>\n");
    for (group, rows) in grouped(&dimensions, !selection.hide_groups) {
        html.push_str("<tbody>\n");
        if let Some(group) = group {
            let _ = writeln!(
                html,
                "<tr class=\"comparison-group\"><th scope=\"rowgroup\" colspan=\"{}\">{}</th></tr>",
                subjects.len() + 1,
                escape(group)
            );
        }
        for d in rows {
            row(&mut html, d, &subjects, selection);
        }
        html.push_str("</tbody>\n");
    }
    html.push_str("</table>\n</div>\n");
    if !selection.hide_downloads {
        let _ = writeln!(
            html,
            "<p class=\"comparison-downloads\">Download this data: <a href=\"{}\" download>JSON</a>, \
             <a href=\"{}\" download>CSV</a></p>",
            escape(&links.json),
            escape(&links.csv)
        );
        let _ = writeln!(html, "<script type=\"application/ld+json\">{}</script>", json_ld(c, links));
    }
    html.push_str("</div>\n");
    html
}

/// Dimensions by group in the order groups first appear; one unnamed group when groups are off
/// or no dimension has one.
fn grouped<'a>(dimensions: &[&'a Dimension], by_group: bool) -> Vec<(Option<&'a str>, Vec<&'a Dimension>)> {
    if !by_group || dimensions.iter().all(|d| d.group.is_none()) {
        return vec![(None, dimensions.to_vec())];
    }
    let mut groups: Vec<(Option<&str>, Vec<&Dimension>)> = Vec::new();
    for &d in dimensions {
        let key = d.group.as_deref();
        match groups.iter_mut().find(|(g, _)| *g == key) {
            Some((_, rows)) => rows.push(d),
            None => groups.push((key, vec![d])),
        }
    }
    // Dimensions without a group come first, under no sub-heading.
    groups.sort_by_key(|(g, _)| g.is_some());
    groups
}

fn row(html: &mut String, d: &Dimension, subjects: &[usize], selection: &Selection) {
    let _ = write!(
        html,
        "<tr id=\"{}{}\"><th scope=\"row\"><span class=\"comparison-label\">{}</span>",
        escape(&selection.id_prefix),
        escape(&d.id),
        escape(&d.label)
    );
    if !selection.hide_summaries {
        let _ = write!(html, " <span class=\"comparison-summary\">{}</span>", escape(&d.summary));
    }
    html.push_str("</th>");
    for &s in subjects {
        let cell = &d.values[s];
        let class = match &cell.value {
            None => "comparison-na",
            Some(Datum::Boolean(true)) => "comparison-yes",
            Some(Datum::Boolean(false)) => "comparison-no",
            Some(Datum::Rating(_)) => "comparison-rating",
            Some(Datum::Number(_)) => "comparison-number",
            Some(Datum::Text(_)) => "comparison-text",
        };
        let _ = write!(html, "<td class=\"{class}\"");
        if let (Some(Datum::Rating(r)), comparison::Kind::Rating(scale)) = (&cell.value, &d.kind) {
            let _ = write!(html, " data-rating=\"{r}\" data-max=\"{}\"", scale.max);
        }
        let _ =
            write!(html, "><span class=\"comparison-value\">{}</span>", escape(&comparison::text(d, cell)));
        if let Some(note) = &cell.note {
            let _ = write!(html, " <span class=\"comparison-note\">{}</span>", escape(note));
        }
        if let Some(source) = &cell.source {
            source_html(html, source);
        }
        html.push_str("</td>");
    }
    html.push_str("</tr>\n");
}

/// A source is a link when it is an http(s) URL, named by its host; anything else is a citation
/// written as text.
fn source_html(html: &mut String, source: &str) {
    let host = source
        .strip_prefix("https://")
        .or_else(|| source.strip_prefix("http://"))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default())
        .filter(|h| !h.is_empty());
    match host {
        Some(host) => {
            let _ = write!(
                html,
                " <span class=\"comparison-source\">Source: <a href=\"{}\">{}</a></span>",
                escape(source),
                escape(host)
            );
        }
        None => {
            let _ = write!(html, " <span class=\"comparison-source\">Source: {}</span>", escape(source));
        }
    }
}

/// schema.org `Dataset` describing the dataset and its two downloads.
fn json_ld(c: &Comparison, links: &Links) -> String {
    let mut dataset = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": c.title,
        "description": c.description.as_deref().unwrap_or(&c.title),
        "variableMeasured": c.dimensions.iter().map(|d| d.label.as_str()).collect::<Vec<_>>(),
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": "application/json", "contentUrl": links.json_absolute},
            {"@type": "DataDownload", "encodingFormat": "text/csv", "contentUrl": links.csv_absolute},
        ],
    });
    if let Some(url) = &links.page {
        dataset["url"] = url.as_str().into();
    }
    if let Some(license) = &c.license {
        dataset["license"] = license.as_str().into();
    }
    script_json(&dataset)
}

/// JSON that is safe inside `<script>`: `<`, `>` and `&` are written as `\u` escapes, so no value
/// can close the element, and U+2028/U+2029 are escaped for older JavaScript parsers.
pub fn script_json(value: &serde_json::Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Template functions

/// Registers `comparison_table`, `comparison_value` and `comparison`.
pub(crate) fn register(tera: &mut tera::Tera, site: &Arc<Site>) {
    tera.register_function("comparison_table", TableFunction(site.clone()));
    let s = site.clone();
    tera.register_function("comparison_value", move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
        comparison_value(&s, &kwargs).map_err(tera::Error::message)
    });
    let s = site.clone();
    tera.register_function("comparison", move |kwargs: Kwargs, state: &State| -> TeraResult<Value> {
        check_arguments("comparison", &kwargs, &["dataset"])?;
        let c = dataset(&s, &kwargs, "comparison").map_err(tera::Error::message)?;
        let links = links(&s, c, state);
        let mut value = c.to_json();
        value["downloads"] = serde_json::json!({"json": links.json, "csv": links.csv});
        Ok(Value::from_serializable(&value))
    });
}

/// `comparison_table(dataset=…)`: returns HTML, so it is registered as safe.
struct TableFunction(Arc<Site>);

impl tera::Function<TeraResult<Value>> for TableFunction {
    fn call(&self, kwargs: Kwargs, state: &State) -> TeraResult<Value> {
        const ARGS: [&str; 9] = [
            "dataset",
            "dimensions",
            "subjects",
            "groups",
            "caption",
            "summaries",
            "group_headings",
            "id_prefix",
            "downloads",
        ];
        check_arguments("comparison_table", &kwargs, &ARGS)?;
        let c = dataset(&self.0, &kwargs, "comparison_table").map_err(tera::Error::message)?;
        let selection = Selection {
            dimensions: kwargs.get::<Vec<String>>("dimensions")?,
            subjects: kwargs.get::<Vec<String>>("subjects")?,
            groups: kwargs.get::<Vec<String>>("groups")?,
            caption: kwargs.get::<String>("caption")?,
            hide_summaries: !kwargs.get::<bool>("summaries")?.unwrap_or(true),
            hide_groups: !kwargs.get::<bool>("group_headings")?.unwrap_or(true),
            id_prefix: kwargs.get::<String>("id_prefix")?.unwrap_or_default(),
            hide_downloads: !kwargs.get::<bool>("downloads")?.unwrap_or(true),
        };
        if !selection.id_prefix.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(tera::Error::message(
                "comparison_table: `id_prefix` may use only letters, digits, `-` and `_`",
            ));
        }
        check(c, &selection).map_err(|m| tera::Error::message(format!("comparison_table: {m}")))?;
        let html = render(c, &selection, &links(&self.0, c, state));
        if !self.0.config.markdown.raw_html && crate::templates::in_body(state) {
            return Ok(Value::safe_string(&crate::raw_html::seal(&html)));
        }
        Ok(Value::safe_string(&html))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// `comparison_value(dataset=…, dimension=…, subject=…, field="text")`: one value for prose.
/// `field` is `text` (the display text, the default), `value` (the raw value), `note` or
/// `source`.
fn comparison_value(site: &Site, kwargs: &Kwargs) -> Result<Value, String> {
    check_arguments("comparison_value", kwargs, &["dataset", "dimension", "subject", "field"])
        .map_err(|e| e.to_string())?;
    let c = dataset(site, kwargs, "comparison_value")?;
    let string = |key: &str| -> Result<String, String> {
        kwargs.must_get::<String>(key).map_err(|e| format!("comparison_value: {e}"))
    };
    let (dimension, subject) = (string("dimension")?, string("subject")?);
    let field = kwargs.get::<String>("field").map_err(|e| e.to_string())?.unwrap_or_else(|| "text".into());
    let selection = Selection {
        dimensions: Some(vec![dimension.clone()]),
        subjects: Some(vec![subject.clone()]),
        ..Selection::default()
    };
    check(c, &selection).map_err(|m| format!("comparison_value: {m}"))?;
    let d = c.dimension(&dimension).expect("checked above");
    let cell = &d.values[c.subject_index(&subject).expect("checked above")];
    Ok(match field.as_str() {
        "text" => comparison::text(d, cell).into(),
        "value" => match &cell.value {
            None => Value::none(),
            Some(Datum::Text(t)) => t.as_str().into(),
            Some(Datum::Rating(r)) => (*r).into(),
            Some(Datum::Boolean(b)) => (*b).into(),
            Some(Datum::Number(n)) => Value::from_serializable(n),
        },
        "note" => cell.note.as_deref().into(),
        "source" => cell.source.as_deref().into(),
        other => {
            let near = crate::suggest::closest(other, ["text", "value", "note", "source"].into_iter());
            return Err(format!(
                "comparison_value: unknown field `{other}`{near}; expected `text`, `value`, `note` or `source`"
            ));
        }
    })
}

/// Refuses arguments a function does not take, so that a misspelt one is not silently ignored.
fn check_arguments(function: &str, kwargs: &Kwargs, known: &[&str]) -> TeraResult<()> {
    for (key, _) in kwargs.iter() {
        let key = key.as_str().unwrap_or_default();
        if !known.contains(&key) {
            let near = crate::suggest::closest(key, known.iter().copied());
            let expected = known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
            return Err(tera::Error::message(format!(
                "{function}: unknown argument `{key}`{near}; it takes {expected}"
            )));
        }
    }
    Ok(())
}

/// The dataset named by the `dataset` argument, or a message naming what is wrong.
fn dataset<'a>(site: &'a Site, kwargs: &Kwargs, function: &str) -> Result<&'a Comparison, String> {
    let id: String = kwargs.must_get("dataset").map_err(|e| format!("{function}: {e}"))?;
    if let Some(c) = site.data.comparisons.get(&id) {
        return Ok(c);
    }
    if let Some(file) = site.data.files.get(&id) {
        let shown = file.shown.display();
        let hint = if file.shown.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
            "a CSV file cannot declare one: write it as TOML, YAML or JSON".to_string()
        } else {
            format!("it needs `{}`", comparison::syntax(&file.shown, "kind", "\"comparison\""))
        };
        return Err(format!("{function}: `{shown}` is not a comparison dataset: {hint}"));
    }
    let near = crate::suggest::closest(&id, site.data.comparisons.keys().map(String::as_str));
    Err(format!("{function}: there is no comparison dataset `{id}` in `data/`{near}"))
}

fn links(site: &Site, c: &Comparison, state: &State) -> Links {
    let depth = crate::templates::depth_of(state);
    let (json, csv) = (c.download_path("json"), c.download_path("csv"));
    let base = &site.config.base_url;
    let page = state.get::<String>("current_path").ok().flatten().map(|p| urls::absolute(base, &p));
    Links {
        json: urls::link(depth, &json, site.flavour),
        csv: urls::link(depth, &csv, site.flavour),
        json_absolute: urls::absolute(base, &json),
        csv_absolute: urls::absolute(base, &csv),
        page,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script_element() {
        let v = serde_json::json!({"name": "</script><script>alert(1)</script>\u{2028}&"});
        let out = script_json(&v);
        assert!(!out.contains('<') && !out.contains('>'), "{out}");
        assert_eq!(
            out,
            r#"{"name":"\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e\u2028\u0026"}"#
        );
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back, v);
    }
}
