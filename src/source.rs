//! Walks `content/` and `static/` and classifies what it finds: the home page, sections, pages,
//! page bundles and their files, other content files, and static files.
//!
//! Hidden files and folders (a name starting with `.`) are ignored, and symbolic links are never
//! followed, so nothing outside the project can end up in the output. The walk is sorted so that
//! every later stage sees the same order on every machine.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::date::Date;
use crate::error::{Error, Result};

/// The content folder's name, relative to the project root.
pub(crate) const CONTENT_DIR: &str = "content";
/// The static folder's name, relative to the project root.
pub(crate) const STATIC_DIR: &str = "static";
/// The data folder's name, relative to the project root.
pub(crate) const DATA_DIR: &str = "data";
/// The templates folder's name, relative to the project root.
pub(crate) const TEMPLATES_DIR: &str = "templates";

/// What a Markdown file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SourceKind {
    /// `content/_index.md`.
    Home,
    /// `content/<dir>/_index.md`.
    Section,
    /// Any other `.md` file.
    Page,
    /// `content/<dir>/index.md`: a page whose folder's other files are copied beside it.
    Bundle,
}

/// A Markdown file in `content/`.
#[derive(Debug, Clone)]
pub(crate) struct ContentFile {
    /// Path relative to `content/`, with `/` separators.
    pub(crate) path: String,
    /// What it is.
    pub(crate) kind: SourceKind,
}

/// A non-Markdown file in `content/`.
#[derive(Debug, Clone)]
pub(crate) struct ContentAsset {
    /// Path relative to `content/`, with `/` separators.
    pub(crate) path: String,
    /// The folder of the bundle it belongs to (relative to `content/`), if it is in one.
    pub(crate) bundle: Option<String>,
}

/// Everything found in the project's source folders.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sources {
    /// Markdown files, sorted by path.
    pub(crate) content: Vec<ContentFile>,
    /// Other files in `content/`, sorted by path.
    pub(crate) assets: Vec<ContentAsset>,
    /// Files in `static/`, relative to it, sorted.
    pub(crate) static_files: Vec<String>,
}

/// Walks the project at `root`. Every problem found (a file name that cannot be a URL, a folder
/// with two section pages) is reported at once.
pub(crate) fn discover(root: &Path) -> Result<Sources> {
    let (sources, problems) = discover_each(root)?;
    if problems.is_empty() { Ok(sources) } else { Err(Error::many(problems)) }
}

/// [`discover`], returning the problems beside what was found without the files they are about,
/// so that a build can go on to find the site's other problems. `Err` when nothing can be found.
pub(crate) fn discover_each(root: &Path) -> Result<(Sources, Vec<Error>)> {
    let content_root = root.join(CONTENT_DIR);
    if !content_root.is_dir() {
        return Err(Error::site(format!(
            "no `{CONTENT_DIR}/` folder in `{}`: a site needs at least `{CONTENT_DIR}/_index.md`",
            root.display()
        )));
    }
    let (files, mut problems) = walk(&content_root, CONTENT_DIR)?;
    let folders = Folders::of(&files);
    problems.extend(folders.problems());
    let mut sources = Sources::default();
    for path in files {
        let name = path.rsplit('/').next().unwrap_or(&path);
        if folders.is_second(&path) {
            continue;
        }
        if !name.ends_with(".md") {
            let bundle = folders.bundle_of(&path);
            sources.assets.push(ContentAsset { path, bundle });
            continue;
        }
        let kind = match name {
            "_index.md" if path == "_index.md" => SourceKind::Home,
            "index.md" if path == "index.md" => SourceKind::Home,
            "_index.md" => SourceKind::Section,
            "index.md" if folders.is_section(&path) => SourceKind::Section,
            "index.md" => SourceKind::Bundle,
            _ => SourceKind::Page,
        };
        sources.content.push(ContentFile { path, kind });
    }
    if !sources.content.iter().any(|f| f.kind == SourceKind::Home) && problems.is_empty() {
        return Err(Error::at(
            Path::new(CONTENT_DIR).join("_index.md"),
            "the home page is missing: create it with front matter and a title",
        ));
    }
    let static_root = root.join(STATIC_DIR);
    if static_root.is_dir() {
        let (files, more) = walk(&static_root, STATIC_DIR)?;
        sources.static_files = files;
        problems.extend(more);
    }
    Ok((sources, problems))
}

/// The folders of `content/` with an `index.md`. Such a folder is a page bundle (the page, and
/// files copied beside it), unless it holds other pages, at any depth: then, as in MkDocs and
/// mdBook, its `index.md` is the folder's section page, as an `_index.md` would be.
struct Folders {
    /// `folder/` of each `folder/index.md` that is a bundle.
    bundles: Vec<String>,
    /// `folder/` of each `folder/index.md` that is a section page.
    sections: Vec<String>,
    /// `folder/` of each `folder/_index.md`.
    section_pages: Vec<String>,
    /// Whether `content/index.md` exists.
    root_index: bool,
}

impl Folders {
    fn of(files: &[String]) -> Folders {
        let folder = |path: &str, name: &str| path.strip_suffix(name).map(str::to_string);
        let mut indexes: Vec<String> =
            files.iter().filter_map(|f| folder(f, "/index.md")).map(|f| f + "/").collect();
        let section_pages = files.iter().filter_map(|f| folder(f, "_index.md")).collect();
        let mut sections = Vec::new();
        if !indexes.is_empty() {
            // Every folder holding a page other than its own index, at any depth.
            let mut holding = std::collections::HashSet::new();
            for file in files.iter().filter(|f| f.ends_with(".md")) {
                let own_index = file.ends_with("/index.md") || file == "index.md";
                let mut dir = file.as_str();
                let mut first = true;
                while let Some(slash) = dir.rfind('/') {
                    dir = &dir[..slash];
                    if !(first && own_index) {
                        holding.insert(format!("{dir}/"));
                    }
                    first = false;
                }
            }
            indexes.retain(|f| match holding.contains(f) {
                true => {
                    sections.push(f.clone());
                    false
                }
                false => true,
            });
        }
        let root_index = files.iter().any(|f| f == "index.md");
        Folders { bundles: indexes, sections, section_pages, root_index }
    }

    /// Whether `path`, an `index.md`, is its folder's section page.
    fn is_section(&self, path: &str) -> bool {
        self.sections.iter().any(|f| path.strip_suffix("index.md") == Some(f.as_str()))
    }

    /// The bundle a non-Markdown file belongs to: the innermost bundle folder holding it.
    fn bundle_of(&self, path: &str) -> Option<String> {
        let bundle = self.bundles.iter().filter(|b| path.starts_with(b.as_str())).max_by_key(|b| b.len())?;
        Some(bundle.trim_end_matches('/').to_string())
    }

    /// Whether `path`, an `index.md`, is a second section page beside an `_index.md` (see
    /// [`Folders::problems`]).
    fn is_second(&self, path: &str) -> bool {
        let Some(folder) = path.strip_suffix("index.md") else { return false };
        let index = folder.is_empty() && self.root_index || self.sections.iter().any(|f| f == folder);
        index && self.section_pages.iter().any(|f| f == folder)
    }

    /// A folder with both an `_index.md` and an `index.md` holding pages has two section pages,
    /// and `content/` two home pages with both.
    fn problems(&self) -> Vec<Error> {
        let mut problems: Vec<Error> = self
            .sections
            .iter()
            .filter(|f| self.section_pages.contains(f))
            .map(|f| {
                Error::at(
                    Path::new(CONTENT_DIR).join(format!("{f}index.md")),
                    format!(
                        "`{CONTENT_DIR}/{f}` has two section pages, `_index.md` and `index.md`: keep one \
                         (`index.md` is the folder's page when the folder holds other pages, as in MkDocs)"
                    ),
                )
            })
            .collect();
        if self.root_index && self.section_pages.iter().any(String::is_empty) {
            problems.push(Error::at(
                Path::new(CONTENT_DIR).join("index.md"),
                format!("`{CONTENT_DIR}/` has two home pages, `_index.md` and `index.md`: keep one"),
            ));
        }
        problems
    }
}

/// Lists the regular files under `dir`, relative to it, sorted, skipping hidden names and links:
/// at every level, files and folders by name, a folder's files right after the folder. A file
/// whose name cannot be used is a problem, and the walk goes on.
fn walk(dir: &Path, shown: &str) -> Result<(Vec<String>, Vec<Error>)> {
    let (mut files, mut problems) = (Vec::new(), Vec::new());
    let entries = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| !is_hidden(entry.file_name()));
    for entry in entries {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_path_buf();
            Error::at(display_path(dir, shown, &path), "cannot read this folder entry").caused_by(e)
        })?;
        match accept(dir, shown, entry.path(), entry.file_type()) {
            Ok(file) => files.extend(file),
            Err(problem) => problems.push(problem),
        }
    }
    Ok((files, problems))
}

/// A name starting with `.`: left out of the site, at every level.
fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().starts_with(b".")
}

/// The path of `path` relative to `dir` if it is a regular file with a portable name.
fn accept(dir: &Path, shown: &str, path: &Path, file_type: std::fs::FileType) -> Result<Option<String>> {
    if !file_type.is_file() {
        return Ok(None);
    }
    let Some(text) = relative_text(dir, path) else {
        return Err(Error::at(
            display_path(dir, shown, path),
            "the file name is not valid UTF-8: rename the file",
        ));
    };
    // Every name becomes part of a URL and of a file in the output, on any system.
    if let Some(problem) = text.split('/').find_map(|s| crate::urls::check_portable(s).err()) {
        return Err(Error::at(
            display_path(dir, shown, path),
            format!("{problem}: rename the file or folder"),
        ));
    }
    Ok(Some(text))
}

/// `path` relative to `dir`, with `/` separators; `None` if it is not valid UTF-8.
fn relative_text(dir: &Path, path: &Path) -> Option<String> {
    let text = path.strip_prefix(dir).unwrap_or(path).to_str()?;
    Some(if cfg!(windows) { text.replace('\\', "/") } else { text.to_string() })
}

fn display_path(dir: &Path, shown: &str, path: &Path) -> PathBuf {
    Path::new(shown).join(path.strip_prefix(dir).unwrap_or(path))
}

/// `SOURCE_DATE_EPOCH` if set, else the newest modification time of the site's inputs.
pub(crate) fn build_date(root: &Path, sources: &Sources, content_newest: Option<i64>) -> Result<Date> {
    if let Ok(value) = std::env::var("SOURCE_DATE_EPOCH") {
        let seconds: i64 = value.trim().parse().map_err(|_| {
            Error::environment(format!("SOURCE_DATE_EPOCH `{value}` is not a number of seconds"))
        })?;
        return Date::from_timestamp(seconds).ok_or_else(|| {
            Error::environment(format!("SOURCE_DATE_EPOCH `{value}` is outside the years 0000 to 9999"))
        });
    }
    let mut paths: Vec<PathBuf> = vec![root.join(crate::config::FILE_NAME)];
    paths.extend(sources.static_files.iter().map(|f| root.join(STATIC_DIR).join(f)));
    for dir in [DATA_DIR, TEMPLATES_DIR] {
        if let Ok(entries) =
            walkdir::WalkDir::new(root.join(dir)).into_iter().collect::<std::result::Result<Vec<_>, _>>()
        {
            paths.extend(entries.into_iter().filter(|e| e.file_type().is_file()).map(|e| e.into_path()));
        }
    }
    let newest = paths
        .par_iter()
        .filter_map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .filter_map(crate::fs::seconds_since_epoch)
        .max()
        .max(content_newest)
        .unwrap_or(0);
    Ok(Date::from_timestamp(newest).unwrap_or_else(|| Date::from_timestamp(0).expect("the epoch is a date")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A project whose `content/` holds `files`, each a page with a title.
    fn site_with(files: &[&str]) -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        for file in files {
            let path = tmp.path().join(CONTENT_DIR).join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "+++\ntitle = \"t\"\n+++\n").unwrap();
        }
        tmp
    }

    #[test]
    fn the_walk_lists_files_in_name_order_and_skips_hidden_names_at_every_level() {
        let tmp = site_with(&[
            "_index.md",
            "z.md",
            "b/_index.md",
            "b/a.md",
            "a/x/y.md",
            "a/z.md",
            "a/w.md",
            ".hidden/p.md",
            "a/.p.md",
            ".top.md",
            "b/pic.png",
        ]);
        let sources = discover(tmp.path()).unwrap();
        let pages: Vec<&str> = sources.content.iter().map(|f| f.path.as_str()).collect();
        // A folder's files come right after it, among its neighbours by name.
        assert_eq!(pages, ["_index.md", "a/w.md", "a/x/y.md", "a/z.md", "b/_index.md", "b/a.md", "z.md"]);
        let assets: Vec<&str> = sources.assets.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(assets, ["b/pic.png"]);
    }

    #[test]
    fn an_index_beside_other_pages_is_the_folders_section_page() {
        let tmp = site_with(&[
            "index.md",
            "setup/index.md",
            "setup/install.md",
            "setup/wiring.svg",
            "deep/index.md",
            "deep/more/page.md",
            "bundle/index.md",
            "bundle/pic.png",
            "bundle/inner/index.md",
            "bundle/inner/pic.png",
        ]);
        let sources = discover(tmp.path()).unwrap();
        let kinds: Vec<(&str, SourceKind)> =
            sources.content.iter().map(|f| (f.path.as_str(), f.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("bundle/index.md", SourceKind::Section),
                ("bundle/inner/index.md", SourceKind::Bundle),
                ("deep/index.md", SourceKind::Section),
                ("deep/more/page.md", SourceKind::Page),
                ("index.md", SourceKind::Home),
                ("setup/index.md", SourceKind::Section),
                ("setup/install.md", SourceKind::Page),
            ]
        );
        let bundles: Vec<(&str, Option<&str>)> =
            sources.assets.iter().map(|a| (a.path.as_str(), a.bundle.as_deref())).collect();
        assert_eq!(
            bundles,
            [
                ("bundle/inner/pic.png", Some("bundle/inner")),
                ("bundle/pic.png", None),
                ("setup/wiring.svg", None)
            ]
        );
    }

    #[test]
    fn every_folder_with_two_section_pages_and_every_bad_name_is_reported_at_once() {
        let tmp = site_with(&[
            "_index.md",
            "index.md",
            "a/_index.md",
            "a/index.md",
            "a/p.md",
            "b/x?.md",
            "b/y*.md",
        ]);
        let (sources, problems) = discover_each(tmp.path()).unwrap();
        let paths: Vec<&str> = sources.content.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["_index.md", "a/_index.md", "a/p.md"]);
        let shown: Vec<String> = problems.iter().map(|e| e.path().unwrap().display().to_string()).collect();
        assert_eq!(shown.len(), 4, "{shown:?}");
        for path in ["content/index.md", "content/a/index.md", "content/b/x?.md", "content/b/y*.md"] {
            assert!(shown.iter().any(|s| s == path), "{path}: {shown:?}");
        }
    }

    #[test]
    fn the_walk_reaches_files_in_deeply_nested_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let content = tmp.path().join(CONTENT_DIR);
        let deep = "d/".repeat(1000);
        std::fs::create_dir_all(content.join(&deep)).unwrap();
        std::fs::write(content.join("_index.md"), "+++\ntitle = \"t\"\n+++\n").unwrap();
        std::fs::write(content.join(&deep).join("p.md"), "+++\ntitle = \"t\"\n+++\n").unwrap();
        let sources = discover(tmp.path()).unwrap();
        let pages: Vec<&str> = sources.content.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(pages, ["_index.md".to_string(), format!("{deep}p.md")]);
    }
}
