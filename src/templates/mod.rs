//! Tera 2 set-up: templates loaded and compiled once per build, juxta's functions, the values
//! handed to templates (`site`, `data`, `page` or `section`), and Tera errors turned into errors
//! naming the template position and the page being rendered.
//!
//! Every link a value or function hands to a template is page-relative (see [`crate::urls`]):
//! the functions read the depth of the page being rendered from the context (`__depth`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};

use tera::{Map, Tera, Value};
use walkdir::WalkDir;

use crate::error::{Error, Result};
use crate::markdown::{Item, Rendered};
use crate::page::{Page, PageId};
use crate::site::Site;
use crate::source::SourceKind;
use crate::source::TEMPLATES_DIR;
use crate::urls::{self, Flavour};

mod data_reads;
mod errors;
mod functions;
mod listing;
mod media;
mod values;

pub(crate) use data_reads::readers as data_readers;
pub(crate) use errors::InBody;
use errors::{circular_include, tera_error};
pub(crate) use functions::Read;
use functions::{ReadLog, register_functions};
pub(crate) use listing::PrintPage;
use values::{Listing, site_value, slots};

/// File extensions loaded as templates.
const EXTENSIONS: [&str; 6] = ["html", "htm", "xml", "txt", "json", "svg"];

/// The compiled templates and the values shared by every render.
pub(crate) struct Templates {
    tera: Tera,
    site: Arc<Site>,
    site_value: Value,
    data_value: Value,
    /// `section.pages` listings by (section, depth of the viewing page).
    listings: HashMap<(PageId, usize), Slot>,
    /// What each page's renders read of other pages, when recorded.
    reads: Option<ReadLog>,
}

/// A listing some pages will show: made by the first of them rendered, dropped once all have
/// been, so that the listings of a large site are not all in memory at once.
struct Slot {
    listing: Mutex<Option<Listing>>,
    /// Pages still to be rendered that show it.
    users: AtomicUsize,
}

/// Templates as (name, source) pairs.
pub(crate) type Sources = Vec<(String, String)>;

/// The templates under `templates/` as (name, source) pairs, sorted by name.
pub(crate) fn read_sources(root: &Path) -> Result<Sources> {
    let dir = root.join(TEMPLATES_DIR);
    let mut sources = Vec::new();
    let mut misnamed = Vec::new();
    if !dir.is_dir() {
        return Ok(sources);
    }
    for entry in WalkDir::new(&dir).follow_links(false).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::at(TEMPLATES_DIR, "cannot read the folder").caused_by(e))?;
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
    if misnamed.is_empty() { Ok(sources) } else { Err(Error::many(misnamed)) }
}

impl Templates {
    /// Compiles the templates `sources` (as [`read_sources`] gives them), registers juxta's
    /// functions, and checks that every page's template exists.
    pub(crate) fn load(site: Arc<Site>, sources: Sources) -> Result<Templates> {
        let ids: Vec<PageId> = site.ids().collect();
        Templates::compile(site, sources, &ids, false)
    }

    /// Like [`Templates::load`], for a rebuild that renders the pages `ids`: section listings
    /// are shared only among them, each rendered once (other renders make their own), and what
    /// each page's templates read of other pages is recorded ([`Templates::reads`]).
    pub(crate) fn load_for(site: Arc<Site>, sources: Sources, ids: &[PageId]) -> Result<Templates> {
        Templates::compile(site, sources, ids, true)
    }

    /// Compiles templates given as (name, source) pairs, sharing section listings among the
    /// pages `ids` and recording reads when `record_reads`; see [`Templates::load_for`].
    pub(crate) fn compile(
        site: Arc<Site>,
        sources: Sources,
        ids: &[PageId],
        record_reads: bool,
    ) -> Result<Templates> {
        let reads: Option<ReadLog> =
            record_reads.then(|| Arc::new(site.pages.iter().map(|_| Mutex::default()).collect()));
        let mut tera = Tera::new();
        // A share card's SVG template escapes what it writes as HTML templates do.
        tera.autoescape_on([".html", ".htm", ".xml", ".svg"]);
        register_functions(&mut tera, &site, reads.as_ref());
        listing::register(&mut tera, &site);
        media::register(&mut tera, &site);
        tera.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str()))).map_err(|e| match e
            .kind()
        {
            tera::ErrorKind::CircularInclude { include_chain, .. } => {
                circular_include(&sources, include_chain)
            }
            _ => tera_error(&tera, &e, None, None),
        })?;
        if !tera.contains_template(crate::cards::TEMPLATE) {
            tera.add_raw_template(crate::cards::TEMPLATE, crate::cards::DEFAULT_TEMPLATE)
                .map_err(|e| tera_error(&tera, &e, None, None))?;
        }

        let site_value = site_value(&site);
        let data_value = site.data.to_value();
        let listings = slots(&site, ids);
        let templates = Templates { tera, site, site_value, data_value, listings, reads };
        templates.check_template_names()?;
        Ok(templates)
    }

    /// What page `id`'s renders read of other pages through `get_page` and `get_section` (when
    /// recorded, see [`Templates::load_for`]); taken, so that a second call returns nothing.
    pub(crate) fn reads(&self, id: PageId) -> Vec<Read> {
        let Some(reads) = self.reads.as_ref().and_then(|log| log.get(id.index())) else { return Vec::new() };
        std::mem::take(&mut *reads.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The name of the template page `id` is rendered with.
    pub(crate) fn template_name(&self, id: PageId) -> &str {
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

    /// Runs the template tags of `body`, standing in for page `id`'s body and parsed into
    /// `events`, through Tera (see [`crate::body_tags`]); `None` when it has none, which never
    /// touches the template engine.
    pub(crate) fn expand_body(&self, id: PageId, body: &str, events: &[Item<'_>]) -> Result<Option<String>> {
        let page = self.site.page(id);
        let shown = page.shown_path();
        let prepared = match crate::body_tags::prepare(body, events) {
            Ok(Some(prepared)) => prepared,
            Ok(None) => return Ok(None),
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
        Ok(Some(prepared.restore(&html)))
    }

    /// A buffer for one page's rendering. It stops well past `[limits] max_page_kib` (four times
    /// it, and at least 64 KiB more), so that a page merely over the limit gets the exact
    /// message of the size check, and a runaway template stops before it fills the memory.
    /// `expected` is the room made at first, in bytes.
    fn capped(&self, expected: usize) -> Capped {
        let limit = self.site.config.limits.max_page_kib;
        let cap = limit.saturating_mul(4).max(limit.saturating_add(64)).saturating_mul(1024);
        let cap = usize::try_from(cap).unwrap_or(usize::MAX);
        Capped { bytes: Vec::with_capacity(expected.min(cap)), limit, cap, over: false }
    }

    /// Renders a page with its template.
    pub(crate) fn render_page(&self, id: PageId, rendered: &Rendered) -> Result<String> {
        let page = self.site.page(id);
        let content = Value::safe_string(&rendered.html);
        let context = self.context(id, Some((rendered, &content)));
        // The content and the template around it.
        let mut out = self.capped(rendered.html.len() + rendered.html.len() / 2 + 8192);
        let result = self.tera.render_to(Self::template_of(page), &context, &mut out);
        drop(context);
        self.release_listings(id);
        out.finish(
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
        )
    }

    /// Renders `404.html`. Under the web flavour a `<base>` element pointing at the site root is
    /// added, because the server sends this page for missing URLs at any depth.
    pub(crate) fn render_404(&self) -> Result<String> {
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
}

/// A buffer that refuses to grow past its cap, so that a template loop running far too long
/// ends in an error instead of exhausting memory.
struct Capped {
    bytes: Vec<u8>,
    /// `[limits] max_page_kib`, for the message.
    limit: u64,
    /// Bytes past which writing fails.
    cap: usize,
    over: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len().saturating_add(buf.len()) > self.cap {
            self.over = true;
            return Err(std::io::Error::other("the page grew past `[limits] max_page_kib`"));
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
    format!("{}<base href=\"{}\">{}", &html[..end], crate::html::escape(href), &html[end..])
}

pub(crate) fn shown(name: &str) -> PathBuf {
    Path::new(TEMPLATES_DIR).join(name)
}

#[cfg(test)]
mod tests {
    use super::*;

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
