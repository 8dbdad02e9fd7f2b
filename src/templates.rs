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
            .map_err(|e| tera_error(&tera, &e, None, None))?;

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
        let mut asked = std::collections::HashSet::new();
        for page in &self.site.pages {
            let name = Self::template_of(page);
            if let Some(generated) = &page.generated
                && !self.tera.contains_template(name)
            {
                // Said once for every page of the kind that the dataset asks for.
                if !asked.insert((generated.shown.clone(), name)) {
                    continue;
                }
                errors.push(Error::at_position(
                    &generated.shown,
                    generated.at,
                    format!(
                        "`[pages]` asks for {}, whose template `{name}` is not in `{TEMPLATES_DIR}/`: add one \
                         (juxta's theme has one; `juxta init` writes it), or remove the request",
                        generated.what
                    ),
                ));
                continue;
            }
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

    /// [`Templates::expand_body`] for `body` standing in for page `id`'s body. Only the template
    /// tags an author writes in prose go through Tera (see [`crate::body_tags`]).
    pub(crate) fn expand_text<'b>(&self, id: PageId, body: &'b str) -> Result<std::borrow::Cow<'b, str>> {
        let page = self.site.page(id);
        let shown = page.shown_path();
        let options = crate::markdown::options(&self.site.config.markdown);
        let prepared = match crate::body_tags::prepare(body, options) {
            Ok(Some(prepared)) => prepared,
            Ok(None) => return Ok(std::borrow::Cow::Borrowed(body)),
            Err(message) => return Err(Error::at(&shown, message)),
        };
        let mut context = self.context(id, None);
        context.insert("__body", &true);
        let mut out = self.capped(body.len() * 2);
        let result = self.tera.render_str_to(&prepared.text, &context, true, &mut out);
        let in_body = InBody { page: &shown, body, body_line: page.body_line, prepared: &prepared };
        let html = out.finish(
            result,
            || shown.clone(),
            |e| tera_error(&self.tera, &e, Some(&shown), Some(&in_body)),
        )?;
        let expanded = prepared.restore(&html);
        let span = &prepared.span;
        Ok(std::borrow::Cow::Owned([&body[..span.start], &expanded, &body[span.end..]].concat()))
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
                let error = tera_error(&self.tera, &e, Some(&page.shown_path()), None);
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
        let html = out.finish(
            result,
            || shown("404.html"),
            |e| tera_error(&self.tera, &e, Some(&shown("404.html")), None),
        )?;
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

/// A Markdown body going through Tera, for placing its errors.
pub(crate) struct InBody<'a> {
    /// The page's source file, as shown in errors.
    pub page: &'a Path,
    pub body: &'a str,
    /// The line of the file the body starts on.
    pub body_line: usize,
    pub prepared: &'a crate::body_tags::Prepared,
}

impl InBody<'_> {
    /// Where Tera's `position` in the text it read is in the page's file, and the tag opening
    /// there (`{{` or `{%`).
    fn place(&self, position: Position) -> (Position, &'static str) {
        let offset = self.prepared.body_offset(position);
        let p = Position::of_offset(self.body, offset);
        let mut end = (offset + 2).min(self.body.len());
        while !self.body.is_char_boundary(end) {
            end -= 1;
        }
        let before = &self.body[..end];
        let opener = match (before.rfind("{{"), before.rfind("{%")) {
            (Some(variable), Some(block)) if block > variable => "{%",
            (None, Some(_)) => "{%",
            _ => "{{",
        };
        (Position::new(p.line + self.body_line - 1, p.column), opener)
    }
}

/// The functions every template and body can call, for "did you mean" hints: juxta's and Tera's.
const FUNCTIONS: [&str; 8] = [
    "comparison",
    "comparison_table",
    "comparison_value",
    "get_page",
    "get_section",
    "range",
    "throw",
    "url",
];

/// The filters, likewise: Tera's and juxta's `json_ld`.
const FILTERS: [&str; 38] = [
    "abs",
    "capitalize",
    "default",
    "escape",
    "escape_html",
    "escape_xml",
    "first",
    "float",
    "get",
    "group_by",
    "indent",
    "int",
    "join",
    "json_ld",
    "keys",
    "last",
    "length",
    "lower",
    "newlines_to_br",
    "nth",
    "pairs",
    "pluralize",
    "replace",
    "reverse",
    "round",
    "safe",
    "sort",
    "split",
    "str",
    "title",
    "trim",
    "trim_end",
    "trim_start",
    "truncate",
    "unique",
    "upper",
    "values",
    "wordcount",
];

/// The tests (`is …`), likewise: Tera's.
const TESTS: [&str; 17] = [
    "array",
    "bool",
    "containing",
    "defined",
    "divisible_by",
    "ending_with",
    "even",
    "float",
    "integer",
    "iterable",
    "map",
    "none",
    "number",
    "odd",
    "starting_with",
    "string",
    "undefined",
];

/// Converts a Tera error. `rendering` is the page being rendered; `body` is set when the error
/// comes from a Markdown body. Tera reports every unknown function, filter or component of a
/// template at once: each becomes an error of its own.
pub(crate) fn tera_error(
    tera: &Tera,
    e: &tera::Error,
    rendering: Option<&Path>,
    body: Option<&InBody<'_>>,
) -> Error {
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        text.push_str(&format!(": {c}"));
        cause = c.source();
    }
    let reports: Vec<String> = match e.kind() {
        tera::ErrorKind::Msg(_) if text.starts_with("error: ") => text
            .split("\n\nerror: ")
            .map(|r| r.strip_prefix("error: ").unwrap_or(r))
            .map(|r| format!("error: {r}"))
            .collect(),
        _ => vec![text],
    };
    let syntax = matches!(e.kind(), tera::ErrorKind::SyntaxError(_));
    Error::many(reports.iter().map(|r| report_error(tera, r, e.kind(), syntax, rendering, body)).collect())
}

/// One report of a Tera error; see [`tera_error`].
fn report_error(
    tera: &Tera,
    text: &str,
    kind: &tera::ErrorKind,
    syntax: bool,
    rendering: Option<&Path>,
    body: Option<&InBody<'_>>,
) -> Error {
    let error = match (parse_report(text), kind) {
        (Some((file, position, message)), _) => {
            let near = suggestion(tera, &message);
            let message = message + &near;
            match body {
                Some(body) if file == "__tera_one_off" => {
                    let (position, opener) = body.place(position);
                    // Where the tag may be text the author did not mean as a template: not
                    // a field of a known value, a template not found, or a near miss of a name.
                    let unknown_name = ["function", "filter", "test", "component"]
                        .iter()
                        .any(|what| message.starts_with(&format!("Unknown {what} `")));
                    let mistaken = syntax
                        || (message.starts_with("Variable `") && message.contains("is not defined"))
                        || (unknown_name && near.is_empty());
                    let hint = match mistaken {
                        true => {
                            format!(" (to show `{opener}` as text, write `\\{opener}` or put it in code)")
                        }
                        false => String::new(),
                    };
                    return Error::at_position(body.page, position, message + &hint);
                }
                _ => Error::at_position(shown(&file), position, message),
            }
        }
        (
            None,
            tera::ErrorKind::CircularExtend { tpl, .. } | tera::ErrorKind::CircularInclude { tpl, .. },
        ) => Error::at(shown(tpl), text.trim().to_string()),
        (None, tera::ErrorKind::MissingParent { current, .. }) => {
            Error::at(shown(current), text.trim().to_string())
        }
        (None, _) => match body {
            Some(body) => return Error::at(body.page, text.trim().to_string()),
            None => Error::at(TEMPLATES_DIR, text.trim().to_string()),
        },
    };
    match rendering {
        Some(page) => error.while_rendering(page),
        None => error,
    }
}

/// `" (did you mean `x`?)"` for a message about an unknown function or component with a close
/// name, or `""`.
fn suggestion(tera: &Tera, message: &str) -> String {
    let name = |prefix: &str| message.strip_prefix(prefix)?.strip_suffix('`');
    for (prefix, names) in [
        ("Unknown function `", &FUNCTIONS[..]),
        ("Unknown filter `", &FILTERS[..]),
        ("Unknown test `", &TESTS[..]),
    ] {
        if let Some(unknown) = name(prefix) {
            return crate::suggest::closest(unknown, names.iter().copied());
        }
    }
    if let Some(component) = name("Unknown component `") {
        return crate::suggest::closest(component, tera.get_component_names());
    }
    String::new()
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
    fn the_names_suggested_are_those_tera_knows() {
        let mut tera = Tera::new();
        register_functions(&mut tera, &Arc::new(crate::fuzzing::site_for_tests()));
        let unknown = |source: &str| {
            let error = tera.render_str(source, &Context::new(), true).err()?;
            Some(error.to_string())
        };
        for name in FUNCTIONS {
            let error = unknown(&format!("{{{{ {name}() }}}}")).unwrap_or_default();
            assert!(!error.contains("Unknown function"), "{name}: {error}");
        }
        for name in FILTERS {
            let error = unknown(&format!("{{{{ 1 | {name} }}}}")).unwrap_or_default();
            assert!(!error.contains("Unknown filter"), "{name}: {error}");
        }
        for name in TESTS {
            let error = unknown(&format!("{{{{ 1 is {name} }}}}")).unwrap_or_default();
            assert!(!error.contains("Unknown test"), "{name}: {error}");
        }
        assert!(unknown("{{ 1 | lenght }}").unwrap().contains("Unknown filter `lenght`"));
        assert_eq!(suggestion(&tera, "Unknown filter `lenght`"), " (did you mean `length`?)");
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
