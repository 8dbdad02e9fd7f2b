//! juxta: a static site generator for comparison-driven documentation and marketing sites.
//!
//! Authors write Markdown in `content/`, keep the facts being compared in `data/`, and get a site
//! that works at a domain root, under any sub-path, and opened from disk. [`build`] is the whole
//! pipeline, one forward pass:
//!
//! | stage | module |
//! |---|---|
//! | `site.toml` → `Config` | `config` |
//! | walk `content/` and `static/` | `source` |
//! | front matter, page paths | `front_matter`, `page` |
//! | `data/`, comparison datasets validated | `data`, `located`, `comparison` |
//! | assemble sections, listings, collisions | `site` |
//! | compile templates once | `templates` |
//! | per page, in parallel: body through Tera (only if it uses it), Markdown, template, write | `render`, `markdown` |
//! | anchors | `render` |
//! | feeds, search index, static files, the swap | `output`, `feeds`, `search` |
//!
//! `juxta serve` ([`serve`]) runs the same stages into memory, calling the same functions, and
//! after a change renders again only the pages that depend on it. ARCHITECTURE.md, at the root
//! of the repository, maps every module and the layers they form: a module uses only modules
//! below its own, never one above.
//!
//! Invariants:
//! - Every internal link juxta writes is page-relative (`urls`); absolute URLs appear only in
//!   canonical and OpenGraph tags, the sitemap and the feed.
//! - The output is written to a staging folder and swapped in only on success; the previous
//!   output is untouched by a failed build.
//! - The same inputs give byte-identical output: every collection is iterated in sorted order
//!   and no wall-clock time is written.
//! - Nothing is written outside the output folder, whatever a slug, path or alias says.
//! - A stop request (a signal) or a crash while rendering a page ends the build with an error,
//!   never with a half-written output ([`guard`]).

mod archive;
mod assets;
mod body_tags;
mod cache;
mod cards;
pub mod check;
mod comparison;
mod config;
mod data;
mod date;
pub mod error;
mod extra_pages;
mod feeds;
mod front_matter;
mod fs;
#[doc(hidden)]
pub mod fuzzing;
mod git;
pub mod guard;
mod highlight;
mod html;
mod images;
pub mod init;
mod listings;
mod located;
mod markdown;
mod media_config;
mod output;
mod page;
mod print;
pub mod progress;
mod render;
mod scratch;
mod search;
pub mod serve;
mod site;
mod source;
mod suggest;
mod table;
mod tags;
mod templates;
mod urls;

use std::path::PathBuf;
use std::sync::Arc;

pub use error::{Error, Result};
pub use urls::Flavour;

use crate::page::PageId;
use crate::site::Site;
use crate::templates::Templates;

/// The most pages one parallel job reads or renders. Rayon otherwise stops splitting work once
/// each thread has a share, leaving pieces of thousands of pages: a thread that finishes early
/// then has nothing to take while the last piece runs on one core. Small jobs let the threads
/// finish together, and splitting costs little next to a page.
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
    /// What the build could not do as asked without failing (a history git cannot read), and what
    /// the site should look at though it built (a share card missing characters).
    pub warnings: Vec<String>,
}

/// Builds the site at `options.root`.
pub fn build(options: &Options) -> Result<Report> {
    let root = options.root.as_path();
    // Where the zip goes is settled before anything is read or written.
    let zip = options
        .zip
        .as_ref()
        .map(|zip| archive::check_target(root, zip, options.out.as_deref()))
        .transpose()?;
    let mut clock = Clock::start();
    options.progress.phase("reading the site", 0);
    let (Loaded { site, templates }, mut problems) = load_each(options)?;
    clock.lap("read, check and assemble the site; compile templates");
    guard::check()?;

    let (out, scratch) = output_folder(options, zip.is_some())?;
    let mut staging = output::Staging::create(root, &out)?;
    let limits = &site.config.limits;
    staging.limit_size(limits.max_site_mib.saturating_mul(output::MIB), limits.max_site_at);
    // Known before rendering, so that only the feed's pages keep their rendered content.
    let feed_entries = feeds::entries(&site);
    options.progress.phase("rendering pages", site.pages.len());
    let ids: Vec<PageId> = site.ids().collect();
    let kept = extra_pages::kept(&site, &feed_entries);
    let results = render::pages(&site, &templates, &staging, &ids, &kept, &options.progress);
    // Every problem is reported at once: those found reading the site, those of the pages, and
    // the broken anchors of the pages that rendered.
    let results: Vec<render::PageResult> =
        results.into_iter().filter_map(|r| r.map_err(|e| problems.push(e)).ok()).collect();
    let pages = results.len();
    clock.lap("render and write pages");
    options.progress.phase("writing files", 0);
    problems.extend(render::check_anchors(&site, &results).err());
    if !problems.is_empty() {
        return Err(Error::many(problems));
    }
    clock.lap("check anchors");
    let files =
        output::write_site_files(&site, &templates, &staging, render::from_pages(&results, &feed_entries))?;
    clock.lap("write feeds, sitemap and static files");
    let (cards, card_warnings) = cards::pages::write(&site, &templates, &staging, &ids)?;
    clock.lap("draw share cards");
    guard::check()?;
    staging.commit()?;
    clock.lap("swap the output folder in");
    if let (Some(zip), Some(shown)) = (&zip, &options.zip) {
        archive::zip_folder(&out, zip, shown)?;
        drop(scratch);
        clock.lap("pack the zip");
    }
    let warnings = site.history.warning.iter().cloned().chain(card_warnings).collect();
    // Freeing every page's values is serial work: the site is written, so it happens on another
    // thread, which a process that exits next never waits for.
    std::thread::spawn(move || drop((results, templates, site)));
    Ok(Report {
        pages,
        files: files + cards,
        out: options.zip.clone().unwrap_or(out),
        phases: clock.laps,
        warnings,
    })
}

/// The folder a build writes: `--out`, or `public/` in the project; a zip built without `--out`
/// goes to a private folder (with its staging folder inside it), which is removed when the
/// [`scratch::Scratch`] returned is dropped.
fn output_folder(options: &Options, zip: bool) -> Result<(PathBuf, Option<scratch::Scratch>)> {
    Ok(match (&options.out, zip) {
        (Some(out), _) => (out.clone(), None),
        (None, true) => {
            let scratch = scratch::Scratch::create("zip")?;
            (scratch.path().join("site"), Some(scratch))
        }
        (None, false) => (options.root.join("public"), None),
    })
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
pub(crate) struct Loaded {
    /// The pages, data and configuration.
    pub(crate) site: Arc<Site>,
    /// The compiled templates.
    pub(crate) templates: Templates,
}

/// Reads and checks the project at `options.root` (configuration, content, data, templates)
/// without rendering or writing anything. Every problem found is reported at once.
pub(crate) fn load(options: &Options) -> Result<Loaded> {
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
    // The templates are read once: what they read decides the data files kept for them.
    let template_sources = templates::read_sources(root);
    let readers = match (&config, &template_sources) {
        (Ok(config), Ok(sources)) => templates::data_readers(sources, &pages, config),
        // The build fails; not knowing what the templates read, it keeps every data file.
        _ => data::Readers::every(),
    };
    let (config, data) = match (config, data::load(root, &readers)) {
        (Ok(config), Ok(data)) => (config, data),
        (config, data) => {
            problems.extend(config.err().into_iter().chain(data.err()));
            return Err(Error::many(problems));
        }
    };
    let build_date = source::build_date(root, &sources, pages.iter().filter_map(|p| p.modified).max())?;
    let history = git::for_site(root, &config, &pages, &data);
    let parts = site::Parts {
        root: root.to_path_buf(),
        config,
        flavour: if options.zip.is_some() { Flavour::Offline } else { options.flavour },
        drafts: options.drafts,
        assets: sources.assets,
        static_files: sources.static_files,
        data,
        build_date,
        history,
    };
    let gathered = |problems: &mut Vec<Error>, e: Error| {
        problems.push(e);
        Error::many(std::mem::take(problems))
    };
    let mut site = Site::assemble(parts, pages).map_err(|e| gathered(&mut problems, e))?;
    site.unread = unread;
    site.assets = assets::prepare::all(&site).map_err(|e| gathered(&mut problems, e))?;
    let site = Arc::new(site);
    let templates = template_sources
        .and_then(|sources| Templates::load(site.clone(), sources))
        .map_err(|e| gathered(&mut problems, e))?;
    Ok((Loaded { site, templates }, problems))
}
