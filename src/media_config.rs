//! The tables of `site.toml` for what a page loads besides its HTML: `[images]` (responsive
//! images, see `images`), `[share_cards]` (the picture a link shows when shared, see `cards`) and
//! `[assets]` (content-hashed theme files, see `assets`). Each is strict: an unknown key is an
//! error at its line.

use serde::{Deserialize, Serialize};

/// `[images]`: how images in pages are resized and encoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct ImagesConfig {
    /// The widths, in pixels, each raster image is resized to (never wider than the original).
    pub(crate) widths: Vec<u32>,
    /// The WebP quality of photographs (JPEG and lossy WebP originals), 1 to 100. PNG originals
    /// are encoded losslessly, so that text and lines in them stay sharp.
    pub(crate) quality: u8,
    /// The `sizes` attribute: how wide the image is shown, which browsers use to pick a width.
    pub(crate) sizes: String,
    /// The most pixels an original may have, in millions: a larger one is refused before it is
    /// decoded (a "pixel bomb" would take gigabytes of memory).
    pub(crate) max_megapixels: u32,
}

impl Default for ImagesConfig {
    fn default() -> Self {
        ImagesConfig {
            widths: vec![480, 960, 1440],
            quality: 75,
            sizes: "(max-width: 46rem) 100vw, 46rem".into(),
            max_megapixels: 100,
        }
    }
}

impl ImagesConfig {
    /// Checks the values; the message names the key.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.widths.is_empty() || self.widths.iter().any(|&w| w == 0 || w > 16_383) {
            return Err("`[images] widths` needs at least one width from 1 to 16383 pixels".into());
        }
        if !(1..=100).contains(&self.quality) {
            return Err(format!("`[images] quality` is {}; it goes from 1 to 100", self.quality));
        }
        if self.max_megapixels == 0 {
            return Err("`[images] max_megapixels` must be at least 1".into());
        }
        if self.sizes.contains(['"', '<', '>', '&']) {
            return Err("`[images] sizes` may not contain `\"`, `<`, `>` or `&`".into());
        }
        Ok(())
    }
}

/// `[share_cards]`: the 1200 × 630 PNG made for every page from the theme's SVG template.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct CardsConfig {
    /// Makes a card for every page that does not name its own image. Off unless asked for: a
    /// card costs milliseconds where a page costs microseconds, so a large site that wants none
    /// should not pay for them.
    pub(crate) enabled: bool,
    /// Font files (TrueType or OpenType, relative to the project root) the cards may use besides
    /// the bundled Inter: a font for a script Inter lacks, such as Arabic or Japanese.
    pub(crate) fonts: Vec<String>,
}

/// `[assets]`: the theme's stylesheets, scripts and fonts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct AssetsConfig {
    /// Links stylesheets, scripts and fonts by content-hashed names (`style.3f2a9c1d.css`).
    pub(crate) hash: bool,
    /// Minifies the stylesheets written under hashed names.
    pub(crate) minify: bool,
    /// Writes `_headers`, which Netlify and Cloudflare Pages read: hashed files may be cached
    /// for a year.
    pub(crate) headers: bool,
}

impl Default for AssetsConfig {
    fn default() -> Self {
        AssetsConfig { hash: true, minify: true, headers: false }
    }
}
