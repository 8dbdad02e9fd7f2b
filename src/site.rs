//! The assembled [`Site`]: every page with its section, sorted listings, content files, static
//! files and data. Built once per build and read-only afterwards, so rendering can share it.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ahash::{AHashMap as HashMap, AHashSet as HashSet};

use crate::config::Config;
use crate::data::Data;
use crate::date::Date;
use crate::error::{Error, Result};
use crate::page::{Page, PageId};
use crate::source::{CONTENT_DIR, ContentAsset, STATIC_DIR, SourceKind};
use crate::urls::{self, Flavour};

/// Files juxta generates at the site root, besides pages.
pub(crate) const GENERATED_FILES: [&str; 7] =
    ["404.html", "sitemap.xml", "robots.txt", "atom.xml", ".nojekyll", "highlight.css", "comparison.css"];

/// Written at the site root when `cname` is configured.
pub(crate) const CNAME_FILE: &str = "CNAME";

/// A file copied into the output from `content/` or `static/`.
#[derive(Debug, Clone)]
pub(crate) struct CopiedFile {
    /// Path of the source relative to the project root.
    pub(crate) source: PathBuf,
    /// Site path of the copy.
    pub(crate) output: String,
}

/// The whole site, ready to render.
#[derive(Debug)]
pub(crate) struct Site {
    /// The project root.
    pub(crate) root: PathBuf,
    /// `site.toml`.
    pub(crate) config: Config,
    /// Web or offline output.
    pub(crate) flavour: Flavour,
    /// Pages, sections and the home page, sorted by source path.
    pub(crate) pages: Vec<Page>,
    /// The home page.
    pub(crate) home: PageId,
    /// Pages by source path relative to `content/`.
    pub(crate) by_source: HashMap<String, PageId>,
    /// Pages by site path (`guides/mqtt/`).
    pub(crate) by_path: HashMap<String, PageId>,
    /// Files copied from `content/` and `static/`.
    pub(crate) copies: Vec<CopiedFile>,
    /// Output site paths of `content/` files that are not Markdown, by path relative to `content/`.
    pub(crate) content_files: HashMap<String, String>,
    /// Site paths of every file in the output that is not a page.
    pub(crate) files: HashSet<String>,
    /// The contents of `data/`.
    pub(crate) data: Data,
    /// The build date: `SOURCE_DATE_EPOCH`, or the newest input file's modification time.
    pub(crate) build_date: Date,
    /// Source paths of pages that could not be read, in a build that goes on to report the
    /// site's other problems: a link to one is not reported as broken too.
    pub(crate) unread: HashSet<String>,
    /// Dates of last change from git, and why there are none when they were asked for.
    pub(crate) history: crate::git::History,
    /// The tags of the pages, when the theme writes pages about them.
    pub(crate) tags: crate::tags::Tags,
    /// The pages juxta adds: further pages of listings, tag pages, the print page.
    pub(crate) extras: Vec<crate::listings::Planned>,
    /// The site's image files, processed as pages show them.
    pub(crate) images: crate::images::Images,
    /// The fonts and cache of the share cards.
    pub(crate) cards: crate::cards::Cards,
    /// The theme's stylesheets, scripts and fonts under hashed names, made once the site is
    /// assembled (`assets::prepare`).
    pub(crate) assets: crate::assets::Assets,
}

/// What the assembly needs besides the pages.
pub(crate) struct Parts {
    /// The project root.
    pub(crate) root: PathBuf,
    /// `site.toml`.
    pub(crate) config: Config,
    /// Web or offline output.
    pub(crate) flavour: Flavour,
    /// Whether drafts are built.
    pub(crate) drafts: bool,
    /// Non-Markdown files of `content/`.
    pub(crate) assets: Vec<ContentAsset>,
    /// Files of `static/`.
    pub(crate) static_files: Vec<String>,
    /// The contents of `data/`.
    pub(crate) data: Data,
    /// The build date.
    pub(crate) build_date: Date,
    /// Dates of last change from git, when `site.toml` asks for them.
    pub(crate) history: crate::git::History,
}

impl Site {
    /// Assembles resolved pages into a site: drops drafts, links pages to sections, sorts
    /// listings, and refuses two sources that would write the same output file.
    pub(crate) fn assemble(parts: Parts, pages: Vec<Page>) -> Result<Site> {
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
        let (by_source, by_path) = rayon::join(|| index(|p| &p.source), || index(|p| &p.path));
        let home =
            pages.iter().position(|p| p.kind == SourceKind::Home).map(|i| PageId(i as u32)).ok_or_else(
                || Error::at(Path::new(CONTENT_DIR).join("_index.md"), "the home page is missing"),
            )?;
        link_sections(&mut pages, &by_path);
        check_datasets(&parts.data, &parts.build_date, &by_source)?;
        let (tags, extras) = added_pages(&parts, &pages)?;

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
        let generated = generated_files(&parts, &extras);
        let mut files = check_collisions(&pages, &copies, &generated)?;
        files.extend(extras.iter().map(|e| e.path.clone()));
        let images = crate::images::Images::new(
            &parts.root,
            copies.iter().map(|c| (c.output.as_str(), c.source.as_path())),
            &parts.config.images,
        );
        let cards = crate::cards::Cards::new(&parts.root, &parts.config.share_cards);
        Ok(Site {
            root: parts.root,
            config: parts.config,
            flavour: parts.flavour,
            pages,
            home,
            by_source,
            by_path,
            copies,
            content_files,
            files,
            data: parts.data,
            build_date: parts.build_date,
            unread: HashSet::default(),
            history: parts.history,
            tags,
            extras,
            images,
            cards,
            assets: crate::assets::Assets::default(),
        })
    }

    /// The page with this id.
    pub(crate) fn page(&self, id: PageId) -> &Page {
        &self.pages[id.index()]
    }

    /// Ids of every page, section and the home page.
    pub(crate) fn ids(&self) -> impl Iterator<Item = PageId> + '_ {
        (0..self.pages.len() as u32).map(PageId)
    }

    /// The absolute URL of a page, from `base_url`.
    pub(crate) fn permalink(&self, id: PageId) -> String {
        urls::absolute(&self.config.base_url, &self.page(id).path)
    }

    /// The date page `id` last changed: from git when `[git] last_updated` is on and the history
    /// has the page's source (its data file, for a page a dataset generates), else its front
    /// matter's `updated`.
    pub(crate) fn last_updated(&self, id: PageId) -> Option<&Date> {
        let page = self.page(id);
        let from_git = match self.history.dates.is_empty() {
            true => None,
            false => self.history.dates.get(&page.shown_path().to_string_lossy().replace('\\', "/")),
        };
        from_git.or(page.front.updated.as_ref())
    }

    /// The address to edit page `id`'s source at, from `edit_url`: `{path}` replaced by the
    /// source's path from the project root (`content/guide/mqtt.md`, or a generated page's data
    /// file), percent-encoded.
    pub(crate) fn edit_url(&self, id: PageId) -> Option<String> {
        let template = self.config.edit_url.as_ref()?;
        let path = self.page(id).shown_path().to_string_lossy().replace('\\', "/");
        Some(template.replace("{path}", &urls::encode_path(&path)))
    }

    /// The page before and after `id` in its section's order.
    pub(crate) fn neighbours(&self, id: PageId) -> (Option<PageId>, Option<PageId>) {
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

/// The tags of `pages` (each listing its pages in the order of listings), and the pages juxta adds
/// for them, for long listings and for printing ([`crate::listings`]).
fn added_pages(parts: &Parts, pages: &[Page]) -> Result<(crate::tags::Tags, Vec<crate::listings::Planned>)> {
    let mut tags = crate::tags::collect(&parts.root, pages)?;
    for tag in &mut tags.list {
        tag.pages.sort_by(|&a, &b| listing_order(&pages[a.index()], &pages[b.index()]));
    }
    let extras = crate::listings::plan(&parts.root, pages, &tags, parts.config.tags.paginate_by);
    Ok((tags, extras))
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
fn link_sections(pages: &mut [Page], by_path: &HashMap<String, PageId>) {
    // A section's page is its folder's `_index.md`, or `index.md` (see `source::discover`).
    let sections: HashMap<String, PageId> = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.is_section())
        .map(|(i, p)| (p.source_dir().to_string(), PageId(i as u32)))
        .collect();
    let section_of_dir = |dir: &str| sections.get(dir).copied();
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
pub(crate) fn listing_order(a: &Page, b: &Page) -> std::cmp::Ordering {
    let weight = |p: &Page| p.front.weight.unwrap_or(i64::MAX);
    let date = |p: &Page| std::cmp::Reverse(p.front.date.as_ref().map(Date::timestamp));
    (weight(a), date(a), &a.front.title, &a.source).cmp(&(weight(b), date(b), &b.front.title, &b.source))
}

/// Refuses two sources that would write one output file, or a file where another writes a folder
/// (a page `robots.txt/` and juxta's `robots.txt`); differences of case or of Unicode
/// normalisation only (`é` as one character or as `e` and an accent) count, since they collide
/// on macOS and Windows file systems and on case-insensitive hosts. Each error is the content's,
/// at the slug or alias that made the path when there is one. `generated` are the files juxta
/// writes besides pages and copies.
fn check_collisions<'a>(
    pages: &'a [Page],
    copies: &'a [CopiedFile],
    generated: &[(String, Owner<'a>)],
) -> Result<HashSet<String>> {
    use rayon::prelude::*;
    // Every output file with what writes it.
    let mut claims: Vec<(String, Owner<'a>)> = generated.to_vec();
    claims.par_extend(pages.par_iter().flat_map_iter(|page| {
        let aliases = page.front.aliases.iter().filter_map(|alias| urls::alias_file(alias).ok());
        std::iter::once((page.output_file(), Owner::Page(page)))
            .chain(aliases.map(move |file| (file, Owner::Alias(page))))
    }));
    claims.extend(copies.iter().map(|copy| (copy.output.clone(), Owner::Path(&copy.source))));
    let keys: Vec<Cow<'_, str>> = claims.par_iter().map(|(output, _)| collision_key(output)).collect();

    let mut owners: HashMap<&str, usize> = HashMap::with_capacity(claims.len());
    let mut errors = Vec::new();
    for (index, key) in keys.iter().enumerate() {
        match owners.get(key.as_ref()) {
            Some(&first) => errors.push(collision(&claims[first], &claims[index], None)),
            None => {
                owners.insert(key, index);
            }
        }
    }
    // A file in a folder whose name another source writes as a file: the file system can hold
    // only one of the two. Each such file is reported once, with the first source in its way.
    let mut in_the_way = HashSet::new();
    for (index, key) in keys.iter().enumerate() {
        let found = key.match_indices('/').find_map(|(slash, _)| Some((slash, *owners.get(&key[..slash])?)));
        if let Some((slash, file)) = found
            && in_the_way.insert(file)
        {
            errors.push(collision(&claims[file], &claims[index], Some(&claims[index].0[..slash])));
        }
    }
    // The search index's shards are named when it is written; its fixed files are claimed above.
    errors.extend(claims.iter().filter(|(_, owner)| !matches!(owner, Owner::Generated(_))).filter_map(
        |(output, owner)| {
            let reserved = std::iter::once(output.as_str())
                .chain(output.match_indices('/').map(|(slash, _)| &output[..slash]))
                .find(|path| crate::search::is_reserved(path) && !crate::search::FILES.contains(path))?;
            Some(owner.error(format!(
                "writes `{output}`, but `{reserved}` is a name kept for the search index's files: rename it"
            )))
        },
    ));
    if !errors.is_empty() {
        return Err(Error::many(errors));
    }
    let mut files: HashSet<String> = copies.iter().map(|c| c.output.clone()).collect();
    files.extend(generated.iter().map(|(f, _)| f.clone()));
    Ok(files)
}

/// The error for two claims that collide: on the same file (`folder` is `None`), or with `inner`
/// writing inside the folder `folder`, which `file` writes as a file. It is reported at the
/// source whose name is the one to change: a page or copied file rather than a dataset's
/// downloads, never at a file juxta generates, else the later of two by path.
fn collision(file: &(String, Owner<'_>), inner: &(String, Owner<'_>), folder: Option<&str>) -> Error {
    let ((file_output, file_owner), (inner_output, inner_owner)) = (file, inner);
    let generated = |o: &Owner<'_>| matches!(o, Owner::Generated(_));
    let rank = |o: &Owner<'_>| match o {
        Owner::Generated(_) => 0,
        Owner::Download(_) => 1,
        _ => 2,
    };
    let at_inner = (rank(inner_owner), inner_owner.shown()) >= (rank(file_owner), file_owner.shown());
    let (at, other, output) = match at_inner {
        true => (inner_owner, file_owner, inner_output),
        false => (file_owner, inner_owner, file_output),
    };
    let message = match folder {
        None if generated(other) => format!("writes `{output}`, a file juxta generates: choose another name"),
        Some(folder) if generated(other) => format!(
            "writes `{output}`, but `{folder}` is a file juxta generates: choose another name or slug"
        ),
        None if file_output != inner_output => format!(
            "writes `{output}`, which {} also writes (the two differ only in letter case or in how accents \
             are encoded, which many file systems treat as one name): give one of them another name or slug",
            other.describe()
        ),
        None => format!(
            "writes `{output}`, which {} also writes: give one of them another name or slug",
            other.describe()
        ),
        Some(folder) if at_inner => format!(
            "writes `{output}` in a folder `{folder}`, but {} writes `{folder}` as a file: \
             give one of them another name or slug",
            other.describe()
        ),
        Some(folder) => format!(
            "writes the file `{output}`, but {} writes `{}` in a folder of that name: give one of \
             them another name or slug",
            other.describe(),
            inner_output
                .get(folder.len() + 1..)
                .map_or(inner_output.clone(), |rest| format!("{folder}/{rest}"))
        ),
    };
    at.error(message)
}

/// The files juxta writes of its own (feeds, search index, downloads, the pages it adds), each
/// with what makes it, for [`check_collisions`].
fn generated_files<'a>(parts: &'a Parts, extras: &'a [crate::listings::Planned]) -> Vec<(String, Owner<'a>)> {
    let mut generated: Vec<(String, Owner<'_>)> =
        GENERATED_FILES.iter().map(|name| (name.to_string(), Owner::Generated(name))).collect();
    if parts.config.search.enabled {
        generated.extend(crate::search::FILES.iter().map(|name| (name.to_string(), Owner::Generated(name))));
    }
    if parts.config.cname.is_some() {
        generated.push((CNAME_FILE.into(), Owner::Generated(CNAME_FILE)));
    }
    for c in parts.data.comparisons.values() {
        generated.push((c.download_path("json"), Owner::Download(&c.shown)));
        generated.push((c.download_path("csv"), Owner::Download(&c.shown)));
    }
    generated.extend(
        crate::comparison::files(&parts.data.comparisons)
            .into_iter()
            .map(|(file, data)| (file, Owner::Download(data))),
    );
    generated.extend(extras.iter().map(|e| ([&e.path, "index.html"].concat(), Owner::Generated(&e.path))));
    generated
}

/// What writes an output file, for collision errors.
#[derive(Clone, Copy)]
enum Owner<'a> {
    /// A page, section or the home page: its own file.
    Page(&'a Page),
    /// One of a page's aliases.
    Alias(&'a Page),
    /// A file copied from `content/` or `static/`.
    Path(&'a Path),
    /// The JSON and CSV downloads of the dataset in this data file.
    Download(&'a Path),
    /// A file juxta generates (`robots.txt`).
    Generated(&'a str),
}

impl Owner<'_> {
    /// The source to change: a generated page's data file, which asks for it.
    fn shown(&self) -> PathBuf {
        match self {
            Owner::Page(page) | Owner::Alias(page) => match &page.generated {
                Some(g) => g.shown.clone(),
                None => page.shown_path(),
            },
            Owner::Path(path) | Owner::Download(path) => path.to_path_buf(),
            Owner::Generated(name) => PathBuf::from(name),
        }
    }

    /// The owner in a sentence: `` `content/a.md` ``.
    fn describe(&self) -> String {
        match self {
            Owner::Download(path) => format!("`{}` (a dataset, published as downloads)", path.display()),
            Owner::Page(page) | Owner::Alias(page) if page.generated.is_some() => {
                let g = page.generated.as_ref().expect("checked above");
                format!("{} of `{}`", g.what, g.shown.display())
            }
            other => format!("`{}`", other.shown().display()),
        }
    }

    /// An error at the owner, at the slug or alias that made the path when there is one (for a
    /// generated page, where its data file asks for it).
    fn error(&self, message: String) -> Error {
        let (position, prefix) = match self {
            // A generated page's reverse pair is its alias: both are asked for at one place.
            Owner::Page(page) | Owner::Alias(page) if page.generated.is_some() => {
                let g = page.generated.as_ref().expect("checked above");
                (Some(g.at), format!("{} ", g.what))
            }
            Owner::Page(page) => {
                (page.positions.slug, if page.positions.slug.is_some() { "slug: " } else { "" }.into())
            }
            Owner::Alias(page) => (page.positions.aliases, "aliases: ".into()),
            _ => (None, String::new()),
        };
        let error = Error::at(self.shown(), format!("{prefix}{message}"));
        match position {
            Some(position) => error.with_position(position),
            None => error,
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

impl urls::Targets for Site {
    type Page = PageId;

    fn source_page(&self, source: &str) -> Option<(PageId, &str)> {
        self.by_source.get(source).map(|&id| (id, self.page(id).path.as_str()))
    }

    fn content_file(&self, source: &str) -> Option<&str> {
        self.content_files.get(source).map(String::as_str)
    }

    fn has_site_path(&self, site_path: &str) -> bool {
        self.files.contains(site_path) || self.by_path.contains_key(site_path)
    }

    fn unread(&self, source: &str) -> bool {
        self.unread.contains(source)
    }

    fn flavour(&self) -> Flavour {
        self.flavour
    }
}
