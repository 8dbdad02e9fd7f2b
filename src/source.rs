//! Walks `content/` and `static/` and classifies what it finds: the home page, sections, pages,
//! page bundles and their files, other content files, and static files.
//!
//! Hidden files and folders (a name starting with `.`) are ignored, and symbolic links are never
//! followed, so nothing outside the project can end up in the output. The walk is sorted so that
//! every later stage sees the same order on every machine.

use std::path::{Path, PathBuf};

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
    // Every badly named file of `content/` and `static/` is reported at once, not the first only.
    let static_root = root.join(STATIC_DIR);
    let (files, static_files) = crate::error::both(
        walk(&content_root, CONTENT_DIR),
        if static_root.is_dir() { walk(&static_root, STATIC_DIR) } else { Ok(Vec::new()) },
    )?;
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
    sources.static_files = static_files;
    Ok(sources)
}

/// Lists the regular files under `dir`, relative to it, sorted, skipping hidden names and links.
/// The folders at the top are walked in parallel (a site's pages are usually spread over a few
/// of them); the order is the one a single sorted walk gives: at every level, files and folders
/// by name, a folder's files right after the folder. Every file whose name cannot be used is
/// an error, all of them reported together.
fn walk(dir: &Path, shown: &str) -> Result<Vec<String>> {
    use rayon::prelude::*;
    let top = entries(dir, shown, dir)?;
    // A job for each folder: their sizes differ too much to be shared out in halves.
    let parts: Vec<Result<(Vec<String>, Vec<Error>)>> = top
        .into_par_iter()
        .with_max_len(1)
        .map(|entry| {
            let (mut files, mut refused) = (Vec::new(), Vec::new());
            visit(dir, shown, entry, &mut files, &mut refused)?;
            Ok((files, refused))
        })
        .collect();
    let (mut files, mut refused) = (Vec::new(), Vec::new());
    for part in parts {
        let (part, part_refused) = part?;
        files.extend(part);
        refused.extend(part_refused);
    }
    if !refused.is_empty() {
        return Err(Error::many(refused));
    }
    Ok(files)
}

/// An entry of a folder being walked.
struct Entry {
    name: std::ffi::OsString,
    path: PathBuf,
    /// As the folder lists it: a link is a link, never what it points to.
    file_type: std::fs::FileType,
}

/// The entries of `folder` (under `dir`) by name, hidden names left out. Each name is read once
/// from the listing: sorting by the paths' last components would parse them at every comparison.
fn entries(dir: &Path, shown: &str, folder: &Path) -> Result<Vec<Entry>> {
    let unreadable = |path: &Path, e: std::io::Error| {
        Error::at(display_path(dir, shown, path), "cannot read this folder entry").caused_by(e)
    };
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(|e| unreadable(folder, e))? {
        let entry = entry.map_err(|e| unreadable(folder, e))?;
        let name = entry.file_name();
        if is_hidden(&name) {
            continue;
        }
        let path = entry.path();
        let file_type = entry.file_type().map_err(|e| unreadable(&path, e))?;
        entries.push(Entry { name, path, file_type });
    }
    entries.sort_unstable_by(|a, b| a.name.cmp(&b.name));
    Ok(entries)
}

/// Adds the file `entry`, or the files of the folder `entry` at any depth, to `files`, and the
/// error of each file whose name cannot be used to `refused`. Folders are kept on a list rather
/// than the call stack, so that no nesting can exhaust it.
fn visit(
    dir: &Path,
    shown: &str,
    entry: Entry,
    files: &mut Vec<String>,
    refused: &mut Vec<Error>,
) -> Result<()> {
    // Entries still to visit, the next one last.
    let mut pending = vec![entry];
    while let Some(entry) = pending.pop() {
        if entry.file_type.is_dir() {
            pending.extend(entries(dir, shown, &entry.path)?.into_iter().rev());
        } else {
            match accept(dir, shown, &entry.path, entry.file_type) {
                Ok(file) => files.extend(file),
                Err(e) => refused.push(e),
            }
        }
    }
    Ok(())
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
            "a/z.md",
            "a/w.md",
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
        // A folder's files come right after it, among its neighbours by name.
        assert_eq!(pages, ["_index.md", "a/w.md", "a/x/y.md", "a/z.md", "b/_index.md", "b/a.md", "z.md"]);
        let assets: Vec<&str> = sources.assets.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(assets, ["b/pic.png"]);
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
