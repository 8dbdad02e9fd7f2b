//! Tera 2 set-up: templates loaded and compiled once per build, juxta's functions, the values
//! handed to templates (`site`, `data`, `page` or `section`), and Tera errors turned into errors
//! naming the template position and the page being rendered.
//!
//! Every link a value or function hands to a template is page-relative (see [`crate::urls`]):
//! the functions read the depth of the page being rendered from the context (`__depth`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tera::{Context, Kwargs, Map, State, Tera, Value};
use walkdir::WalkDir;

use crate::error::{Error, Position, Result};
use crate::front_matter::Date;
use crate::markdown::{Heading, Rendered};
use crate::page::{Page, PageId};
use crate::site::Site;
use crate::source::SourceKind;
use crate::urls::{self, Flavour};

/// The templates folder's name, relative to the project root.
pub const TEMPLATES_DIR: &str = "templates";

/// Stands in for `{#` while a Markdown body goes through Tera (a private-use character).
const COMMENT_SHIELD: &str = "{\u{E000}";

/// File extensions loaded as templates.
const EXTENSIONS: [&str; 5] = ["html", "htm", "xml", "txt", "json"];

/// The compiled templates and the values shared by every render.
pub struct Templates {
    tera: Tera,
    site: Arc<Site>,
    site_value: Value,
    data_value: Value,
    /// `section.pages` listings by (section, depth of the viewing page).
    listings: HashMap<(PageId, usize), Slot>,
}

/// A listing some pages will show: made by the first of them rendered, dropped once all have
/// been, so that the listings of a large site are not all in memory at once.
struct Slot {
    listing: Mutex<Option<Listing>>,
    /// Pages still to be rendered that show it.
    users: AtomicUsize,
}

impl Templates {
    /// Loads every template under `templates/`, registers juxta's functions, and checks that
    /// every page's template exists.
    pub fn load(site: Arc<Site>) -> Result<Templates> {
        let ids: Vec<PageId> = site.ids().collect();
        Templates::load_for(site, &ids)
    }

    /// Like [`Templates::load`], but shares section listings only among the pages `ids` (a
    /// rebuild that renders a few pages), each rendered once; other renders make their own.
    pub fn load_for(site: Arc<Site>, ids: &[PageId]) -> Result<Templates> {
        let dir = site.root.join(TEMPLATES_DIR);
        let mut sources = Vec::new();
        let mut misnamed = Vec::new();
        if dir.is_dir() {
            for entry in WalkDir::new(&dir).follow_links(false).sort_by_file_name() {
                let entry =
                    entry.map_err(|e| Error::at(TEMPLATES_DIR, "cannot read the folder").caused_by(e))?;
                let relative = entry.path().strip_prefix(&dir).unwrap_or(entry.path());
                // A name read with a replacement character would be another template's name.
                let Some(name) = relative.to_str().map(|n| n.replace('\\', "/")) else {
                    let shown = Path::new(TEMPLATES_DIR).join(relative);
                    misnamed.push(Error::at(shown, "the file name is not valid UTF-8: rename the file"));
                    continue;
                };
                let ext = name.rsplit('.').next().unwrap_or_default();
                if !entry.file_type().is_file()
                    || name.split('/').any(|s| s.starts_with('.'))
                    || !EXTENSIONS.contains(&ext)
                {
                    continue;
                }
                let shown = Path::new(TEMPLATES_DIR).join(&name);
                sources.push((name, crate::fs::read_source(entry.path(), &shown)?));
            }
        }
        if !misnamed.is_empty() {
            return Err(Error::many(misnamed));
        }
        Templates::compile(site, sources, ids)
    }

    /// Compiles templates given as (name, source) pairs, sharing section listings among the
    /// pages `ids`; see [`Templates::load_for`].
    pub(crate) fn compile(
        site: Arc<Site>,
        sources: Vec<(String, String)>,
        ids: &[PageId],
    ) -> Result<Templates> {
        let mut tera = Tera::new();
        register_functions(&mut tera, &site);
        tera.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str())))
            .map_err(|e| tera_error(&e, None, None))?;

        let site_value = site_value(&site);
        let data_value = site.data.to_value();
        let mut templates =
            Templates { tera, site: site.clone(), site_value, data_value, listings: HashMap::new() };
        templates.check_template_names()?;
        templates.listings = slots(&site, ids);
        Ok(templates)
    }

    /// The name of the template page `id` is rendered with.
    pub fn template_name(&self, id: PageId) -> &str {
        Self::template_of(self.site.page(id))
    }

    /// The template a page is rendered with.
    fn template_of(page: &Page) -> &str {
        match (&page.front.template, page.kind) {
            (Some(name), _) => name,
            (None, SourceKind::Home) => "index.html",
            (None, SourceKind::Section) => "section.html",
            (None, _) => "page.html",
        }
    }

    fn check_template_names(&self) -> Result<()> {
        let mut errors = Vec::new();
        for page in &self.site.pages {
            let name = Self::template_of(page);
            if !self.tera.contains_template(name) {
                let message = format!("template `{name}` not found in `{TEMPLATES_DIR}/`");
                errors.push(match (page.front.template.is_some(), page.positions.template) {
                    (true, Some(at)) => Error::at_position(page.shown_path(), at, message),
                    _ => Error::at(page.shown_path(), message),
                });
            }
        }
        if !self.tera.contains_template("404.html") {
            errors.push(Error::at(
                Path::new(TEMPLATES_DIR).join("404.html"),
                "the 404 page's template is missing",
            ));
        }
        if errors.is_empty() { Ok(()) } else { Err(Error::many(errors)) }
    }

    /// Runs a page's Markdown body through Tera when it contains `{{` or `{%`; otherwise the body
    /// is returned as it is, without touching the template engine.
    pub fn expand_body(&self, id: PageId) -> Result<std::borrow::Cow<'_, str>> {
        self.expand_text(id, &self.site.page(id).body)
    }

    /// [`Templates::expand_body`] for `body` standing in for page `id`'s body.
    pub(crate) fn expand_text<'b>(&self, id: PageId, body: &'b str) -> Result<std::borrow::Cow<'b, str>> {
        let page = self.site.page(id);
        // Only the lines holding template syntax go through Tera: the text around them would
        // come out as it went in, after being read by Tera's parser.
        let Some(span) = template_span(body) else {
            return Ok(std::borrow::Cow::Borrowed(body));
        };
        let mut context = self.context(id, None);
        context.insert("__body", &true);
        let (before, after) = (&body[..span.start], &body[span.end..]);
        // In Markdown `{#id}` sets a heading's id, so `{#` must not open a Tera comment there.
        let shielded = body[span].replace("{#", COMMENT_SHIELD);
        let mut out = self.capped(body.len() * 2);
        let result = self.tera.render_str_to(&shielded, &context, true, &mut out);
        let shown = page.shown_path();
        let first_line = page.body_line + memchr::memchr_iter(b'\n', before.as_bytes()).count();
        let html = out.finish(
            result,
            || shown.clone(),
            |e| tera_error(&e, Some(&shown), Some((&shown, first_line))),
        )?;
        let expanded = html.replace(COMMENT_SHIELD, "{#");
        Ok(std::borrow::Cow::Owned([before, &expanded, after].concat()))
    }

    /// A buffer for one page's rendering. It stops well past `[limits] max_page_kib` (four times
    /// it, and at least 64 KiB more), so that a page merely over the limit gets the exact
    /// message of the size check, and a runaway template stops before it fills the memory.
    /// `expected` is the room made at first, in bytes.
    fn capped(&self, expected: usize) -> Capped {
        let limit = self.site.config.limits.max_page_kib;
        let cap = limit.saturating_mul(4).max(limit.saturating_add(64)).saturating_mul(1024);
        let cap = usize::try_from(cap).unwrap_or(usize::MAX);
        Capped {
            bytes: Vec::with_capacity(expected.min(cap)),
            limit,
            cap,
            over: false,
            content: None,
            spans: Vec::new(),
        }
    }

    /// Renders a page with its template.
    pub fn render_page(&self, id: PageId, rendered: &Rendered) -> Result<String> {
        self.render_page_marked(id, rendered).map(|(html, _)| html)
    }

    /// Renders a page with its template; also returns where the page's content was written as it
    /// is (what `{{ page.content }}` writes, not what a filter made of it).
    pub fn render_page_marked(&self, id: PageId, rendered: &Rendered) -> Result<(String, Vec<Range<usize>>)> {
        let page = self.site.page(id);
        let content = Value::safe_string(&rendered.html);
        let context = self.context(id, Some((rendered, &content)));
        // The content and the template around it.
        let mut out = self.capped(rendered.html.len() + rendered.html.len() / 2 + 8192);
        // A short string is held inside each copy of the value, so only a long one is recognised
        // by its address; a page with a short content is read whole.
        let text = content.as_str().unwrap_or_default();
        out.content = (text.len() > 64).then_some((text.as_ptr() as usize, text.len()));
        let result = self.tera.render_to(Self::template_of(page), &context, &mut out);
        drop(context);
        self.release_listings(id);
        let spans = std::mem::take(&mut out.spans);
        let html = out.finish(
            result,
            || page.shown_path(),
            |e| {
                let error = tera_error(&e, Some(&page.shown_path()), None);
                // Tera gives no place for some errors (a component recursing without end): the
                // page's template is where to start looking.
                match error.path() == Some(Path::new(TEMPLATES_DIR)) {
                    true => error.in_file(shown(Self::template_of(page))),
                    false => error,
                }
            },
        )?;
        Ok((html, spans))
    }

    /// Renders `404.html`. Under the web flavour a `<base>` element pointing at the site root is
    /// added, because the server sends this page for missing URLs at any depth.
    pub fn render_404(&self) -> Result<String> {
        let mut context = self.base_context(0);
        let mut page = Map::new();
        page.insert("title".into(), "Page not found".into());
        page.insert("description".into(), "There is no page at this address.".into());
        page.insert("content".into(), Value::safe_string(""));
        page.insert("toc".into(), Value::from(Vec::<Value>::new()));
        page.insert("url".into(), urls::link(0, "404.html", self.site.flavour).into());
        page.insert("permalink".into(), urls::absolute(&self.site.config.base_url, "404.html").into());
        page.insert("path".into(), "404.html".into());
        page.insert("kind".into(), "404".into());
        page.insert("extra".into(), Value::from(Map::new()));
        page.insert("section".into(), self.summary(self.site.home, 0));
        context.insert_value("page", Value::from(page));
        let mut out = self.capped(8192);
        let result = self.tera.render_to("404.html", &context, &mut out);
        let html =
            out.finish(result, || shown("404.html"), |e| tera_error(&e, Some(&shown("404.html")), None))?;
        let problems = crate::html::scan(&html, &self.site.config.base_url, false).problems;
        if !problems.is_empty() {
            return Err(Error::many(
                problems
                    .into_iter()
                    .map(|p| Error::at(shown("404.html"), format!("in the 404 page, {p}")))
                    .collect(),
            ));
        }
        Ok(match self.site.flavour {
            Flavour::Web => insert_base(&html, &base_path(&self.site.config.base_url)),
            Flavour::Offline => html,
        })
    }

    fn base_context(&self, depth: usize) -> Context {
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
    fn context(&self, id: PageId, rendered: Option<(&Rendered, &Value)>) -> Context {
        let page = self.site.page(id);
        let depth = urls::depth(&page.path);
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
        more.push(("previous", summary(previous)));
        more.push(("next", summary(next)));
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

    fn listing(&self, section: PageId, depth: usize) -> Listing {
        let Some(slot) = self.listings.get(&(section, depth)) else {
            return listing(&self.site, section, depth);
        };
        let mut kept = slot.listing.lock().unwrap_or_else(|e| e.into_inner());
        kept.get_or_insert_with(|| listing(&self.site, section, depth)).clone()
    }

    /// The listings page `id` shows, once it is rendered: the last page to show one drops it.
    fn release_listings(&self, id: PageId) {
        for key in listing_keys(&self.site, id) {
            if let Some(slot) = self.listings.get(&key)
                && slot.users.fetch_sub(1, Ordering::AcqRel) == 1
            {
                slot.listing.lock().unwrap_or_else(|e| e.into_inner()).take();
            }
        }
    }

    fn summary(&self, id: PageId, depth: usize) -> Value {
        summary(&self.site, id, depth)
    }
}

/// Whether the `{` at `at` opens a tag: `{{` or `{%`. Every page's body is scanned for these,
/// so the scan looks for `{` alone and checks the byte after it.
fn opens_tag(bytes: &[u8], at: usize) -> bool {
    matches!(bytes.get(at + 1), Some(b'{' | b'%'))
}

/// The part of `text` that Tera must read, `None` if it has no template syntax: from the start of
/// the line where the whitespace before the first `{{` or `{%` begins (a `{%-` removes it), to past
/// the whitespace after the last `}}` or `%}` (a `-%}` removes it). The whole text when no tag is
/// closed after the last one opened, so that Tera reports the mistake as it would.
fn template_span(text: &str) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let first = memchr::memchr_iter(b'{', bytes).find(|&at| opens_tag(bytes, at))?;
    let last = memchr::memrchr_iter(b'{', bytes).find(|&at| opens_tag(bytes, at)).unwrap_or(first);
    // The `}` found ends a tag if the byte before it is `}` or `%`.
    let closes_tag = |at: usize| at > 0 && matches!(bytes[at - 1], b'}' | b'%');
    let close = match memchr::memrchr_iter(b'}', bytes).find(|&at| closes_tag(at)) {
        Some(end) if end > last + 2 => end - 1,
        _ => return Some(0..text.len()),
    };
    let text_before = text[..first].trim_end_matches(char::is_whitespace).len();
    let start = memchr::memrchr(b'\n', &bytes[..text_before]).map_or(0, |at| at + 1);
    let after_close = close + 2;
    let end = text.len() - text[after_close..].trim_start_matches(char::is_whitespace).len();
    Some(start..end)
}

/// A buffer that refuses to grow past `limit` bytes, so that a template loop running far too
/// long ends in an error instead of exhausting memory.
struct Capped {
    bytes: Vec<u8>,
    /// `[limits] max_page_kib`, for the message.
    limit: u64,
    /// Bytes past which writing fails.
    cap: usize,
    over: bool,
    /// The address and length of the page's content, recognised when written as it is.
    content: Option<(usize, usize)>,
    /// Where the content was written.
    spans: Vec<Range<usize>>,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len().saturating_add(buf.len()) > self.cap {
            self.over = true;
            return Err(std::io::Error::other("the page grew past `[limits] max_page_kib`"));
        }
        if self.content == Some((buf.as_ptr() as usize, buf.len())) {
            self.spans.push(self.bytes.len()..self.bytes.len() + buf.len());
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capped {
    /// The rendered text; or the error, with Tera's own errors converted by `convert`.
    fn finish(
        self,
        result: tera::TeraResult<()>,
        page: impl Fn() -> PathBuf,
        convert: impl FnOnce(tera::Error) -> Error,
    ) -> Result<String> {
        if self.over {
            return Err(Error::at(
                page(),
                format!(
                    "the page grew past {} KiB while its templates rendered, far over the limit of \
                     {} KiB set by `[limits] max_page_kib` in site.toml: look for a template loop \
                     that runs too long, split the page, or raise the limit",
                    self.cap / 1024,
                    self.limit
                ),
            ));
        }
        result.map_err(convert)?;
        String::from_utf8(self.bytes)
            .map_err(|_| Error::at(page(), "the templates produced text that is not UTF-8"))
    }
}

/// The fields every view of a page has (see [`summary`]), with links relative to a page at some
/// depth. Made into a template value by serialising it, which builds the map in one go.
#[derive(serde::Serialize)]
struct Summary<'a> {
    title: &'a str,
    description: Option<&'a str>,
    date: Option<&'a str>,
    updated: Option<&'a str>,
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
fn summary(site: &Site, id: PageId, depth: usize) -> Value {
    let page = site.page(id);
    let front = &page.front;
    Value::from_serializable(&Summary {
        title: &front.title,
        description: front.description.as_deref(),
        date: front.date.as_ref().map(Date::as_str),
        updated: front.updated.as_ref().map(Date::as_str),
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
struct Listing {
    section: Value,
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
fn listing(site: &Site, section: PageId, depth: usize) -> Listing {
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
fn slots(site: &Site, ids: &[PageId]) -> HashMap<(PageId, usize), Slot> {
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

fn site_value(site: &Site) -> Value {
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

/// The path part of `base_url` (`https://x.github.io/repo/` → `/repo/`).
fn base_path(base_url: &str) -> String {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    rest.find('/').map_or("/".to_string(), |i| rest[i..].to_string())
}

/// Inserts `<base href>` right after the opening `<head>` tag, unless the page has one.
fn insert_base(html: &str, href: &str) -> String {
    let lower = html.to_ascii_lowercase();
    if lower.contains("<base ") {
        return html.to_string();
    }
    let Some(start) = lower.find("<head") else {
        return html.to_string();
    };
    let Some(end) = lower[start..].find('>').map(|i| start + i + 1) else {
        return html.to_string();
    };
    format!("{}<base href=\"{}\">{}", &html[..end], crate::markdown::escape(href), &html[end..])
}

// ---------------------------------------------------------------------------------------------
// What a render reads of other pages

/// Something of another page that a render read through `get_page` or `get_section`. `juxta
/// serve` records these so that an edit to a page's front matter re-renders the pages showing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Read {
    /// The page's own fields (`get_page`).
    Page(PageId),
    /// A section's fields and the summaries of its pages and subsections (`get_section`).
    Listing(PageId),
}

thread_local! {
    static READS: RefCell<Option<Vec<Read>>> = const { RefCell::new(None) };
}

/// Runs `render` and returns what it read of other pages. A render runs on one thread from start
/// to end; recordings nest, so a render started inside another one records only its own reads.
pub fn recording_reads<T>(render: impl FnOnce() -> T) -> (T, Vec<Read>) {
    let outer = READS.with(|r| r.replace(Some(Vec::new())));
    let value = render();
    let reads = READS.with(|r| r.replace(outer)).unwrap_or_default();
    (value, reads)
}

fn note_read(read: Read) {
    READS.with(|r| {
        if let Some(reads) = r.borrow_mut().as_mut() {
            reads.push(read);
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Functions

/// The depth of the page being rendered, which every link a function returns is relative to.
pub(crate) fn depth_of(state: &State) -> usize {
    state.get::<usize>("__depth").ok().flatten().unwrap_or(0)
}

/// Whether a Markdown body is being rendered (rather than a page template).
pub(crate) fn in_body(state: &State) -> bool {
    state.get::<bool>("__body").ok().flatten().unwrap_or(false)
}

fn register_functions(tera: &mut Tera, site: &Arc<Site>) {
    crate::table::register(tera, site);
    tera.register_filter("json_ld", JsonLd);
    let s = site.clone();
    tera.register_function("url", move |kwargs: Kwargs, state: &State| -> tera::TeraResult<String> {
        let path: &str = kwargs.must_get("path")?;
        let depth = depth_of(state);
        resolve_url(&s, path, depth).map_err(tera::Error::message)
    });
    let s = site.clone();
    tera.register_function("get_page", move |kwargs: Kwargs, state: &State| -> tera::TeraResult<Value> {
        let path: &str = kwargs.must_get("path")?;
        let id = find_page(&s, path).map_err(tera::Error::message)?;
        note_read(Read::Page(id));
        Ok(summary(&s, id, depth_of(state)))
    });
    let s = site.clone();
    tera.register_function("get_section", move |kwargs: Kwargs, state: &State| -> tera::TeraResult<Value> {
        let path: &str = kwargs.must_get("path")?;
        let id = find_page(&s, path).map_err(tera::Error::message)?;
        if !s.page(id).is_section() {
            return Err(tera::Error::message(format!(
                "get_section: `{path}` is a page, not a section (`_index.md`)"
            )));
        }
        note_read(Read::Listing(id));
        Ok(listing(&s, id, depth_of(state)).section)
    });
}

/// `value | json_ld`: the value as JSON that is safe inside `<script type="application/ld+json">`
/// (no `<`, `>` or `&` that could end the element), for structured data built in templates.
struct JsonLd;

impl tera::Filter<Value, tera::TeraResult<Value>> for JsonLd {
    fn call(&self, value: Value, _: Kwargs, _: &State) -> tera::TeraResult<Value> {
        let json = serde_json::to_value(&value).map_err(|e| tera::Error::message(format!("json_ld: {e}")))?;
        Ok(Value::safe_string(&crate::table::script_json(&json)))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

fn find_page(site: &Site, path: &str) -> std::result::Result<PageId, String> {
    let key = path.trim_start_matches("@/").trim_start_matches('/');
    site.by_source.get(key).copied().ok_or_else(|| {
        let near = crate::suggest::closest(key, site.by_source.keys().map(String::as_str));
        format!("there is no page `content/{key}`{near}")
    })
}

/// `url(path=…)`: a content file (`protocols.md`, `@/protocols.md`) or a file of the output
/// (`style.css`, `atom.xml`), as a link from the page being rendered.
fn resolve_url(site: &Site, path: &str, depth: usize) -> std::result::Result<String, String> {
    if crate::markdown::is_dangerous(path) {
        return Err(format!("url: `{path}` is not a link juxta will write"));
    }
    let (path, fragment) = match path.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (path, None),
    };
    let key = path.trim_start_matches("@/").trim_start_matches('/');
    let mut url = if key.ends_with(".md") {
        let id = find_page(site, key)?;
        urls::link(depth, &site.page(id).path, site.flavour)
    } else if site.files.contains(key) || site.by_path.contains_key(key) {
        urls::link(depth, key, site.flavour)
    } else {
        let near = crate::suggest::closest(key, site.files.iter().map(String::as_str));
        return Err(format!("url: no page or file `{key}` in the site{near}"));
    };
    if let Some(f) = fragment {
        url.push('#');
        url.push_str(f);
    }
    Ok(url)
}

// ---------------------------------------------------------------------------------------------
// Errors

/// Converts a Tera error. `rendering` is the page being rendered; `body` is set when the error
/// comes from a Markdown body (the file and the line its body starts on).
pub(crate) fn tera_error(e: &tera::Error, rendering: Option<&Path>, body: Option<(&Path, usize)>) -> Error {
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        text.push_str(&format!(": {c}"));
        cause = c.source();
    }
    let error = match (parse_report(&text), e.kind()) {
        (Some((file, position, message)), _) => match body {
            Some((page, first_line)) if file == "__tera_one_off" => {
                let position = Position::new(position.line + first_line - 1, position.column);
                return Error::at_position(page, position, message);
            }
            _ => Error::at_position(shown(&file), position, message),
        },
        (
            None,
            tera::ErrorKind::CircularExtend { tpl, .. } | tera::ErrorKind::CircularInclude { tpl, .. },
        ) => Error::at(shown(tpl), text.trim().to_string()),
        (None, tera::ErrorKind::MissingParent { current, .. }) => {
            Error::at(shown(current), text.trim().to_string())
        }
        (None, _) => match body {
            Some((page, _)) => return Error::at(page, text.trim().to_string()),
            None => Error::at(TEMPLATES_DIR, text.trim().to_string()),
        },
    };
    match rendering {
        Some(page) => error.while_rendering(page),
        None => error,
    }
}

/// Reads Tera's report format: `error: <message>` then ` --> <file>:<line>:<col>`.
fn parse_report(text: &str) -> Option<(String, Position, String)> {
    let mut lines = text.lines();
    let first = lines.next()?;
    let message = first.strip_prefix("error: ").unwrap_or(first).trim().to_string();
    let locus = lines.find_map(|l| l.trim_start().strip_prefix("--> "))?;
    let mut parts = locus.rsplitn(3, ':');
    let column = parts.next()?.trim().parse().ok()?;
    let line = parts.next()?.trim().parse().ok()?;
    let file = parts.next()?.to_string();
    Some((file, Position::new(line, column), message))
}

/// The template's source path shown in errors.
pub fn shown(name: &str) -> PathBuf {
    Path::new(TEMPLATES_DIR).join(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_span_runs_from_the_first_tag_line_to_past_the_last_tag() {
        let cases = [
            ("a\n\nb {{ x }} c\n\nd", "b {{ x }} "),
            ("{{ x }}", "{{ x }}"),
            ("a\n\n   {%- if x %}y{% endif -%}\n\n  z", "a\n\n   {%- if x %}y{% endif -%}\n\n  "),
            ("a\nb\n{% raw %}{{ }}{% endraw %}\nc", "b\n{% raw %}{{ }}{% endraw %}\n"),
            ("a\n{{ one }}\nb\n{{ two }}\nc", "a\n{{ one }}\nb\n{{ two }}\n"),
            ("a\n\n{{ one }}", "a\n\n{{ one }}"),
            ("a\nb\n\nc {{ one }}", "c {{ one }}"),
            ("a {{ \"}}\" }} b", "a {{ \"}}\" }} "),
            // No tag closed after the last opened: all of it, for Tera to report.
            ("a {{ x", "a {{ x"),
            ("a {{ x }} b {{ y", "a {{ x }} b {{ y"),
            ("a {{ x }} b {% if", "a {{ x }} b {% if"),
        ];
        for (text, span) in cases {
            assert_eq!(&text[template_span(text).unwrap()], span, "{text:?}");
        }
    }

    #[test]
    fn rendering_the_template_span_alone_gives_what_rendering_everything_gives() {
        let tera = tera::Tera::default();
        let mut context = tera::Context::new();
        context.insert("x", &"X");
        context.insert("items", &[1, 2]);
        for text in [
            "# Title\n\nSome {{ x }} text.\n\n- a\n- b\n",
            "a\n\n   {%- if x %}y{% endif -%}\n\n  z",
            "a  \t\n {{- x -}} \n\t b",
            "line\n{% for i in items %}\n* {{ i }}\n{% endfor %}\ntail {{ x }} end\n",
            "é  {{- x }}\u{a0}\u{2003}{{ x -}}\u{2003}\u{a0} ü",
            "{% raw %}{{ x }}{% endraw %} and {{ x }}",
        ] {
            let whole = tera.render_str(text, &context, true).unwrap();
            let span = template_span(text).unwrap();
            let part = tera.render_str(&text[span.clone()], &context, true).unwrap();
            assert_eq!([&text[..span.start], &part, &text[span.end..]].concat(), whole, "{text:?}");
        }
    }

    #[test]
    fn template_syntax_is_an_opening_brace_then_another_or_a_percent_sign() {
        for text in ["{{ x }}", "a {% if %}", "{ {{", "{}{%"] {
            assert!(template_span(text).is_some(), "{text:?}");
        }
        for text in ["", "no tags", "{", "{ {", "{#id}", "} }}", "}} %}", "a{b}c{"] {
            assert_eq!(template_span(text), None, "{text:?}");
        }
    }

    #[test]
    fn reports_are_parsed_into_file_and_position() {
        let text = "error: Variable `x` not found\n  --> page.html:3:7\n   |\n 3 | {{ x }}\n   |    ^";
        let (file, position, message) = parse_report(text).unwrap();
        assert_eq!(file, "page.html");
        assert_eq!(position, Position::new(3, 7));
        assert_eq!(message, "Variable `x` not found");
    }

    #[test]
    fn base_is_inserted_after_head() {
        assert_eq!(
            insert_base("<html><head lang=x><title>", "/repo/"),
            "<html><head lang=x><base href=\"/repo/\"><title>"
        );
        assert_eq!(base_path("https://a.github.io/repo/"), "/repo/");
        assert_eq!(base_path("https://example.com/"), "/");
    }
}
