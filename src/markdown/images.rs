//! Images written in Markdown (`![alt](photo.jpg)`): each must say what it shows (alt text), and
//! each that names an image file of the site becomes an `<img>` with its resized variants,
//! `srcset`, `sizes`, `width` and `height` ([`crate::images`]).
//!
//! The page's first image loads with the page when fewer than [`EAGER_WORDS`] words come before
//! it, which puts it on the first screen of most windows; every other image loads lazily. An
//! image that is only decoration is written with the `image` function and `alt=""`.
//!
//! This pass runs before links are rewritten, on the events as parsed: addresses are read as the
//! author wrote them, and a problem is placed where the image is written.

use pulldown_cmark::{Event, Tag, TagEnd};
use rayon::prelude::*;

use super::{Item, Page};
use crate::images::{self, Loading, Markup};
use crate::site::Site;
use crate::urls;

/// At most this many words before a page's first image keep it on the first screen.
pub(crate) const EAGER_WORDS: usize = 60;

/// The events with every Markdown image of a local image file replaced by its `<img>`.
pub(super) fn rewrite<'a>(page: &mut Page<'_>, events: Vec<Item<'a>>) -> Vec<Item<'a>> {
    let Some((site, id)) = page.page else { return events };
    if !events.iter().any(|(e, _)| matches!(e, Event::Start(Tag::Image { .. }))) {
        return events;
    }
    let dir = site.page(id).source_dir();
    // The page's images are processed side by side before the page is written.
    let paths: Vec<String> = events
        .iter()
        .filter_map(|(e, _)| match e {
            Event::Start(Tag::Image { dest_url, .. }) => site_path(site, dir, dest_url),
            _ => None,
        })
        .collect();
    paths.par_iter().for_each(|path| drop(site.images.get(path)));

    let depth = urls::depth(&site.page(id).path);
    let mut out = Vec::with_capacity(events.len());
    let mut events = events.into_iter();
    let (mut words, mut seen) = (0usize, false);
    while let Some((event, range)) = events.next() {
        let Event::Start(Tag::Image { dest_url, title, .. }) = &event else {
            if let Event::Text(text) = &event {
                words += text.split_whitespace().count();
            }
            out.push((event, range));
            continue;
        };
        let inner = take_image(&mut events);
        let alt = alt_text(&inner);
        let first = !seen;
        seen = true;
        if urls::is_dangerous(dest_url) {
            out.push((event, range));
            out.extend(inner);
            continue;
        }
        if alt.trim().is_empty() {
            page.errors.push((range.start, no_alt(dest_url)));
        }
        let found = site_path(site, dir, dest_url).and_then(|path| site.images.get(&path));
        let image = match found {
            Some(Ok(image)) => image,
            Some(Err(problem)) => {
                page.errors.push((range.start, problem.0));
                out.push((event, range));
                out.extend(inner);
                continue;
            }
            None => {
                out.push((event, range));
                out.extend(inner);
                continue;
            }
        };
        let loading = if first && words < EAGER_WORDS { Loading::Eager } else { Loading::Lazy };
        let markup =
            Markup { alt: alt.trim(), title: Some(title.as_ref()), class: None, loading, sizes: None };
        let html = images::img(&image, depth, site.flavour, &site.config.images, &markup);
        out.push((Event::InlineHtml(html.into()), range));
    }
    out
}

/// The message for an image without alt text.
pub(crate) fn no_alt(dest: &str) -> String {
    format!(
        "the image `{dest}` has no alt text: say what it shows in `![…]({dest})`; an image that is only \
         decoration is written `{{{{ image(path=\"…\", alt=\"\") }}}}`"
    )
}

/// The events inside an image, up to and with its end, taken from `events`.
fn take_image<'a>(events: &mut impl Iterator<Item = Item<'a>>) -> Vec<Item<'a>> {
    let mut inner = Vec::new();
    let mut depth = 1usize;
    for (event, range) in events.by_ref() {
        match &event {
            Event::Start(Tag::Image { .. }) => depth += 1,
            Event::End(TagEnd::Image) => depth -= 1,
            _ => {}
        }
        inner.push((event, range));
        if depth == 0 {
            break;
        }
    }
    inner
}

/// The plain text of an image's description, as it becomes the `alt`.
fn alt_text(inner: &[Item<'_>]) -> String {
    let mut alt = String::new();
    for (event, _) in inner {
        match event {
            Event::Text(text) | Event::Code(text) => alt.push_str(text),
            Event::SoftBreak | Event::HardBreak => alt.push(' '),
            _ => {}
        }
    }
    alt
}

/// The site path of the file an image address names, when it names one of the site's files: a
/// path relative to the page's source folder `dir` (in `content/`), or one from the site root
/// (`/images/logo.png`, for `static/`). `None` for an address elsewhere.
fn site_path(site: &Site, dir: &str, dest: &str) -> Option<String> {
    let dest = dest.trim();
    if dest.is_empty() || dest.starts_with("//") || dest.starts_with('#') || dest.contains(':') {
        return None;
    }
    let path = dest.split(['?', '#']).next().unwrap_or_default();
    let decoded = urls::percent_decode(path);
    match decoded.strip_prefix('/') {
        Some(site_path) => Some(site_path.to_string()),
        None => site.content_files.get(&urls::join(dir, &decoded)?).cloned(),
    }
}
