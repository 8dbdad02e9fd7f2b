//! The values templates are rendered with: `site`, `data`, and `page` or `section` (a page's
//! summary with its content, table of contents, neighbours and section; a section's with its
//! pages and subsections), every link in them relative to the page being rendered.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::Ordering;

use tera::{Context, Map, Value};

use super::{Slot, Templates};
use crate::date::Date;
use crate::markdown::{Heading, Rendered};
use crate::page::PageId;
use crate::site::Site;
use crate::source::SourceKind;
use crate::urls::{self, Flavour};

impl Templates {
    pub(super) fn base_context(&self, depth: usize) -> Context {
        let mut context = Context::new();
        context.insert_value("site", self.site_value.clone());
        context.insert_value("data", self.data_value.clone());
        context.insert("root", &urls::root_prefix(depth));
        context.insert("__depth", &depth);
        context.insert("offline", &(self.site.flavour == Flavour::Offline));
        context
    }

    /// The values page `id` is rendered with; `rendered` is its Markdown and the value of
    /// `page.content`, absent while the Markdown body itself goes through Tera.
    pub(super) fn context(&self, id: PageId, rendered: Option<(&Rendered, &Value)>) -> Context {
        let mut context = self.context_at(id, rendered, urls::depth(&self.site.page(id).path));
        if let Some(paginate_by) = self.site.page(id).front.paginate_by.filter(|&n| n > 0) {
            let page = self.site.page(id);
            let pager = crate::listings::pager(&page.path, &page.pages, paginate_by, 1);
            context.insert_value("paginator", self.paginator(&pager, urls::depth(&page.path)));
        }
        context
    }

    /// [`Templates::context`] for a page at `depth`, which is the page's own but for the further
    /// pages of a section's listing (`blog/page/2/`).
    pub(super) fn context_at(
        &self,
        id: PageId,
        rendered: Option<(&Rendered, &Value)>,
        depth: usize,
    ) -> Context {
        let page = self.site.page(id);
        let mut context = self.base_context(depth);
        context.insert("current_path", &page.path);
        // The section's listing at this depth already holds the page and its neighbours.
        let listing = page.parent.map(|parent| self.listing(parent, depth));
        let sibling = |other: PageId| sibling(&self.site, page.parent, listing.as_ref(), other);
        let own = sibling(id).cloned().unwrap_or_else(|| self.summary(id, depth));
        let mut more: Vec<(&'static str, Value)> = Vec::with_capacity(9);
        if let Some((r, content)) = rendered {
            more.push(("content", content.clone()));
            more.push(("toc", Value::from_serializable(&toc(&r.headings))));
            more.push(("word_count", r.words.into()));
            more.push(("reading_time", r.words.div_ceil(200).max(1).into()));
        }
        if let Some(listing) = &listing {
            more.push(("section", listing.section.clone()));
        }
        let (previous, next) = self.site.neighbours(id);
        let summary = |other: Option<PageId>| match other {
            Some(p) => sibling(p).cloned().unwrap_or_else(|| self.summary(p, depth)),
            None => Value::none(),
        };
        if let Some(edit_url) = self.site.edit_url(id) {
            more.push(("edit_url", edit_url.into()));
        }
        more.push(("previous", summary(previous)));
        more.push(("next", summary(next)));
        if let Some(value) = crate::comparison::view::template_value(&self.site, id) {
            more.push(("comparison", Value::from_serializable(&value)));
        }
        let name = if page.is_section() {
            let own = self.listing(id, depth);
            more.push(("pages", own.pages));
            more.push(("subsections", own.subsections));
            "section"
        } else {
            "page"
        };
        context.insert_value(name, Value::from_serializable(&Extended { summary: &own, more: &more }));
        context
    }

    pub(super) fn listing(&self, section: PageId, depth: usize) -> Listing {
        let Some(slot) = self.listings.get(&(section, depth)) else {
            return listing(&self.site, section, depth);
        };
        let mut kept = slot.listing.lock().unwrap_or_else(|e| e.into_inner());
        kept.get_or_insert_with(|| listing(&self.site, section, depth)).clone()
    }

    /// The listings page `id` shows, once it is rendered: the last page to show one drops it.
    pub(super) fn release_listings(&self, id: PageId) {
        for key in listing_keys(&self.site, id) {
            if let Some(slot) = self.listings.get(&key)
                && slot.users.fetch_sub(1, Ordering::AcqRel) == 1
            {
                slot.listing.lock().unwrap_or_else(|e| e.into_inner()).take();
            }
        }
    }

    pub(super) fn summary(&self, id: PageId, depth: usize) -> Value {
        summary(&self.site, id, depth)
    }
}

/// A buffer that refuses to grow past `limit` bytes, so that a template loop running far too
#[derive(serde::Serialize)]
struct Summary<'a> {
    title: &'a str,
    description: Option<&'a str>,
    date: Option<&'a str>,
    updated: Option<&'a str>,
    last_updated: Option<&'a str>,
    weight: Option<i64>,
    draft: bool,
    tags: &'a [String],
    extra: &'a serde_json::Map<String, serde_json::Value>,
    url: String,
    permalink: String,
    path: &'a str,
    source: &'a str,
    kind: &'static str,
}

/// The summary of page `id` as a page at `depth` sees it.
pub(super) fn summary(site: &Site, id: PageId, depth: usize) -> Value {
    let page = site.page(id);
    let front = &page.front;
    Value::from_serializable(&Summary {
        title: &front.title,
        description: front.description.as_deref(),
        date: front.date.as_ref().map(Date::as_str),
        updated: front.updated.as_ref().map(Date::as_str),
        last_updated: site.last_updated(id).map(Date::as_str),
        weight: front.weight,
        draft: front.draft,
        tags: &front.tags,
        extra: &front.extra,
        url: urls::link(depth, &page.path, site.flavour),
        permalink: site.permalink(id),
        path: &page.path,
        source: &page.source,
        kind: match page.kind {
            SourceKind::Home => "home",
            SourceKind::Section => "section",
            SourceKind::Page | SourceKind::Bundle => "page",
        },
    })
}

/// A page's or section's summary with more fields: the value a template is rendered with.
struct Extended<'a> {
    summary: &'a Value,
    more: &'a [(&'static str, Value)],
}

impl serde::Serialize for Extended<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let summary = self.summary.as_map();
        let len = summary.map_or(0, |m| m.len()) + self.more.len();
        let mut fields = serializer.serialize_struct("page", len)?;
        // The summary's keys are the names of `Summary`'s fields; its values, already template
        // values, are handed over as they are.
        for (key, value) in summary.into_iter().flatten() {
            if let tera::value::Key::Str(key) = key {
                fields.serialize_field(key, value)?;
            }
        }
        for (key, value) in self.more {
            fields.serialize_field(key, value)?;
        }
        fields.end()
    }
}

/// A section as a page at some depth sees it: its summary with its `pages` and `subsections`
/// (the value of `page.section`), and the two lists on their own.
#[derive(Clone)]
pub(super) struct Listing {
    pub(super) section: Value,
    pages: Value,
    subsections: Value,
}

/// The summary of `other`, a page of `parent`, from `parent`'s listing.
fn sibling<'a>(
    site: &Site,
    parent: Option<PageId>,
    listing: Option<&'a Listing>,
    other: PageId,
) -> Option<&'a Value> {
    let (parent, listing) = (site.page(parent?), listing?);
    let (ids, values) = if site.page(other).is_section() {
        (&parent.subsections, &listing.subsections)
    } else {
        (&parent.pages, &listing.pages)
    };
    values.as_array()?.get(ids.iter().position(|&p| p == other)?)
}

/// The listing of `section` as seen from a page at `depth`.
pub(super) fn listing(site: &Site, section: PageId, depth: usize) -> Listing {
    let list = |ids: &[PageId]| Value::from(ids.iter().map(|&p| summary(site, p, depth)).collect::<Vec<_>>());
    let (pages, subsections) = (list(&site.page(section).pages), list(&site.page(section).subsections));
    let more = [("pages", pages.clone()), ("subsections", subsections.clone())];
    let section =
        Value::from_serializable(&Extended { summary: &summary(site, section, depth), more: &more });
    Listing { section, pages, subsections }
}

/// The listings page `id` shows, seen from its depth: its section's, and its own if it is one.
fn listing_keys(site: &Site, id: PageId) -> impl Iterator<Item = (PageId, usize)> {
    let page = site.page(id);
    let depth = urls::depth(&page.path);
    let own = page.is_section().then_some((id, depth));
    page.parent.map(|parent| (parent, depth)).into_iter().chain(own)
}

/// A slot for every listing the pages `ids` show, counting the pages that show it.
pub(super) fn slots(site: &Site, ids: &[PageId]) -> HashMap<(PageId, usize), Slot> {
    let mut slots: HashMap<(PageId, usize), Slot> = HashMap::new();
    for &id in ids {
        for key in listing_keys(site, id) {
            let slot =
                slots.entry(key).or_insert_with(|| Slot { listing: Mutex::new(None), users: 0.into() });
            *slot.users.get_mut() += 1;
        }
    }
    slots
}

/// An entry of the table of contents.
#[derive(serde::Serialize)]
struct TocEntry<'a> {
    level: u8,
    id: &'a str,
    title: &'a str,
    text: &'a str,
    url: String,
    children: Vec<TocEntry<'a>>,
}

/// The table of contents: headings nested under the previous heading of a higher level.
fn toc(headings: &[Heading]) -> Vec<TocEntry<'_>> {
    fn take<'h>(headings: &'h [Heading], i: &mut usize, parent_level: u8) -> Vec<TocEntry<'h>> {
        let mut items = Vec::new();
        while *i < headings.len() && headings[*i].level > parent_level {
            let h = &headings[*i];
            *i += 1;
            let children = take(headings, i, h.level);
            let (id, title, text) = (h.id.as_str(), h.title.as_str(), h.text.trim());
            items.push(TocEntry { level: h.level, id, title, text, url: ["#", id].concat(), children });
        }
        items
    }
    let mut i = 0;
    take(headings, &mut i, 0)
}

pub(super) fn site_value(site: &Site) -> Value {
    let c = &site.config;
    let mut map = Map::new();
    map.insert("title".into(), c.title.as_str().into());
    map.insert("description".into(), c.description.as_str().into());
    map.insert("base_url".into(), c.base_url.as_str().into());
    map.insert("language".into(), c.language.as_str().into());
    map.insert("author".into(), c.author.as_str().into());
    map.insert("extra".into(), Value::from_serializable(&c.extra));
    map.insert("build_date".into(), site.build_date.to_string().into());
    map.insert("search".into(), c.search.enabled.into());
    map.insert("generator".into(), concat!("juxta ", env!("CARGO_PKG_VERSION")).into());
    Value::from(map)
}
