//! From a place in the output back to the source that wrote it.
//!
//! A page's HTML is its template's output with the page's rendered Markdown inside it. Rendering
//! the Markdown again tells where that part lies, so a problem inside it belongs to the content
//! file and one outside it to the template. The line is found by looking for the reference as
//! written: in the Markdown body, or in the page's template and the templates it extends,
//! includes and imports. A reference built from data (`href="#{{ row.id }}"`) is not written
//! anywhere as such; its value is then looked up in the data files and named too. Copied files
//! (`static/`, content files) are byte-identical to their sources, so their positions are exact.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use super::Problem;
use super::scan::{Raw, What};
use crate::Loaded;
use crate::error::Position;
use crate::html::decode_entities;
use crate::page::PageId;
use crate::source::TEMPLATES_DIR;
use crate::templates;

/// Turns problems found in the output at `out` into problems naming their sources.
pub(crate) fn attribute(loaded: &Loaded, out: &Path, raws: Vec<Raw>) -> Vec<Problem> {
    if raws.is_empty() {
        return Vec::new();
    }
    let sources = Sources::read(loaded);
    let mut by_file: BTreeMap<String, Vec<Raw>> = BTreeMap::new();
    for raw in raws {
        by_file.entry(raw.file.clone()).or_default().push(raw);
    }
    let by_file: Vec<(String, Vec<Raw>)> = by_file.into_iter().collect();
    by_file.into_par_iter().flat_map_iter(|(file, raws)| sources.file(out, &file, raws)).collect()
}

/// Where an output file came from.
enum Origin {
    Page(PageId),
    Alias(PageId),
    Copied(PathBuf),
    NotFound,
    Generated,
}

/// What the attribution reads once: the origins of output files, templates and data files.
struct Sources<'a> {
    loaded: &'a Loaded,
    origins: HashMap<String, Origin>,
    /// Template sources by name (`page.html`).
    templates: HashMap<String, String>,
    /// Data files: shown path and text.
    data: Vec<(PathBuf, String)>,
}

impl Sources<'_> {
    fn read(loaded: &Loaded) -> Sources<'_> {
        let site = &loaded.site;
        let mut origins = HashMap::new();
        for id in site.ids() {
            let page = site.page(id);
            origins.insert(page.output_file(), Origin::Page(id));
            for alias in &page.front.aliases {
                if let Ok(file) = crate::urls::alias_file(alias) {
                    origins.insert(file, Origin::Alias(id));
                }
            }
        }
        for copy in &site.copies {
            origins.insert(copy.output.clone(), Origin::Copied(copy.source.clone()));
        }
        origins.insert("404.html".into(), Origin::NotFound);
        Sources {
            loaded,
            origins,
            templates: read_folder(&site.root.join(TEMPLATES_DIR))
                .into_iter()
                .map(|(name, text)| (name.to_string_lossy().replace('\\', "/"), text))
                .collect(),
            data: read_folder(&site.root.join(crate::source::DATA_DIR))
                .into_iter()
                .map(|(name, text)| (Path::new(crate::source::DATA_DIR).join(name), text))
                .collect(),
        }
    }

    /// The problems of one output file.
    fn file(&self, out: &Path, file: &str, raws: Vec<Raw>) -> Vec<Problem> {
        let text = std::fs::read(out.join(file)).map(|b| String::from_utf8_lossy(&b).into_owned());
        let text = text.unwrap_or_default();
        let site = &self.loaded.site;
        match self.origins.get(file).unwrap_or(&Origin::Generated) {
            Origin::Page(id) => {
                let content = self.content_range(*id, &text);
                raws.into_iter().map(|raw| self.page_problem(*id, content.clone(), raw)).collect()
            }
            Origin::Alias(id) => {
                let page = site.page(*id);
                raws.into_iter()
                    .map(|raw| Problem {
                        path: Some(page.shown_path()),
                        position: page.positions.aliases,
                        message: format!("in the redirect page `{file}`, {}", raw.message),
                        pages: Vec::new(),
                    })
                    .collect()
            }
            Origin::Copied(source) => raws
                .into_iter()
                .map(|raw| Problem {
                    path: Some(source.clone()),
                    position: raw.offsets.first().map(|&o| Position::of_offset(&text, o)),
                    message: raw.message,
                    pages: Vec::new(),
                })
                .collect(),
            Origin::NotFound => raws
                .into_iter()
                .map(|raw| {
                    let (path, position) = self.in_templates("404.html", &raw);
                    let message = self.with_hint(raw.message.clone(), &raw, position);
                    Problem { path: Some(path), position, message, pages: vec![PathBuf::from("404.html")] }
                })
                .collect(),
            Origin::Generated => raws
                .into_iter()
                .map(|raw| Problem {
                    path: Some(PathBuf::from(file)),
                    position: None,
                    message: raw.message,
                    pages: Vec::new(),
                })
                .collect(),
        }
    }

    /// Where a page's rendered Markdown lies in its HTML, found by rendering it again.
    fn content_range(&self, id: PageId, html: &str) -> Option<Range<usize>> {
        let Loaded { site, templates } = self.loaded;
        let rendered = crate::render::content(site, templates, id).ok()?;
        if rendered.html.is_empty() {
            return None;
        }
        let start = html.find(&rendered.html)?;
        Some(start..start + rendered.html.len())
    }

    fn page_problem(&self, id: PageId, content: Option<Range<usize>>, raw: Raw) -> Problem {
        let page = self.loaded.site.page(id);
        if matches!(raw.what, What::Unreachable) {
            return Problem {
                path: Some(page.shown_path()),
                position: None,
                message: raw.message,
                pages: vec![],
            };
        }
        let in_content = content.is_some_and(|range| raw.offsets.iter().any(|o| range.contains(o)));
        if in_content {
            let position = needles(&raw).iter().find_map(|n| page.body.find(n.as_str())).map(|offset| {
                let p = Position::of_offset(&page.body, offset);
                Position::new(p.line + page.body_line - 1, p.column)
            });
            let position = position.or_else(|| heading_position(&raw, &page.body, page.body_line));
            let message = self.with_hint(raw.message.clone(), &raw, position);
            return Problem { path: Some(page.shown_path()), position, message, pages: Vec::new() };
        }
        let (path, position) = self.in_templates(self.loaded.templates.template_name(id), &raw);
        let message = self.with_hint(raw.message.clone(), &raw, position);
        Problem { path: Some(path), position, message, pages: vec![page.shown_path()] }
    }

    /// The template (of `name` and those it uses) that writes the problem literally, with its
    /// position; `name` itself without a position when none does.
    fn in_templates(&self, name: &str, raw: &Raw) -> (PathBuf, Option<Position>) {
        let needles = needles(raw);
        for template in self.chain(name) {
            let Some(text) = self.templates.get(&template) else { continue };
            if let Some(offset) = needles.iter().find_map(|n| text.find(n.as_str())) {
                return (templates::shown(&template), Some(Position::of_offset(text, offset)));
            }
        }
        (templates::shown(name), None)
    }

    /// `name` and the templates it extends, includes or imports, nearest first.
    fn chain(&self, name: &str) -> Vec<String> {
        let mut chain = Vec::new();
        let mut seen = HashSet::new();
        let mut queue = VecDeque::from([name.to_string()]);
        while let Some(next) = queue.pop_front() {
            if !seen.insert(next.clone()) {
                continue;
            }
            if let Some(text) = self.templates.get(&next) {
                queue.extend(used_templates(text));
            }
            chain.push(next);
        }
        chain
    }

    /// Adds where a value built from data is written, when the problem's own source does not
    /// write it literally.
    fn with_hint(&self, message: String, raw: &Raw, position: Option<Position>) -> String {
        let Some(hint) = raw.hint.as_deref().filter(|_| position.is_none()) else { return message };
        for (path, text) in &self.data {
            if let Some(offset) = find_token(text, hint) {
                let at = Position::of_offset(text, offset);
                return format!(
                    "{message} (`{hint}` is written in `{}:{}:{}`)",
                    path.display(),
                    at.line,
                    at.column
                );
            }
        }
        message
    }
}

/// What to look for in a source to find a problem: the reference as written, decoded, or the id.
fn needles(raw: &Raw) -> Vec<String> {
    let mut needles = match &raw.what {
        What::Reference { literal } if literal.len() > 1 => {
            let decoded = decode_entities(literal);
            let unescaped = crate::urls::percent_decode(&decoded).into_owned();
            vec![literal.clone(), decoded.into_owned(), unescaped]
        }
        What::DuplicateId(id) => {
            vec![format!("id=\"{id}\""), format!("id='{id}'"), format!("{{#{id}}}"), format!("{{#{id} ")]
        }
        _ => Vec::new(),
    };
    needles.dedup();
    needles
}

/// For a duplicate id made from a heading's text: the line of that heading in the Markdown body.
fn heading_position(raw: &Raw, body: &str, body_line: usize) -> Option<Position> {
    let What::DuplicateId(id) = &raw.what else { return None };
    body.lines().enumerate().find_map(|(i, line)| {
        let title = line.trim_start().strip_prefix('#')?.trim_start_matches('#').trim();
        let title = title.split(" {").next().unwrap_or(title);
        (crate::urls::slugify(title) == *id).then(|| Position::new(body_line + i, 1))
    })
}

/// The templates named by `extends`, `include` and `import` tags in `text`.
fn used_templates(text: &str) -> Vec<String> {
    let mut used = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{%") {
        let after = &rest[start + 2..];
        let end = after.find("%}").unwrap_or(after.len());
        let tag = after[..end].trim_start_matches('-').trim();
        let mut words = tag.splitn(2, char::is_whitespace);
        if let (Some("extends" | "include" | "import"), Some(args)) = (words.next(), words.next()) {
            let args = args.trim_start();
            if let Some(quote @ ('"' | '\'')) = args.chars().next()
                && let Some(close) = args[1..].find(quote)
            {
                used.push(args[1..close + 1].to_string());
            }
        }
        rest = &after[end..];
    }
    used
}

/// The first occurrence of `token` in `text` not inside a longer name.
fn find_token(text: &str, token: &str) -> Option<usize> {
    let is_name = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.');
    let mut from = 0;
    while let Some(found) = text[from..].find(token) {
        let at = from + found;
        let before = text[..at].chars().next_back();
        let after = text[at + token.len()..].chars().next();
        if !before.is_some_and(is_name) && !after.is_some_and(is_name) {
            return Some(at);
        }
        from = at + token.len().max(1);
    }
    None
}

/// The text files of a folder, by path relative to it, in sorted order; unreadable ones are
/// left out (the build has read them already).
fn read_folder(dir: &Path) -> Vec<(PathBuf, String)> {
    WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path()).ok()?;
            Some((e.path().strip_prefix(dir).ok()?.to_path_buf(), text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_used_by_a_template_are_read_from_its_tags() {
        let text = "{% extends \"base.html\" %}{%- include 'parts/nav.html' -%}{% import \"macros.html\" as m %}{% if x %}";
        assert_eq!(used_templates(text), ["base.html", "parts/nav.html", "macros.html"]);
    }

    #[test]
    fn tokens_are_found_only_as_whole_names() {
        assert_eq!(find_token("id = \"smart-homes-2\"\nid = \"smart-homes\"", "smart-homes"), Some(27));
        assert_eq!(find_token("page = \"protocols.md#tcp-ip\"", "tcp-ip"), Some(21));
        assert_eq!(find_token("tcp-ipx", "tcp-ip"), None);
    }
}
