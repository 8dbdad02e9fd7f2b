//! Share cards: the 1200 × 630 PNG a page's link shows when it is shared (OpenGraph's and
//! Twitter's `og:image`). The theme's SVG template `share-card.svg` is rendered with the page's
//! values, then drawn with resvg and the bundled Inter font (SIL Open Font License, beside it in
//! `fonts/`), and fonts the site adds with `[share_cards] fonts`. No system font is read, so the
//! same page gives the same bytes on every machine.
//!
//! Text in an SVG does not wrap: the template asks `wrap_text` for lines that fit a width,
//! measured with the fonts the card is drawn with; a title too long for its lines ends with `…`.
//! Text is shaped with its script's rules and laid out right to left where it reads that way; a
//! character no font has is left out, and the build says so.
//!
//! A page that names its own image (`extra.share_image` in its front matter) gets none. Cards are
//! cached like images ([`Cache`]), keyed by the SVG and the fonts.

pub(crate) mod pages;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use resvg::usvg::{self, fontdb};

use crate::cache::{self, Cache};
use crate::media_config::CardsConfig;

/// A card's width and height, in pixels: what OpenGraph and Twitter show best.
pub(crate) const WIDTH: u32 = 1200;
pub(crate) const HEIGHT: u32 = 630;

/// A card's file, in its page's folder.
pub(crate) const FILE: &str = "share-card.png";

/// The template a theme draws cards with.
pub(crate) const TEMPLATE: &str = "share-card.svg";

/// The card template of a theme without one.
pub(crate) const DEFAULT_TEMPLATE: &str = include_str!("default.svg");

/// The bundled font, regular and bold.
const INTER: [&[u8]; 2] = [include_bytes!("fonts/Inter-Regular.otf"), include_bytes!("fonts/Inter-Bold.otf")];

/// What changes a card's bytes besides its SVG and fonts.
const RECIPE: &str = "juxta-card-1 resvg-0.49 inter-4.0b7";

/// The fonts and cache of a site's cards, loaded when the first card needs them.
#[derive(Debug)]
pub(crate) struct Cards {
    root: PathBuf,
    pub(crate) settings: CardsConfig,
    cache: Cache,
    fonts: OnceLock<Result<Arc<Fonts>, String>>,
}

/// The fonts cards are drawn with, and a hash of them for the cache.
#[derive(Debug)]
pub(crate) struct Fonts {
    db: Arc<fontdb::Database>,
    /// Each font file with its weight, to measure text: Inter regular and bold, then the site's.
    files: Vec<(Arc<Vec<u8>>, u16)>,
    key: String,
}

/// How `wrap_text` lays out a text.
#[derive(Debug, Clone)]
pub(crate) struct Wrap {
    /// The width each line must fit, in pixels.
    pub(crate) width: f32,
    /// The font size, in pixels.
    pub(crate) size: f32,
    /// The font weight (400 regular, 700 bold).
    pub(crate) weight: u16,
    /// The most lines; the last one ends with `…` when the text goes on.
    pub(crate) lines: usize,
}

impl Cards {
    /// The cards of the project at `root`.
    pub(crate) fn new(root: &Path, settings: &CardsConfig) -> Cards {
        Cards {
            root: root.to_path_buf(),
            settings: settings.clone(),
            cache: Cache::of_project(root),
            fonts: OnceLock::new(),
        }
    }

    /// The fonts, loaded once; the message names the font that could not be read.
    pub(crate) fn fonts(&self) -> Result<Arc<Fonts>, String> {
        self.fonts.get_or_init(|| load_fonts(&self.root, &self.settings.fonts).map(Arc::new)).clone()
    }

    /// Draws the card `svg` as a PNG, from the cache when it was drawn before.
    pub(crate) fn draw(&self, svg: &str) -> Result<Vec<u8>, String> {
        let fonts = self.fonts()?;
        let key = cache::key(&[RECIPE.as_bytes(), fonts.key.as_bytes(), svg.as_bytes()]);
        if let Some(png) = self.cache.get("cards", &key).filter(|png| png.starts_with(b"\x89PNG")) {
            return Ok(png);
        }
        let tree = usvg::Tree::from_str(svg, &options(&fonts))
            .map_err(|e| format!("the share card template does not make a valid SVG: {e}"))?;
        let mut pixmap = resvg::tiny_skia::Pixmap::new(WIDTH, HEIGHT).expect("a card has a size");
        let size = tree.size();
        let scale = (WIDTH as f32 / size.width()).min(HEIGHT as f32 / size.height());
        resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
        let png = pixmap.encode_png().map_err(|e| format!("the share card could not be encoded: {e}"))?;
        self.cache.put("cards", &key, &png);
        Ok(png)
    }
}

/// The options every card and measure is parsed with: the site's fonts only, Inter first, and
/// no file read on the SVG's behalf.
fn options(fonts: &Fonts) -> usvg::Options<'static> {
    usvg::Options {
        font_family: "Inter".into(),
        fontdb: fonts.db.clone(),
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    }
}

fn load_fonts(root: &Path, extra: &[String]) -> Result<Fonts, String> {
    let mut db = fontdb::Database::new();
    let mut parts: Vec<Vec<u8>> = Vec::new();
    let mut files = Vec::new();
    for (font, weight) in INTER.into_iter().zip([400, 700]) {
        db.load_font_data(font.to_vec());
        files.push((Arc::new(font.to_vec()), weight));
    }
    for name in extra {
        let bytes = std::fs::read(root.join(name)).map_err(|e| {
            format!("`[share_cards] fonts` in site.toml names `{name}`, which cannot be read: {e}")
        })?;
        let before = db.len();
        db.load_font_data(bytes.clone());
        if db.len() == before {
            return Err(format!(
                "`[share_cards] fonts` in site.toml names `{name}`, which is not a TrueType or OpenType font"
            ));
        }
        files.push((Arc::new(bytes.clone()), 400));
        parts.push(bytes);
    }
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    Ok(Fonts { db: Arc::new(db), files, key: cache::key(&refs) })
}

/// `text` in lines of at most `wrap.width` pixels, at most `wrap.lines` of them. Words are kept
/// whole where they fit; a word wider than a line, or text without spaces (Chinese, Japanese), is
/// broken between characters.
pub(crate) fn wrap_text(cards: &Cards, text: &str, wrap: &Wrap) -> Result<Vec<String>, String> {
    let fonts = cards.fonts()?;
    let measure = |line: &str| width_of(&fonts, line, wrap);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if measure(&candidate) <= wrap.width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // A word wider than a line is broken between characters.
        for c in word.chars() {
            let candidate = format!("{line}{c}");
            if !line.is_empty() && measure(&candidate) > wrap.width {
                lines.push(std::mem::replace(&mut line, c.to_string()));
            } else {
                line = candidate;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > wrap.lines {
        lines.truncate(wrap.lines);
        let last = lines.last_mut().expect("at least one line");
        // The last line gives way to `…`, a character at a time, until both fit.
        while !last.is_empty() && measure(&format!("{last}…")) > wrap.width {
            last.pop();
        }
        *last = format!("{}…", last.trim_end());
    }
    Ok(lines)
}

/// How wide `text` is drawn, in pixels: the advances of its characters in the first font that
/// has each (Inter of the nearest weight first). Kerning, which only narrows text, is left out,
/// so a line measured to fit does.
fn width_of(fonts: &Fonts, text: &str, wrap: &Wrap) -> f32 {
    use skrifa::MetadataProvider;
    let mut order: Vec<&(Arc<Vec<u8>>, u16)> = fonts.files.iter().collect();
    order[..INTER.len()].sort_by_key(|(_, weight)| weight.abs_diff(wrap.weight));
    let faces: Vec<skrifa::FontRef<'_>> =
        order.iter().filter_map(|(data, _)| skrifa::FontRef::from_index(data, 0).ok()).collect();
    let size = skrifa::instance::Size::new(wrap.size);
    let metrics: Vec<_> = faces
        .iter()
        .map(|f| (f.charmap(), f.glyph_metrics(size, skrifa::instance::LocationRef::default())))
        .collect();
    text.chars().filter_map(|c| metrics.iter().find_map(|(map, m)| m.advance_width(map.map(c)?))).sum()
}

/// The characters of `text` that no font of the cards has.
pub(crate) fn missing_glyphs(cards: &Cards, text: &str) -> Vec<char> {
    let Ok(fonts) = cards.fonts() else { return Vec::new() };
    let mut missing: Vec<char> = text
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .filter(|&c| !fonts.db.faces().any(|face| has_char(&fonts.db, face.id, c)))
        .collect();
    missing.sort_unstable();
    missing.dedup();
    missing
}

/// Whether the face `id` has a glyph for `c`.
fn has_char(db: &fontdb::Database, id: fontdb::ID, c: char) -> bool {
    db.with_face_data(id, |data, index| {
        let font = skrifa::FontRef::from_index(data, index).ok()?;
        skrifa::charmap::Charmap::new(&font).map(c)
    })
    .flatten()
    .is_some()
}
