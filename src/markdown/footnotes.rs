//! Footnotes: their definitions taken out of the page's text (by label, which as in GitHub's
//! Markdown matches whatever the case), numbered in the order they are first referred to (in the
//! text, then in the footnotes as they are written), and written at the end with back-links. A
//! definition nothing refers to is left out, as on GitHub, with everything in it.

use ahash::AHashMap as HashMap;

use pulldown_cmark::{Event, Tag, TagEnd};
use unicase::UniCase;

use super::headings::Headings;
use super::{Item, Page, written};

/// The definitions of a page, in document order: each footnote's label and events. A definition
/// inside another (which some blocks allow) stays in the outer one's events as it is.
pub(super) type Notes<'a> = Vec<(String, Vec<Item<'a>>)>;

/// Takes the footnote definitions out of a page's `events`, which keep the page's text.
pub(super) fn split<'a>(events: &mut [Item<'a>]) -> Notes<'a> {
    let mut notes: Notes<'a> = Vec::new();
    let mut depth = 0usize;
    for (event, range) in events {
        let opens = matches!(event, Event::Start(Tag::FootnoteDefinition(_)));
        let closes = matches!(event, Event::End(TagEnd::FootnoteDefinition));
        if let (0, Event::Start(Tag::FootnoteDefinition(label))) = (depth, &event) {
            notes.push((label.to_string(), Vec::new()));
            *event = super::taken_out();
        } else if depth > 0 {
            let taken = std::mem::replace(event, super::taken_out());
            if !(depth == 1 && closes) {
                notes.last_mut().expect("a definition is open").1.push((taken, range.clone()));
            }
        }
        depth = if opens {
            depth + 1
        } else if closes {
            depth.saturating_sub(1)
        } else {
            depth
        };
    }
    notes
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

/// Numbers each reference to a footnote in the page's `text`, then adds the footnotes section
/// with the definitions of those referred to. Returns the labels of the footnotes written.
pub(super) fn write<'a>(
    page: &mut Page<'_>,
    headings: &mut Headings,
    text: &mut Vec<Item<'a>>,
    definitions: Notes<'a>,
) -> Vec<UniCase<String>> {
    let mut notes = Vec::new();
    number(page, &mut notes, text);
    if notes.is_empty() {
        return Vec::new();
    }
    // A label defined twice keeps its last definition.
    let mut definitions: HashMap<UniCase<String>, Vec<Item<'a>>> =
        definitions.into_iter().map(|(label, events)| (UniCase::new(label), events)).collect();
    text.push(written(Event::Html("<section class=\"footnotes\" aria-label=\"Footnotes\">\n<ol>\n".into())));
    let mut i = 0;
    while i < notes.len() {
        let slug = notes[i].slug.clone();
        page.rendered.ids.insert(["fn-", &slug].concat());
        text.push(written(Event::Html(["<li id=\"fn-", &slug, "\">\n"].concat().into())));
        let mut events = definitions.remove(&notes[i].label).unwrap_or_default();
        // Headings in a footnote take their ids now, after every heading of the page's text (as
        // on GitHub, where the footnotes come last), and stay out of the table of contents.
        headings.rewrite_footnote(page, &mut events);
        number(page, &mut notes, &mut events);
        text.append(&mut events);
        let number = (i + 1).to_string();
        text.push(written(Event::Html(
            [
                "<a href=\"#fnref-",
                &slug,
                "\" class=\"footnote-back\" aria-label=\"Back to reference ",
                &number,
                "\">↩</a>\n</li>\n",
            ]
            .concat()
            .into(),
        )));
        i += 1;
    }
    text.push(written(Event::Html("</ol>\n</section>\n".into())));
    notes.into_iter().map(|note| note.label).collect()
}

/// Makes each reference to a footnote in `events` a numbered link.
fn number(page: &mut Page<'_>, notes: &mut Vec<Note>, events: &mut [Item<'_>]) {
    for (event, _) in events {
        if let Event::FootnoteReference(label) = event {
            *event = reference(page, notes, label);
        }
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
