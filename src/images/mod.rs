//! Images in pages: every JPEG, PNG or WebP a page shows is resized to the widths of `[images]`
//! (never wider than the original), encoded as WebP, and written with `srcset`, `sizes`, `width`
//! and `height`; SVG and GIF pass through as they are, with the size read from them. The original
//! file is copied as ever, so a link to it keeps working.
//!
//! [`Images`] knows every image file of the site (in `content/` and `static/`) and processes one
//! the first time a page shows it, once whatever the number of pages: the files a build writes
//! are those of the images its pages show. The encoded variants are kept in the [`Cache`]
//! between builds, keyed by the original's contents and the settings, so a rebuild re-encodes
//! nothing; the bytes written are the same with or without the cache.
//!
//! A problem with an image (not an image, truncated, an unsupported format, too many pixels) is
//! reported by each page that shows it, at the place it does ([`Problem`]).

mod process;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use ahash::AHashMap as HashMap;

use crate::cache::Cache;
use crate::html;
use crate::media_config::ImagesConfig;
use crate::urls::{self, Flavour};

/// File extensions of the files treated as images (processed, passed through, or refused as a
/// format juxta does not read), in lowercase.
const EXTENSIONS: [&str; 14] =
    ["jpg", "jpeg", "png", "webp", "gif", "svg", "avif", "bmp", "tif", "tiff", "heic", "heif", "jxl", "ico"];

/// Every image file of the site, processed when a page first shows it.
#[derive(Debug)]
pub(crate) struct Images {
    root: PathBuf,
    /// By site path of the original's copy.
    files: HashMap<String, Entry>,
    settings: ImagesConfig,
    cache: Cache,
}

#[derive(Debug)]
struct Entry {
    /// The original, relative to the project root.
    source: PathBuf,
    done: OnceLock<Result<Arc<Image>, Problem>>,
}

/// What a page needs to show an image.
#[derive(Debug)]
pub(crate) struct Image {
    /// The width and height it is shown at, upright (a photograph's orientation applied).
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// The site path of the original.
    pub(crate) original: String,
    /// The resized copies, narrowest first; empty for an image that passes through (SVG, GIF).
    pub(crate) variants: Vec<Variant>,
}

/// One resized copy of an image.
#[derive(Debug)]
pub(crate) struct Variant {
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// Where it is written: beside the original, named by its width and a hash of what made it
    /// (`photo-960w.3f2a9c1d.webp`).
    pub(crate) site_path: String,
    pub(crate) bytes: Vec<u8>,
}

/// Why an image cannot be shown: the message names the image file; the page showing it adds
/// itself and the place.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Problem(pub(crate) String);

/// Whether an image loads with the page or when it is scrolled near.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Loading {
    /// On the first screen: loaded at once.
    Eager,
    /// Below it: `loading="lazy"`.
    Lazy,
}

/// What the `<img>` element says besides the image itself.
pub(crate) struct Markup<'a> {
    pub(crate) alt: &'a str,
    pub(crate) title: Option<&'a str>,
    pub(crate) class: Option<&'a str>,
    pub(crate) loading: Loading,
    /// Overrides `[images] sizes`.
    pub(crate) sizes: Option<&'a str>,
}

impl Images {
    /// The images among `files` (pairs of a site path and the source relative to `root`).
    pub(crate) fn new<'f>(
        root: &Path,
        files: impl Iterator<Item = (&'f str, &'f Path)>,
        settings: &ImagesConfig,
    ) -> Images {
        let files = files
            .filter(|(site_path, _)| is_image_name(site_path))
            .map(|(site_path, source)| {
                (site_path.to_string(), Entry { source: source.to_path_buf(), done: OnceLock::new() })
            })
            .collect();
        Images { root: root.to_path_buf(), files, settings: settings.clone(), cache: Cache::of_project(root) }
    }

    /// The image at `site_path`, processed if no page showed it before; `None` when the site
    /// has no image file there.
    pub(crate) fn get(&self, site_path: &str) -> Option<Result<Arc<Image>, Problem>> {
        let entry = self.files.get(site_path)?;
        Some(entry.done.get_or_init(|| self.process(site_path, &entry.source)).clone())
    }

    /// The source of the image at `site_path`, relative to the project root.
    pub(crate) fn source(&self, site_path: &str) -> Option<&Path> {
        self.files.get(site_path).map(|e| e.source.as_path())
    }

    /// The site paths of every image file.
    pub(crate) fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// The images pages have shown, by site path.
    pub(crate) fn shown(&self) -> Vec<&Image> {
        let mut shown: Vec<(&String, &Image)> = self
            .files
            .iter()
            .filter_map(|(path, e)| Some((path, e.done.get()?.as_ref().ok()?.as_ref())))
            .collect();
        shown.sort_by(|a, b| a.0.cmp(b.0));
        shown.into_iter().map(|(_, image)| image).collect()
    }

    fn process(&self, site_path: &str, source: &Path) -> Result<Arc<Image>, Problem> {
        let shown = source.display();
        let bytes = std::fs::read(self.root.join(source))
            .map_err(|e| Problem(format!("cannot read the image `{shown}`: {e}")))?;
        let work = process::Work { site_path, bytes: &bytes, settings: &self.settings, cache: &self.cache };
        process::image(&work).map(Arc::new).map_err(|m| Problem(format!("the image `{shown}` {m}")))
    }
}

/// Whether a file name is one of an image, by its extension.
pub(crate) fn is_image_name(name: &str) -> bool {
    let Some((_, ext)) = name.rsplit_once('.') else { return false };
    EXTENSIONS.iter().any(|e| e.eq_ignore_ascii_case(ext))
}

/// The `<img>` element showing `image` on a page at folder depth `depth`.
pub(crate) fn img(
    image: &Image,
    depth: usize,
    flavour: Flavour,
    settings: &ImagesConfig,
    m: &Markup<'_>,
) -> String {
    let link = |site_path: &str| html::escape(&urls::link(depth, site_path, flavour));
    let mut out = String::with_capacity(200 + image.variants.len() * 60);
    out.push_str("<img src=\"");
    match image.variants.last() {
        Some(widest) => {
            out.push_str(&link(&widest.site_path));
            out.push_str("\" srcset=\"");
            let candidates: Vec<String> =
                image.variants.iter().map(|v| format!("{} {}w", link(&v.site_path), v.width)).collect();
            out.push_str(&candidates.join(", "));
            out.push_str("\" sizes=\"");
            out.push_str(&html::escape(m.sizes.unwrap_or(&settings.sizes)));
        }
        None => out.push_str(&link(&image.original)),
    }
    out.push_str(&format!("\" width=\"{}\" height=\"{}\" alt=\"", image.width, image.height));
    out.push_str(&html::escape(m.alt));
    out.push('"');
    for (name, value) in [("title", m.title), ("class", m.class)] {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            out.push_str(&format!(" {name}=\"{}\"", html::escape(value)));
        }
    }
    if m.loading == Loading::Lazy {
        out.push_str(" loading=\"lazy\" decoding=\"async\"");
    }
    out.push('>');
    out
}
