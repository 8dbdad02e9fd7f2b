//! Every page's share card, drawn and written beside the page (`<page>/share-card.png`), in
//! parallel: the theme's `share-card.svg` rendered with the page's values, then drawn
//! ([`super::Cards::draw`]).

use rayon::prelude::*;

use crate::error::{self, Error, Result};
use crate::output::Sink;
use crate::page::PageId;
use crate::site::Site;
use crate::templates::Templates;

/// Draws and writes the cards of the pages `ids` into `sink`; returns how many were written,
/// and a warning for each page whose title or description has characters no font has.
pub(crate) fn write(
    site: &Site,
    templates: &Templates,
    sink: &impl Sink,
    ids: &[PageId],
) -> Result<(usize, Vec<String>)> {
    if !site.cards.settings.enabled {
        return Ok((0, Vec::new()));
    }
    let results: Vec<Result<Option<Option<String>>>> = ids
        .par_iter()
        .with_max_len(crate::PAGES_PER_JOB)
        .map(|&id| {
            crate::guard::check()?;
            let page = site.page(id);
            if page.front.extra.contains_key("share_image") {
                return Ok(None);
            }
            let svg = templates.render_card(id)?;
            let png = site.cards.draw(&svg).map_err(|m| Error::at(page.shown_path(), m))?;
            sink.write(&format!("{}{}", page.path, super::FILE), &png)?;
            let text =
                format!("{} {}", page.front.title, page.front.description.as_deref().unwrap_or_default());
            let missing = super::missing_glyphs(&site.cards, &text);
            Ok(Some((!missing.is_empty()).then(|| {
                let shown: String = missing.iter().take(12).collect();
                let more = if missing.len() > 12 { "…" } else { "" };
                format!(
                    "{}: the share card's fonts have no glyphs for {} characters of the title or description \
                     ({shown}{more}), which the card leaves out; add a font that has them with \
                     `[share_cards] fonts` in site.toml",
                    page.shown_path().display(),
                    missing.len()
                )
            })))
        })
        .collect();
    let drawn: Vec<Option<String>> = error::collect(results)?.into_iter().flatten().collect();
    Ok((drawn.len(), drawn.into_iter().flatten().collect()))
}

/// `share_card()` in a template: the page's card (or the image it names) as OpenGraph wants it:
/// `url` (absolute, from `base_url`), `width`, `height`, `alt` and `type`; nothing when the page
/// has none.
pub(crate) fn card_value(site: &Site, page: Option<PageId>) -> Result<tera::Value, String> {
    let Some(id) = page else { return Ok(tera::Value::none()) };
    let page = site.page(id);
    let alt = format!("{} — {}", page.front.title, site.config.title);
    let mut map = tera::Map::new();
    if let Some(own) = page.front.extra.get("share_image") {
        let own = own.as_str().ok_or("`extra.share_image` must be the path of an image")?;
        let key = own.trim_start_matches("@/").trim_start_matches('/');
        let site_path = site.content_files.get(key).cloned().unwrap_or_else(|| key.to_string());
        let image = match site.images.get(&site_path) {
            Some(Ok(image)) => image,
            Some(Err(problem)) => return Err(format!("`extra.share_image`: {}", problem.0)),
            None => return Err(format!("`extra.share_image`: there is no image `{own}` in the site")),
        };
        map.insert("url".into(), crate::urls::absolute(&site.config.base_url, &image.original).into());
        map.insert("width".into(), image.width.into());
        map.insert("height".into(), image.height.into());
        map.insert("type".into(), mime(&image.original).into());
    } else if site.cards.settings.enabled {
        let path = format!("{}{}", page.path, super::FILE);
        map.insert("url".into(), crate::urls::absolute(&site.config.base_url, &path).into());
        map.insert("width".into(), super::WIDTH.into());
        map.insert("height".into(), super::HEIGHT.into());
        map.insert("type".into(), "image/png".into());
    } else {
        return Ok(tera::Value::none());
    }
    map.insert("alt".into(), alt.into());
    Ok(tera::Value::from(map))
}

/// The media type of an image by its name.
fn mime(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).as_deref() {
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        Some("gif") => "image/gif",
        Some("svg") => "image/svg+xml",
        _ => "image/png",
    }
}
