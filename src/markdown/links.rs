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
            Ok(Resolved::Keep) => {
                guard_address(page, &tag, note.as_deref());
                out.push(Event::Start(tag));
            }
            // A page-relative address juxta made: nothing for the reference guard.
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

/// Runs the reference guard over the address of a link or image the content writes, in the
/// footnote `note` if any.
fn guard_address(page: &mut Page<'_>, tag: &Tag<'_>, note: Option<&str>) {
    let Some((site, _)) = page.page else { return };
    let (element, attribute, url) = match tag {
        Tag::Link { dest_url, .. } => ("a", "href", dest_url),
        Tag::Image { dest_url, .. } => ("img", "src", dest_url),
        _ => return,
    };
    // Only an address starting with `/`, or with a scheme (as `base_url` has), can be a problem;
    // escaping changes neither.
    if !url.starts_with('/') && !url.contains(':') {
        return;
    }
    // As it will be written, which is what the guard reads in the page.
    let mut written = String::with_capacity(url.len());
    let _ = pulldown_cmark_escape::escape_href(&mut written, url);
    let describe = || format!("<{element} {attribute}=\"{written}\">");
    if let Some(problem) =
        crate::html::reference_problem(written.trim(), &site.config.base_url, false, describe)
    {
        page.references.push((note.map(str::to_string), problem));
    }
}
