//! Headings: a unique, stable id for each (GitHub's, see [`crate::urls::slugify`], or the one
//! the author wrote with `{#id}`), a self-link, and the table of contents with the text under
//! each heading.

use std::ops::Range;

use ahash::AHashMap as HashMap;
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::{Heading, Item, Page};

/// The page's heading ids and its table of contents.
#[derive(Default)]
pub(super) struct Headings {
    /// Ids in use, with the last number given to a repeated one.
    taken: HashMap<String, usize>,
    list: Vec<Heading>,
}

impl Headings {
    /// Reserves `id`, written in raw HTML or as a heading's explicit id, before any heading takes
    /// an automatic one.
    pub(super) fn reserve(&mut self, id: String) {
        self.taken.insert(id, 0);
    }

    /// The headings of the page's text, in order.
    pub(super) fn into_list(mut self) -> Vec<Heading> {
        if let Some(last) = self.list.last_mut() {
            last.text.truncate(last.text.trim_end().len());
        }
        self.list
    }

    /// Gives each heading of the page's text its id and self-link; the headings join the table
    /// of contents, each with the plain text under it.
    pub(super) fn rewrite(&mut self, page: &mut Page<'_>, events: &mut [Item<'_>]) {
        let mut i = 0;
        while i < events.len() {
            let Some(end) = heading_end(events, i) else {
                if let Some(heading) = self.list.last_mut() {
                    under_heading(&mut heading.text, &events[i].0);
                }
                i += 1;
                continue;
            };
            let Event::Start(Tag::Heading { id, attrs, .. }) = &events[i].0 else { unreachable!() };
            // An explicit id was reserved before the passes ran.
            let id = match explicit_id(id.as_deref(), attrs) {
                Some(id) => id,
                None => self.unique_id(&id_text(&events[i + 1..end])),
            };
            let title = plain_text(&events[i + 1..end]);
            let level = write(page, events, i..end, &id);
            if let Some(previous) = self.list.last_mut() {
                previous.text.truncate(previous.text.trim_end().len());
            }
            // The text under a heading is gathered a piece at a time: room for a paragraph or
            // two saves growing it step by step from nothing.
            self.list.push(Heading { level, id, title, text: String::with_capacity(512) });
            i = end + 1;
        }
    }

    /// Gives each heading of a footnote's events its id and self-link. Its headings stay out of
    /// the table of contents.
    pub(super) fn rewrite_footnote(&mut self, page: &mut Page<'_>, events: &mut [Item<'_>]) {
        let mut i = 0;
        while i < events.len() {
            let Some(end) = heading_end(events, i) else {
                i += 1;
                continue;
            };
            let Event::Start(Tag::Heading { id, attrs, .. }) = &events[i].0 else { unreachable!() };
            let id = match explicit_id(id.as_deref(), attrs) {
                Some(id) if !self.taken.contains_key(&id) => {
                    self.taken.insert(id.clone(), 0);
                    id
                }
                Some(id) => self.unique_id(&id),
                None => self.unique_id(&id_text(&events[i + 1..end])),
            };
            write(page, events, i..end, &id);
            i = end + 1;
        }
    }

    /// An id made from `title` that no other heading has.
    fn unique_id(&mut self, title: &str) -> String {
        let mut base = crate::urls::slugify(title);
        if base.is_empty() {
            base = "section".into();
        }
        let Some(&last) = self.taken.get(&base) else {
            self.taken.insert(base.clone(), 0);
            return base;
        };
        let (n, id) = (last + 1..)
            .map(|n| (n, format!("{base}-{n}")))
            .find(|(_, id)| !self.taken.contains_key(id))
            .expect("a free id");
        self.taken.insert(base, n);
        self.taken.insert(id.clone(), 0);
        id
    }
}

/// Where the heading starting at `start` ends (its `End` event), if one starts there.
fn heading_end(events: &[Item<'_>], start: usize) -> Option<usize> {
    if !matches!(events[start].0, Event::Start(Tag::Heading { .. })) {
        return None;
    }
    let after = events[start..].iter().position(|(e, _)| matches!(e, Event::End(TagEnd::Heading(_))));
    Some(start + after.expect("a heading ends"))
}

/// Writes the heading from `span.start` to its end (`span.end`) with its `id` and self-link;
/// returns its level. The id becomes an anchor of the page.
fn write(page: &mut Page<'_>, events: &mut [Item<'_>], span: Range<usize>, id: &str) -> u8 {
    let start = std::mem::replace(&mut events[span.start].0, Event::Html("".into()));
    let Event::Start(Tag::Heading { level, classes, attrs, .. }) = start else { return 0 };
    let level = level as u8;
    let escape = crate::html::escape;
    let mut open = format!("<h{level} id=\"{}\"", escape(id));
    if !classes.is_empty() {
        open.push_str(&format!(" class=\"{}\"", escape(&classes.join(" "))));
    }
    let mut attributes = attrs.iter().filter(|(n, _)| is_safe_attribute(n)).peekable();
    let written_by_author = attributes.peek().is_some();
    for (name, value) in attributes {
        open.push_str(&format!(" {name}=\"{}\"", escape(value.as_deref().unwrap_or(""))));
    }
    open.push('>');
    if written_by_author {
        page.guard_html(&open, None);
    }
    events[span.start].0 = Event::Html(open.into());
    let close = format!(
        "<a class=\"anchor\" href=\"#{}\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h{level}>\n",
        escape(id)
    );
    events[span.end].0 = Event::Html(close.into());
    page.rendered.ids.insert(id.to_string());
    level
}

/// Adds an event's text to the text under the last heading.
fn under_heading(text: &mut String, event: &Event<'_>) {
    match event {
        Event::Text(t) | Event::Code(t) => text.push_str(t),
        Event::SoftBreak | Event::HardBreak | Event::End(_)
            if !text.ends_with(' ') && !is_inline_end(event) =>
        {
            text.push(' ');
        }
        _ => {}
    }
}

/// Whether an event closes inline markup (after which no space is added to plain text).
fn is_inline_end(event: &Event<'_>) -> bool {
    matches!(
        event,
        Event::End(
            TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Image
                | TagEnd::Superscript
                | TagEnd::Subscript
        )
    )
}

/// Heading attributes may not add event handlers (`onclick`) or styles.
fn is_safe_attribute(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    !name.starts_with("on")
        && name != "style"
        && name != "id"
        && name != "class"
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The id a heading's author wrote: `{#id}`, or `{ id=x }` (quoted or not).
pub(super) fn explicit_id(id: Option<&str>, attrs: &[(CowStr<'_>, Option<CowStr<'_>>)]) -> Option<String> {
    if let Some(id) = id {
        return Some(id.to_string());
    }
    let (_, value) = attrs.iter().find(|(name, value)| &**name == "id" && value.is_some())?;
    let value = value.as_deref()?;
    let unquoted = ['"', '\''].iter().find_map(|q| value.strip_prefix(*q)?.strip_suffix(*q));
    Some(unquoted.unwrap_or(value).to_string()).filter(|id| !id.is_empty())
}

/// The text a heading's id is made from: what a reader sees of it, as GitHub takes it, so
/// without the description of an image (which is its `alt` text).
fn id_text(events: &[Item<'_>]) -> String {
    let mut text = String::new();
    let mut images = 0usize;
    for (e, _) in events {
        match e {
            Event::Start(Tag::Image { .. }) => images += 1,
            Event::End(TagEnd::Image) => images = images.saturating_sub(1),
            Event::Text(t) | Event::Code(t) if images == 0 => text.push_str(t),
            Event::SoftBreak | Event::HardBreak if images == 0 => text.push(' '),
            _ => {}
        }
    }
    text
}

/// A heading's plain text, for the table of contents.
fn plain_text(events: &[Item<'_>]) -> String {
    let mut text = String::new();
    for (e, _) in events {
        match e {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text
}
