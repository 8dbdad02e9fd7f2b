//! Footnotes: their definitions taken out of the page's text (by label, which as in GitHub's
//! Markdown matches whatever the case), numbered in the order they are first referred to (in the
//! text, then in the footnotes as they are written), and written at the end with back-links. A
//! definition nothing refers to is left out, as on GitHub, with everything in it.

use std::collections::HashMap;

use pulldown_cmark::{Event, Tag, TagEnd};
use unicase::UniCase;

use super::headings::Headings;
use super::{Item, Page};

/// A part of the page in document order: a run of its text (`note` is `None`), or the events
/// of a footnote's definition (`note` is its label). A definition inside another (which some
/// blocks allow) stays in the outer one's events as it is.
pub(super) struct Segment<T> {
    pub(super) note: Option<String>,
    pub(super) events: Vec<T>,
}

/// Splits a page's events into [`Segment`]s.
pub(super) fn split(events: Vec<Item<'_>>) -> Vec<Segment<Item<'_>>> {
    let mut segments = vec![Segment { note: None, events: Vec::with_capacity(events.len()) }];
    let mut depth = 0usize;
    for (event, range) in events {
        match &event {
            Event::Start(Tag::FootnoteDefinition(label)) if depth == 0 => {
                depth = 1;
                segments.push(Segment { note: Some(label.to_string()), events: Vec::new() });
                continue;
            }
            Event::End(TagEnd::FootnoteDefinition) if depth == 1 => {
                depth = 0;
                segments.push(Segment { note: None, events: Vec::new() });
                continue;
            }
            Event::Start(Tag::FootnoteDefinition(_)) => depth += 1,
            Event::End(TagEnd::FootnoteDefinition) => depth = depth.saturating_sub(1),
            _ => {}
        }
        segments.last_mut().expect("never empty").events.push((event, range));
    }
    segments.retain(|s| s.note.is_some() || !s.events.is_empty());
    segments
}

/// The definitions by label; a label defined twice keeps its last definition.
pub(super) type Definitions<'a> = HashMap<UniCase<String>, Vec<Event<'a>>>;

/// The page's text, the segments of its text joined, and its definitions.
pub(super) fn gather(segments: Vec<Segment<Event<'_>>>) -> (Vec<Event<'_>>, Definitions<'_>) {
    let mut text = Vec::new();
    let mut definitions = HashMap::new();
    for segment in segments {
        match segment.note {
            None => text.extend(segment.events),
            Some(label) => _ = definitions.insert(UniCase::new(label), segment.events),
        }
    }
    (text, definitions)
}

/// A footnote referred to in the page.
struct Note {
    /// Its label as first referred to.
    label: UniCase<String>,
    /// Its id without the `fn-`.
    slug: String,
    /// How often it was referred to so far.
    count: usize,
}

/// The page's `text` with each reference numbered, then the footnotes section.
pub(super) fn write<'a>(
    page: &mut Page<'_>,
    headings: &mut Headings,
    text: Vec<Event<'a>>,
    mut definitions: Definitions<'a>,
) -> Vec<Event<'a>> {
    let mut notes = Vec::new();
    let mut out: Vec<Event<'a>> = Vec::with_capacity(text.len());
    number(page, &mut notes, text, &mut out);
    if notes.is_empty() {
        return out;
    }
    out.push(Event::Html("<section class=\"footnotes\" aria-label=\"Footnotes\">\n<ol>\n".into()));
    let mut i = 0;
    while i < notes.len() {
        let slug = notes[i].slug.clone();
        page.rendered.ids.insert(["fn-", &slug].concat());
        out.push(Event::Html(["<li id=\"fn-", &slug, "\">\n"].concat().into()));
        let events = definitions.remove(&notes[i].label).unwrap_or_default();
        // Headings in a footnote take their ids now, after every heading of the page's text (as
        // on GitHub, where the footnotes come last), and stay out of the table of contents.
        let events = headings.rewrite_footnote(page, events);
        number(page, &mut notes, events, &mut out);
        let number = (i + 1).to_string();
        out.push(Event::Html(
            [
                "<a href=\"#fnref-",
                &slug,
                "\" class=\"footnote-back\" aria-label=\"Back to reference ",
                &number,
                "\">↩</a>\n</li>\n",
            ]
            .concat()
            .into(),
        ));
        i += 1;
    }
    out.push(Event::Html("</ol>\n</section>\n".into()));
    out
}

/// `events` into `out`, each reference to a footnote made a numbered link.
fn number<'a>(page: &mut Page<'_>, notes: &mut Vec<Note>, events: Vec<Event<'a>>, out: &mut Vec<Event<'a>>) {
    for event in events {
        out.push(match event {
            Event::FootnoteReference(label) => reference(page, notes, &label),
            other => other,
        });
    }
}

/// The numbered link a reference to footnote `label` becomes. The parser makes a reference only
/// of a label some definition has.
fn reference<'a>(page: &mut Page<'_>, notes: &mut Vec<Note>, label: &str) -> Event<'a> {
    let key = UniCase::new(label.to_string());
    let i = match notes.iter().position(|note| note.label == key) {
        Some(i) => i,
        None => {
            let slug = slug(notes, label, notes.len() + 1);
            notes.push(Note { label: key, slug, count: 0 });
            notes.len() - 1
        }
    };
    let note = &mut notes[i];
    note.count += 1;
    let ref_id = match note.count {
        1 => format!("fnref-{}", note.slug),
        count => format!("fnref-{}-{count}", note.slug),
    };
    let html = format!(
        "<sup class=\"footnote-ref\"><a href=\"#fn-{}\" id=\"{ref_id}\">{}</a></sup>",
        note.slug,
        i + 1
    );
    page.rendered.ids.insert(ref_id);
    Event::InlineHtml(html.into())
}

/// A footnote's id, from its label as first referred to (`fn-<slug>`), unique in the page: two
/// labels can make one slug (`a.b` and `ab`).
fn slug(notes: &[Note], label: &str, number: usize) -> String {
    let slug = crate::urls::slugify(label);
    let base = if slug.is_empty() { number.to_string() } else { slug };
    let taken = |slug: &str| notes.iter().any(|note| note.slug == slug);
    if !taken(&base) {
        return base;
    }
    (1..).map(|n| format!("{base}-{n}")).find(|slug| !taken(slug)).expect("a free slug")
}
