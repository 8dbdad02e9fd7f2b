//! Links and images: a relative link to a `.md` file becomes a link to that page, other relative
//! links to content files are re-based on the page's output folder, and `javascript:`,
//! `vbscript:` and `data:` addresses are neutralised. The rules are [`crate::urls::resolve`]'s.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::footnotes::Segment;
use super::{AnchorRef, Item, Page};
use crate::urls::{self, Resolved};

/// The events of `segment` with every link and image address resolved.
pub(super) fn rewrite<'a>(page: &mut Page<'_>, segment: Segment<Item<'a>>) -> Segment<Event<'a>> {
    let Segment { note, events } = segment;
    let mut out = Vec::with_capacity(events.len());
    // Inside an image whose address was neutralised, how many images deep.
    let mut dropped_image = 0usize;
    for (event, range) in events {
        if page.page.is_none() {
            out.push(event);
            continue;
        }
        if dropped_image > 0 {
            // The description stays as plain text, that of images inside it too
            // (`![a ![b](b.png) c](javascript:…)` leaves `a b c`), as it would in the `alt`.
            match event {
                Event::Start(Tag::Image { .. }) => dropped_image += 1,
                Event::End(TagEnd::Image) => dropped_image -= 1,
                Event::Text(text) | Event::Code(text) => out.push(Event::Text(text)),
                Event::SoftBreak | Event::HardBreak => out.push(Event::Text(" ".into())),
                _ => {}
            }
            continue;
        }
        let Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) = event else {
            out.push(event);
            continue;
        };
        match resolve(page, &tag, range.start) {
            Ok(Resolved::Keep) => out.push(Event::Start(tag)),
            Ok(Resolved::Replace(url)) => out.push(Event::Start(with_destination(tag, url))),
            // A link keeps its text without a destination (`End(Link)` still closes it); an
            // image is replaced by its description, the text events inside it.
            Ok(Resolved::Neutralise) if matches!(tag, Tag::Link { .. }) => {
                out.push(Event::InlineHtml("<a>".into()))
            }
            Ok(Resolved::Neutralise) => dropped_image = 1,
            Err(message) => page.errors.push((range.start, message)),
        }
    }
    Segment { note, events: out }
}

/// What the address of the link or image `tag`, written at byte `offset` of the body, becomes.
fn resolve(page: &mut Page<'_>, tag: &Tag<'_>, offset: usize) -> Result<Resolved, String> {
    let (Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = tag else { return Ok(Resolved::Keep) };
    let Some((site, id)) = page.page else { return Ok(Resolved::Keep) };
    let source = site.page(id);
    let from = urls::From { dir: source.source_dir(), path: &source.path, page: id };
    let anchors = &mut page.rendered.anchors;
    urls::resolve(site, &from, dest_url, |target, anchor| anchors.push(AnchorRef { target, anchor, offset }))
}

/// The same link or image with another destination.
fn with_destination(tag: Tag<'_>, url: String) -> Tag<'_> {
    match tag {
        Tag::Link { link_type, title, id, .. } => Tag::Link { link_type, dest_url: url.into(), title, id },
        Tag::Image { link_type, title, id, .. } => Tag::Image { link_type, dest_url: url.into(), title, id },
        other => other,
    }
}
