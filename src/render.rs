//! The render stage: each page's content (its Markdown, through Tera where it asks for it, or the
//! view a comparison dataset generates), its template, the checks of what it wrote, and the page
//! written to the output; then every `#anchor` checked against the ids of its target page.
//!
//! `juxta build` and `juxta serve` call the same functions: [`page`] for each page, in parallel,
//! then [`check_anchors`] over the results.

use ahash::{AHashMap as HashMap, AHashSet as HashSet};

use crate::error::{Error, Result};
use crate::markdown::{self, AnchorRef, Rendered};
use crate::output::Sink;
use crate::page::PageId;
use crate::site::Site;
use crate::templates::Templates;
use crate::{guard, html, search, urls};

/// What is kept of a rendered page once it is written.
pub(crate) struct PageResult {
    pub(crate) id: PageId,
    /// Every id of the page, for the anchors of links to it.
    pub(crate) ids: HashSet<String>,
    /// The anchors its links need on other pages.
    pub(crate) anchors: Vec<AnchorRef>,
    /// The rendered Markdown, kept only for pages the feed may carry.
    pub(crate) feed_html: Option<String>,
    /// What the page adds to the search index.
    pub(crate) search: Option<search::Entry>,
}

/// Renders page `id` with its template and writes it (and its aliases' redirects) to `sink`.
/// `feed_pages` are the pages whose content the feed carries.
pub(crate) fn page(
    site: &Site,
    templates: &Templates,
    sink: &impl Sink,
    id: PageId,
    feed_pages: &HashSet<PageId>,
) -> Result<PageResult> {
    guard::check()?;
    let page = site.page(id);
    guard::crash_for_tests(&page.source);
    let rendered = content(site, templates, id)?;
    let html = templates.render_page(id, &rendered)?;
    check_page_size(site, id, html.len())?;
    let scan = scan_around_content(site, &html, &rendered);
    check_references(site, id, scan.problems, templates.template_name(id))?;
    sink.write(&page.output_file(), html.as_bytes())?;
    // Templates add ids of their own (`#main`, a table's rows): links may point at those too.
    let mut ids = rendered.ids;
    ids.extend(scan.ids.into_iter().map(str::to_string));
    for alias in &page.front.aliases {
        let file = urls::alias_file(alias).map_err(|m| Error::at(page.shown_path(), m))?;
        sink.write(&file, redirect_page(site, id, &file).as_bytes())?;
    }
    let search =
        site.config.search.enabled.then(|| search::entry(page, id, site.flavour, &rendered.html)).flatten();
    Ok(PageResult {
        id,
        search,
        feed_html: feed_pages.contains(&id).then_some(rendered.html),
        ids,
        anchors: rendered.anchors,
    })
}

/// Page `id`'s content: its Markdown, through Tera first when it has template tags, or the view
/// a comparison dataset generates. The Markdown is parsed once, for both, unless Tera changed it.
pub(crate) fn content(site: &Site, templates: &Templates, id: PageId) -> Result<Rendered> {
    let page = site.page(id);
    if page.generated.is_some() {
        return Ok(crate::comparison::view::render(site, id));
    }
    let events = markdown::parse(&page.body, &site.config.markdown);
    match templates.expand_body(id, &page.body, &events)? {
        None => markdown::render_parsed(site, id, &page.body, events),
        Some(expanded) => markdown::render(site, id, &expanded),
    }
}

/// Checks every `#anchor` of a link against the ids of its target page.
pub(crate) fn check_anchors(site: &Site, results: &[PageResult]) -> Result<()> {
    let ids: HashMap<PageId, &HashSet<String>> = results.iter().map(|r| (r.id, &r.ids)).collect();
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
            let near = crate::suggest::closest(&anchor.anchor, target_ids.iter().map(String::as_str));
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

/// The reference guard's problems and the anchor ids of a rendered page ([`html::scan`]). The
/// content's elements were read as the Markdown was rendered ([`Rendered::references`]), so where
/// the page holds the content as it is, only the rest is read; a page whose template changed the
/// content (a filter) is read whole, and a problem found twice is reported once.
fn scan_around_content<'h>(site: &Site, html: &'h str, rendered: &Rendered) -> html::Scan<'h> {
    let base_url = &site.config.base_url;
    let content = rendered.html.as_bytes();
    // Looked for by its start, then compared whole: a search for the whole content would first
    // read all of it to prepare.
    let start = &content[..content.len().min(16)];
    let found = (!content.is_empty()).then(|| {
        memchr::memmem::find_iter(html.as_bytes(), start)
            .find(|&at| html.as_bytes()[at..].starts_with(content))
    });
    let mut scan = match found.flatten() {
        Some(at) => {
            let mut scan = html::scan(&html[..at], base_url, false);
            let after = html::scan(&html[at + content.len()..], base_url, false);
            scan.problems.extend(after.problems);
            scan.ids.extend(after.ids);
            scan
        }
        None => html::scan(html, base_url, false),
    };
    scan.problems.extend(rendered.references.iter().cloned());
    scan
}

/// The guard against references that only work at the domain root: `problems` are what
/// [`scan_around_content`] found.
fn check_references(site: &Site, id: PageId, problems: Vec<String>, template: &str) -> Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    let page = site.page(id);
    let shown = crate::templates::shown(template);
    Err(Error::many(
        problems
            .into_iter()
            .map(|p| {
                Error::at(page.shown_path(), format!("in the page rendered with `{}`, {p}", shown.display()))
            })
            .collect(),
    ))
}

/// A small page that sends visitors from an alias to the page.
fn redirect_page(site: &Site, id: PageId, alias_file: &str) -> String {
    let page = site.page(id);
    let link = html::escape(&urls::link(urls::depth(alias_file), &page.path, site.flavour));
    let title = html::escape(&page.front.title);
    let canonical = html::escape(&site.permalink(id));
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <link rel=\"canonical\" href=\"{canonical}\">\n<meta name=\"robots\" content=\"noindex\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={link}\">\n</head>\n<body>\n\
         <p>This page has moved to <a href=\"{link}\">{title}</a>.</p>\n</body>\n</html>\n",
        html::escape(&site.config.language)
    )
}

/// Renders the pages `ids` in parallel into `sink`, each counted as a step of `progress`; a page
/// that panics is an error naming it. `feed_entries` are the pages whose rendered content is kept
/// (the feed's, and the print page's: [`crate::extra_pages::kept`]).
pub(crate) fn pages(
    site: &Site,
    templates: &Templates,
    sink: &impl Sink,
    ids: &[PageId],
    feed_entries: &[PageId],
    progress: &crate::progress::Progress,
) -> Vec<Result<PageResult>> {
    use rayon::prelude::*;
    let feed_pages: HashSet<PageId> = feed_entries.iter().copied().collect();
    ids.par_iter()
        .with_max_len(crate::PAGES_PER_JOB)
        .map(|&id| {
            guard::catch(
                || site.page(id).shown_path(),
                || {
                    let result = page(site, templates, sink, id, &feed_pages);
                    progress.step();
                    result
                },
            )
        })
        .collect()
}

/// What the site-wide files take from the rendered `results` ([`crate::output::write_site_files`]).
pub(crate) fn from_pages<'r>(
    results: &'r [PageResult],
    feed_entries: &'r [PageId],
) -> crate::output::FromPages<'r> {
    crate::output::FromPages {
        feed_entries,
        feed_html: results.iter().filter_map(|r| Some((r.id, r.feed_html.as_deref()?))).collect(),
        search: results.iter().filter_map(|r| r.search.as_ref()).collect(),
    }
}
