//! The print page's content: every page's rendered content made to work inside one document at
//! `print/`.
//!
//! Each page gets an anchor of its own (`page-guide-mqtt` for `guide/mqtt/`, `page-home` for the
//! home page), and every id in its content is prefixed with it (`page-guide-mqtt--topics`), so that
//! no two pages' ids meet. Then every reference is made to work from `print/`: a link to a page in
//! the document becomes a link to its anchor (or to the prefixed id of its `#fragment`), a link
//! to anything else is re-based on `print/`, and the attributes that name ids (`for`,
//! `aria-labelledby`, `headers`, `url(#…)` in SVG…) follow their ids. Headings go one level
//! down, under the page's title.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::page::PageId;
use crate::site::Site;
use crate::urls;

/// The site path the print page is at.
const DEPTH: usize = 1;

/// Attributes whose value is a list of ids.
const ID_LISTS: [&str; 13] = [
    "for",
    "headers",
    "list",
    "form",
    "itemref",
    "aria-labelledby",
    "aria-describedby",
    "aria-controls",
    "aria-owns",
    "aria-activedescendant",
    "aria-details",
    "aria-errormessage",
    "aria-flowto",
];

/// Attributes whose value is an address.
const ADDRESSES: [&str; 6] = ["href", "src", "poster", "data", "xlink:href", "action"];

/// One page of the print page, made to work there.
pub(crate) struct Printed {
    pub(crate) id: PageId,
    pub(crate) anchor: String,
    pub(crate) content: String,
}

/// The pages `order` (in navigation order), each with its `content` (rendered for its own
/// address), made into parts of the print page.
pub(crate) fn pages(site: &Site, order: &[PageId], content: &HashMap<PageId, &str>) -> Vec<Printed> {
    let mut taken: HashSet<String> = HashSet::new();
    let mut anchors: HashMap<PageId, String> = HashMap::new();
    for &id in order {
        let path = site.page(id).path.trim_end_matches('/');
        let base = format!("page-{}", if path.is_empty() { "home" } else { path }).replace(['/', ' '], "-");
        anchors.insert(id, unique(&mut taken, base));
    }
    // Every id of every page, prefixed, in document order.
    let mut ids: HashMap<(PageId, String), String> = HashMap::new();
    for &id in order {
        let html = content.get(&id).copied().unwrap_or_default();
        for tag in crate::html::tags(html) {
            let own = tag.get("id").or_else(|| if tag.name == "a" { tag.get("name") } else { None });
            if let Some(own) = own.map(crate::html::decode_entities) {
                let own = own.into_owned();
                let prefixed = format!("{}--{own}", anchors[&id]);
                ids.entry((id, own)).or_insert_with(|| unique(&mut taken, prefixed));
            }
        }
    }
    let context = Context { site, anchors: &anchors, ids: &ids };
    order
        .iter()
        .map(|&id| Printed {
            id,
            anchor: anchors[&id].clone(),
            content: deeper_headings(&context.rewrite(id, content.get(&id).copied().unwrap_or_default())),
        })
        .collect()
}

/// `html` with every heading one level deeper (`<h2>` → `<h3>`, `<h6>` stays), so that a page's
/// headings sit under its title in the print page's outline.
fn deeper_headings(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<h").into_iter().chain(rest.find("</h")).min() {
        let closing = rest[at..].starts_with("</");
        let digit_at = at + if closing { 3 } else { 2 };
        let level = rest.as_bytes().get(digit_at).copied().filter(|d| (b'1'..=b'5').contains(d));
        let after = rest.as_bytes().get(digit_at + 1).copied();
        out.push_str(&rest[..digit_at]);
        match (level, after) {
            (Some(level), Some(b'>' | b' ' | b'\n' | b'\t')) => out.push(char::from(level + 1)),
            (Some(level), _) => out.push(char::from(level)),
            (None, _) => {}
        }
        rest = &rest[digit_at + usize::from(level.is_some())..];
    }
    out.push_str(rest);
    out
}

/// `base`, or `base-2`, `base-3`… when taken; noted as taken.
fn unique(taken: &mut HashSet<String>, base: String) -> String {
    let mut name = base.clone();
    let mut n = 1;
    while taken.contains(&name) {
        n += 1;
        name = format!("{base}-{n}");
    }
    taken.insert(name.clone());
    name
}

/// What rewriting a page's content needs: the anchors of the pages in the document and their ids.
struct Context<'c> {
    site: &'c Site,
    anchors: &'c HashMap<PageId, String>,
    ids: &'c HashMap<(PageId, String), String>,
}

impl Context<'_> {
    /// Page `id`'s `html` with its ids prefixed and its references made to work from `print/`.
    fn rewrite(&self, id: PageId, html: &str) -> String {
        let mut edits: Vec<(Range<usize>, String)> = Vec::new();
        for tag in crate::html::tags(html) {
            for (name, value) in &tag.attributes {
                let decoded = crate::html::decode_entities(value);
                let new = match name.as_ref() {
                    "id" => self.id(id, &decoded),
                    "name" if tag.name == "a" => self.id(id, &decoded),
                    name if ID_LISTS.contains(&name) => {
                        let list: Vec<String> = decoded
                            .split_whitespace()
                            .map(|t| self.id(id, t).unwrap_or_else(|| t.to_string()))
                            .collect();
                        Some(list.join(" "))
                    }
                    name if ADDRESSES.contains(&name) => self.address(id, &decoded),
                    "srcset" => Some(self.srcset(id, &decoded)),
                    _ if decoded.contains("url(#") => Some(self.svg_urls(id, &decoded)),
                    _ => None,
                };
                if let Some(new) = new.filter(|new| *new != *decoded) {
                    let start = value.as_ptr() as usize - html.as_ptr() as usize;
                    edits.push((start..start + value.len(), crate::html::escape(&new)));
                }
            }
        }
        let mut out = String::with_capacity(html.len() + edits.len() * 16);
        let mut from = 0;
        for (range, new) in edits {
            out.push_str(&html[from..range.start]);
            out.push_str(&new);
            from = range.end;
        }
        out.push_str(&html[from..]);
        out
    }

    /// The print page's id for id `own` of page `page`.
    fn id(&self, page: PageId, own: &str) -> Option<String> {
        self.ids.get(&(page, own.to_string())).cloned()
    }

    /// An address written in page `page`, made to work from `print/`.
    fn address(&self, page: PageId, address: &str) -> Option<String> {
        let (rest, fragment) = match address.split_once('#') {
            Some((rest, fragment)) => (rest, Some(fragment)),
            None => (address, None),
        };
        if rest.is_empty() {
            return Some(self.in_document(page, fragment));
        }
        let scheme = rest.split(['/', '?']).next().unwrap_or_default().contains(':');
        if scheme || rest.starts_with("//") || rest.starts_with('/') {
            return None;
        }
        let (path, query) = match rest.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (rest, None),
        };
        let target = urls::join(&self.site.page(page).path, &urls::percent_decode(path))?;
        let as_page = target.strip_suffix("index.html").unwrap_or(&target);
        let as_page = if as_page.is_empty() || as_page.ends_with('/') {
            as_page.to_string()
        } else {
            format!("{as_page}/")
        };
        if let Some(&target_id) = self.site.by_path.get(&as_page)
            && self.anchors.contains_key(&target_id)
            && query.is_none()
        {
            return Some(self.in_document(target_id, fragment));
        }
        let mut link = urls::link(DEPTH, &target, self.site.flavour);
        if target.ends_with('/') || target.is_empty() {
            // A page outside the document keeps the form of its flavour's links.
            link = urls::link(DEPTH, &as_page, self.site.flavour);
        }
        for (mark, part) in [('?', query), ('#', fragment)] {
            if let Some(part) = part {
                link.push(mark);
                link.push_str(part);
            }
        }
        Some(link)
    }

    /// `#…` for `fragment` of page `page` in the document: its prefixed id, or the page's anchor.
    fn in_document(&self, page: PageId, fragment: Option<&str>) -> String {
        let fragment = fragment.map(urls::percent_decode);
        let id = fragment.and_then(|f| self.id(page, &f)).unwrap_or_else(|| self.anchors[&page].clone());
        format!("#{}", urls::encode_path(&id))
    }

    /// A `srcset` with each address re-based.
    fn srcset(&self, page: PageId, srcset: &str) -> String {
        let candidates: Vec<String> = srcset
            .split(',')
            .map(|candidate| {
                let candidate = candidate.trim();
                let (address, descriptor) =
                    candidate.split_once(char::is_whitespace).unwrap_or((candidate, ""));
                let address = self.address(page, address).unwrap_or_else(|| address.to_string());
                [address.as_str(), descriptor].join(" ").trim_end().to_string()
            })
            .collect();
        candidates.join(", ")
    }

    /// A value with `url(#id)` references (SVG's `fill`, `marker-end`, a `style`) following ids.
    fn svg_urls(&self, page: PageId, value: &str) -> String {
        let mut out = String::with_capacity(value.len() + 16);
        let mut rest = value;
        while let Some(at) = rest.find("url(#") {
            out.push_str(&rest[..at + 5]);
            rest = &rest[at + 5..];
            let end = rest.find(')').unwrap_or(rest.len());
            let own = rest[..end].trim_matches(['"', '\'']);
            out.push_str(&self.id(page, own).unwrap_or_else(|| rest[..end].to_string()));
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_go_one_level_down() {
        assert_eq!(
            deeper_headings("<h1 id=\"a\">A</h1><h2>B</h2>\n<h6>C</h6><hr><header><h5\nclass=x>D</h5>"),
            "<h2 id=\"a\">A</h2><h3>B</h3>\n<h6>C</h6><hr><header><h6\nclass=x>D</h6>"
        );
    }
}
