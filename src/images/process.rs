//! One image processed: its format read from its bytes (not its name), its size read from its
//! header and checked before anything is decoded, then each variant taken from the cache or
//! made (decoded once, turned upright, resized, encoded as WebP) and stored in it.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

use super::{Image, Variant};
use crate::cache::{self, Cache};
use crate::media_config::ImagesConfig;

/// What changes the bytes of a variant besides the original and the settings: a new encoder or
/// resizing filter gets a new value, so that no cache entry made by an older juxta is used.
const RECIPE: &str = "juxta-image-1 libwebp-1.3 lanczos3";

/// An image to process.
pub(super) struct Work<'a> {
    pub(super) site_path: &'a str,
    pub(super) bytes: &'a [u8],
    pub(super) settings: &'a ImagesConfig,
    pub(super) cache: &'a Cache,
}

/// Processes the image; the message completes "the image `…`".
pub(super) fn image(work: &Work<'_>) -> Result<Image, String> {
    let bytes = work.bytes;
    if looks_like_svg(work.site_path, bytes) {
        let (width, height) = svg_size(bytes)?;
        return Ok(Image { width, height, original: work.site_path.to_string(), variants: Vec::new() });
    }
    let format = image::guess_format(bytes).map_err(|_| {
        "is not an image juxta can read: its contents are not JPEG, PNG, WebP, GIF or SVG".to_string()
    })?;
    match format {
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP => raster(work, format),
        ImageFormat::Gif => {
            let (width, height) = gif_size(bytes).ok_or("is a truncated GIF: its header is incomplete")?;
            check_pixels(width, height, work.settings)?;
            Ok(Image { width, height, original: work.site_path.to_string(), variants: Vec::new() })
        }
        other => Err(format!(
            "is {} image, a format juxta does not process: convert it to JPEG, PNG or WebP",
            article(other)
        )),
    }
}

/// A JPEG, PNG or WebP image: its variants, from the cache or made.
fn raster(work: &Work<'_>, format: ImageFormat) -> Result<Image, String> {
    let settings = work.settings;
    let mut reader = ImageReader::with_format(Cursor::new(work.bytes), format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(u64::from(settings.max_megapixels) * 1_000_000 * 8);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| unreadable(format, &e))?;
    let (width, height) = decoder.dimensions();
    check_pixels(width, height, settings)?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    // A photograph taken sideways is stored sideways, with a note to turn it.
    let turned = matches!(
        orientation,
        image::metadata::Orientation::Rotate90
            | image::metadata::Orientation::Rotate270
            | image::metadata::Orientation::Rotate90FlipH
            | image::metadata::Orientation::Rotate270FlipH
    );
    let (width, height) = if turned { (height, width) } else { (width, height) };
    let lossless = is_lossless(format, work.bytes);
    let content = cache::key(&[work.bytes]);
    let quality = if lossless { "lossless".to_string() } else { format!("q{}", settings.quality) };
    let plan: Vec<(u32, u32, String)> = widths(width, &settings.widths)
        .into_iter()
        .map(|w| {
            let h =
                ((u64::from(height) * u64::from(w) + u64::from(width) / 2) / u64::from(width)).max(1) as u32;
            let key =
                cache::key(&[RECIPE.as_bytes(), content.as_bytes(), quality.as_bytes(), &w.to_le_bytes()]);
            (w, h, key)
        })
        .collect();
    let mut cached: Vec<Option<Vec<u8>>> =
        plan.iter().map(|(_, _, key)| work.cache.get("images", key).filter(|b| is_webp(b))).collect();
    if cached.iter().any(Option::is_none) {
        let mut decoded = DynamicImage::from_decoder(decoder).map_err(|e| unreadable(format, &e))?;
        decoded.apply_orientation(orientation);
        for ((w, h, key), slot) in plan.iter().zip(cached.iter_mut()) {
            if slot.is_none() {
                let encoded = encode(&decoded, *w, *h, lossless, settings.quality)?;
                work.cache.put("images", key, &encoded);
                *slot = Some(encoded);
            }
        }
    }
    let variants = plan
        .into_iter()
        .zip(cached)
        .map(|((width, height, key), bytes)| Variant {
            width,
            height,
            site_path: variant_path(work.site_path, width, &key),
            bytes: bytes.expect("every variant was taken from the cache or made"),
        })
        .collect::<Vec<_>>();
    let widest = variants.last().expect("there is always one width");
    Ok(Image { width: widest.width, height: widest.height, original: work.site_path.to_string(), variants })
}

/// The widths to make of an image `original` pixels wide: those of `[images] widths` narrower
/// than it, and the original width itself when it is narrower than the widest asked for.
fn widths(original: u32, asked: &[u32]) -> Vec<u32> {
    let mut widths: Vec<u32> = asked.iter().copied().filter(|&w| w < original).collect();
    let widest = asked.iter().copied().max().unwrap_or(original);
    if original <= widest || widths.is_empty() {
        widths.push(original.min(widest.max(1)));
    }
    widths.sort_unstable();
    widths.dedup();
    widths
}

/// `photos/field.jpg` at 960 px → `photos/field-960w.3f2a9c1d.webp`.
fn variant_path(site_path: &str, width: u32, key: &str) -> String {
    let (dir, name) = match site_path.rsplit_once('/') {
        Some((dir, name)) => (&site_path[..dir.len() + 1], name),
        None => ("", site_path),
    };
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    format!("{dir}{stem}-{width}w.{}.webp", &key[..8])
}

/// The image resized to `width` × `height` and encoded as WebP.
fn encode(
    image: &DynamicImage,
    width: u32,
    height: u32,
    lossless: bool,
    quality: u8,
) -> Result<Vec<u8>, String> {
    let resized = if (width, height) == (image.width(), image.height()) {
        image.clone()
    } else {
        image.resize_exact(width, height, image::imageops::FilterType::Lanczos3)
    };
    let encoded = if resized.color().has_alpha() {
        let rgba = resized.to_rgba8();
        webp::Encoder::from_rgba(rgba.as_raw(), width, height).encode_simple(lossless, f32::from(quality))
    } else {
        let rgb = resized.to_rgb8();
        webp::Encoder::from_rgb(rgb.as_raw(), width, height).encode_simple(lossless, f32::from(quality))
    };
    encoded.map(|memory| memory.to_vec()).map_err(|e| format!("could not be encoded as WebP ({e:?})"))
}

/// Refuses an image with more pixels than `[images] max_megapixels`, before it is decoded.
fn check_pixels(width: u32, height: u32, settings: &ImagesConfig) -> Result<(), String> {
    if width == 0 || height == 0 {
        return Err(format!("is {width} × {height} pixels: the file is damaged"));
    }
    let pixels = u64::from(width) * u64::from(height);
    let most = u64::from(settings.max_megapixels) * 1_000_000;
    if pixels > most {
        return Err(format!(
            "is {width} × {height} pixels ({} megapixels), more than the {} megapixels juxta decodes \
             (`[images] max_megapixels` in site.toml): make it smaller",
            pixels / 1_000_000,
            settings.max_megapixels
        ));
    }
    Ok(())
}

/// The message for an image whose header or pixels cannot be decoded.
fn unreadable(format: ImageFormat, e: &image::ImageError) -> String {
    let what = match e {
        image::ImageError::Limits(_) => "needs more memory to decode than juxta allows".to_string(),
        _ => {
            let detail = e.to_string().replace("\\n", " ");
            format!(
                "cannot be decoded: it is damaged or truncated ({})",
                detail.split_whitespace().collect::<Vec<_>>().join(" ")
            )
        }
    };
    format!("is {} image that {what}", article(format))
}

/// "a JPEG", "an AVIF"…
fn article(format: ImageFormat) -> String {
    let name = match format {
        ImageFormat::Jpeg => "JPEG".to_string(),
        ImageFormat::Png => "PNG".to_string(),
        ImageFormat::WebP => "WebP".to_string(),
        other => format!("{other:?}").to_uppercase(),
    };
    let vowel = name.starts_with(['A', 'E', 'I', 'O', 'U', 'H']) && name != "HDR";
    format!("{} {name}", if vowel { "an" } else { "a" })
}

/// PNG originals, and WebP ones stored losslessly, stay lossless: screenshots and drawings keep
/// sharp edges. JPEG and lossy WebP originals are photographs.
fn is_lossless(format: ImageFormat, bytes: &[u8]) -> bool {
    match format {
        ImageFormat::Png => true,
        ImageFormat::WebP => bytes.get(12..16) == Some(b"VP8L"),
        _ => false,
    }
}

/// Whether cached bytes are a whole WebP file: the size its header states is the size it has.
fn is_webp(bytes: &[u8]) -> bool {
    bytes.len() >= 12
        && &bytes[..4] == b"RIFF"
        && &bytes[8..12] == b"WEBP"
        && u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize + 8 == bytes.len()
}

/// An SVG by its name, or by its first bytes.
fn looks_like_svg(site_path: &str, bytes: &[u8]) -> bool {
    let named = site_path.rsplit_once('.').is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("svg"));
    let start = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]).trim_start().to_ascii_lowercase();
    named || start.starts_with("<svg") || (start.starts_with("<?xml") && start.contains("<svg"))
}

/// The size an SVG is drawn at: its `width` and `height`, or its `viewBox`.
fn svg_size(bytes: &[u8]) -> Result<(u32, u32), String> {
    let options = resvg::usvg::Options::default();
    let tree = resvg::usvg::Tree::from_data(bytes, &options)
        .map_err(|e| format!("is not an SVG juxta can read: {e}"))?;
    let size = tree.size();
    let (width, height) = (size.width().round() as u32, size.height().round() as u32);
    if width == 0 || height == 0 {
        return Err("has no size: give its `<svg>` a `width` and `height`, or a `viewBox`".into());
    }
    Ok((width, height))
}

/// A GIF's logical screen size, from its header.
fn gif_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let header = bytes.get(6..10)?;
    Some((
        u32::from(u16::from_le_bytes([header[0], header[1]])),
        u32::from(u16::from_le_bytes([header[2], header[3]])),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_never_upscale() {
        assert_eq!(widths(3000, &[480, 960, 1440]), [480, 960, 1440]);
        assert_eq!(widths(1200, &[480, 960, 1440]), [480, 960, 1200]);
        assert_eq!(widths(960, &[480, 960, 1440]), [480, 960]);
        assert_eq!(widths(300, &[480, 960, 1440]), [300]);
        assert_eq!(widths(2000, &[800]), [800]);
    }

    #[test]
    fn variants_are_named_beside_the_original() {
        let key = "3f2a9c1d00000000";
        assert_eq!(variant_path("a/b/field.jpg", 960, key), "a/b/field-960w.3f2a9c1d.webp");
        assert_eq!(variant_path("logo", 10, key), "logo-10w.3f2a9c1d.webp");
    }

    #[test]
    fn a_truncated_cache_entry_is_not_a_webp() {
        let mut file = b"RIFF\x04\x00\x00\x00WEBP".to_vec();
        assert!(is_webp(&file));
        file.pop();
        assert!(!is_webp(&file));
    }
}
