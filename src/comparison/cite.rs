//! How a dataset is cited: as `CITATION.cff` and BibTeX, crediting its authors (or the site's),
//! at the address of the page presenting it.

use std::fmt::Write as _;

use super::Comparison;
use crate::site::Site;
use crate::urls;

/// The permalink of the page presenting `c`: its `page`, else the page showing the table, else
/// the site's home.
pub(crate) fn home_of(c: &Comparison, site: &Site, current: Option<&str>) -> String {
    let page = c.page.as_ref().and_then(|p| site.by_source.get(p.value.trim_start_matches('/')));
    match (page, current) {
        (Some(&id), _) => site.permalink(id),
        (None, Some(path)) => urls::absolute(&site.config.base_url, path),
        (None, None) => site.config.base_url.clone(),
    }
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
pub(crate) fn cff(c: &Comparison, site: &Site, url: &str) -> String {
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
pub(crate) fn bibtex(c: &Comparison, site: &Site, url: &str) -> String {
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
