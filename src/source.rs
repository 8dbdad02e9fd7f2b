//! Walks `content/` and `static/` and classifies what it finds: the home page, sections, pages,
//! page bundles and their files, other content files, and static files.
//!
//! Hidden files and folders (a name starting with `.`) are ignored, and symbolic links are never
//! followed, so nothing outside the project can end up in the output. The walk is sorted so that
//! every later stage sees the same order on every machine.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::error::{Error, Result};

/// The content folder's name, relative to the project root.
pub const CONTENT_DIR: &str = "content";
/// The static folder's name, relative to the project root.
pub const STATIC_DIR: &str = "static";

/// What a Markdown file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
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
pub struct ContentFile {
    /// Path relative to `content/`, with `/` separators.
    pub path: String,
    /// What it is.
    pub kind: SourceKind,
}

/// A non-Markdown file in `content/`.
#[derive(Debug, Clone)]
pub struct ContentAsset {
    /// Path relative to `content/`, with `/` separators.
    pub path: String,
    /// The folder of the bundle it belongs to (relative to `content/`), if it is in one.
    pub bundle: Option<String>,
}

/// Everything found in the project's source folders.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Markdown files, sorted by path.
    pub content: Vec<ContentFile>,
    /// Other files in `content/`, sorted by path.
    pub assets: Vec<ContentAsset>,
    /// Files in `static/`, relative to it, sorted.
    pub static_files: Vec<String>,
}

/// Walks the project at `root`.
pub fn discover(root: &Path) -> Result<Sources> {
    let content_root = root.join(CONTENT_DIR);
    if !content_root.is_dir() {
        return Err(Error::site(format!(
            "no `{CONTENT_DIR}/` folder in `{}`: a site needs at least `{CONTENT_DIR}/_index.md`",
            root.display()
        )));
    }
    let files = walk(&content_root, CONTENT_DIR)?;
    let bundles: Vec<String> =
        files.iter().filter_map(|f| f.strip_suffix("/index.md").map(str::to_string)).collect();
    let bundle_of = |path: &str| {
        bundles
            .iter()
            .filter(|b| path.starts_with(b.as_str()) && path.as_bytes().get(b.len()) == Some(&b'/'))
            .max_by_key(|b| b.len())
            .cloned()
    };

    let mut sources = Sources::default();
    for path in files {
        let name = path.rsplit('/').next().unwrap_or(&path);
        if !name.ends_with(".md") {
            let bundle = bundle_of(&path);
            sources.assets.push(ContentAsset { path, bundle });
            continue;
        }
        let kind = match name {
            "_index.md" if path == "_index.md" => SourceKind::Home,
            "_index.md" => SourceKind::Section,
            "index.md" if path != "index.md" => SourceKind::Bundle,
            _ => SourceKind::Page,
        };
        if kind != SourceKind::Bundle
            && let Some(bundle) = bundle_of(&path)
        {
            return Err(Error::at(
                Path::new(CONTENT_DIR).join(&path),
                format!(
                    "a page bundle (`{CONTENT_DIR}/{bundle}/index.md`) cannot hold other pages or sections: move this file out of its folder"
                ),
            ));
        }
        sources.content.push(ContentFile { path, kind });
    }
    if !sources.content.iter().any(|f| f.kind == SourceKind::Home) {
        return Err(Error::at(
            Path::new(CONTENT_DIR).join("_index.md"),
            "the home page is missing: create it with front matter and a title",
        ));
    }
    let static_root = root.join(STATIC_DIR);
    if static_root.is_dir() {
        sources.static_files = walk(&static_root, STATIC_DIR)?;
    }
    Ok(sources)
}

/// Lists the regular files under `dir`, relative to it, sorted, skipping hidden names and links.
/// The folders at the top are walked in parallel (a site's pages are usually spread over a few
/// of them); the order is the one a single sorted walk gives.
fn walk(dir: &Path, shown: &str) -> Result<Vec<String>> {
    use rayon::prelude::*;
    // The top level is listed on its own: a walk stopped at one level still opens and reads each
    // folder there, one after another (100 folders of 100 pages: 12 ms on one thread).
    let unreadable = |path: &Path, e: std::io::Error| {
        Error::at(display_path(dir, shown, path), "cannot read this folder entry").caused_by(e)
    };
    let mut top = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| unreadable(dir, e))? {
        let entry = entry.map_err(|e| unreadable(dir, e))?;
        if is_hidden(&entry.file_name()) {
            continue;
        }
        let path = entry.path();
        // As a walk sees it: a link is a link, never what it points to.
        let file_type = entry.file_type().map_err(|e| unreadable(&path, e))?;
        top.push((path, file_type));
    }
    top.sort_by(|(a, _), (b, _)| a.file_name().cmp(&b.file_name()));
    // A job for each folder: their sizes differ too much to be shared out in halves.
    let parts: Vec<Result<Vec<String>>> = top
        .par_iter()
        .with_max_len(1)
        .map(|(path, file_type)| {
            if !file_type.is_dir() {
                return Ok(accept(dir, shown, path, *file_type)?.into_iter().collect());
            }
            let mut files = Vec::new();
            for entry in sorted_walk(path).into_iter().filter_entry(is_visible) {
                let entry = entry_of(dir, shown, entry)?;
                files.extend(accept(dir, shown, entry.path(), entry.file_type())?);
            }
            Ok(files)
        })
        .collect();
    let mut files = Vec::new();
    for part in parts {
        files.extend(part?);
    }
    Ok(files)
}

fn sorted_walk(dir: &Path) -> WalkDir {
    WalkDir::new(dir).follow_links(false).sort_by_file_name()
}

fn is_visible(entry: &walkdir::DirEntry) -> bool {
    !is_hidden(entry.file_name())
}

/// A name starting with `.`: left out of the site, at every level.
fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().starts_with(b".")
}

fn entry_of(dir: &Path, shown: &str, entry: walkdir::Result<walkdir::DirEntry>) -> Result<walkdir::DirEntry> {
    entry.map_err(|e| {
        let path = e.path().map(|p| display_path(dir, shown, p)).unwrap_or_else(|| PathBuf::from(shown));
        Error::at(path, "cannot read this folder entry").caused_by(e)
    })
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

/// `path` relative to `dir`; `None` if it is not valid UTF-8. Where `/` is the separator (as on
/// every Unix) the text is cut rather than parsed into components: every file of a site passes
/// through here.
fn relative_text(dir: &Path, path: &Path) -> Option<String> {
    if std::path::MAIN_SEPARATOR == '/'
        && let (Some(dir), Some(path)) = (dir.to_str(), path.to_str())
        && let Some(rest) = path.strip_prefix(dir).and_then(|rest| rest.strip_prefix('/'))
    {
        return Some(rest.to_string());
    }
    path.strip_prefix(dir).unwrap_or(path).to_str().map(str::to_string)
}

fn display_path(dir: &Path, shown: &str, path: &Path) -> PathBuf {
    Path::new(shown).join(path.strip_prefix(dir).unwrap_or(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_lists_files_in_name_order_and_skips_hidden_names_at_every_level() {
        let tmp = tempfile::tempdir().unwrap();
        let content = tmp.path().join(CONTENT_DIR);
        for file in [
            "_index.md",
            "z.md",
            "b/_index.md",
            "b/a.md",
            "a/x/y.md",
            ".hidden/p.md",
            "a/.p.md",
            ".top.md",
            "b/pic.png",
        ] {
            let path = content.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "+++\ntitle = \"t\"\n+++\n").unwrap();
        }
        let sources = discover(tmp.path()).unwrap();
        let pages: Vec<&str> = sources.content.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(pages, ["_index.md", "a/x/y.md", "b/_index.md", "b/a.md", "z.md"]);
        let assets: Vec<&str> = sources.assets.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(assets, ["b/pic.png"]);
    }
}
