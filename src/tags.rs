//! Tags: the front matter's `tags` of every page gathered into a page per tag (`tags/<slug>/`)
//! and an index of them all (`tags/`), when the theme has the templates for them (`tag.html`,
//! `tags.html`).
//!
//! A tag's address is its slug: lowercase, letters and digits kept, spaces and dashes made one
//! `-`, other characters dropped (`Wi-Fi HaLow` → `wi-fi-halow`). Two spellings that make one
//! slug (`MQTT` and `mqtt`, `C#` and `C++`) would share a page, and a tag that makes no slug at all
//! (`🚀`) would have none: both are errors at the tag, so that each tag is written one way.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Position, Result};
use crate::page::{Page, PageId};
use crate::source::TEMPLATES_DIR;

/// The template of a tag's page; tag pages are written when the theme has it.
pub(crate) const TAG_TEMPLATE: &str = "tag.html";
/// The template of the index of tags, written when the theme has it.
pub(crate) const INDEX_TEMPLATE: &str = "tags.html";
/// The folder of the tag pages, and the index's address.
pub(crate) const FOLDER: &str = "tags/";

/// One tag and the pages that carry it.
#[derive(Debug, Clone)]
pub(crate) struct Tag {
    /// As the pages write it.
    pub(crate) name: String,
    /// Its address in [`FOLDER`].
    pub(crate) slug: String,
    /// The pages carrying it, in the order of listings (weight, date, title; sorted when the
    /// site is assembled).
    pub(crate) pages: Vec<PageId>,
}

impl Tag {
    /// The tag page's site path (`tags/mqtt/`).
    pub(crate) fn path(&self) -> String {
        [FOLDER, &self.slug, "/"].concat()
    }
}

/// Every tag of the site, by slug, and which of the pages about them the theme writes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tags {
    /// Sorted by slug.
    pub(crate) list: Vec<Tag>,
    /// Whether each tag has a page (the theme has [`TAG_TEMPLATE`]).
    pub(crate) pages: bool,
    /// Whether the index is written (the theme has [`INDEX_TEMPLATE`]).
    pub(crate) index: bool,
}

impl Tags {
    /// The tag written `name`, if a page carries it.
    pub(crate) fn get(&self, name: &str) -> Option<&Tag> {
        let slug = slug(name);
        self.list
            .binary_search_by(|t| t.slug.as_str().cmp(&slug))
            .ok()
            .map(|i| &self.list[i])
            .filter(|t| t.name == name)
    }
}

/// The tags of `pages` (the site's, sorted by source path), for the project at `root`: none when
/// its theme has neither template. Every tag without a slug and every second spelling of a slug
/// is an error at the tag.
pub(crate) fn collect(root: &Path, pages: &[Page]) -> Result<Tags> {
    let has = |name: &str| root.join(TEMPLATES_DIR).join(name).is_file();
    let (with_pages, index) = (has(TAG_TEMPLATE), has(INDEX_TEMPLATE));
    if !with_pages && !index {
        return Ok(Tags::default());
    }
    let mut by_slug: BTreeMap<String, (Tag, (usize, usize))> = BTreeMap::new();
    let mut errors = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        for (n, name) in page.front.tags.iter().enumerate() {
            let slug = slug(name);
            let problem = match by_slug.get_mut(&slug) {
                _ if slug.is_empty() => Some(format!(
                    "tags: `{name}` makes no address for its page (only letters and digits count): \
                     write it with a letter or a digit"
                )),
                _ if crate::urls::check_segment(&slug).is_err() => Some(format!(
                    "tags: `{name}` makes the address `{FOLDER}{slug}/`, which cannot be a folder on \
                     every system: write it another way"
                )),
                Some((tag, _)) if tag.name == *name => {
                    if tag.pages.last() != Some(&PageId(i as u32)) {
                        tag.pages.push(PageId(i as u32));
                    }
                    None
                }
                Some((tag, (first, at))) => Some(format!(
                    "tags: `{name}` and `{}` ({}) make the same address, `{FOLDER}{slug}/`: write the \
                     tag the same way on every page, or make the two differ in letters or digits",
                    tag.name,
                    place(root, &pages[*first], *at)
                )),
                None => {
                    let tag = Tag { name: name.clone(), slug: slug.clone(), pages: vec![PageId(i as u32)] };
                    by_slug.insert(slug, (tag, (i, n)));
                    None
                }
            };
            if let Some(message) = problem {
                let error = Error::at(page.shown_path(), message);
                errors.push(match position(root, page, n) {
                    Some(at) => error.with_position(at),
                    None => error,
                });
            }
        }
    }
    if !errors.is_empty() {
        return Err(Error::many(errors));
    }
    let list = by_slug.into_values().map(|(tag, _)| tag).collect();
    Ok(Tags { list, pages: with_pages, index })
}

/// The slug of a tag: see the module's documentation.
pub(crate) fn slug(name: &str) -> String {
    let spaced = name.replace(|c: char| c.is_whitespace() || c == '_', " ");
    let slug = crate::urls::slugify(&spaced);
    slug.split('-').filter(|part| !part.is_empty()).collect::<Vec<_>>().join("-")
}

/// Tag `n` of `page` as a message names it: `content/a.md:3:9`.
fn place(root: &Path, page: &Page, n: usize) -> String {
    let shown = page.shown_path();
    match position(root, page, n) {
        Some(at) => format!("{}:{}:{}", shown.display(), at.line, at.column),
        None => shown.display().to_string(),
    }
}

/// Where tag `n` of `page` is written in its file, read again for the message.
fn position(root: &Path, page: &Page, n: usize) -> Option<Position> {
    if page.generated.is_some() {
        return None;
    }
    let shown = page.shown_path();
    let raw = crate::fs::read_source(&root.join(&shown), &shown).ok()?;
    let text = crate::located::normalize(&raw);
    let split = crate::front_matter::split(&text, &shown).ok()?;
    let ext = match split.format {
        crate::front_matter::Format::Toml => "toml",
        crate::front_matter::Format::Yaml => "yaml",
    };
    let node = crate::located::parse(split.front, ext, &shown).ok()?;
    let crate::located::Value::Seq(items) = &node.get("tags")?.value else { return None };
    let at = items.get(n)?.at;
    let front_line = Position::of_offset(&text, split.front_offset).line;
    Some(Position::new(at.line + front_line - 1, at.column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_keep_letters_and_digits() {
        assert_eq!(slug("Wi-Fi HaLow"), "wi-fi-halow");
        assert_eq!(slug("  LTE  Cat-1 "), "lte-cat-1");
        assert_eq!(slug("snake_case"), "snake-case");
        assert_eq!(slug("C++"), "c");
        assert_eq!(slug("Ünïcödé"), "ünïcödé");
        assert_eq!(slug("🚀!"), "");
    }
}
