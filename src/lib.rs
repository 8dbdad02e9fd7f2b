//! juxta: a static site generator for comparison-driven documentation and marketing sites.
//!
//! Authors write Markdown in `content/`, keep the facts being compared in `data/`, and get a site
//! that works at a domain root, under any sub-path, and opened from disk. [`build`] is the whole
//! pipeline, one forward pass:
//!
//! | stage | module |
//! |---|---|
//! | `site.toml` → [`config::Config`] | [`config`] |
//! | walk `content/` and `static/` | [`source`] |
//! | front matter, page paths | [`front_matter`], [`page`] |
//! | `data/`, comparison datasets validated | [`data`], [`located`], [`comparison`] |
//! | assemble sections, listings, collisions | [`site`] |
//! | compile templates once | [`templates`] |
//! | per page, in parallel: body through Tera (only if it uses it), Markdown, template, write | [`markdown`], [`highlight`], [`table`] |
//! | anchors, feeds, static files, swap | [`output`], [`feeds`] |
//!
//! `juxta serve` ([`serve`]) runs the same stages into memory and, after a change, renders again
//! only the pages that depend on it.
//!
//! Invariants:
//! - Every internal link juxta writes is page-relative ([`urls`]); absolute URLs appear only in
//!   canonical and OpenGraph tags, the sitemap and the feed.
//! - The output is written to a staging folder and swapped in only on success; the previous
//!   output is untouched by a failed build ([`output`]).
//! - The same inputs give byte-identical output: every collection is iterated in sorted order
//!   and no wall-clock time is written.
//! - Nothing is written outside the output folder, whatever a slug, path or alias says.
//! - A stop request (a signal) or a crash while rendering a page ends the build with an error,
//!   never with a half-written output ([`guard`]).

pub mod archive;
mod body_tags;
pub mod check;
pub mod comparison;
pub mod config;
pub mod data;
pub mod error;
pub mod feeds;
pub mod front_matter;
mod fs;
#[doc(hidden)]
pub mod fuzzing;
pub mod guard;
pub mod highlight;
pub mod html;
pub mod init;
pub mod located;
pub mod markdown;
pub mod output;
pub mod page;
pub mod progress;
mod raw_html;
mod scratch;
pub mod search;
pub mod serve;
pub mod site;
pub mod source;
mod suggest;
pub mod table;
pub mod templates;
pub mod urls;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

pub use error::{Error, Result};
pub use urls::Flavour;

use crate::front_matter::Date;
use crate::markdown::AnchorRef;
use crate::page::PageId;
use crate::site::Site;
use crate::templates::Templates;

/// The most pages one parallel job reads or renders. Rayon otherwise stops splitting work once
/// each thread has a share, leaving pieces of thousands of pages: a thread that finishes early
/// then has nothing to take, and at 10,000 pages the last 10-35 ms ran on one core. Small jobs
/// let the threads finish together; splitting costs about a microsecond a job.
pub(crate) const PAGES_PER_JOB: usize = 8;

/// What to build and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The project root (holding `site.toml`).
    pub root: PathBuf,
    /// The output folder; `<root>/public` when `None`.
    pub out: Option<PathBuf>,
    /// Replaces `base_url` from `site.toml`.
    pub base_url: Option<String>,
    /// Web or offline output.
    pub flavour: Flavour,
    /// Builds pages marked `draft = true`.
    pub drafts: bool,
    /// Also packs the output into this zip file. The build is then offline, and goes to a
    /// temporary folder unless `out` is given.
    pub zip: Option<PathBuf>,
    /// Where the build reports its progress (nowhere by default).
    pub progress: progress::Progress,
}

/// What a successful build produced.
#[derive(Debug, Clone)]
pub struct Report {
    /// Pages, sections and the home page written.
    pub pages: usize,
    /// Other files written (static files, content files, feeds, aliases).
    pub files: usize,
    /// The output folder.
    pub out: PathBuf,
    /// How long each phase took, in order (printed by `juxta build -v`).
    pub phases: Vec<(&'static str, std::time::Duration)>,
}

/// Builds the site at `options.root`.
pub fn build(options: &Options) -> Result<Report> {
    let root = options.root.as_path();
    // Where the zip goes is settled before anything is read or written.
    let zip = match &options.zip {
        Some(zip) => Some(archive::check_target(root, zip, options.out.as_deref())?),
        None => None,
    };
    let mut clock = Clock::start();
    options.progress.phase("reading the site", 0);
    let (Loaded { site, templates }, mut problems) = load_each(options)?;
    clock.lap("read, check and assemble the site; compile templates");
    guard::check()?;

    // Without `--out`, a zip is built in a private folder (with its staging folder inside it).
    let scratch = match (&zip, &options.out) {
        (Some(_), None) => Some(scratch::Scratch::create("zip")?),
        _ => None,
    };
    let out = match (&options.out, &scratch) {
        (Some(out), _) => out.clone(),
        (None, Some(scratch)) => scratch.path().join("site"),
        (None, None) => root.join("public"),
    };
    let mut staging = output::Staging::create(root, &out)?;
    let limits = &site.config.limits;
    staging.limit_size(limits.max_site_mib.saturating_mul(output::MIB), limits.max_site_at);
    // Known before rendering, so that only the feed's pages keep their rendered content.
    let feed_entries = feeds::entries(&site);
    let feed_pages: HashSet<PageId> = feed_entries.iter().copied().collect();
    options.progress.phase("rendering pages", site.pages.len());
    let results: Vec<Result<PageResult>> = site
        .ids()
        .collect::<Vec<_>>()
        .into_par_iter()
        .with_max_len(PAGES_PER_JOB)
        .map(|id| {
            guard::catch(
                || site.page(id).shown_path(),
                || {
                    let result = render_page(&site, &templates, &staging, id, &feed_pages);
                    options.progress.step();
                    result
                },
            )
        })
        .collect();
    // Every problem is reported at once: those found reading the site, those of the pages, and
    // the broken anchors of the pages that rendered.
    let results = match results.iter().all(Result::is_ok) {
        true => error::collect(results)?,
        false => results.into_iter().filter_map(|r| r.map_err(|e| problems.push(e)).ok()).collect(),
    };
    let pages_written = results.len();
    clock.lap("render and write pages");
    options.progress.phase("writing files", 0);
    if let Err(e) = check_anchors(&site, &results) {
        problems.push(e);
    }
    if !problems.is_empty() {
        return Err(Error::many(problems));
    }
    clock.lap("check anchors");
    let files = write_site_files(&site, &templates, &staging, &results, &feed_entries)?;
    clock.lap("write feeds, sitemap and static files");
    guard::check()?;
    staging.commit()?;
    clock.lap("swap the output folder in");
    if let (Some(zip), Some(shown)) = (&zip, &options.zip) {
        archive::zip_folder(&out, zip, shown)?;
        drop(scratch);
        clock.lap("pack the zip");
    }
    // Freeing every page's values is serial work (about 20 ms at 10,000 pages): the site is
    // written, so it happens on another thread, which a process that exits next never waits for.
    std::thread::spawn(move || drop((results, templates, site)));
    Ok(Report { pages: pages_written, files, out: options.zip.clone().unwrap_or(out), phases: clock.laps })
}

/// Phase timings for [`Report::phases`].
struct Clock {
    last: std::time::Instant,
    laps: Vec<(&'static str, std::time::Duration)>,
}

impl Clock {
    fn start() -> Clock {
        Clock { last: std::time::Instant::now(), laps: Vec::new() }
    }

    fn lap(&mut self, phase: &'static str) {
        let now = std::time::Instant::now();
        self.laps.push((phase, now - self.last));
        self.last = now;
    }
}

/// A site read and checked, with its templates compiled: everything a build needs before it
/// renders pages.
pub struct Loaded {
    /// The pages, data and configuration.
    pub site: Arc<Site>,
    /// The compiled templates.
    pub templates: Templates,
}

/// Reads and checks the project at `options.root` (configuration, content, data, templates)
/// without rendering or writing anything. Every problem found is reported at once.
pub fn load(options: &Options) -> Result<Loaded> {
    let (loaded, problems) = load_each(options)?;
    if problems.is_empty() { Ok(loaded) } else { Err(Error::many(problems)) }
}

/// [`load`], returning the problems found beside a site made of the pages that could be read,
/// so that a build goes on to report the problems of rendering with them. `Err` when no site can
/// be made (the configuration or the data cannot be read, the templates do not compile), with
/// every problem found until then.
fn load_each(options: &Options) -> Result<(Loaded, Vec<Error>)> {
    let root = options.root.as_path();
    let config = config::load(root, options.base_url.as_deref());
    // Without a `site.toml` (or with one juxta cannot read) nothing else is the site's problem.
    let config = match config {
        Err(e) if e.kind() != error::Kind::Site => return Err(e),
        other => other,
    };
    let mut problems = Vec::new();
    let (sources, found) = source::discover_each(root)?;
    problems.extend(found);
    let (pages, unread) = page::resolve_each(root, &sources.content)?;
    let unread: ahash::AHashSet<String> = unread
        .into_iter()
        .map(|(path, e)| {
            problems.push(e);
            path
        })
        .collect();
    let (config, data) = match (config, data::load(root)) {
        (Ok(config), Ok(data)) => (config, data),
        (config, data) => {
            problems.extend(config.err().into_iter().chain(data.err()));
            return Err(Error::many(problems));
        }
    };
    // The pages' times were read with their text; only the other inputs need a look.
    let newest_page = pages.iter().filter_map(|p| p.modified).max();
    let build_date = build_date(root, &sources, Some(newest_page))?;
    let parts = site::Parts {
        root: root.to_path_buf(),
        config,
        flavour: if options.zip.is_some() { Flavour::Offline } else { options.flavour },
        drafts: options.drafts,
        assets: sources.assets,
        static_files: sources.static_files,
        data,
        build_date,
    };
    let gathered = |problems: &mut Vec<Error>, e: Error| {
        problems.push(e);
        Error::many(std::mem::take(problems))
    };
    let mut site = Site::assemble(parts, pages).map_err(|e| gathered(&mut problems, e))?;
    site.unread = unread;
    let site = Arc::new(site);
    let templates = Templates::load(site.clone()).map_err(|e| gathered(&mut problems, e))?;
    Ok((Loaded { site, templates }, problems))
}

/// What is kept of a rendered page once it is written.
struct PageResult {
    id: PageId,
    ids: ahash::AHashSet<String>,
    anchors: Vec<AnchorRef>,
    /// The rendered Markdown, kept only for pages the feed may carry.
    feed_html: Option<String>,
    /// What the page adds to the search index.
    search: Option<search::Entry>,
}

fn render_page(
    site: &Site,
    templates: &Templates,
    staging: &impl output::Sink,
    id: PageId,
    feed_pages: &HashSet<PageId>,
) -> Result<PageResult> {
    guard::check()?;
    let page = site.page(id);
    guard::crash_for_tests(&page.source);
    let rendered = match &page.generated {
        Some(_) => comparison::view::render(site, id),
        None => markdown::render(site, id, &templates.expand_body(id)?)?,
    };
    let (html, spans) = templates.render_page_marked(id, &rendered)?;
    check_page_size(site, id, html.len())?;
    // The content's elements were checked as the Markdown was rendered: only the rest of the
    // page is read here, once for both the reference guard and the anchor ids.
    let around = without_spans(&html, &spans);
    let scan = html::scan(&around, &site.config.base_url, false);
    let content = (!spans.is_empty()).then_some(rendered.references.as_slice());
    check_references(site, id, scan.problems, content, templates.template_name(id))?;
    staging.write(&page.output_file(), html.as_bytes())?;
    // Templates add ids of their own (`#main`, a table's rows): links may point at those too.
    let mut ids = rendered.ids;
    for id in scan.ids {
        // Most are the content's own, already there.
        if !ids.contains(id) {
            ids.insert(id.to_string());
        }
    }
    for alias in &page.front.aliases {
        let file = site::alias_file(alias).map_err(|m| Error::at(page.shown_path(), m))?;
        staging.write(&file, redirect_page(site, id, &file).as_bytes())?;
    }
    let search = site.config.search.enabled.then(|| search::entry(site, id, &rendered.html)).flatten();
    Ok(PageResult {
        id,
        search,
        feed_html: feed_pages.contains(&id).then_some(rendered.html),
        ids,
        anchors: rendered.anchors,
    })
}

/// `[limits] max_page_kib`: a page's HTML may not grow past it.
fn check_page_size(site: &Site, id: PageId, bytes: usize) -> Result<()> {
    let limit = site.config.limits.max_page_kib;
    if (bytes as u64) <= limit.saturating_mul(1024) {
        return Ok(());
    }
    Err(Error::at(
        site.page(id).shown_path(),
        format!(
            "the page renders to {} KiB of HTML, over the limit of {limit} KiB set by \
             `[limits] max_page_kib` in site.toml: split the page, or raise the limit",
            (bytes as u64).div_ceil(1024)
        ),
    ))
}

/// `html` with the `spans` taken out.
fn without_spans<'h>(html: &'h str, spans: &[std::ops::Range<usize>]) -> std::borrow::Cow<'h, str> {
    if spans.is_empty() {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut rest = String::with_capacity(html.len() - spans.iter().map(|s| s.len()).sum::<usize>());
    let mut from = 0;
    for span in spans {
        rest.push_str(&html[from..span.start]);
        from = span.end;
    }
    rest.push_str(&html[from..]);
    std::borrow::Cow::Owned(rest)
}

/// The guard against references that only work at the domain root: see [`html::scan`].
/// `problems` are those of the page outside its content, if it was
/// taken out, with what the guard found in the content.
fn check_references(
    site: &Site,
    id: PageId,
    mut problems: Vec<String>,
    content: Option<&[String]>,
    template: &str,
) -> Result<()> {
    problems.extend(content.iter().flat_map(|found| found.iter().cloned()));
    if problems.is_empty() {
        return Ok(());
    }
    let page = site.page(id);
    let shown = templates::shown(template);
    Err(Error::many(
        problems
            .into_iter()
            .map(|p| {
                Error::at(page.shown_path(), format!("in the page rendered with `{}`, {p}", shown.display()))
            })
            .collect(),
    ))
}

/// Checks every `#anchor` of a link against the ids of its target page.
fn check_anchors(site: &Site, results: &[PageResult]) -> Result<()> {
    let ids: HashMap<PageId, &ahash::AHashSet<String>> = results.iter().map(|r| (r.id, &r.ids)).collect();
    let mut errors = Vec::new();
    for result in results {
        for anchor in &result.anchors {
            let Some(target_ids) = ids.get(&anchor.target) else { continue };
            if target_ids.contains(&anchor.anchor) {
                continue;
            }
            let page = site.page(result.id);
            let target = site.page(anchor.target);
            let position = markdown::anchor_position(site, result.id, &page.body, anchor.offset);
            let near = suggest::closest(&anchor.anchor, target_ids.iter().map(String::as_str));
            errors.push(Error::at_position(
                page.shown_path(),
                position,
                format!(
                    "link to `#{}`: `{}` has no heading with that id{near}",
                    anchor.anchor,
                    target.shown_path().display()
                ),
            ));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(Error::many(errors)) }
}

/// Copies static and content files and writes the generated files; returns how many.
fn write_site_files(
    site: &Site,
    templates: &Templates,
    staging: &impl output::Sink,
    results: &[PageResult],
    feed_entries: &[PageId],
) -> Result<usize> {
    let feed_html: HashMap<PageId, &String> =
        results.iter().filter_map(|r| r.feed_html.as_ref().map(|h| (r.id, h))).collect();
    let markdown = &site.config.markdown;
    // Each file is made on its own, in parallel with the others and with the copies.
    type Make<'m> = Box<dyn Fn() -> Result<String> + Send + Sync + 'm>;
    let mut makers: Vec<(&str, Make<'_>)> = vec![
        ("404.html", Box::new(|| templates.render_404())),
        ("sitemap.xml", Box::new(|| Ok(feeds::sitemap(site)))),
        ("robots.txt", Box::new(|| Ok(feeds::robots(site)))),
        (
            "atom.xml",
            Box::new(|| Ok(feeds::atom(site, feed_entries, &|id| feed_html.get(&id).map(|h| h.to_string())))),
        ),
        (".nojekyll", Box::new(|| Ok(String::new()))),
        (
            "highlight.css",
            Box::new(|| highlight::stylesheet(&markdown.highlight_theme, &markdown.highlight_theme_dark)),
        ),
        (comparison::publish::STYLESHEET, Box::new(|| Ok(comparison::publish::stylesheet(site)))),
    ];
    if let Some(cname) = &site.config.cname {
        makers.push((site::CNAME_FILE, Box::new(move || Ok(format!("{cname}\n")))));
    }
    let (copied, generated) = rayon::join(
        || {
            let copies = site.copies.par_iter();
            error::collect(
                copies.map(|c| staging.copy(&site.root.join(&c.source), &c.source, &c.output)).collect(),
            )
        },
        || {
            let made = makers.into_par_iter().map(|(name, make)| make().map(|contents| (name, contents)));
            error::collect(made.collect())
        },
    );
    copied?;
    let generated: Vec<(&str, String)> = generated?;
    let mut count = site.copies.len();
    let search = &site.config.search;
    if search.enabled {
        let entries = results.iter().filter_map(|r| r.search.as_ref()).collect();
        for (name, contents) in search::files(entries, search.shard_kib.saturating_mul(1024)) {
            staging.write(&name, contents.as_bytes())?;
            count += 1;
        }
        staging.write(search::FILES[0], search::CLIENT.as_bytes())?;
        count += 1;
    }
    for (name, contents) in &generated {
        staging.write(name, contents.as_bytes())?;
    }
    for c in site.data.comparisons.values() {
        let json = serde_json::to_string_pretty(&c.to_json()).expect("JSON values always serialise") + "\n";
        staging.write(&c.download_path("json"), json.as_bytes())?;
        staging.write(&c.download_path("csv"), c.to_csv().as_bytes())?;
        count += 2;
        if c.pages.embed {
            let file = format!("{}index.html", comparison::publish::embed_path(c));
            staging.write(&file, comparison::publish::embed_html(site, c).as_bytes())?;
            count += 1;
        }
    }
    if !site.data.comparisons.is_empty() {
        staging.write(comparison::publish::DATAPACKAGE, comparison::publish::datapackage(site).as_bytes())?;
        count += 1;
    }
    count += generated.len() + site.pages.iter().map(|p| p.front.aliases.len()).sum::<usize>();
    Ok(count)
}

/// A small page that sends visitors from an alias to the page.
fn redirect_page(site: &Site, id: PageId, alias_file: &str) -> String {
    let page = site.page(id);
    let link = urls::link(urls::depth(alias_file), &page.path, site.flavour);
    let link = markdown::escape(&link);
    let title = markdown::escape(&page.front.title);
    let canonical = markdown::escape(&site.permalink(id));
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <link rel=\"canonical\" href=\"{canonical}\">\n<meta name=\"robots\" content=\"noindex\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={link}\">\n</head>\n<body>\n\
         <p>This page has moved to <a href=\"{link}\">{title}</a>.</p>\n</body>\n</html>\n",
        markdown::escape(&site.config.language)
    )
}

/// `SOURCE_DATE_EPOCH` if set, else the newest modification time of the site's inputs.
/// `pages_newest` is the newest time among the content files when already known (`Some(None)`
/// when none of them has one); with `None` they are looked at here.
fn build_date(root: &Path, sources: &source::Sources, pages_newest: Option<Option<i64>>) -> Result<Date> {
    if let Ok(value) = std::env::var("SOURCE_DATE_EPOCH") {
        let seconds: i64 = value.trim().parse().map_err(|_| {
            Error::environment(format!("SOURCE_DATE_EPOCH `{value}` is not a number of seconds"))
        })?;
        return Ok(Date::from_timestamp(seconds));
    }
    let mut paths: Vec<PathBuf> = vec![root.join(config::FILE_NAME)];
    if pages_newest.is_none() {
        paths.extend(sources.content.iter().map(|f| root.join(source::CONTENT_DIR).join(&f.path)));
    }
    paths.extend(sources.static_files.iter().map(|f| root.join(source::STATIC_DIR).join(f)));
    for dir in [data::DATA_DIR, templates::TEMPLATES_DIR] {
        if let Ok(entries) =
            walkdir::WalkDir::new(root.join(dir)).into_iter().collect::<std::result::Result<Vec<_>, _>>()
        {
            paths.extend(entries.into_iter().filter(|e| e.file_type().is_file()).map(|e| e.into_path()));
        }
    }
    let newest = paths
        .par_iter()
        .filter_map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .filter_map(fs::seconds_since_epoch)
        .chain(pages_newest.flatten())
        .max()
        .unwrap_or(0);
    Ok(Date::from_timestamp(newest))
}
