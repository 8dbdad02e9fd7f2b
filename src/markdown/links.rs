//! Links and images: a relative link to a `.md` file becomes a link to that page, other relative
//! links to content files are re-based on the page's output folder, and `javascript:`,
//! `vbscript:` and `data:` addresses are neutralised. The rules are [`crate::urls::resolve`]'s.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::{AnchorRef, Item, Page};
use crate::urls::{self, Resolved};

/// Resolves the address of every link and image of `events` (the page's text, or the footnote
/// `note`).
pub(super) fn rewrite(page: &mut Page<'_>, events: &mut [Item<'_>], note: Option<&str>) {
    if page.page.is_none() {
        return;
    }
    let mut i = 0;
    while i < events.len() {
        let (event, range) = &mut events[i];
        i += 1;
        let Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) = event else { continue };
        match resolve(page, tag, range.start) {
            Ok(Resolved::Keep) => guard_address(page, tag, note),
            // A page-relative address juxta made: nothing for the reference guard.
            Ok(Resolved::Replace(url)) => set_destination(tag, url),
            // A link keeps its text without a destination (`End(Link)` still closes it).
            Ok(Resolved::Neutralise) if matches!(tag, Tag::Link { .. }) => {
                *event = Event::InlineHtml("<a>".into())
            }
            Ok(Resolved::Neutralise) => i = describe_image(events, i - 1),
            Err(message) => page.errors.push((range.start, message)),
        }
    }
}

/// Replaces the image starting at `start` by its description, as plain text, that of images
/// inside it too (`![a ![b](b.png) c](javascript:…)` leaves `a b c`), as it would be in the
/// `alt`. Returns where the image ends.
fn describe_image(events: &mut [Item<'_>], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    loop {
        let (event, _) = &mut events[i];
        match event {
            Event::Start(Tag::Image { .. }) => depth += 1,
            Event::End(TagEnd::Image) => depth -= 1,
            _ => {}
        }
        *event = match std::mem::replace(event, super::taken_out()) {
            Event::Text(text) | Event::Code(text) => Event::Text(text),
            Event::SoftBreak | Event::HardBreak => Event::Text(" ".into()),
            _ => super::taken_out(),
        };
        i += 1;
        if depth == 0 {
            return i;
        }
    }
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

/// Gives a link or image another destination.
fn set_destination(tag: &mut Tag<'_>, url: String) {
    if let Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } = tag {
        *dest_url = url.into();
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
