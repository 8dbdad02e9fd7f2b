//! The assembled [`Site`]: every page with its section, sorted listings, content files, static
//! files and data. Built once per build and read-only afterwards, so rendering can share it.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ahash::{AHashMap as HashMap, AHashSet as HashSet};

use crate::config::Config;
use crate::data::Data;
use crate::error::{Error, Result};
use crate::front_matter::Date;
use crate::page::{Page, PageId};
use crate::source::{CONTENT_DIR, ContentAsset, STATIC_DIR, SourceKind};
use crate::urls::{self, Flavour};

/// Files juxta generates at the site root, besides pages.
pub const GENERATED_FILES: [&str; 7] =
    ["404.html", "sitemap.xml", "robots.txt", "atom.xml", ".nojekyll", "highlight.css", "comparison.css"];

/// Written at the site root when `cname` is configured.
pub const CNAME_FILE: &str = "CNAME";

/// A file copied into the output from `content/` or `static/`.
#[derive(Debug, Clone)]
pub struct CopiedFile {
    /// Path of the source relative to the project root.
    pub source: PathBuf,
    /// Site path of the copy.
    pub output: String,
}

/// The whole site, ready to render.
#[derive(Debug)]
pub struct Site {
    /// The project root.
    pub root: PathBuf,
    /// `site.toml`.
    pub config: Config,
    /// Web or offline output.
    pub flavour: Flavour,
    /// Pages, sections and the home page, sorted by source path.
    pub pages: Vec<Page>,
    /// The home page.
    pub home: PageId,
    /// Pages by source path relative to `content/`.
    pub by_source: HashMap<String, PageId>,
    /// Pages by site path (`guides/mqtt/`).
    pub by_path: HashMap<String, PageId>,
    /// Pages by source path, with their site paths, for resolving links.
    pub links: LinkIndex,
    /// Files copied from `content/` and `static/`.
    pub copies: Vec<CopiedFile>,
    /// Output site paths of `content/` files that are not Markdown, by path relative to `content/`.
    pub content_files: HashMap<String, String>,
    /// Site paths of every file in the output that is not a page.
    pub files: HashSet<String>,
    /// The contents of `data/`.
    pub data: Data,
    /// The build date: `SOURCE_DATE_EPOCH`, or the newest input file's modification time.
    pub build_date: Date,
}

/// What the assembly needs besides the pages.
pub struct Parts {
    /// The project root.
    pub root: PathBuf,
    /// `site.toml`.
    pub config: Config,
    /// Web or offline output.
    pub flavour: Flavour,
    /// Whether drafts are built.
    pub drafts: bool,
    /// Non-Markdown files of `content/`.
    pub assets: Vec<ContentAsset>,
    /// Files of `static/`.
    pub static_files: Vec<String>,
    /// The contents of `data/`.
    pub data: Data,
    /// The build date.
    pub build_date: Date,
}

impl Site {
    /// Assembles resolved pages into a site: drops drafts, links pages to sections, sorts
    /// listings, and refuses two sources that would write the same output file.
    pub fn assemble(parts: Parts, pages: Vec<Page>) -> Result<Site> {
        if let Some(home) = pages.iter().find(|p| p.kind == SourceKind::Home && p.front.draft) {
            return Err(Error::at(home.shown_path(), "the home page cannot be a draft"));
        }
        let mut pages = drop_drafts(pages, parts.drafts);
        pages.extend(crate::comparison::pages::generate(&parts.data));
        // Usually sorted already, as the folders were walked in order: then nothing is moved.
        if !pages.is_sorted_by(|a, b| a.source <= b.source) {
            pages.sort_by(|a, b| a.source.cmp(&b.source));
        }
        let index = |key: fn(&Page) -> &String| -> HashMap<String, PageId> {
            pages.iter().enumerate().map(|(i, p)| (key(p).clone(), PageId(i as u32))).collect()
        };
        let ((by_source, by_path), links) = rayon::join(
            || rayon::join(|| index(|p| &p.source), || index(|p| &p.path)),
            || LinkIndex::new(&pages),
        );
        let home = by_source
            .get("_index.md")
            .copied()
            .ok_or_else(|| Error::at(Path::new(CONTENT_DIR).join("_index.md"), "the home page is missing"))?;
        link_sections(&mut pages, &by_source, &by_path);
        check_datasets(&parts.data, &parts.build_date, &by_source)?;

        let mut copies = Vec::new();
        let mut content_files = HashMap::new();
        for asset in &parts.assets {
            let output = match &asset.bundle {
                // A draft bundle's files are left out with it.
                Some(dir) => match by_source.get(&format!("{dir}/index.md")) {
                    Some(id) => format!("{}{}", pages[id.index()].path, &asset.path[dir.len() + 1..]),
                    None => continue,
                },
                None => asset.path.clone(),
            };
            content_files.insert(asset.path.clone(), output.clone());
            copies.push(CopiedFile { source: Path::new(CONTENT_DIR).join(&asset.path), output });
        }
        for file in &parts.static_files {
            copies.push(CopiedFile { source: Path::new(STATIC_DIR).join(file), output: file.clone() });
        }
        let mut generated: Vec<(String, PathBuf)> = GENERATED_FILES
            .iter()
            .map(|name| (name.to_string(), PathBuf::from(format!("(juxta's generated {name})"))))
            .collect();
        if parts.config.search.enabled {
            generated.extend(
                crate::search::FILES
                    .iter()
                    .map(|name| (name.to_string(), PathBuf::from(format!("(juxta's search index, {name})")))),
            );
        }
        if parts.config.cname.is_some() {
            generated.push((CNAME_FILE.into(), PathBuf::from(format!("(juxta's generated {CNAME_FILE})"))));
        }
        for c in parts.data.comparisons.values() {
            generated.push((c.download_path("json"), c.shown.clone()));
            generated.push((c.download_path("csv"), c.shown.clone()));
        }
        generated.extend(crate::comparison::publish::files(&parts.data));
        let files = check_collisions(&pages, &copies, &generated)?;
        Ok(Site {
            root: parts.root,
            config: parts.config,
            flavour: parts.flavour,
            pages,
            home,
            by_source,
            by_path,
            links,
            copies,
            content_files,
            files,
            data: parts.data,
            build_date: parts.build_date,
        })
    }

    /// The page with this id.
    pub fn page(&self, id: PageId) -> &Page {
        &self.pages[id.index()]
    }

    /// Ids of every page, section and the home page.
    pub fn ids(&self) -> impl Iterator<Item = PageId> + '_ {
        (0..self.pages.len() as u32).map(PageId)
    }

    /// The absolute URL of a page, from `base_url`.
    pub fn permalink(&self, id: PageId) -> String {
        urls::absolute(&self.config.base_url, &self.page(id).path)
    }

    /// The page before and after `id` in its section's order.
    pub fn neighbours(&self, id: PageId) -> (Option<PageId>, Option<PageId>) {
        let Some(parent) = self.page(id).parent else {
            return (None, None);
        };
        let siblings = &self.page(parent).pages;
        match siblings.iter().position(|&p| p == id) {
            Some(i) => (i.checked_sub(1).map(|j| siblings[j]), siblings.get(i + 1).copied()),
            None => (None, None),
        }
    }
}

/// Pages by source path, with their site paths, laid out for resolving links: a link may lead to
/// any of thousands of pages, so a lookup should touch as little memory as it can. Each page has
/// a slot of one cache line in an open-addressing table, holding its hash, its number and, when
/// they fit, its source and site paths; one read of memory finds a page, where a hash map of
/// page numbers, a list of lengths and the paths cost three or four. Longer paths are in `text`.
#[derive(Debug)]
pub struct LinkIndex<H = ahash::RandomState> {
    /// Slots, a power of two of them, at least one in eight empty.
    slots: Vec<Slot>,
    /// The paths that do not fit in their slot: each source path followed by its site path.
    text: String,
    hasher: H,
}

/// Bytes of paths a slot holds.
const INLINE: usize = 40;

/// One page of a [`LinkIndex`]: one cache line.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
struct Slot {
    hash: u64,
    /// The page number; `EMPTY` for a free slot.
    id: u32,
    source_len: u32,
    path_len: u32,
    /// Where the paths start in `text`, when they are not in `inline`.
    start: u32,
    /// The source path followed by the site path, when together they fit.
    inline: [u8; INLINE],
}

const EMPTY: u32 = u32::MAX;

impl LinkIndex {
    fn new(pages: &[Page]) -> LinkIndex {
        LinkIndex::with_hasher(pages, ahash::RandomState::new())
    }
}

impl<H: std::hash::BuildHasher> LinkIndex<H> {
    fn with_hasher(pages: &[Page], hasher: H) -> LinkIndex<H> {
        let free = Slot { hash: 0, id: EMPTY, source_len: 0, path_len: 0, start: 0, inline: [0; INLINE] };
        let count = (pages.len() + pages.len() / 7 + 1).next_power_of_two();
        let mut index = LinkIndex { slots: vec![free; count], text: String::new(), hasher };
        for (i, page) in pages.iter().enumerate() {
            let (source, path) = (page.source.as_str(), page.path.as_str());
            let hash = index.hasher.hash_one(source);
            let mut slot =
                Slot { hash, id: i as u32, source_len: len32(source), path_len: len32(path), ..free };
            let length = source.len() + path.len();
            if length <= INLINE {
                slot.inline[..source.len()].copy_from_slice(source.as_bytes());
                slot.inline[source.len()..length].copy_from_slice(path.as_bytes());
            } else {
                slot.start = len32(&index.text);
                index.text.push_str(source);
                index.text.push_str(path);
            }
            let at = index.probe(hash).find(|&at| index.slots[at].id == EMPTY).expect("a free slot");
            index.slots[at] = slot;
        }
        index
    }

    /// The slots to look at for `hash`, in order: linear probing from its home slot.
    fn probe(&self, hash: u64) -> impl Iterator<Item = usize> + use<H> {
        let mask = self.slots.len() - 1;
        (0..self.slots.len()).map(move |step| (hash as usize).wrapping_add(step) & mask)
    }

    /// The page whose source path (relative to `content/`) is `source`, and its site path.
    pub fn get(&self, source: &str) -> Option<(PageId, &str)> {
        let hash = self.hasher.hash_one(source);
        for at in self.probe(hash) {
            let slot = &self.slots[at];
            if slot.id == EMPTY {
                return None;
            }
            if slot.hash != hash || slot.source_len as usize != source.len() {
                continue;
            }
            let (source_len, path_len) = (slot.source_len as usize, slot.path_len as usize);
            let both = match source_len + path_len <= INLINE {
                true => &slot.inline[..source_len + path_len],
                false => self
                    .text
                    .as_bytes()
                    .get(slot.start as usize..slot.start as usize + source_len + path_len)?,
            };
            let (found, path) = both.split_at(source_len);
            if found == source.as_bytes() {
                // The bytes were copied from a `str`, cut where it ends: still UTF-8.
                return std::str::from_utf8(path).ok().map(|path| (PageId(slot.id), path));
            }
        }
        None
    }
}

/// A length or offset in a [`LinkIndex`]. Past 4 GiB of paths (no site that fits in memory has
/// so many) a page would not be found, as its path's length or place cannot be told.
fn len32(text: &str) -> u32 {
    u32::try_from(text.len()).unwrap_or(u32::MAX)
}

fn drop_drafts(pages: Vec<Page>, keep_drafts: bool) -> Vec<Page> {
    if keep_drafts || !pages.iter().any(|p| p.front.draft) {
        return pages;
    }
    // A draft section takes its whole folder with it.
    let draft_dirs: Vec<String> = pages
        .iter()
        .filter(|p| p.front.draft && p.kind == SourceKind::Section)
        .map(|p| p.source_dir().to_string())
        .collect();
    pages
        .into_iter()
        .filter(|p| !p.front.draft && !draft_dirs.iter().any(|d| p.source.starts_with(d.as_str())))
        .collect()
}

/// Sets each page's parent (the nearest section in an enclosing folder) and each section's sorted
/// pages and subsections. A page a dataset generates joins the nearest section whose folder holds
/// its address, if one other than the home page does: the home page lists the site's own pages.
fn link_sections(pages: &mut [Page], by_source: &HashMap<String, PageId>, by_path: &HashMap<String, PageId>) {
    // One buffer for the keys looked up: this runs on one thread for every page of the site.
    let mut key = String::new();
    let mut section_of_dir = |dir: &str| -> Option<PageId> {
        key.clear();
        key.push_str(dir);
        key.push_str("_index.md");
        by_source.get(key.as_str()).copied()
    };
    let mut children: BTreeMap<PageId, (Vec<PageId>, Vec<PageId>)> = BTreeMap::new();
    let mut parents = Vec::with_capacity(pages.len());
    for (i, page) in pages.iter().enumerate() {
        if page.kind == SourceKind::Home {
            continue;
        }
        let parent = if page.generated.is_some() {
            let mut dir = parent_dir(&page.path);
            let section =
                |dir: &str| by_path.get(dir).filter(|id| pages[id.index()].kind == SourceKind::Section);
            loop {
                if dir.is_empty() {
                    break None;
                }
                if let Some(&id) = section(dir) {
                    break Some(id);
                }
                dir = parent_dir(dir);
            }
        } else {
            // A section or bundle looks for its parent from the folder above its own.
            let mut dir = page.source_dir();
            if page.kind != SourceKind::Page {
                dir = parent_dir(dir);
            }
            loop {
                if let Some(id) = section_of_dir(dir) {
                    break Some(id);
                }
                dir = parent_dir(dir);
            }
        };
        let Some(parent) = parent else { continue };
        let entry = children.entry(parent).or_default();
        if page.kind == SourceKind::Section {
            entry.1.push(PageId(i as u32))
        } else {
            entry.0.push(PageId(i as u32))
        }
        parents.push((i, parent));
    }
    for (i, parent) in parents {
        pages[i].parent = Some(parent);
    }
    for (section, (mut list, mut subsections)) in children {
        list.sort_by(|&a, &b| listing_order(&pages[a.index()], &pages[b.index()]));
        subsections.sort_by(|&a, &b| listing_order(&pages[a.index()], &pages[b.index()]));
        pages[section.index()].pages = list;
        pages[section.index()].subsections = subsections;
    }
}

/// What of the datasets can only be checked with the pages and the build date: `page` names a
/// content page, and no date is after the build date.
fn check_datasets(data: &Data, build_date: &Date, by_source: &HashMap<String, PageId>) -> Result<()> {
    let mut errors = Vec::new();
    for c in data.comparisons.values() {
        errors.extend(crate::comparison::sources::future_dates(c, build_date));
        if let Some(page) = &c.page {
            let key = page.value.trim_start_matches("@/").trim_start_matches('/');
            if !by_source.contains_key(key) {
                let near = crate::suggest::closest(key, by_source.keys().map(String::as_str));
                errors.push(Error::at_position(
                    &c.shown,
                    page.at,
                    format!(
                        "`page` names `content/{key}`, which is not a page of the site{near}: name the \
                         Markdown file that shows the dataset, relative to `content/`"
                    ),
                ));
            }
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(Error::many(errors)) }
}

/// `a/b/` → `a/`, `a/` → ``.
fn parent_dir(dir: &str) -> &str {
    let trimmed = dir.trim_end_matches('/');
    trimmed.rfind('/').map_or("", |i| &dir[..=i])
}

/// Weight first (pages without one last), then newest date first, then title, then source path.
fn listing_order(a: &Page, b: &Page) -> std::cmp::Ordering {
    let weight = |p: &Page| p.front.weight.unwrap_or(i64::MAX);
    let date = |p: &Page| std::cmp::Reverse(p.front.date.as_ref().map(Date::timestamp));
    (weight(a), date(a), &a.front.title, &a.source).cmp(&(weight(b), date(b), &b.front.title, &b.source))
}

/// Refuses two sources that would write one output file; differences of case or of Unicode
/// normalisation only (`é` as one character or as `e` and an accent) count, since they collide
/// on macOS and Windows file systems and on case-insensitive hosts.
fn check_collisions(
    pages: &[Page],
    copies: &[CopiedFile],
    generated: &[(String, PathBuf)],
) -> Result<HashSet<String>> {
    use rayon::prelude::*;
    // Every output file with what writes it; the source's shown path is only made for errors.
    let mut claims: Vec<(String, Owner<'_>)> =
        generated.iter().map(|(name, owner)| (name.clone(), Owner::Path(owner))).collect();
    claims.par_extend(pages.par_iter().flat_map_iter(|page| {
        let aliases = page.front.aliases.iter().filter_map(|alias| alias_file(alias).ok());
        std::iter::once(page.output_file()).chain(aliases).map(move |file| (file, Owner::Page(page)))
    }));
    claims.extend(copies.iter().map(|copy| (copy.output.clone(), Owner::Path(&copy.source))));
    let keys: Vec<Cow<'_, str>> = claims.par_iter().map(|(output, _)| collision_key(output)).collect();

    let mut owners: HashMap<Cow<'_, str>, usize> = HashMap::with_capacity(claims.len());
    let mut errors = Vec::new();
    for (index, key) in keys.into_iter().enumerate() {
        let Some(&first) = owners.get(&key) else {
            owners.insert(key, index);
            continue;
        };
        let ((first_output, first), (output, owner)) = (&claims[first], &claims[index]);
        let (first, owner) = (first.shown(), owner.shown());
        let (a, b) = if first.0 <= owner.0 { (first, owner) } else { (owner, first) };
        let how = if first_output == output {
            ""
        } else {
            " (the two differ only in letter case or in how accents are encoded, which many file \
             systems treat as one name)"
        };
        let message = format!(
            "{}writes `{output}`, which {} also writes{how}: give one of them another name or slug",
            b.2.as_ref().map(|what| format!("{what} ")).unwrap_or_default(),
            a.2.as_ref().map_or_else(
                || format!("`{}`", a.0.display()),
                |what| format!("{what} of `{}`", a.0.display())
            )
        );
        errors.push(match b.1 {
            Some(at) => Error::at_position(&b.0, at, message),
            None => Error::at(&b.0, message),
        });
    }
    errors.extend(copies.iter().filter(|c| crate::search::is_reserved(&c.output)).map(|c| {
        Error::at(
            &c.source,
            format!("writes `{}`, a name kept for the search index's files: rename it", c.output),
        )
    }));
    if !errors.is_empty() {
        return Err(Error::many(errors));
    }
    let mut files: HashSet<String> = copies.iter().map(|c| c.output.clone()).collect();
    files.extend(generated.iter().map(|(f, _)| f.clone()));
    Ok(files)
}

/// What writes an output file, for collision errors.
enum Owner<'a> {
    Page(&'a Page),
    Path(&'a Path),
}

impl Owner<'_> {
    /// The source's shown path; for a generated page, where its data file asks for it and how
    /// to name it.
    fn shown(&self) -> (PathBuf, Option<crate::error::Position>, Option<String>) {
        match self {
            Owner::Page(page) => match &page.generated {
                Some(g) => (g.shown.clone(), Some(g.at), Some(g.what.clone())),
                None => (page.shown_path(), None, None),
            },
            Owner::Path(path) => (path.to_path_buf(), None, None),
        }
    }
}

/// Output names that many file systems treat as one (letter case, accents composed or not)
/// share this key.
fn collision_key(output: &str) -> Cow<'_, str> {
    if output.is_ascii() {
        return match output.bytes().any(|b| b.is_ascii_uppercase()) {
            true => Cow::Owned(output.to_ascii_lowercase()),
            false => Cow::Borrowed(output),
        };
    }
    Cow::Owned(unicode_normalization::UnicodeNormalization::nfc(output).collect::<String>().to_lowercase())
}

/// The output file of an alias: `old/path/` → `old/path/index.html`; `old.html` stays as it is.
pub fn alias_file(alias: &str) -> std::result::Result<String, String> {
    urls::check_relative_path(alias)?;
    let trimmed = alias.trim_end_matches('/');
    Ok(if trimmed.ends_with(".html") { trimmed.to_string() } else { format!("{trimmed}/index.html") })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::ContentFile;

    fn pages(sources: &[&str]) -> Vec<Page> {
        let kind = |source: &str| match source {
            "_index.md" => SourceKind::Home,
            s if s.ends_with("/_index.md") => SourceKind::Section,
            _ => SourceKind::Page,
        };
        let text = "+++\ntitle = \"T\"\n+++\nBody\n";
        let file = |s: &&str| ContentFile { path: s.to_string(), kind: kind(s) };
        sources.iter().map(|s| crate::page::parse(&file(s), text).unwrap()).collect()
    }

    /// Every page is found with its site path; other paths are not.
    fn finds_each_page<H: std::hash::BuildHasher>(index: &LinkIndex<H>, pages: &[Page]) {
        for (i, page) in pages.iter().enumerate() {
            assert_eq!(
                index.get(&page.source),
                Some((PageId(i as u32), page.path.as_str())),
                "{}",
                page.source
            );
        }
        for missing in ["", "guides/", "guides/mqtt", "guides/mqtt.md/", "guides/missing.md", "é/ü.m"] {
            assert_eq!(index.get(missing), None, "{missing}");
        }
    }

    /// A hash that is the number of bytes hashed: paths of one length share it.
    #[derive(Default)]
    struct ByLength(u64);

    impl std::hash::Hasher for ByLength {
        fn finish(&self) -> u64 {
            self.0
        }

        fn write(&mut self, bytes: &[u8]) {
            self.0 += bytes.len() as u64;
        }
    }

    #[test]
    fn the_link_index_finds_pages_and_their_paths() {
        let long = "guides/a-page-whose-paths-do-not-fit-in-a-slot.md";
        let pages =
            pages(&["_index.md", "guides/_index.md", "guides/http.md", long, "guides/mqtt.md", "é/ü.md"]);
        assert_eq!(pages[4].path, "guides/mqtt/");
        let index = LinkIndex::new(&pages);
        finds_each_page(&index, &pages);
        // The long page's paths are kept beside the table, the others' in their slots.
        assert_eq!(index.text, [long, pages[3].path.as_str()].concat());
        // Where source paths share a hash, they are told apart by the paths themselves; where a
        // path has a page's hash but not its path, it finds nothing.
        let by_length = LinkIndex::with_hasher(&pages, std::hash::BuildHasherDefault::<ByLength>::default());
        let mask = by_length.slots.len() - 1;
        let displaced = by_length
            .slots
            .iter()
            .enumerate()
            .filter(|(at, s)| s.id != EMPTY && *at != s.hash as usize & mask);
        assert!(displaced.count() >= 1, "paths of one length share a home slot");
        finds_each_page(&by_length, &pages);
        assert_eq!(by_length.get("_index.mx"), None);
        assert_eq!(by_length.get("guides/xmpp.md"), None);
        assert_eq!(by_length.get(&long.replace(".md", ".mx")), None);
    }
}
