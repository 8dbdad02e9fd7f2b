//! Markdown to HTML: pulldown-cmark with GitHub's extensions, its events read whole into one
//! list, then passes over the list, each owning one concern. A pass changes the events it is
//! about where they are, so that the events of a page are not copied from pass to pass:
//!
//! | pass | module |
//! |---|---|
//! | footnote definitions taken out of the text, by label | [`footnotes`] |
//! | ids written in raw HTML and explicit heading ids reserved; raw HTML checked | [`raw_html`] |
//! | links to `.md` files and content files rewritten, dangerous URLs neutralised | [`links`] |
//! | headings: unique ids, self-links, the table of contents | [`headings`] |
//! | footnotes numbered, their definitions written at the end | [`footnotes`] |
//! | code blocks highlighted, their lines marked and numbered; alerts and task lists | [`code`], [`fence`], [`alerts`] |
//!
//! A page is read whole before the passes run: ids written explicitly or in raw HTML are
//! reserved before any heading takes an automatic id, whatever their order in the page.
//!
//! Anchors of links to other pages are checked after every page is rendered (they need the
//! target's heading ids); [`Rendered::anchors`] lists them.

mod alerts;
mod code;
mod fence;
mod footnotes;
mod headings;
mod images;
mod links;
pub(crate) mod raw_html;

use ahash::AHashSet as HashSet;
use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser};

use crate::config::MarkdownConfig;
use crate::error::{Error, Position, Result};
use crate::page::PageId;
use crate::site::Site;

/// A heading of the page, for the table of contents.
#[derive(Debug, Clone)]
pub(crate) struct Heading {
    /// 1 to 6.
    pub(crate) level: u8,
    /// The id, unique in the page.
    pub(crate) id: String,
    /// The heading's plain text.
    pub(crate) title: String,
    /// The plain text under the heading, up to the next heading (an FAQ's answer, a search
    /// excerpt).
    pub(crate) text: String,
}

/// A link to `#anchor` on another page (or this one), checked once every page is rendered.
#[derive(Debug, Clone)]
pub(crate) struct AnchorRef {
    /// The page the anchor must exist on.
    pub(crate) target: PageId,
    /// The anchor, without `#`.
    pub(crate) anchor: String,
    /// Byte offset of the link in the body, for the error position.
    pub(crate) offset: usize,
}

/// A page's rendered Markdown.
#[derive(Debug, Default)]
pub(crate) struct Rendered {
    /// The HTML.
    pub(crate) html: String,
    /// Headings in document order.
    pub(crate) headings: Vec<Heading>,
    /// Every id the content defines (headings and footnotes).
    pub(crate) ids: HashSet<String>,
    /// Anchors to check.
    pub(crate) anchors: Vec<AnchorRef>,
    /// Number of words, for reading time.
    pub(crate) words: usize,
    /// What the reference guard ([`crate::html::scan`]) finds in the elements the content
    /// writes: raw HTML, heading attributes, link and image addresses. The page's check reads the
    /// rest of the page and takes these for the content.
    pub(crate) references: Vec<String>,
}

/// An event with where it is in the body (nowhere for an event a pass wrote).
pub(crate) type Item<'a> = (Event<'a>, Range<usize>);

/// An event a pass wrote.
fn written(event: Event<'_>) -> Item<'_> {
    (event, 0..0)
}

/// What a pass leaves where it takes an event out: an empty piece of HTML, which writes
/// nothing, so that the events after it need not move.
fn taken_out() -> Event<'static> {
    Event::Html(pulldown_cmark::CowStr::Borrowed(""))
}

/// pulldown-cmark's options for a site's Markdown.
pub(crate) fn options(config: &MarkdownConfig) -> Options {
    let mut options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM;
    if config.smart_punctuation {
        options |= Options::ENABLE_SMART_PUNCTUATION;
    }
    options
}

/// The events of `body`, each with where it is in the body.
pub(crate) fn parse<'a>(body: &'a str, config: &MarkdownConfig) -> Vec<Item<'a>> {
    // Room for as many events as a page of prose usually makes, so that the list is not grown
    // (and copied) step by step.
    let mut events = Vec::with_capacity(body.len() / 8 + 16);
    events.extend(Parser::new_ext(body, options(config)).into_offset_iter());
    events
}

/// Renders `body` (the page's Markdown, after any template pass) of page `id`.
pub(crate) fn render(site: &Site, id: PageId, body: &str) -> Result<Rendered> {
    render_parsed(site, id, body, parse(body, &site.config.markdown))
}

/// [`render`] for a body already parsed into `events`.
pub(crate) fn render_parsed(site: &Site, id: PageId, body: &str, events: Vec<Item<'_>>) -> Result<Rendered> {
    let fences = fence::check(body, &events);
    let (rendered, mut errors) = run(Some((site, id)), &site.config.markdown, events);
    errors.extend(fences);
    if errors.is_empty() {
        return Ok(rendered);
    }
    let page = site.page(id);
    Err(Error::many(
        errors
            .into_iter()
            .map(|(offset, m)| {
                Error::at_position(page.shown_path(), anchor_position(site, id, body, offset), m)
            })
            .collect(),
    ))
}

/// Where a deferred anchor error points, as a position in the page's source file.
pub(crate) fn anchor_position(site: &Site, id: PageId, body: &str, offset: usize) -> Position {
    let p = Position::of_offset(body, offset);
    Position::new(p.line + site.page(id).body_line - 1, p.column)
}

/// What the passes of one page share: the page whose links are resolved (`None` leaves links as
/// written, for unit tests), what they gather, and what the reference guard found, each problem
/// with the footnote it is in: a footnote nothing refers to is not written, and neither are its
/// problems.
pub(super) struct Page<'s> {
    page: Option<(&'s Site, PageId)>,
    rendered: Rendered,
    /// Broken links: byte offset in the body and message.
    errors: Vec<(usize, String)>,
    references: Vec<(Option<String>, String)>,
}

impl Page<'_> {
    /// Runs the reference guard over HTML the content writes, in the footnote `note` if any.
    fn guard_html(&mut self, html: &str, note: Option<&str>) {
        let Some((site, _)) = self.page else { return };
        for problem in crate::html::scan(html, &site.config.base_url, false).problems {
            self.references.push((note.map(str::to_string), problem));
        }
    }
}

/// The passes over a page's `events`: the rendered page and its broken links.
fn run(
    page: Option<(&Site, PageId)>,
    config: &MarkdownConfig,
    events: Vec<Item<'_>>,
) -> (Rendered, Vec<(usize, String)>) {
    let events = if config.raw_html { events } else { raw_html::filter(events) };
    let mut state = Page { page, rendered: Rendered::default(), errors: Vec::new(), references: Vec::new() };
    let events = images::rewrite(&mut state, events);
    state.errors.extend(raw_html::unclosed(&events));
    let mut text = events;
    let mut notes = footnotes::split(&mut text);
    let mut headings = headings::Headings::default();
    raw_html::reserve(&mut state, &mut headings, &text, None);
    links::rewrite(&mut state, &mut text, None);
    for (label, events) in &mut notes {
        raw_html::reserve(&mut state, &mut headings, events, Some(label));
        links::rewrite(&mut state, events, Some(label));
    }
    headings.rewrite(&mut state, &mut text);
    let written = footnotes::write(&mut state, &mut headings, &mut text, notes);
    let words = code::highlight_blocks(&mut text, config.highlight_code);
    let mut html = String::with_capacity(text.len() * 24);
    pulldown_cmark::html::push_html(&mut html, text.into_iter().map(|(event, _)| alerts::rewrite(event)));
    let Page { mut rendered, errors, references, .. } = state;
    rendered.html = html;
    rendered.words = words;
    rendered.headings = headings.into_list();
    rendered.references = references
        .into_iter()
        .filter(|(note, _)| {
            note.as_ref().is_none_or(|label| written.contains(&unicase::UniCase::new(label.clone())))
        })
        .map(|(_, problem)| problem)
        .collect();
    (rendered, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the passes without a site (links stay as written).
    fn render_plain(body: &str) -> Rendered {
        let config = MarkdownConfig::default();
        run(None, &config, parse(body, &config)).0
    }

    #[test]
    fn duplicate_headings_get_numbered_ids_and_explicit_ids_win() {
        let html = render_plain("# Intro\n\n## Intro\n\n## Other {#intro-1}\n").html;
        assert!(html.contains("<h1 id=\"intro\">"), "{html}");
        assert!(html.contains("<h2 id=\"intro-2\">"), "{html}");
        assert!(html.contains("<h2 id=\"intro-1\">"), "{html}");
    }

    #[test]
    fn each_heading_carries_the_plain_text_under_it() {
        let rendered = render_plain("## Why?\n\nBecause *it* `works`.\n\n- one\n- two\n\n## Next\n\nEnd.\n");
        let texts: Vec<&str> = rendered.headings.iter().map(|h| h.text.as_str()).collect();
        assert_eq!(texts, ["Because it works. one two", "End."]);
    }

    #[test]
    fn ids_in_raw_html_are_read_and_reserved() {
        let scan = crate::html::scan("<tr id=\"reach\"><td data-id=\"no\" id='yes'>valid=\"x\"", "", false);
        assert_eq!(scan.ids, ["reach", "yes"]);
        let html = render_plain("<p id=\"reach\">row</p>\n\n## Reach\n").html;
        assert!(html.contains("<h2 id=\"reach-1\">"), "{html}");
        // A block's lines are separate events; a tag written over two of them is still read.
        let rendered = render_plain("<div class=\"row\"\n     id=\"reach\">row</div>\n\n## Reach\n");
        assert!(rendered.ids.contains("reach"), "{:?}", rendered.ids);
        assert!(rendered.html.contains("<h2 id=\"reach-1\">"), "{}", rendered.html);
    }

    #[test]
    fn words_are_those_of_each_text() {
        // Each text's words count: `foo*bar*` is two texts, so two words; code is not counted.
        assert_eq!(render_plain("foo*bar* baz `code` qux [link](x)\n\n- one two\n").words, 7);
    }

    #[test]
    fn footnote_labels_match_whatever_the_case() {
        let html = render_plain("See[^Note] and[^NOTE].\n\n[^note]: The note.\n").html;
        assert!(html.contains("<a href=\"#fn-note\" id=\"fnref-note\">1</a>"), "{html}");
        assert!(html.contains("<a href=\"#fn-note\" id=\"fnref-note-2\">1</a>"), "{html}");
        assert!(html.contains("<li id=\"fn-note\">\n<p>The note.</p>"), "{html}");
    }

    #[test]
    fn a_footnote_referred_to_only_from_another_keeps_its_text_number_and_link() {
        let r = render_plain("Text[^outer].\n\n[^outer]: Outer, see[^inner].\n\n[^inner]: Inner text.\n");
        let html = &r.html;
        assert!(html.contains("<li id=\"fn-outer\">\n<p>Outer, see<sup class=\"footnote-ref\"><a href=\"#fn-inner\" id=\"fnref-inner\">2</a></sup>.</p>"), "{html}");
        assert!(
            html.contains("<li id=\"fn-inner\">\n<p>Inner text.</p>\n<a href=\"#fnref-inner\""),
            "{html}"
        );
        for id in ["fn-outer", "fnref-outer", "fn-inner", "fnref-inner"] {
            assert!(r.ids.contains(id), "{id}: {:?}", r.ids);
        }
        // Numbered by first reference: the text's first, then each footnote's as it is written.
        let html =
            render_plain("A[^c] B[^a].\n\n[^a]: Sees[^b] and[^c].\n[^b]: Sees[^a].\n[^c]: Plain.\n").html;
        let order: Vec<&str> =
            html.match_indices("<li id=\"fn-").map(|(at, _)| &html[at + 11..at + 12]).collect();
        assert_eq!(order, ["c", "a", "b"], "{html}");
        assert!(html.contains("<a href=\"#fn-b\" id=\"fnref-b\">3</a>"), "{html}");
        assert!(html.contains("<a href=\"#fn-a\" id=\"fnref-a-2\">2</a>"), "{html}");
    }

    #[test]
    fn headings_in_footnotes_take_ids_after_the_text_and_only_when_written() {
        let body = "# Intro\n\nSee[^used].\n\n[^used]: # Intro\n\n[^unused]: ## Hidden\n\n## Hidden\n";
        let r = render_plain(body);
        // The text's headings first: the footnote's `Intro` comes after them.
        assert!(r.html.contains("<h1 id=\"intro\">"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"hidden\">"), "{}", r.html);
        assert!(r.html.contains("<li id=\"fn-used\">\n<h1 id=\"intro-1\">"), "{}", r.html);
        assert!(r.ids.contains("intro-1"));
        // The left-out footnote's heading is not a target and took no id.
        assert!(!r.html.contains("Hidden<a class=\"anchor\" href=\"#hidden-1\""), "{}", r.html);
        assert!(!r.ids.contains("hidden-1"), "{:?}", r.ids);
        let toc: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(toc, ["intro", "hidden"]);
    }

    #[test]
    fn footnote_ids_stay_unique_when_labels_make_one_slug() {
        let html = render_plain("A[^a.b] B[^ab].\n\n[^a.b]: One.\n[^ab]: Two.\n").html;
        assert!(html.contains("<li id=\"fn-ab\">\n<p>One."), "{html}");
        assert!(html.contains("<li id=\"fn-ab-1\">\n<p>Two."), "{html}");
    }

    #[test]
    fn explicit_ids_are_written_either_way() {
        let html =
            render_plain("## One {#first}\n\n## Two { id=second }\n\n## Three { id=\"third\" .x }\n").html;
        for id in ["first", "second", "third"] {
            assert!(html.contains(&format!(" id=\"{id}\"")), "{html}");
        }
    }

    #[test]
    fn unreferenced_footnotes_are_dropped() {
        // Neither the text nor the definition's opening element is left behind.
        let html = render_plain("Text.\n\n[^a]: never used\n\nMore.\n").html;
        assert_eq!(html, "<p>Text.</p>\n<p>More.</p>\n");
    }
}
