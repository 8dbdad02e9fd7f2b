//! What a site publishes so that its datasets can be reused: a Frictionless `datapackage.json`
//! beside the JSON and CSV downloads, a small self-contained page per dataset under `embed/` for
//! other sites to show in an iframe, citation text (CITATION.cff and BibTeX) with the snippet
//! that embeds it, and `comparison.css`, the rules that let readers shape tables without
//! JavaScript.

use std::fmt::Write as _;

use serde_json::json;

use super::Comparison;
use crate::markdown::escape;
use crate::site::Site;
use crate::table::{Links, Selection};
use crate::urls;

/// The site path of the Frictionless data package describing every dataset.
pub const DATAPACKAGE: &str = "data/datapackage.json";

/// The site path of the stylesheet with the table controls' rules.
pub const STYLESHEET: &str = "comparison.css";

/// The folder of the embeddable tables.
pub const EMBED_DIR: &str = "embed";

/// The site path of the folder of `c`'s embeddable table: `embed/<id>/`.
pub fn embed_path(c: &Comparison) -> String {
    format!("{EMBED_DIR}/{}/", c.id)
}

/// The site files this module writes for `site`, with the data file that asks for each (for the
/// check that no other source writes them).
pub fn files(site_data: &crate::data::Data) -> Vec<(String, &std::path::Path)> {
    let mut files = Vec::new();
    if let Some(first) = site_data.comparisons.values().next() {
        files.push((DATAPACKAGE.to_string(), first.shown.as_path()));
    }
    for c in site_data.comparisons.values().filter(|c| c.pages.embed) {
        files.push((format!("{}index.html", embed_path(c)), c.shown.as_path()));
    }
    files
}

/// The permalink of the page presenting `c`: its `page`, else the page showing the table, else
/// the site's home.
fn home_of(c: &Comparison, site: &Site, current: Option<&str>) -> String {
    let page = c.page.as_ref().and_then(|p| site.by_source.get(p.value.trim_start_matches('/')));
    match (page, current) {
        (Some(&id), _) => site.permalink(id),
        (None, Some(path)) => urls::absolute(&site.config.base_url, path),
        (None, None) => site.config.base_url.clone(),
    }
}

/// The folded block under a dataset's main table: the iframe snippet that embeds the table in
/// another site, and the dataset's citation as CITATION.cff and BibTeX. It has no blank line, so
/// that Markdown keeps it in the table's HTML block.
pub fn reuse_html(html: &mut String, c: &Comparison, links: &Links<'_>) {
    let site = links.site;
    let url = home_of(c, site, links.current.as_deref());
    html.push_str("<details class=\"comparison-reuse\"><summary>Embed or cite this data</summary>\n");
    if c.pages.embed {
        let embed = embed_path(c);
        let height = (160 + 56 * c.dimensions.len()).min(2000);
        let snippet = format!(
            "<iframe src=\"{}\" title=\"{}\" width=\"100%\" height=\"{height}\" style=\"border:0\" loading=\"lazy\"></iframe>",
            escape(&links.absolute(&embed)),
            escape(&c.title)
        );
        let _ = writeln!(
            html,
            "<p>To show this table on another site, paste this where it should appear \
             (<a href=\"{}\">see the table alone</a>):</p>\n<pre class=\"comparison-snippet\"><code>{}</code></pre>",
            escape(&links.to(&embed)),
            escape(&snippet)
        );
    }
    let _ = writeln!(
        html,
        "<p>To cite it, as <code>CITATION.cff</code>:</p>\n<pre class=\"comparison-snippet\"><code>{}</code></pre>\n\
         <p>As BibTeX:</p>\n<pre class=\"comparison-snippet\"><code>{}</code></pre>",
        escape(cff(c, site, &url).trim_end()),
        escape(bibtex(c, site, &url).trim_end())
    );
    html.push_str("</details>\n");
}

/// The authors to credit: the dataset's, else the site's author, else the site's title.
fn authors<'a>(c: &'a Comparison, site: &'a Site) -> Vec<&'a str> {
    if !c.authors.is_empty() {
        return c.authors.iter().map(String::as_str).collect();
    }
    let fallback = if site.config.author.is_empty() { &site.config.title } else { &site.config.author };
    vec![fallback.as_str()]
}

/// The date the dataset was released: its `updated`, else the newest date its facts were checked.
fn released(c: &Comparison) -> Option<&str> {
    c.checked(c.dimensions.iter().flat_map(|d| &d.values)).map(|d| d.ymd())
}

/// Citation File Format (version 1.2.0) text for `c`, published at `url`.
pub fn cff(c: &Comparison, site: &Site, url: &str) -> String {
    // JSON strings are YAML double-quoted scalars: every value is quoted and escaped at once.
    // U+2028 and U+2029 are line breaks to YAML: they are escaped like other line breaks.
    let q = |s: &str| {
        serde_json::Value::from(s).to_string().replace('\u{2028}', "\\u2028").replace('\u{2029}', "\\u2029")
    };
    let mut out =
        String::from("cff-version: 1.2.0\nmessage: \"If you use this dataset, please cite it as below.\"\n");
    let _ = writeln!(out, "type: dataset\ntitle: {}", q(&c.title));
    if let Some(description) = &c.description {
        let _ = writeln!(out, "abstract: {}", q(description));
    }
    out.push_str("authors:\n");
    for author in authors(c, site) {
        let _ = writeln!(out, "  - name: {}", q(author));
    }
    if let Some(version) = &c.version {
        let _ = writeln!(out, "version: {}", q(version));
    }
    if let Some(date) = released(c) {
        let _ = writeln!(out, "date-released: {}", q(date));
    }
    match &c.license {
        Some(license) if license.contains("://") => {
            let _ = writeln!(out, "license-url: {}", q(license));
        }
        // CFF takes SPDX identifiers, which have no spaces.
        Some(license) if !license.contains(char::is_whitespace) => {
            let _ = writeln!(out, "license: {}", q(license));
        }
        _ => {}
    }
    let _ = writeln!(out, "url: {}", q(url));
    out
}

/// A BibTeX `@misc` entry for `c`, published at `url`.
pub fn bibtex(c: &Comparison, site: &Site, url: &str) -> String {
    let key: String = c.id.chars().filter(char::is_ascii_alphanumeric).collect();
    let authors: Vec<String> = authors(c, site).iter().map(|a| format!("{{{}}}", tex(a))).collect();
    let mut out = format!("@misc{{{},\n", if key.is_empty() { "dataset" } else { &key });
    let _ = writeln!(out, "  title = {{{}}},", tex(&c.title));
    let _ = writeln!(out, "  author = {{{}}},", authors.join(" and "));
    if let Some(date) = released(c) {
        let _ = writeln!(out, "  year = {{{}}},", &date[..4]);
    }
    if let Some(version) = &c.version {
        let _ = writeln!(out, "  version = {{{}}},", tex(version));
    }
    let _ = writeln!(out, "  howpublished = {{\\url{{{}}}}},", url.replace(['{', '}'], ""));
    let _ = writeln!(out, "  url = {{{}}},", url.replace(['{', '}'], ""));
    out.push_str("  note = {Dataset}\n}\n");
    out
}

/// Text with TeX's special characters escaped.
fn tex(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '%' | '&' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(ch);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            c => out.push(c),
        }
    }
    out
}

/// `data/datapackage.json`: a Frictionless data package with each dataset's CSV (and its field
/// types) and JSON downloads as resources.
pub fn datapackage(site: &Site) -> String {
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
pub fn stylesheet(site: &Site) -> String {
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
pub fn embed_html(site: &Site, c: &Comparison) -> String {
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
