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
            let missing = super::missing_glyphs(site, &text);
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
