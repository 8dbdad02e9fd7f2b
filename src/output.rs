//! The output folder: safety checks, a staging folder beside it, and the swap.
//!
//! A build writes into a fresh staging folder (`.<name>.juxta-staging-<pid>` beside the output)
//! and swaps it in only when everything succeeded, so a failed or interrupted build leaves the
//! previous output exactly as it was. Staging folders left by a killed build are removed by the
//! next one. juxta only ever replaces a folder it made (it carries [`MARKER`]), an empty folder,
//! or none; never the project root, a folder holding the sources, or someone else's folder.
//!
//! The swap (`swap_in`) is one step where the system has one (Linux's `renameat2` with
//! `RENAME_EXCHANGE`, macOS's `renamex_np` with `RENAME_SWAP`): the output folder always exists,
//! holding the whole previous site or the whole new one, whenever the process is killed.
//! Elsewhere it is two renames, and a build killed between them leaves the previous output
//! beside its place, where the next build puts it back.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes in a mebibyte.
pub(crate) const MIB: u64 = 1024 * 1024;

use std::collections::HashMap;

use rayon::prelude::*;

use crate::error::{self, Error, Position, Result};
use crate::page::PageId;
use crate::site::Site;
use crate::templates::Templates;
use crate::{comparison, feeds, fs, highlight, search};

/// The file marking a folder as juxta's output.
pub(crate) const MARKER: &str = ".juxta-output";

const MARKER_TEXT: &str = "This folder was written by juxta and is replaced by each build.\n";

/// Source folders the output may not be placed in.
const SOURCE_DIRS: [&str; 4] = ["content", "data", "templates", "static"];

/// A staging folder being filled. Dropping it without [`Staging::commit`] removes it.
pub(crate) struct Staging {
    /// The staging folder.
    dir: PathBuf,
    out: PathBuf,
    committed: bool,
    /// Bytes written so far, and the most allowed (`[limits] max_site_mib`).
    written: AtomicU64,
    limit: u64,
    /// Where the limit is set in `site.toml`, when it is.
    limit_at: Option<Position>,
    // Held until the swap is done: two builds never write to one output at once.
    _lock: File,
}

impl Staging {
    /// Checks that `out` may be replaced, waits for any other build writing it, removes stale
    /// staging folders, and creates a fresh one.
    pub(crate) fn create(root: &Path, out: &Path) -> Result<Staging> {
        let (out, parent, name) = check_output(root, out)?;
        fs::create_dir_all(&parent)?;
        let lock = File::open(&parent).map_err(|e| fs::io_error("cannot open", &parent, e))?;
        lock.lock().map_err(|e| fs::io_error("cannot lock", &parent, e))?;
        clean_leftovers(&parent, &name, &out)?;
        let dir = parent.join(format!(".{name}.juxta-staging-{}", std::process::id()));
        fs::remove_dir_all(&dir)?;
        crate::guard::track(&dir);
        fs::create_dir_all(&dir)?;
        let staging = Staging {
            dir,
            out,
            committed: false,
            written: AtomicU64::new(0),
            limit: u64::MAX,
            limit_at: None,
            _lock: lock,
        };
        staging.write(MARKER, MARKER_TEXT.as_bytes())?;
        Ok(staging)
    }

    /// Stops the build once more than `bytes` have been written; `at` is where `site.toml`
    /// sets the limit.
    pub(crate) fn limit_size(&mut self, bytes: u64, at: Option<Position>) {
        self.limit = bytes;
        self.limit_at = at;
    }

    /// Writes a file at `site_path` (relative, `/`-separated) in the staging folder.
    pub(crate) fn write(&self, site_path: &str, contents: &[u8]) -> Result<()> {
        self.count(contents.len() as u64)?;
        check_inside(site_path)?;
        fs::write(&self.dir.join(site_path), contents)
    }

    /// Copies `source` (shown in errors as `shown`) to `site_path` in the staging folder. A
    /// source that cannot be read is the site's error; a copy that cannot be written is the
    /// environment's.
    pub(crate) fn copy(&self, source: &Path, shown: &Path, site_path: &str) -> Result<()> {
        let mut from =
            File::open(source).map_err(|e| Error::at(shown, "cannot read the file").caused_by(e))?;
        check_inside(site_path)?;
        let to = self.dir.join(site_path);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent)?;
        }
        let mut file = File::create(&to).map_err(|e| fs::io_error("cannot write", &to, e))?;
        let size = std::io::copy(&mut from, &mut file)
            .map_err(|e| fs::io_error(&format!("cannot copy `{}` to", shown.display()), &to, e))?;
        self.count(size)
    }

    fn count(&self, bytes: u64) -> Result<()> {
        crate::guard::check()?;
        let total = self.written.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if total > self.limit {
            let message = format!(
                "the output has grown past {} MiB, the limit set by `[limits] max_site_mib`; \
                 raise it if the site really is this large",
                self.limit / MIB
            );
            return Err(match self.limit_at {
                Some(at) => Error::at_position(crate::config::FILE_NAME, at, message),
                None => Error::at(crate::config::FILE_NAME, message),
            });
        }
        Ok(())
    }

    /// Swaps the staging folder in as the output, then removes the previous output.
    pub(crate) fn commit(mut self) -> Result<()> {
        crate::guard::kill_for_tests("swap");
        let previous = {
            // A forced stop waits until the output is in place again.
            let mut temporary = crate::guard::Temporary::hold();
            let previous = swap_in(&self.dir, &self.out)?;
            self.committed = true;
            crate::guard::SWAPPED.store(true, std::sync::atomic::Ordering::SeqCst);
            temporary.untrack(&self.dir);
            if let Some(previous) = &previous {
                temporary.track(previous);
            }
            previous
        };
        crate::guard::kill_for_tests("swapped");
        if let Some(previous) = previous {
            // The new output is in place; a failure here only leaves a folder the next build removes.
            let _ = remove_previous(&previous);
            crate::guard::untrack(&previous);
        }
        Ok(())
    }
}

/// Puts the folder `staging` in the place of `out`, in one step where the system can; returns
/// where the previous output now is, if there was one. This is the one place that moves an
/// output folder.
pub(crate) fn swap_in(staging: &Path, out: &Path) -> Result<Option<PathBuf>> {
    if !out.exists() {
        fs::rename(staging, out)?;
        return Ok(None);
    }
    if exchange(staging, out)? {
        // The previous output now has the staging folder's name.
        return Ok(Some(staging.to_path_buf()));
    }
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let old = staging.with_file_name(format!(".{name}.juxta-old-{}", std::process::id()));
    fs::rename(out, &old)?;
    crate::guard::kill_for_tests("moved-aside");
    if let Err(e) = fs::rename(staging, out) {
        let _ = std::fs::rename(&old, out);
        return Err(e);
    }
    Ok(Some(old))
}

/// Exchanges two folders in one step; `false` where the system or file system cannot, or where
/// `JUXTA_TEST_SWAP=renames` asks debug builds not to (to test the other way).
fn exchange(a: &Path, b: &Path) -> Result<bool> {
    if cfg!(debug_assertions) && std::env::var_os("JUXTA_TEST_SWAP").is_some_and(|v| v == "renames") {
        return Ok(false);
    }
    #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(true),
            // An old kernel, or a file system without the call.
            Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS | rustix::io::Errno::NOTSUP) => {}
            Err(e) => {
                return Err(fs::io_error(&format!("cannot exchange with `{}`", b.display()), a, e.into()));
            }
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
    let _ = (a, b);
    Ok(false)
}

/// Removes the previous output once the new one is in place.
fn remove_previous(previous: &Path) -> std::io::Result<()> {
    if cfg!(debug_assertions) && std::env::var_os("JUXTA_TEST_KILL_AT").is_some_and(|s| s == "removing") {
        // Half removed: one entry goes before the process is killed.
        if let Some(entry) = std::fs::read_dir(previous)?.flatten().find(|e| e.file_name() != MARKER) {
            let _ = fs::remove_tree(&entry.path());
        }
        crate::guard::kill_for_tests("removing");
    }
    fs::remove_tree(previous)
}

/// Where a build puts the files it produces: [`Staging`] for `juxta build`, memory for
/// `juxta serve`. Site paths are relative and `/`-separated.
pub(crate) trait Sink: Sync {
    /// Writes a file with `contents` at `site_path`.
    fn write(&self, site_path: &str, contents: &[u8]) -> Result<()>;
    /// Puts the file `source` (shown in errors as `shown`) at `site_path`.
    fn copy(&self, source: &Path, shown: &Path, site_path: &str) -> Result<()>;
}

impl Sink for Staging {
    fn write(&self, site_path: &str, contents: &[u8]) -> Result<()> {
        Staging::write(self, site_path, contents)
    }

    fn copy(&self, source: &Path, shown: &Path, site_path: &str) -> Result<()> {
        Staging::copy(self, source, shown, site_path)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
            crate::guard::untrack(&self.dir);
        }
    }
}

/// What the site-wide files take from the rendered pages.
pub(crate) struct FromPages<'p> {
    /// The pages of the feed, newest first.
    pub(crate) feed_entries: &'p [PageId],
    /// The rendered Markdown of the feed's pages, and of the print page's (see
    /// [`crate::extra_pages::kept`]).
    pub(crate) feed_html: HashMap<PageId, &'p str>,
    /// Each page's entry in the search index.
    pub(crate) search: Vec<&'p search::Entry>,
}

/// Copies static and content files into `sink` and writes the files made for the whole site
/// (404 page, sitemap, robots, feed, stylesheets, search index, comparison downloads, the pages
/// of [`crate::extra_pages`]); returns how many.
pub(crate) fn write_site_files(
    site: &Site,
    templates: &Templates,
    sink: &impl Sink,
    pages: FromPages<'_>,
) -> Result<usize> {
    let FromPages { feed_entries, feed_html, search: entries } = pages;
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
            Box::new(|| {
                highlight::stylesheet(&markdown.highlight_theme, &markdown.highlight_theme_dark)
                    .map_err(|m| Error::at(crate::config::FILE_NAME, m))
            }),
        ),
        (comparison::STYLESHEET, Box::new(|| Ok(comparison::publish::stylesheet(site)))),
    ];
    if let Some(cname) = &site.config.cname {
        makers.push((crate::site::CNAME_FILE, Box::new(move || Ok(format!("{cname}\n")))));
    }
    let (copied, generated) = rayon::join(
        || {
            let copies = site.copies.par_iter();
            error::collect(
                copies.map(|c| sink.copy(&site.root.join(&c.source), &c.source, &c.output)).collect(),
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
        for (name, contents) in search::files(entries, search.shard_kib.saturating_mul(1024)) {
            sink.write(&name, contents.as_bytes())?;
            count += 1;
        }
        sink.write(search::FILES[0], search::CLIENT.as_bytes())?;
        count += 1;
    }
    for (name, contents) in &generated {
        sink.write(name, contents.as_bytes())?;
    }
    count += write_media(site, sink)?;
    count += write_downloads(site, sink)?;
    for (file, html) in crate::extra_pages::render(site, templates, &feed_html)? {
        sink.write(&file, html.as_bytes())?;
        count += 1;
    }
    count += generated.len() + site.pages.iter().map(|p| p.front.aliases.len()).sum::<usize>();
    Ok(count)
}

/// Writes the variants of the images the pages show, the theme's files under hashed names and,
/// when asked for, `_headers`; returns how many files.
fn write_media(site: &Site, sink: &impl Sink) -> Result<usize> {
    let shown = site.images.shown();
    let variants: Vec<&crate::images::Variant> = shown.iter().flat_map(|image| &image.variants).collect();
    for variant in &variants {
        sink.write(&variant.site_path, &variant.bytes)?;
    }
    for (name, contents) in site.assets.files() {
        sink.write(name, contents)?;
    }
    let mut count = variants.len() + site.assets.files().len();
    if site.config.assets.headers {
        let images = variants.iter().map(|v| v.site_path.as_str());
        sink.write("_headers", crate::assets::headers(&site.assets, images).as_bytes())?;
        count += 1;
    }
    Ok(count)
}

/// Writes each comparison dataset's JSON and CSV downloads, its embed page when asked for, and
/// the data package that lists them; returns how many files.
fn write_downloads(site: &Site, sink: &impl Sink) -> Result<usize> {
    let mut count = 0;
    for c in site.data.comparisons.values() {
        let json = serde_json::to_string_pretty(&c.to_json()).expect("JSON values always serialise") + "\n";
        sink.write(&c.download_path("json"), json.as_bytes())?;
        sink.write(&c.download_path("csv"), c.to_csv().as_bytes())?;
        count += 2;
        if c.pages.embed {
            let file = format!("{}index.html", comparison::embed_path(c));
            sink.write(&file, comparison::publish::embed_html(site, c).as_bytes())?;
            count += 1;
        }
    }
    if !site.data.comparisons.is_empty() {
        sink.write(comparison::DATAPACKAGE, comparison::publish::datapackage(site).as_bytes())?;
        count += 1;
    }
    Ok(count)
}

/// Refuses a site path that could leave the output folder. Site paths are validated when pages
/// are resolved; this is the last check before a file is written.
pub(crate) fn check_inside(site_path: &str) -> Result<()> {
    if site_path.starts_with('/') || site_path.split(['/', '\\']).any(|s| s == ".." || s == ".") {
        return Err(Error::site(format!(
            "refusing to write `{site_path}`: it would leave the output folder"
        )));
    }
    Ok(())
}

/// Resolves `out` and refuses folders juxta must not replace. Returns the output path, its
/// parent and its name.
fn check_output(root: &Path, out: &Path) -> Result<(PathBuf, PathBuf, String)> {
    let root = root.canonicalize().map_err(|e| fs::io_error("cannot resolve", root, e))?;
    let (out, parent, name) = locate(out)
        .ok_or_else(|| Error::environment(format!("`{}` cannot be an output folder", out.display())))?;
    let refuse = |why: &str| {
        Err(Error::environment(format!("refusing to use `{}` as the output folder: {why}", out.display())))
    };
    if let Some(why) = in_project(&root, &out) {
        return refuse(&why);
    }
    if let Ok(meta) = std::fs::symlink_metadata(&out) {
        if meta.file_type().is_symlink() {
            return refuse("it is a symbolic link");
        }
        if !meta.is_dir() {
            return refuse("it is a file");
        }
        let mut entries = std::fs::read_dir(&out).map_err(|e| fs::io_error("cannot read", &out, e))?;
        if entries.next().is_some() && !out.join(MARKER).is_file() {
            return refuse(&format!(
                "it is not empty and was not made by juxta (it has no `{MARKER}` file); remove it or choose another --out"
            ));
        }
    }
    Ok((out, parent, name))
}

/// Where `path` really is: its folder with every symbolic link and `..` resolved (as far as it
/// exists; the rest cannot hold a link), then its own name, which is not followed. Returns the
/// path, its folder and its name; `None` for a path with no name (`/`).
pub(crate) fn locate(path: &Path) -> Option<(PathBuf, PathBuf, String)> {
    let path = std::path::absolute(path).ok()?;
    // A path ending in `..` or `.` names the folder it leads to.
    let path = match path.file_name() {
        Some(_) => path,
        None => path.canonicalize().unwrap_or_else(|_| normalize(&path)),
    };
    let name = path.file_name()?.to_str()?.to_string();
    let parent = resolve(path.parent()?);
    Some((parent.join(&name), parent, name))
}

/// `path` with links and `..` resolved by the file system as far as it exists; the rest, which
/// does not exist yet, joined to it with `.` and `..` taken out. A link to something that does not
/// exist yet (an output folder the build will make) is followed too.
fn resolve(path: &Path) -> PathBuf {
    resolve_within(path, 40)
}

/// [`resolve`], following at most `links` dangling links (as the system gives up on loops).
fn resolve_within(path: &Path, links: usize) -> PathBuf {
    let mut existing = path;
    let mut rest = Vec::new();
    loop {
        let rejoin = |base: PathBuf| {
            normalize(&rest.iter().rev().fold(base, |p, name: &&std::ffi::OsStr| p.join(name)))
        };
        if let Ok(real) = existing.canonicalize() {
            return rejoin(real);
        }
        if links > 0
            && let Ok(target) = std::fs::read_link(existing)
        {
            let target = existing.parent().map_or(target.clone(), |parent| parent.join(&target));
            return rejoin(resolve_within(&target, links - 1));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name);
                existing = parent;
            }
            _ => return normalize(path),
        }
    }
}

/// Why juxta may not write over `path` (already [located](locate)) in the project at `root`
/// (canonical): it is the project or holds it, or it is inside a source folder (as reached
/// through any link to one).
pub(crate) fn in_project(root: &Path, path: &Path) -> Option<String> {
    if root.starts_with(path) {
        return Some("it holds the project".into());
    }
    for dir in SOURCE_DIRS {
        let source = root.join(dir);
        let real = source.canonicalize().unwrap_or_else(|_| source.clone());
        if path.starts_with(&source) || path.starts_with(&real) {
            return Some(format!("it is inside the project's `{dir}/` folder"));
        }
    }
    None
}

/// Removes `.` and `..` components without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Removes staging folders of earlier builds that were killed, and puts back an output that a
/// killed swap had moved aside.
fn clean_leftovers(parent: &Path, name: &str, out: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(());
    };
    let staging_prefix = format!(".{name}.juxta-staging-");
    let old_prefix = format!(".{name}.juxta-old-");
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else { continue };
        let path = entry.path();
        if file_name.starts_with(&staging_prefix) {
            fs::remove_dir_all(&path)?;
        } else if file_name.starts_with(&old_prefix) {
            if !out.exists() && path.join(MARKER).is_file() {
                fs::rename(&path, out)?;
            } else {
                fs::remove_dir_all(&path)?;
            }
        }
    }
    Ok(())
}
