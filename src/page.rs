//! A content file resolved into a [`Page`]: its front matter checked, its site path derived.
//!
//! Home page, sections and pages are all `Page`s (told apart by [`SourceKind`]), kept in one
//! `Vec` by the [`Site`](crate::site::Site) and referred to by [`PageId`].

use std::path::{Path, PathBuf};

use crate::error::{Error, Position, Result};
use crate::front_matter::{self, FrontMatter};
use crate::source::{CONTENT_DIR, ContentFile, SourceKind};
use crate::urls;

/// Index of a page in the site's page list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct PageId(pub u32);

impl PageId {
    /// The index into the page list.
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// A resolved page, section or home page.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    /// Path relative to `content/`, with `/` separators (`guides/protocols.md`).
    pub(crate) source: String,
    /// Home, section, page or bundle.
    pub(crate) kind: SourceKind,
    /// The front matter as written.
    pub(crate) front: FrontMatter,
    /// The Markdown body, BOM removed and line endings normalised. Shared, so that `juxta serve`
    /// copies its unchanged pages cheaply into each rebuild.
    pub(crate) body: std::sync::Arc<str>,
    /// The line of the source file on which the body starts.
    pub(crate) body_line: usize,
    /// Site path of the page's folder: `""` for home, `guides/protocols/` otherwise.
    pub(crate) path: String,
    /// Where keys were written in the front matter, for errors found later.
    pub(crate) positions: KeyPositions,
    /// The enclosing section (none for the home page). Set when the site is assembled.
    pub(crate) parent: Option<PageId>,
    /// For sections: their pages, sorted by weight, date, then title.
    pub(crate) pages: Vec<PageId>,
    /// For sections: their direct subsections, sorted like pages.
    pub(crate) subsections: Vec<PageId>,
    /// When its source file was last changed, in seconds since 1970 (for the build date).
    pub(crate) modified: Option<i64>,
    /// For a page a comparison dataset asks for (see [`crate::comparison::pages`]), what it
    /// shows; `None` for the pages of `content/`.
    pub(crate) generated: Option<std::sync::Arc<Generated>>,
}

/// Positions of front matter keys that are validated after parsing.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct KeyPositions {
    /// `template`.
    pub(crate) template: Option<Position>,
    /// `aliases`.
    pub(crate) aliases: Option<Position>,
    /// `slug`.
    pub(crate) slug: Option<Position>,
}

/// A generated page: which dataset it shows, and what of it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Generated {
    /// The dataset's id.
    pub(crate) dataset: String,
    /// `data/<file>`.
    pub(crate) shown: PathBuf,
    /// What the page shows.
    pub(crate) kind: Kind,
    /// Where the file asks for it.
    pub(crate) at: Position,
    /// How messages name it: "the pair page `lte-m` vs `nb-iot`".
    pub(crate) what: String,
}

/// What a generated page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Two subjects side by side (indexes into the subjects).
    Pair(usize, usize),
    /// One subject on every dimension.
    Subject(usize),
    /// Every subject on one dimension.
    Dimension(usize),
}

impl Kind {
    /// The template the page is rendered with.
    pub(crate) fn template(self) -> &'static str {
        match self {
            Kind::Pair(..) => "comparison-pair.html",
            Kind::Subject(_) => "comparison-subject.html",
            Kind::Dimension(_) => "comparison-dimension.html",
        }
    }

    /// `pair`, `subject` or `dimension`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Pair(..) => "pair",
            Kind::Subject(_) => "subject",
            Kind::Dimension(_) => "dimension",
        }
    }
}

impl Page {
    /// The path shown in errors: `content/<source>`, or for a generated page the data file that
    /// asks for it.
    pub(crate) fn shown_path(&self) -> PathBuf {
        match &self.generated {
            Some(generated) => generated.shown.clone(),
            None => Path::new(CONTENT_DIR).join(&self.source),
        }
    }

    /// A page a comparison dataset asks for: no Markdown of its own, `source` a key no content
    /// file can have (it starts with `@`).
    pub(crate) fn generated(
        source: String,
        path: String,
        front: FrontMatter,
        generated: std::sync::Arc<Generated>,
    ) -> Page {
        Page {
            source,
            kind: SourceKind::Page,
            front,
            body: std::sync::Arc::from(""),
            body_line: 1,
            path,
            positions: KeyPositions::default(),
            parent: None,
            pages: Vec::new(),
            subsections: Vec::new(),
            modified: None,
            generated: Some(generated),
        }
    }

    /// Whether this is the home page or a section (something with `pages`).
    pub(crate) fn is_section(&self) -> bool {
        matches!(self.kind, SourceKind::Home | SourceKind::Section)
    }

    /// The folder of the source file relative to `content/` (`guides/` or ``).
    pub(crate) fn source_dir(&self) -> &str {
        self.source.rfind('/').map_or("", |i| &self.source[..=i])
    }

    /// The output file of the page.
    pub(crate) fn output_file(&self) -> String {
        [self.path.as_str(), "index.html"].concat()
    }
}

/// Files that could not be read, each with its error.
pub(crate) type Unread = Vec<(String, Error)>;

/// Reads and resolves content files in parallel; `root` is the project root. Returns the pages
/// that could be read and, beside them, each file that could not with its error, so that a
/// build can go on to find the site's other problems.
pub(crate) fn resolve_each<F>(root: &Path, files: &[F]) -> Result<(Vec<Page>, Unread)>
where
    F: std::borrow::Borrow<ContentFile> + Sync,
{
    use rayon::prelude::*;
    let reads: Vec<Result<Page>> =
        files.par_iter().with_max_len(crate::PAGES_PER_JOB).map(|f| resolve(root, f.borrow())).collect();
    let mut pages = Vec::with_capacity(reads.len());
    let mut unread = Vec::new();
    for (file, read) in files.iter().zip(reads) {
        match read {
            Ok(page) => pages.push(page),
            Err(e) => unread.push((file.borrow().path.clone(), e)),
        }
    }
    Ok((pages, unread))
}

/// Reads and resolves one content file of the project at `root`.
fn resolve(root: &Path, file: &ContentFile) -> Result<Page> {
    let shown = Path::new(CONTENT_DIR).join(&file.path);
    let (text, modified) = crate::fs::read_source_dated(&root.join(&shown), &shown)?;
    Ok(Page { modified, ..parse(file, &text)? })
}

/// Resolves one content file from its text.
pub(crate) fn parse(file: &ContentFile, raw: &str) -> Result<Page> {
    let shown = Path::new(CONTENT_DIR).join(&file.path);
    let text = &crate::located::normalize(raw);
    let split = front_matter::split(text, &shown)?;
    let front = front_matter::parse(&split, text, &shown)?;
    let positions = KeyPositions {
        // Looked for only when written: most pages have neither.
        template: front.template.as_ref().and_then(|_| front_matter::key_position(&split, text, "template")),
        aliases: (!front.aliases.is_empty())
            .then(|| front_matter::key_position(&split, text, "aliases"))
            .flatten(),
        slug: front.slug.as_ref().and_then(|_| front_matter::key_position(&split, text, "slug")),
    };
    let slug_at = || positions.slug.unwrap_or(Position::new(1, 1));

    if front.slug.is_some() && matches!(file.kind, SourceKind::Home | SourceKind::Section) {
        return Err(Error::at_position(
            &shown,
            slug_at(),
            "`slug` is only for pages: a section's URL is its folder name, so rename the folder instead",
        ));
    }
    if front.paginate_by.is_some() && !matches!(file.kind, SourceKind::Home | SourceKind::Section) {
        let at = front_matter::key_position(&split, text, "paginate_by").unwrap_or(Position::new(1, 1));
        return Err(Error::at_position(
            &shown,
            at,
            "`paginate_by` is only for sections and the home page, whose pages it splits into pages of a listing",
        ));
    }
    if let Some(slug) = &front.slug {
        urls::check_segment(slug).map_err(|m| Error::at_position(&shown, slug_at(), format!("slug: {m}")))?;
    }
    for alias in &front.aliases {
        crate::urls::alias_file(alias).map_err(|m| {
            Error::at_position(
                &shown,
                positions.aliases.unwrap_or(Position::new(1, 1)),
                format!("aliases: {m}"),
            )
        })?;
    }
    let path = site_path(&file.path, file.kind, front.slug.as_deref())
        .map_err(|m| Error::at(&shown, format!("cannot make a URL from this file's path: {m}")))?;
    let body = std::sync::Arc::from(split.body);
    let body_line = split.body_line;
    Ok(Page {
        source: file.path.clone(),
        kind: file.kind,
        front,
        body,
        body_line,
        path,
        positions,
        parent: None,
        pages: Vec::new(),
        subsections: Vec::new(),
        modified: None,
        generated: None,
    })
}

/// The site path of a content file: its folders, then its slug or file stem, then `/`.
fn site_path(source: &str, kind: SourceKind, slug: Option<&str>) -> std::result::Result<String, String> {
    let mut segments: Vec<&str> = source.split('/').collect();
    let file = segments.pop().unwrap_or_default();
    if kind == SourceKind::Page {
        segments.push(file.strip_suffix(".md").unwrap_or(file));
    }
    if let (Some(slug), Some(last)) = (slug, segments.last_mut()) {
        *last = slug;
    }
    let mut path = String::with_capacity(source.len() + 1);
    for segment in segments {
        urls::check_segment(segment)?;
        path.push_str(segment);
        path.push('/');
    }
    urls::check_length(&path)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_paths_are_pretty() {
        assert_eq!(site_path("_index.md", SourceKind::Home, None).unwrap(), "");
        assert_eq!(site_path("guides/_index.md", SourceKind::Section, None).unwrap(), "guides/");
        assert_eq!(site_path("guides/mqtt.md", SourceKind::Page, None).unwrap(), "guides/mqtt/");
        assert_eq!(site_path("guides/mqtt.md", SourceKind::Page, Some("m")).unwrap(), "guides/m/");
        assert_eq!(site_path("a/b/index.md", SourceKind::Bundle, Some("c")).unwrap(), "a/c/");
        assert!(site_path("a/con.md", SourceKind::Page, None).is_err());
    }
}
