//! What a site publishes so that its datasets can be reused: a Frictionless `datapackage.json`
//! beside the JSON and CSV downloads, a small self-contained page per dataset under `embed/` for
//! other sites to show in an iframe, citation text (CITATION.cff and BibTeX) with the snippet
//! that embeds it, and `comparison.css`, the rules that let readers shape tables without
//! JavaScript.

use std::fmt::Write as _;

use serde_json::json;

use super::cite::home_of;
use super::{Comparison, embed_path};
use crate::html::escape;
use crate::site::Site;
use crate::table::{Links, Selection};
use crate::urls;

/// `data/datapackage.json`: a Frictionless data package with each dataset's CSV (and its field
/// types) and JSON downloads as resources.
pub(crate) fn datapackage(site: &Site) -> String {
    let mut resources = Vec::new();
    for c in site.data.comparisons.values() {
        let name: String =
            c.id.to_lowercase()
                .chars()
                .map(|ch| if ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.') { ch } else { '-' })
                .collect();
        let mut fields = vec![
            json!({"name": "id", "type": "string", "description": "The dimension's id", "constraints": {"required": true, "unique": true}}),
            json!({"name": "dimension", "type": "string", "description": "The dimension's label"}),
            json!({"name": "group", "type": "string"}),
            json!({"name": "summary", "type": "string", "description": "What the dimension measures"}),
        ];
        let has_notes = c.dimensions.iter().flat_map(|d| &d.values).any(|v| v.note.is_some());
        let has_sources = c.dimensions.iter().flat_map(|d| &d.values).any(|v| !v.sources.is_empty());
        for s in &c.subjects {
            let description = format!("The value for {}, as display text", s.name);
            fields.push(json!({"name": s.name, "type": "string", "description": description}));
            if has_notes {
                fields.push(json!({"name": format!("{} note", s.name), "type": "string"}));
            }
            if has_sources {
                fields.push(json!({"name": format!("{} source", s.name), "type": "string"}));
            }
        }
        let mut csv = json!({
            "name": name, "path": format!("{}.csv", c.id), "profile": "tabular-data-resource",
            "title": c.title, "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "schema": {"fields": fields, "primaryKey": "id"},
        });
        if let Some(description) = &c.description {
            csv["description"] = description.as_str().into();
        }
        if let Some(license) = &c.license {
            csv["licenses"] = if license.contains("://") {
                json!([{"path": license, "title": license}])
            } else {
                json!([{"name": license}])
            };
        }
        let sources: Vec<serde_json::Value> = c
            .sources
            .iter()
            .map(|s| {
                let mut source = json!({"title": s.label()});
                if let Some(url) = &s.url {
                    source["path"] = url.as_str().into();
                }
                source
            })
            .collect();
        if !sources.is_empty() {
            csv["sources"] = sources.into();
        }
        resources.push(csv);
        resources.push(json!({
            "name": format!("{name}-json"), "path": format!("{}.json", c.id), "title": c.title,
            "format": "json", "mediatype": "application/json", "encoding": "utf-8",
        }));
    }
    let name: String = urls::slugify(&site.config.title).chars().filter(char::is_ascii).collect();
    let package = json!({
        "profile": "data-package",
        "name": if name.is_empty() { "datasets".to_string() } else { name },
        "title": site.config.title,
        "homepage": site.config.base_url,
        "resources": resources,
    });
    serde_json::to_string_pretty(&package).expect("JSON values always serialise") + "\n"
}

/// `comparison.css`: for every column a table of the site can have, the rule that hides it when
/// its checkbox is cleared, and the rule that hides the rows where every subject agrees. With
/// `:has()` unsupported the controls are hidden, as they would do nothing.
pub(crate) fn stylesheet(site: &Site) -> String {
    let columns = site.data.comparisons.values().map(|c| c.subjects.len()).max().unwrap_or(0);
    let mut css = String::from(
        "/* Written by juxta: the rules that let readers shape comparison tables, with no script. */\n\
         @supports not selector(:has(*)) {\n  .comparison-controls { display: none; }\n}\n\
         .comparison:has(.comparison-only-differences:checked) tr.comparison-same { display: none; }\n",
    );
    column_rules(&mut css, columns);
    css
}

fn column_rules(css: &mut String, subjects: usize) {
    for column in 2..=subjects + 1 {
        let _ = writeln!(
            css,
            ".comparison:has([data-column=\"{column}\"]:not(:checked)) tr > :nth-child({column}) {{ display: none; }}"
        );
    }
}

/// The look of an embedded table: small, self-contained, light and dark.
const EMBED_CSS: &str = "body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#1b1f24;background:#fff}\
main{padding:12px}h1{font-size:1.1em;margin:0 0 8px}fieldset{min-width:0;border:1px solid #c9d1d9}table{border-collapse:collapse;width:100%}caption{text-align:left;font-weight:600;padding:4px 0 8px}\
th,td{border:1px solid #c9d1d9;padding:6px 8px;text-align:left;vertical-align:top}thead th{background:#f1f4f7}\
.comparison-summary,.comparison-note,.comparison-checked,.comparison-sources,.embed-credit{display:block;font-size:.85em;color:#4a5562}\
.comparison-value{font-weight:600}a{color:#0b5cad}.comparison-controls{margin:0 0 8px}\
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}\
.table-scroll{overflow-x:auto;position:relative}.comparison-sources{overflow-wrap:anywhere}:target{outline:3px solid #d4a72c}\
@media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0d1117}th,td{border-color:#3d444d}\
thead th{background:#161b22}.comparison-summary,.comparison-note,.comparison-checked,.comparison-sources,.embed-credit{color:#9da7b3}a{color:#6cb6ff}}";

/// The embeddable page of `c`: the whole table with its controls and sources, its own styles and
/// no script, a canonical link back to the page presenting the dataset, and kept out of search
/// engines' indexes. Its links open in the page that embeds it.
pub(crate) fn embed_html(site: &Site, c: &Comparison) -> String {
    let path = embed_path(c);
    let links = Links { site, depth: urls::depth(&path), current: None };
    let selection = Selection { hide_reuse: true, ..Selection::default() };
    let table = crate::table::render(c, &selection, &links);
    // Links out of the frame open in the embedding page; `#` links stay in the frame.
    let table = table
        .replace("<a href=\"", "<a target=\"_top\" href=\"")
        .replace("<a target=\"_top\" href=\"#", "<a href=\"#");
    let home = home_of(c, site, None);
    let mut css = String::from(EMBED_CSS);
    css.push_str(&stylesheet_for(c));
    let license = c.license.as_deref().map(|l| format!(" Licence: {}.", escape(l))).unwrap_or_default();
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} | {}</title>\n\
         <meta name=\"robots\" content=\"noindex\">\n<link rel=\"canonical\" href=\"{}\">\n<style>{css}</style>\n</head>\n\
         <body>\n<main>\n<h1>{}</h1>\n{table}<p class=\"embed-credit\">From <a target=\"_top\" href=\"{}\">{}</a>.{license}</p>\n</main>\n</body>\n</html>\n",
        escape(&site.config.language),
        escape(&c.title),
        escape(&site.config.title),
        escape(&home),
        escape(&c.title),
        escape(&home),
        escape(&site.config.title),
    )
}

/// The table controls' rules for one dataset, for its embed page.
fn stylesheet_for(c: &Comparison) -> String {
    let mut css = String::from(
        "@supports not selector(:has(*)){.comparison-controls{display:none}}\
         .comparison:has(.comparison-only-differences:checked) tr.comparison-same{display:none}\n",
    );
    column_rules(&mut css, c.subjects.len());
    css
}
