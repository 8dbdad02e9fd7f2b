//! Markdown to HTML: pulldown-cmark with GitHub's extensions, then four passes over the events,
//! each owning one concern:
//!
//! 1. links: relative links to `.md` files become links to the target page; other relative
//!    links to content files are re-based on the page's output folder; `javascript:`, `vbscript:`
//!    and `data:` URLs are neutralised.
//! 2. headings: unique, stable ids, a self-link, and the table of contents.
//! 3. footnotes: numbered references, definitions gathered at the end with back-links.
//! 4. blocks: GitHub alerts as callouts, fenced code highlighted, task-list markers.
//!
//! The passes run as one stream (`Passes`): the HTML writer pulls each event from the parser
//! through them in that order, every pass handing what it produces to the next, and only what a
//! pass must hold back (a heading until its end, a code block, a footnote definition until the end
//! of the page) is stored. Text and the blocks and inline markup around it, which no pass changes,
//! go straight to the writer when no pass is holding events back (`Passes::plain`): most of a
//! page's events take that short way.
//!
//! Ids written in raw HTML must be reserved before any heading takes an id, so a page with raw
//! HTML (a page with a `<`, or any page when raw HTML is off and the author's HTML is turned into
//! text) is parsed whole first, and those ids and explicit heading ids read from its events. Other
//! pages stream; an explicit heading id is reserved when its heading is read, and in the rare page
//! where an earlier heading took it already, the page is rendered again the first way.
//!
//! Anchors of links to other pages are checked after every page is rendered (they need the
//! target's heading ids); [`Rendered::anchors`] lists them.

use ahash::{AHashMap as HashMap, AHashSet as HashSet};
use std::collections::VecDeque;
use std::ops::Range;
use std::sync::OnceLock;

use pulldown_cmark::{BlockQuoteKind, CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use unicase::UniCase;

use crate::config::MarkdownConfig;
use crate::error::{Error, Position, Result};
use crate::page::PageId;
use crate::site::Site;
use crate::urls;

/// A heading of the page, for the table of contents.
#[derive(Debug, Clone)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// The id, unique in the page.
    pub id: String,
    /// The heading's plain text.
    pub title: String,
    /// The plain text under the heading, up to the next heading (an FAQ's answer, a search
    /// excerpt).
    pub text: String,
}

/// A link to `#anchor` on another page (or this one), checked once every page is rendered.
#[derive(Debug, Clone)]
pub struct AnchorRef {
    /// The page the anchor must exist on.
    pub target: PageId,
    /// The anchor, without `#`.
    pub anchor: String,
    /// Byte offset of the link in the body, for the error position.
    pub offset: usize,
}

/// A page's rendered Markdown.
#[derive(Debug)]
pub struct Rendered {
    /// The HTML.
    pub html: String,
    /// Headings in document order.
    pub headings: Vec<Heading>,
    /// Every id the content defines (headings and footnotes).
    pub ids: HashSet<String>,
    /// Anchors to check.
    pub anchors: Vec<AnchorRef>,
    /// Number of words, for reading time.
    pub words: usize,
    /// What the reference guard ([`crate::html::scan`]) finds in the elements the
    /// content writes: raw HTML, heading attributes, link and image addresses. The page's check
    /// reads the rest of the page and takes these for the content.
    pub references: Vec<String>,
}

type Item<'a> = (Event<'a>, Range<usize>);

impl Default for Rendered {
    fn default() -> Self {
        Rendered {
            html: String::new(),
            headings: Vec::new(),
            // Kept with the page until the anchor check: grown as needed rather than made with
            // room, which would add up over every page of a large site.
            ids: set(0),
            anchors: Vec::new(),
            words: 0,
            references: Vec::new(),
        }
    }
}

/// The hash state of every page's maps and sets, made once: a new state per map takes a seed from
/// a counter all threads share, and each page makes several.
fn hash_state() -> ahash::RandomState {
    static STATE: OnceLock<ahash::RandomState> = OnceLock::new();
    STATE.get_or_init(ahash::RandomState::new).clone()
}

/// An empty map for one page, with room for `n` entries.
fn map<K, V>(n: usize) -> HashMap<K, V> {
    HashMap::with_capacity_and_hasher(n, hash_state())
}

/// An empty set for one page, with room for `n` entries.
fn set<K>(n: usize) -> HashSet<K> {
    HashSet::with_capacity_and_hasher(n, hash_state())
}

/// Renders `body` (the page's Markdown, after any template pass) of page `id`.
pub fn render(site: &Site, id: PageId, body: &str) -> Result<Rendered> {
    render_as(site, id, body, Reading::AsChosen)
}

/// [`render`], with the page read whole before the passes run, whatever it holds (as a page with
/// raw HTML is): the Markdown fuzz target checks that it gives what [`render`] gives.
pub(crate) fn render_read_whole(site: &Site, id: PageId, body: &str) -> Result<Rendered> {
    render_as(site, id, body, Reading::Ahead)
}

fn render_as(site: &Site, id: PageId, body: &str, reading: Reading) -> Result<Rendered> {
    let (rendered, errors) = render_events(Some((site, id)), body, &site.config.markdown, reading);
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

/// How [`render_events`] reads a page's events: as chosen for the page, or (for the tests and the
/// fuzz target that hold the two ways to the same result) whole before the passes run.
#[derive(Clone, Copy, PartialEq)]
enum Reading {
    AsChosen,
    Ahead,
}

/// The passes over `body`'s events, streamed from the parser to the HTML writer when nothing must
/// be read ahead (see the module's documentation): the rendered page and its broken links.
fn render_events(
    page: Option<(&Site, PageId)>,
    body: &str,
    config: &MarkdownConfig,
    reading: Reading,
) -> (Rendered, Vec<(usize, String)>) {
    let parse = || Parser::new_ext(body, options(config)).into_offset_iter();
    let html_capacity = body.len() * 3 / 2;
    let streams =
        reading == Reading::AsChosen && config.raw_html && memchr::memchr(b'<', body.as_bytes()).is_none();
    if streams {
        let passes = Passes::new(page, body.len(), config.highlight_code);
        let outcome = passes.run(parse(), html_capacity);
        if !outcome.clashed {
            return (outcome.rendered, outcome.errors);
        }
    }
    // About one event for every dozen bytes of Markdown: room made once instead of by doubling.
    let mut events: Vec<Item<'_>> = Vec::with_capacity(body.len() / 12 + 16);
    events.extend(parse());
    let events = if config.raw_html { events } else { crate::raw_html::filter(events) };
    let mut passes = Passes::new(page, body.len(), config.highlight_code);
    passes.read_ahead(&events);
    // Every explicit id was reserved ahead, so whether one "clashed" is of no account here.
    let outcome = passes.run(events.into_iter(), html_capacity);
    (outcome.rendered, outcome.errors)
}

/// Where a deferred anchor error points, as a position in the page's source file.
pub fn anchor_position(site: &Site, id: PageId, body: &str, offset: usize) -> Position {
    let p = Position::of_offset(body, offset);
    Position::new(p.line + site.page(id).body_line - 1, p.column)
}

/// pulldown-cmark's options for a site's Markdown.
pub fn options(config: &MarkdownConfig) -> Options {
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

// ---------------------------------------------------------------------------------------------
// Pass 1: links

/// What to do with a link or image destination.
enum Target {
    Keep,
    Replace(String),
    Neutralise,
}

/// The four passes over one page's events, run as one stream: [`Passes::link`] takes each
/// parsed event and hands what it produces to [`Passes::heading`], which hands on to
/// [`Passes::footnote`], then [`Passes::block`], which collects the events for the HTML writer.
struct Passes<'a, 's> {
    /// The site and page whose links are resolved; `None` leaves links as written (unit tests).
    page: Option<(&'s Site, PageId)>,
    highlight: bool,
    rendered: Rendered,
    /// Broken links: byte offset in the body and message.
    errors: Vec<(usize, String)>,
    /// Inside an image whose URL was neutralised, how many images deep (see
    /// `Passes::in_dropped_image`).
    dropped_image: usize,
    /// Heading ids in use, with the last number given to a repeated one.
    taken: HashMap<String, usize>,
    /// The heading being read: its start and the events inside it.
    heading: Option<(Tag<'a>, Vec<Event<'a>>)>,
    /// Depth of footnote definitions around the current event.
    definition_depth: usize,
    /// The definition being read: its label and events.
    definition: Option<(String, Vec<Event<'a>>)>,
    /// The definitions by label, which as in GitHub's Markdown matches whatever the case.
    definitions: HashMap<UniCase<String>, Vec<Event<'a>>>,
    /// The footnotes in order of first reference. The parser makes a reference only of a
    /// label some definition has.
    order: Vec<Note>,
    /// The code block being read: its kind and text.
    code: Option<(CodeBlockKind<'a>, String)>,
    /// The outermost footnote definition around the current event, and how deep inside it.
    in_definition: (Option<String>, usize),
    /// The text of the page, each piece followed by a space, for the number of words.
    words: String,
    /// What the reference guard found, with the footnote definition it is in: a definition
    /// nothing refers to is not written, and neither are its problems.
    references: Vec<(Option<String>, String)>,
    /// An explicit heading id was found taken when its heading was read. Streaming, an earlier
    /// heading took it, and the page must be read whole first; read whole, it is always so (the
    /// read-ahead reserved it), and of no account.
    clashed: bool,
    /// Events ready for the HTML writer.
    out: VecDeque<Event<'a>>,
}

/// What [`Passes::run`] made of a page.
struct Outcome {
    rendered: Rendered,
    errors: Vec<(usize, String)>,
    clashed: bool,
}

impl<'a, 's> Passes<'a, 's> {
    /// The passes for a body of `len` bytes.
    fn new(page: Option<(&'s Site, PageId)>, len: usize, highlight: bool) -> Self {
        Passes {
            page,
            highlight,
            rendered: Rendered::default(),
            errors: Vec::new(),
            dropped_image: 0,
            taken: map(8),
            heading: None,
            definition_depth: 0,
            definition: None,
            definitions: map(0),
            order: Vec::new(),
            code: None,
            in_definition: (None, 0),
            words: String::with_capacity(len + len / 3),
            references: Vec::new(),
            clashed: false,
            out: VecDeque::with_capacity(32),
        }
    }

    /// Reads from the parsed `events` what must be known before the passes run: ids written
    /// explicitly or in raw HTML are reserved first, so an automatic id never takes one written
    /// later, and such raw HTML ids count as anchors of the page (the rows of a comparison table).
    /// The raw HTML is also where the reference guard looks, once, at the elements the author
    /// wrote in HTML.
    fn read_ahead(&mut self, events: &[Item<'a>]) {
        // Raw HTML is read a run at a time: a block's lines are separate events, and a tag may
        // span lines.
        let mut run = String::new();
        let mut raw = RawHtml::default();
        for (event, range) in events {
            if let Event::Html(html) | Event::InlineHtml(html) = event {
                run.push_str(html);
                raw.push(html, range.start);
                continue;
            }
            if !run.is_empty() {
                self.read_raw_html(&mut run);
            }
            match event {
                // A heading of a footnote takes its id when the footnote is written.
                Event::Start(Tag::Heading { id, attrs, .. }) if self.in_definition.1 == 0 => {
                    if let Some(id) = explicit_id(id.as_deref(), attrs) {
                        self.taken.insert(id, 0);
                    }
                }
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    if self.in_definition.1 == 0 {
                        self.in_definition.0 = Some(String::from(&**label));
                    }
                    self.in_definition.1 += 1;
                }
                Event::End(TagEnd::FootnoteDefinition) => {
                    self.in_definition.1 = self.in_definition.1.saturating_sub(1);
                    if self.in_definition.1 == 0 {
                        self.in_definition.0 = None;
                    }
                }
                _ => {}
            }
        }
        if !run.is_empty() {
            self.read_raw_html(&mut run);
        }
        self.in_definition = (None, 0);
        if let Some(error) = raw.unclosed() {
            self.errors.push(error);
        }
    }

    /// Reserves the ids of a run of raw HTML and runs the reference guard over it.
    fn read_raw_html(&mut self, run: &mut String) {
        let base_url = self.page.map_or("", |(site, _)| site.config.base_url.as_str());
        let scan = crate::html::scan(run, base_url, false);
        for id in scan.ids {
            self.taken.insert(id.to_string(), 0);
            self.rendered.ids.insert(id.to_string());
        }
        if self.page.is_some() {
            for problem in scan.problems {
                self.references.push((self.in_definition.0.clone(), problem));
            }
        }
        run.clear();
    }

    /// Runs `events` through the passes into HTML, for which `capacity` bytes are reserved.
    fn run(self, events: impl Iterator<Item = Item<'a>>, capacity: usize) -> Outcome {
        let mut html = String::with_capacity(capacity);
        let mut stream = Stream { events, passes: self, ended: false };
        pulldown_cmark::html::push_html(&mut html, &mut stream);
        stream.passes.outcome(html)
    }

    /// Ends the events: what is still held back, then the footnotes section.
    fn end(&mut self) {
        if let Some((start, inner)) = self.heading.take() {
            self.close_heading(start, inner);
        }
        if let Some(last) = self.rendered.headings.last_mut() {
            last.text.truncate(last.text.trim_end().len());
        }
        self.footnote_section();
        for (definition, problem) in std::mem::take(&mut self.references) {
            if definition.is_none_or(|label| self.order.iter().any(|note| note.label == UniCase::new(&label)))
            {
                self.rendered.references.push(problem);
            }
        }
    }

    /// The page made of `html`, the writer's output, and what the passes gathered.
    fn outcome(self, html: String) -> Outcome {
        let rendered = Rendered { html, words: count_words(&self.words), ..self.rendered };
        Outcome { rendered, errors: self.errors, clashed: self.clashed }
    }
}

/// All the raw HTML of a page, in order, with where each piece is in the body: a comment, tag or
/// `<script>` the author leaves open would make browsers swallow the rest of the page, footer and
/// scripts included, so it is an error at the place it opens ([`crate::html::unclosed`]). It is
/// not closed for the author: where it should end is not known, and text meant to stay hidden
/// would be published.
#[derive(Default)]
struct RawHtml {
    html: String,
    /// For each piece: where it starts in `html` and in the body.
    starts: Vec<(usize, usize)>,
}

impl RawHtml {
    fn push(&mut self, html: &str, offset: usize) {
        self.starts.push((self.html.len(), offset));
        self.html.push_str(html);
    }

    /// The error of an unclosed construct, at its offset in the body.
    fn unclosed(&self) -> Option<(usize, String)> {
        let (at, message) = crate::html::unclosed(&self.html)?;
        let piece = self.starts.partition_point(|&(start, _)| start <= at).saturating_sub(1);
        let (start, offset) = self.starts.get(piece).copied().unwrap_or_default();
        Some((offset + (at - start), message))
    }
}

/// The events of a page as the HTML writer pulls them: each parsed event goes through the passes,
/// and what they let go of comes out.
struct Stream<'a, 's, I> {
    events: I,
    passes: Passes<'a, 's>,
    ended: bool,
}

impl<'a, I: Iterator<Item = Item<'a>>> Iterator for Stream<'a, '_, I> {
    type Item = Event<'a>;

    #[inline]
    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            if let Some(event) = self.passes.out.pop_front() {
                return Some(event);
            }
            if self.ended {
                return None;
            }
            match self.events.next() {
                // Nothing is waiting: a plain event goes out at once.
                Some((event, range)) => match self.passes.plain(event) {
                    Ok(event) => return Some(event),
                    Err(event) => self.passes.link(event, range),
                },
                None => {
                    self.passes.end();
                    self.ended = true;
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Pass 1: links

impl<'a> Passes<'a, '_> {
    fn link(&mut self, event: Event<'a>, range: Range<usize>) {
        match &event {
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let (outermost, depth) = &mut self.in_definition;
                outermost.get_or_insert_with(|| String::from(&**label));
                *depth += 1;
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                let (outermost, depth) = &mut self.in_definition;
                *depth = depth.saturating_sub(1);
                if *depth == 0 {
                    *outermost = None;
                }
            }
            _ => {}
        }
        let Some((site, id)) = self.page else {
            return self.heading(event);
        };
        if self.dropped_image > 0 {
            return self.in_dropped_image(event);
        }
        let event = match event {
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                let dest = match &tag {
                    Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => dest_url.clone(),
                    _ => "".into(),
                };
                match resolve(site, id, &dest, range.start, &mut self.rendered.anchors) {
                    Ok(Target::Keep) => {
                        self.guard_address(&tag);
                        Event::Start(tag)
                    }
                    // A page-relative address juxta made: nothing for the reference guard.
                    Ok(Target::Replace(url)) => Event::Start(with_destination(tag, url)),
                    // A link keeps its text without a destination (`End(Link)` still closes it);
                    // an image is replaced by its description, the text events inside it.
                    Ok(Target::Neutralise) if matches!(tag, Tag::Link { .. }) => {
                        Event::InlineHtml("<a>".into())
                    }
                    Ok(Target::Neutralise) => {
                        self.dropped_image = 1;
                        return;
                    }
                    Err(message) => {
                        self.errors.push((range.start, message));
                        return;
                    }
                }
            }
            other => other,
        };
        self.heading(event);
    }
}

impl<'a> Passes<'a, '_> {
    /// An event of the description of an image whose address was neutralised: the description
    /// stays as plain text, that of images inside it too (`![a ![b](b.png) c](javascript:…)`
    /// leaves `a b c`), as it would in the image's `alt`.
    fn in_dropped_image(&mut self, event: Event<'a>) {
        match event {
            Event::Start(Tag::Image { .. }) => self.dropped_image += 1,
            Event::End(TagEnd::Image) => self.dropped_image -= 1,
            Event::Text(text) | Event::Code(text) => self.heading(Event::Text(text)),
            Event::SoftBreak | Event::HardBreak => self.heading(Event::Text(" ".into())),
            _ => {}
        }
    }
}

/// The same link or image with another destination.
fn with_destination(tag: Tag<'_>, url: String) -> Tag<'_> {
    match tag {
        Tag::Link { link_type, title, id, .. } => Tag::Link { link_type, dest_url: url.into(), title, id },
        Tag::Image { link_type, title, id, .. } => Tag::Image { link_type, dest_url: url.into(), title, id },
        other => other,
    }
}

fn resolve(
    site: &Site,
    id: PageId,
    dest: &str,
    offset: usize,
    anchors: &mut Vec<AnchorRef>,
) -> std::result::Result<Target, String> {
    let dest = dest.trim();
    if dest.is_empty() {
        return Ok(Target::Keep);
    }
    if is_dangerous(dest) {
        return Ok(Target::Neutralise);
    }
    if has_scheme(dest) || dest.starts_with("//") {
        return Ok(Target::Keep);
    }
    if let Some(anchor) = dest.strip_prefix('#') {
        anchors.push(AnchorRef { target: id, anchor: percent_decode(anchor), offset });
        return Ok(Target::Keep);
    }
    let (rest, fragment) = match memchr::memchr(b'#', dest.as_bytes()) {
        Some(hash) => (&dest[..hash], Some(&dest[hash + 1..])),
        None => (dest, None),
    };
    let (path, query) = match memchr::memchr(b'?', rest.as_bytes()) {
        Some(mark) => (&rest[..mark], Some(&rest[mark + 1..])),
        None => (rest, None),
    };
    let decoded = percent_decoded(path);
    let page = site.page(id);
    let depth = urls::depth(&page.path);
    let (site_relative, content_path) = match decoded.strip_prefix('/') {
        Some(stripped) => (true, stripped.to_string()),
        None => (
            false,
            join(page.source_dir(), &decoded).ok_or_else(|| format!("`{dest}` leads outside `content/`"))?,
        ),
    };

    // Exactly the room needed, so that the link's address is not copied again to shed the rest.
    let more = query.map_or(0, |q| q.len() + 1) + fragment.map_or(0, |f| f.len() + 1);
    let mut url = if decoded.ends_with(".md") {
        let Some((target, target_path)) = site.links.get(&content_path) else {
            if site.unread.contains(&content_path) {
                return Ok(Target::Keep);
            }
            return Err(format!(
                "link to `{dest}`: there is no page `content/{content_path}` (or it is a draft)"
            ));
        };
        if let Some(anchor) = fragment {
            anchors.push(AnchorRef { target, anchor: percent_decode(anchor), offset });
        }
        urls::link_with_room(depth, target_path, site.flavour, more)
    } else if let Some(output) = site.content_files.get(&content_path) {
        urls::link_with_room(depth, output, site.flavour, more)
    } else if site_relative {
        match site_target(site, &content_path) {
            Some(target) => urls::link_with_room(depth, &target, site.flavour, more),
            None => return Err(format!("link to `{dest}`: no page or file of the site has that path")),
        }
    } else {
        return Ok(Target::Keep);
    };
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    if let Some(f) = fragment {
        url.push('#');
        url.push_str(f);
    }
    Ok(Target::Replace(url))
}

/// Where a link written in page `id`'s Markdown leads once rewritten: `Ok(None)` when it is kept
/// as written (external, in-page, or to a file juxta does not know), `Ok(Some(url))` when it is
/// rewritten (a page-relative URL, or an empty one for a neutralised `javascript:` URL), and
/// `Err` with the message of a broken link.
pub fn resolve_link(site: &Site, id: PageId, dest: &str) -> std::result::Result<Option<String>, String> {
    match resolve(site, id, dest, 0, &mut Vec::new())? {
        Target::Keep => Ok(None),
        Target::Replace(url) => Ok(Some(url)),
        Target::Neutralise => Ok(Some(String::new())),
    }
}

/// A site path (`protocols/`, `style.css`) for a root-relative link written without the `/`.
fn site_target(site: &Site, path: &str) -> Option<String> {
    if site.files.contains(path) {
        return Some(path.to_string());
    }
    let dir = if path.is_empty() || path.ends_with('/') { path.to_string() } else { format!("{path}/") };
    let dir = match dir.strip_suffix("index.html/") {
        Some(parent) => parent.to_string(),
        None => dir,
    };
    site.by_path.contains_key(&dir).then_some(dir)
}

/// `javascript:`, `vbscript:` and `data:` URLs can run script; browsers ignore whitespace and
/// control characters inside the scheme, so those are skipped before comparing.
pub fn is_dangerous(url: &str) -> bool {
    // Each scheme compared below ends in `:`, which skipping characters cannot bring in.
    if memchr::memchr(b':', url.as_bytes()).is_none() {
        return false;
    }
    let mut scheme = [0u8; 11];
    let mut len = 0;
    for c in url.chars().filter(|c| !c.is_ascii_whitespace() && !c.is_control()).take(scheme.len()) {
        // Anything but ASCII ends every scheme compared below.
        scheme[len] = if c.is_ascii() { c.to_ascii_lowercase() as u8 } else { 0 };
        len += 1;
    }
    let scheme = &scheme[..len];
    scheme.starts_with(b"javascript:") || scheme.starts_with(b"vbscript:") || scheme.starts_with(b"data:")
}

fn has_scheme(url: &str) -> bool {
    let Some(colon) = memchr::memchr(b':', url.as_bytes()) else { return false };
    // A byte of a character outside ASCII is neither a letter nor a digit here.
    let scheme = &url.as_bytes()[..colon];
    scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// Joins a relative path to a folder (`a/b/` + `../c.md` → `a/c.md`); `None` if it climbs out.
pub(crate) fn join(dir: &str, relative: &str) -> Option<String> {
    // Built in place, each segment followed by `/`: `..` cuts back to the `/` before the last one.
    let mut joined = String::with_capacity(dir.len() + relative.len() + 1);
    for segment in segments(dir).filter(|s| !s.is_empty()) {
        joined.push_str(segment);
        joined.push('/');
    }
    for segment in segments(relative) {
        match segment {
            "" | "." => {}
            ".." => {
                let last = joined.strip_suffix('/')?;
                joined.truncate(last.rfind('/').map_or(0, |slash| slash + 1));
            }
            s => {
                joined.push_str(s);
                joined.push('/');
            }
        }
    }
    if !relative.ends_with('/') {
        joined.pop();
    }
    Some(joined)
}

/// The parts of `path` between `/`s, as `split('/')` gives them. Found a byte at a time, which is
/// quicker in the short paths of links than the search a `char` pattern makes.
fn segments(path: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(path);
    std::iter::from_fn(move || {
        let text = rest?;
        match text.bytes().position(|b| b == b'/') {
            Some(slash) => {
                rest = Some(&text[slash + 1..]);
                Some(&text[..slash])
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}

/// Decodes `%XX` escapes once; invalid escapes are kept as written.
pub fn percent_decode(s: &str) -> String {
    percent_decoded(s).into_owned()
}

/// [`percent_decode`], borrowing when there is nothing to decode.
fn percent_decoded(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('%') {
        return s.into();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).map_or_else(|_| s.into(), Into::into)
}

// ---------------------------------------------------------------------------------------------
// Pass 2: headings

impl<'a> Passes<'a, '_> {
    // Every event goes through each pass: inlined, the passes make one function and an event is
    // not copied from one to the next (the same holds for the passes below).
    #[inline(always)]
    fn heading(&mut self, event: Event<'a>) {
        // A heading in a footnote definition takes its id when the footnote is written, if it
        // is (see `Passes::definition`).
        if self.in_definition.1 > 0 {
            return self.footnote(event);
        }
        if let Some((_, inner)) = &mut self.heading {
            if matches!(event, Event::End(TagEnd::Heading(_))) {
                let (start, inner) = self.heading.take().expect("a heading is open");
                self.close_heading(start, inner);
            } else {
                inner.push(event);
            }
            return;
        }
        if let Event::Start(start @ Tag::Heading { .. }) = event {
            self.heading = Some((start, Vec::new()));
            return;
        }
        self.under_heading(&event);
        self.footnote(event);
    }

    /// Adds an event's text to the text under the last heading.
    #[inline(always)]
    fn under_heading(&mut self, event: &Event<'_>) {
        if let Some(heading) = self.rendered.headings.last_mut() {
            match event {
                Event::Text(t) | Event::Code(t) => heading.text.push_str(t),
                Event::SoftBreak | Event::HardBreak | Event::End(_)
                    if !heading.text.ends_with(' ') && !is_inline_end(event) =>
                {
                    heading.text.push(' ');
                }
                _ => {}
            }
        }
    }

    fn close_heading(&mut self, start: Tag<'a>, inner: Vec<Event<'a>>) {
        let Tag::Heading { id, attrs, .. } = &start else { return };
        let title = plain_text(&inner);
        let id = match explicit_id(id.as_deref(), attrs) {
            Some(id) => {
                // Streaming, the id is reserved now, unless an earlier heading has it.
                match self.taken.contains_key(&id) {
                    true => self.clashed = true,
                    false => _ = self.taken.insert(id.clone(), 0),
                }
                id
            }
            None => unique_id(&mut self.taken, &id_text(&inner)),
        };
        let level = self.write_heading(start, &id, inner, Self::footnote);
        if let Some(previous) = self.rendered.headings.last_mut() {
            previous.text.truncate(previous.text.trim_end().len());
        }
        // The text under a heading is gathered a piece at a time: room for a paragraph or two
        // saves growing it step by step from nothing.
        self.rendered.headings.push(Heading { level, id, title, text: String::with_capacity(512) });
    }

    /// Writes a heading with its `id` and self-link, each event handed to `next`; returns its
    /// level. The id becomes an anchor of the page.
    fn write_heading(
        &mut self,
        start: Tag<'a>,
        id: &str,
        inner: Vec<Event<'a>>,
        next: fn(&mut Self, Event<'a>),
    ) -> u8 {
        let Tag::Heading { level, classes, attrs, .. } = start else { return 0 };
        let level = level as u8;
        // Written piece by piece: `format!` costs more than the rest of a heading.
        let digit = char::from(b'0' + level);
        let mut open = String::with_capacity(16 + id.len());
        open.push_str("<h");
        open.push(digit);
        open.push_str(" id=\"");
        escape_into(&mut open, id);
        open.push('"');
        if !classes.is_empty() {
            open.push_str(" class=\"");
            escape_into(&mut open, &classes.join(" "));
            open.push('"');
        }
        let mut attributes = attrs.iter().filter(|(n, _)| is_safe_attribute(n)).peekable();
        let written_by_author = attributes.peek().is_some();
        for (name, value) in attributes {
            open.push(' ');
            open.push_str(name);
            open.push_str("=\"");
            escape_into(&mut open, value.as_deref().unwrap_or(""));
            open.push('"');
        }
        open.push('>');
        if written_by_author {
            self.guard_html(&open);
        }
        next(self, Event::Html(open.into()));
        for event in inner {
            next(self, event);
        }
        let mut close = String::with_capacity(72 + id.len());
        close.push_str("<a class=\"anchor\" href=\"#");
        escape_into(&mut close, id);
        close.push_str("\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h");
        close.push(digit);
        close.push_str(">\n");
        next(self, Event::Html(close.into()));
        self.rendered.ids.insert(id.to_string());
        level
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

fn unique_id(taken: &mut HashMap<String, usize>, title: &str) -> String {
    let mut base = urls::slugify(title);
    if base.is_empty() {
        base = "section".into();
    }
    if !taken.contains_key(&base) {
        taken.insert(base.clone(), 0);
        return base;
    }
    let mut n = taken[&base];
    loop {
        n += 1;
        let candidate = format!("{base}-{n}");
        if !taken.contains_key(&candidate) {
            taken.insert(base, n);
            taken.insert(candidate.clone(), 0);
            return candidate;
        }
    }
}

/// The id a heading's author wrote: `{#id}`, or `{ id=x }` (quoted or not).
fn explicit_id(
    id: Option<&str>,
    attrs: &[(pulldown_cmark::CowStr<'_>, Option<pulldown_cmark::CowStr<'_>>)],
) -> Option<String> {
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
fn id_text(events: &[Event<'_>]) -> String {
    let mut text = String::new();
    let mut images = 0usize;
    for e in events {
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

fn plain_text(events: &[Event<'_>]) -> String {
    let mut text = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text
}

// ---------------------------------------------------------------------------------------------
// Pass 3: footnotes

impl<'a> Passes<'a, '_> {
    #[inline(always)]
    fn footnote(&mut self, event: Event<'a>) {
        let starts = matches!(event, Event::Start(Tag::FootnoteDefinition(_)));
        let ends = matches!(event, Event::End(TagEnd::FootnoteDefinition));
        let inside = self.definition_depth > 0;
        if starts {
            self.definition_depth += 1;
        } else if ends {
            self.definition_depth = self.definition_depth.saturating_sub(1);
        }
        if inside {
            if self.definition_depth == 0 {
                // The definition's own end: its events wait for the footnotes section, which
                // has only those referred to (as GitHub does).
                if let Some((label, events)) = self.definition.take() {
                    self.definitions.insert(UniCase::new(label), events);
                }
            } else if let Some((_, events)) = &mut self.definition {
                events.push(event);
            }
            return;
        }
        match event {
            Event::Start(Tag::FootnoteDefinition(label)) => {
                self.definition = Some((String::from(&*label), Vec::new()))
            }
            Event::FootnoteReference(label) => {
                let reference = self.reference(&label);
                self.block(reference);
            }
            other => self.block(other),
        }
    }

    /// The numbered link a reference to footnote `label` becomes. Footnotes are numbered in
    /// the order they are first referred to, in the page's text and then in the footnotes as
    /// they are written.
    fn reference(&mut self, label: &str) -> Event<'a> {
        let key = UniCase::new(label.to_string());
        let i = match self.order.iter().position(|note| note.label == key) {
            Some(i) => i,
            None => {
                let slug = self.footnote_slug(label, self.order.len() + 1);
                self.order.push(Note { label: key, slug, count: 0 });
                self.order.len() - 1
            }
        };
        let note = &mut self.order[i];
        note.count += 1;
        // Joined rather than formatted: every page with a footnote writes these.
        let ref_id = match note.count {
            1 => ["fnref-", &note.slug].concat(),
            count => ["fnref-", &note.slug, "-", &count.to_string()].concat(),
        };
        let number = (i + 1).to_string();
        let html = [
            "<sup class=\"footnote-ref\"><a href=\"#fn-",
            &note.slug,
            "\" id=\"",
            &ref_id,
            "\">",
            &number,
            "</a></sup>",
        ]
        .concat();
        self.rendered.ids.insert(ref_id);
        Event::InlineHtml(html.into())
    }

    /// A footnote's id, from its label as first referred to (`fn-<slug>`), unique in the page:
    /// two labels can make one slug (`a.b` and `ab`).
    fn footnote_slug(&self, label: &str, number: usize) -> String {
        let slug = urls::slugify(label);
        let base = if slug.is_empty() { number.to_string() } else { slug };
        let taken = |slug: &str| self.order.iter().any(|note| note.slug == slug);
        if !taken(&base) {
            return base;
        }
        (1..).map(|n| format!("{base}-{n}")).find(|slug| !taken(slug)).expect("a free slug")
    }

    /// The definitions, in order of first reference, at the end of the page. A definition
    /// written here may refer to another, which then takes the next number and is written too.
    fn footnote_section(&mut self) {
        if self.order.is_empty() {
            return;
        }
        self.block(Event::Html("<section class=\"footnotes\" aria-label=\"Footnotes\">\n<ol>\n".into()));
        let mut i = 0;
        while i < self.order.len() {
            let slug = self.order[i].slug.clone();
            self.rendered.ids.insert(["fn-", &slug].concat());
            self.block(Event::Html(["<li id=\"fn-", &slug, "\">\n"].concat().into()));
            let events = self.definitions.remove(&self.order[i].label).unwrap_or_default();
            self.definition(events);
            let number = (i + 1).to_string();
            self.block(Event::Html(
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
        self.block(Event::Html("</ol>\n</section>\n".into()));
    }

    /// Writes the events of a footnote's definition. Its headings take their ids now, after
    /// every heading of the page's text (as on GitHub, where the footnotes come last), and only
    /// when the footnote is written; they are not in the table of contents.
    fn definition(&mut self, events: Vec<Event<'a>>) {
        let mut heading: Option<(Tag<'a>, Vec<Event<'a>>)> = None;
        for event in events {
            if let Some((_, inner)) = &mut heading {
                if !matches!(event, Event::End(TagEnd::Heading(_))) {
                    inner.push(event);
                    continue;
                }
                let (start, inner) = heading.take().expect("a heading is open");
                let Tag::Heading { id, attrs, .. } = &start else { continue };
                let id = match explicit_id(id.as_deref(), attrs) {
                    Some(id) if !self.taken.contains_key(&id) => {
                        self.taken.insert(id.clone(), 0);
                        id
                    }
                    Some(id) => unique_id(&mut self.taken, &id),
                    None => unique_id(&mut self.taken, &id_text(&inner)),
                };
                self.write_heading(start, &id, inner, Self::in_definition);
                continue;
            }
            match event {
                Event::Start(start @ Tag::Heading { .. }) => heading = Some((start, Vec::new())),
                other => self.in_definition(other),
            }
        }
    }

    /// An event of a footnote being written: a reference to another footnote is numbered.
    fn in_definition(&mut self, event: Event<'a>) {
        match event {
            Event::FootnoteReference(label) => {
                let reference = self.reference(&label);
                self.block(reference);
            }
            other => self.block(other),
        }
    }
}

/// A footnote referred to in the page.
struct Note {
    /// Its label as first referred to; labels match whatever their case, as in GitHub's Markdown.
    label: UniCase<String>,
    /// Its id without the `fn-`.
    slug: String,
    /// How often it was referred to so far.
    count: usize,
}

// ---------------------------------------------------------------------------------------------
// Pass 4: blocks

impl<'a> Passes<'a, '_> {
    #[inline(always)]
    fn block(&mut self, event: Event<'a>) {
        if let Some((_, code)) = &mut self.code {
            match event {
                Event::Text(t) => code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (kind, code) = self.code.take().expect("a code block is open");
                    self.out.push_back(Event::Html(code_block(&kind, &code, self.highlight).into()));
                }
                _ => {}
            }
            return;
        }
        let event = match event {
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, label) = alert(kind);
                Event::Html(
                    format!("<div class=\"callout callout-{class}\" role=\"note\">\n<p class=\"callout-title\">{label}</p>\n").into(),
                )
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => Event::Html("</div>\n".into()),
            Event::Start(Tag::CodeBlock(kind)) => {
                self.code = Some((kind, String::new()));
                return;
            }
            Event::TaskListMarker(done) => {
                let (checked, label) = if done { (" checked", "Done") } else { ("", "Not done") };
                Event::InlineHtml(
                    format!("<input type=\"checkbox\" disabled{checked} aria-label=\"{label}\"> ").into(),
                )
            }
            Event::Text(t) => {
                self.count_words(&t);
                Event::Text(t)
            }
            other => other,
        };
        self.out.push_back(event);
    }

    /// Keeps a text for the number of words.
    #[inline(always)]
    fn count_words(&mut self, text: &str) {
        // Counted once at the end: a space between two texts keeps their words apart, so the
        // count is the sum of theirs, without the cost of a count for each.
        self.words.push_str(text);
        self.words.push(' ');
    }
}

// ---------------------------------------------------------------------------------------------
// The events no pass changes

impl<'a> Passes<'a, '_> {
    /// Takes the next parsed event: [`Passes::plain`] if it can, else the passes from the first.
    #[cfg(test)]
    fn take(&mut self, event: Event<'a>, range: Range<usize>) {
        match self.plain(event) {
            Ok(event) => self.out.push_back(event),
            Err(event) => self.link(event, range),
        }
    }

    /// Most of a page's events are text and the blocks and inline markup around it, which no pass
    /// changes when nothing is held back (a heading, a code block or a footnote definition being
    /// read): such an event is handled here as the passes would, without going through each of
    /// them, and handed back to go to the writer as it is (`Ok`). Any other event is handed back
    /// for the passes (`Err`).
    #[inline(always)]
    fn plain(&mut self, event: Event<'a>) -> std::result::Result<Event<'a>, Event<'a>> {
        let held = self.heading.is_some()
            || self.code.is_some()
            || self.definition_depth > 0
            || self.dropped_image > 0;
        if held || !is_plain(&event) {
            return Err(event);
        }
        self.under_heading(&event);
        if let Event::Text(t) = &event {
            self.count_words(t);
        }
        Ok(event)
    }
}

/// Whether no pass changes `event` (see [`Passes::plain`]).
fn is_plain(event: &Event<'_>) -> bool {
    match event {
        Event::Text(_) | Event::Code(_) | Event::SoftBreak | Event::HardBreak => true,
        Event::Start(tag) => matches!(
            tag,
            Tag::Paragraph
                | Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::List(_)
                | Tag::Item
                | Tag::Table(_)
                | Tag::TableHead
                | Tag::TableRow
                | Tag::TableCell
        ),
        // A link's end: its start went through the passes, nothing is done at its end.
        Event::End(tag) => matches!(
            tag,
            TagEnd::Paragraph
                | TagEnd::Link
                | TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::List(_)
                | TagEnd::Item
                | TagEnd::Table
                | TagEnd::TableHead
                | TagEnd::TableRow
                | TagEnd::TableCell
        ),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// The reference guard over what the content writes

impl Passes<'_, '_> {
    /// Runs the reference guard over HTML the content writes.
    fn guard_html(&mut self, html: &str) {
        let Some((site, _)) = self.page else { return };
        for problem in crate::html::scan(html, &site.config.base_url, false).problems {
            self.references.push((self.in_definition.0.clone(), problem));
        }
    }

    /// Runs the reference guard over the address of a link or image the content writes.
    fn guard_address(&mut self, tag: &Tag<'_>) {
        let Some((site, _)) = self.page else { return };
        let (element, attribute, url) = match tag {
            Tag::Link { dest_url, .. } => ("a", "href", dest_url),
            Tag::Image { dest_url, .. } => ("img", "src", dest_url),
            _ => return,
        };
        // Only an address starting with `/`, or with a scheme (as `base_url` has), can be a
        // problem; escaping changes neither.
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
            self.references.push((self.in_definition.0.clone(), problem));
        }
    }
}

/// The number of words in `text`, as `split_whitespace` counts them, with a fast path for ASCII
/// (every page's text passes through here).
fn count_words(text: &str) -> usize {
    if !text.is_ascii() {
        return text.split_whitespace().count();
    }
    // A word starts at a non-space byte that is first or follows a space. The pairs of bytes are
    // compared a block at a time, without state or branches, so the compiler can compare many at once.
    fn space(b: u8) -> bool {
        (b == b' ') | (b.wrapping_sub(b'\t') < 5)
    }
    const BLOCK: usize = 32;
    fn starts(previous: &[u8], next: &[u8]) -> usize {
        let mut count = 0u8;
        for i in 0..BLOCK {
            count += u8::from(space(previous[i]) & !space(next[i]));
        }
        usize::from(count)
    }
    let bytes = text.as_bytes();
    let mut count = usize::from(bytes.first().is_some_and(|&b| !space(b)));
    let pairs = bytes.len().saturating_sub(1);
    let mut previous = bytes[..pairs].chunks_exact(BLOCK);
    let mut next = bytes[bytes.len() - pairs..].chunks_exact(BLOCK);
    for (p, n) in (&mut previous).zip(&mut next) {
        count += starts(p, n);
    }
    // The last pairs, padded with spaces, which start no word.
    let (mut p, mut n) = ([b' '; BLOCK], [b' '; BLOCK]);
    p[..previous.remainder().len()].copy_from_slice(previous.remainder());
    n[..next.remainder().len()].copy_from_slice(next.remainder());
    count + starts(&p, &n)
}

fn alert(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

fn code_block(kind: &CodeBlockKind<'_>, code: &str, highlight: bool) -> String {
    let language = match kind {
        CodeBlockKind::Fenced(info) => {
            info.split(|c: char| c.is_whitespace() || c == ',' || c == '{').next().unwrap_or("")
        }
        CodeBlockKind::Indented => "",
    };
    let mut html = String::with_capacity(code.len() * 2 + 64);
    // tabindex makes a horizontally scrolling block reachable with the keyboard.
    html.push_str("<pre class=\"code\" tabindex=\"0\"");
    if !language.is_empty() {
        html.push_str(" data-lang=\"");
        escape_into(&mut html, language);
        html.push('"');
    }
    html.push_str("><code");
    if !language.is_empty() {
        html.push_str(" class=\"language-");
        escape_into(&mut html, language);
        html.push('"');
    }
    html.push('>');
    match (highlight && !language.is_empty()).then(|| crate::highlight::highlight(code, language)).flatten() {
        Some(highlighted) => html.push_str(&highlighted),
        None => escape_into(&mut html, code),
    }
    html.push_str("</code></pre>\n");
    html
}

/// Appends `text` escaped for HTML text and attribute values.
pub fn escape_into(out: &mut String, text: &str) {
    // The escapes pulldown-cmark writes (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#39;`), read a
    // block of bytes at a time. Writing to a `String` cannot fail.
    let _ = pulldown_cmark_escape::escape_html(out, text);
}

/// `text` escaped for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_into(&mut out, text);
    out
}

/// Runs the passes that need no site (links stay as written), for unit tests.
#[cfg(test)]
fn render_plain(body: &str) -> Rendered {
    render_events(None, body, &MarkdownConfig::default(), Reading::AsChosen).0
}

#[cfg(test)]
impl Passes<'_, '_> {
    /// Ends events handed to the passes one by one (rather than pulled by [`Passes::run`]).
    fn finish(mut self) -> Outcome {
        self.end();
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, std::mem::take(&mut self.out).into_iter());
        self.outcome(html)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn escaping_covers_the_five_characters() {
        assert_eq!(escape("a & <b> \"c\" 'd' é"), "a &amp; &lt;b&gt; &quot;c&quot; &#39;d&#39; é");
        let long = "x".repeat(70) + "<&>";
        assert_eq!(escape(&long), "x".repeat(70) + "&lt;&amp;&gt;");
    }

    #[test]
    fn dangerous_schemes_are_detected_through_whitespace_and_case() {
        assert!(is_dangerous("javascript:alert(1)"));
        assert!(is_dangerous(" JaVa\tScRiPt:alert(1)"));
        assert!(is_dangerous("data:text/html,x"));
        assert!(!is_dangerous("https://example.com/javascript:"));
        assert!(!is_dangerous("javascript-alert.md"));
    }

    #[test]
    fn a_scheme_is_a_letter_then_letters_digits_plus_minus_dots() {
        for url in ["https://example.com/", "mailto:a@b.c", "c++-1.x:y", "Z:"] {
            assert!(has_scheme(url), "{url:?}");
        }
        for url in ["a.md", ":x", "1a:x", "é:x", "a b:x", "a/b:c", "#a:b"] {
            assert!(!has_scheme(url), "{url:?}");
        }
    }

    #[test]
    fn segments_are_what_split_gives() {
        for path in ["", "/", "a", "a/", "/a", "a//b", "a/b/c.md", "é/ü/"] {
            assert_eq!(segments(path).collect::<Vec<_>>(), path.split('/').collect::<Vec<_>>(), "{path:?}");
        }
    }

    #[test]
    fn join_resolves_dots_and_refuses_to_climb_out() {
        assert_eq!(join("a/b/", "../c.md").as_deref(), Some("a/c.md"));
        assert_eq!(join("", "./x.md").as_deref(), Some("x.md"));
        assert_eq!(join("a/", "../../x.md"), None);
        assert_eq!(join("a/b/", "../").as_deref(), Some("a/"));
        assert_eq!(join("a/", "..").as_deref(), Some(""));
        assert_eq!(join("a/", "../").as_deref(), Some(""));
        assert_eq!(join("", "b//./c/").as_deref(), Some("b/c/"));
        assert_eq!(join("a/", "b/..").as_deref(), Some("a"));
    }

    #[test]
    fn join_gives_what_a_list_of_segments_gives() {
        // The plain way: collect the segments, pop for `..`, join with `/`.
        fn by_list(dir: &str, relative: &str) -> Option<String> {
            let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
            for segment in relative.split('/') {
                match segment {
                    "" | "." => {}
                    ".." => {
                        parts.pop()?;
                    }
                    s => parts.push(s),
                }
            }
            let mut joined = parts.join("/");
            if relative.ends_with('/') && !joined.is_empty() {
                joined.push('/');
            }
            Some(joined)
        }
        let pieces = ["", ".", "..", "a", "é"];
        let mut paths = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = paths
                .iter()
                .flat_map(|p| pieces.iter().flat_map(move |s| [format!("{p}{s}"), format!("{p}{s}/")]))
                .collect();
            paths.extend(longer);
        }
        paths.sort();
        paths.dedup();
        let dirs = ["", "a/", "a/b/", "x/y/z/"];
        for dir in dirs {
            for relative in &paths {
                assert_eq!(join(dir, relative), by_list(dir, relative), "{dir:?} + {relative:?}");
            }
        }
    }

    #[test]
    fn words_are_counted_as_split_whitespace_counts_them() {
        let long = "Words  run\tpast\nseveral blocks of eight bytes,  then\x0banother,\x0cand end. ";
        for text in ["", " ", "one", " one  two\tthree\n", "a\x0bb\x0cc\rd", "é à", "x\u{2003}y\u{a0}z", long]
        {
            assert_eq!(count_words(text), text.split_whitespace().count(), "{text:?}");
        }
        // Every string of up to four bytes drawn from the spaces, a letter and the bytes just
        // outside the ranges compared, after each length of lead-in (each alignment).
        let alphabet = *b" \t\n\x0b\x0c\ra\x08\x0e\x1f!\x7f\0";
        let mut text = Vec::new();
        for len in 0..=4u32 {
            for code in 0..alphabet.len().pow(len) {
                for lead in 0..8 {
                    text.clear();
                    text.extend_from_slice(&b"lead in "[..lead]);
                    let mut c = code;
                    for _ in 0..len {
                        text.push(alphabet[c % alphabet.len()]);
                        c /= alphabet.len();
                    }
                    let text = std::str::from_utf8(&text).expect("ASCII");
                    assert_eq!(count_words(text), text.split_whitespace().count(), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn plain_events_come_out_as_the_passes_make_them() {
        let bodies = [
            "Intro *em* **strong** ~~gone~~ `code`\nsoft\\\nhard\n\n# Title\n\nText under it.\n\n- a *b*\n- c\n",
            "## One {#one}\n\n1. x\n2. y\n\n| a | b |\n|---|---|\n| `c` | *d* |\n\n## One\n\nMore[^n] text.\n",
            "[^n]: A note *here*.\n\nSee[^n].\n\n> quote\n\n> [!NOTE]\n> alert\n\n```rust\nfn x() {}\n```\n\n- [ ] task\n",
            "Before any heading.\n\n### Deep *one*\n\nText [link](x.md) and ![img](a.png).\n\n<div id=\"raw\">raw</div>\n\nEnd.\n",
            // Links end inside a heading, a footnote definition and plain text.
            "## See [a](x.md) *here*\n\nText[^d] and [b](y.md), [c](z.md).\n\n[^d]: A note with [d](w.md).\n",
        ];
        for body in bodies {
            let events: Vec<Item<'_>> =
                Parser::new_ext(body, options(&MarkdownConfig::default())).into_offset_iter().collect();
            assert!(events.iter().filter(|(e, _)| is_plain(e)).count() * 2 > events.len(), "{body:?}");
            let run = |shortcut: bool| {
                let mut passes = Passes::new(None, body.len(), false);
                passes.read_ahead(&events);
                for (event, range) in events.clone() {
                    if shortcut { passes.take(event, range) } else { passes.link(event, range) }
                }
                let r = passes.finish().rendered;
                let headings: Vec<_> = r.headings.into_iter().map(|h| (h.id, h.title, h.text)).collect();
                (r.html, r.words, headings)
            };
            assert_eq!(run(true), run(false), "{body:?}");
        }
    }

    #[test]
    fn words_are_those_of_each_text() {
        // Each text's words count: `foo*bar*` is two texts, so two words; code is not counted.
        assert_eq!(render_plain("foo*bar* baz `code` qux [link](x)\n\n- one two\n").words, 7);
    }

    #[test]
    fn streamed_pages_come_out_as_pages_read_whole_first() {
        let bodies = [
            "Intro *em* **strong** `code`\n\n# Title\n\nText under it.\n\n- a *b*\n- c\n",
            // Explicit ids: one reserved before it is reached, one an earlier heading took (read
            // again whole), one written twice.
            "## One {#one}\n\n## Two\n\n## One\n\n## Three {#two}\n\n### Four {#one}\n",
            "# Intro\n\n## Intro\n\n## Other {#intro-1}\n\n## Intro\n",
            // Footnotes: defined before and after use, used twice, unused, nested, case apart.
            "[^a]: First *note*.\n\nSee[^a] and[^B], again[^a].\n\n[^b]: Second [x](y.md).\n\n[^c]: Unused.\n",
            "Text[^n].\n\n[^n]: Outer[^m].\n\n    indented\n\n[^m]: Inner.\n",
            "> [!NOTE]\n> alert\n\n```rust\nfn x() {}\n```\n\n- [ ] task\n- [x] done\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
            "## See [a](x.md) *here*\n\nText[^d] and ![img](p.png \"t\") [b](https://e.org/) [c](javascript:x).\n\n[^d]: A note.\n",
        ];
        let config = MarkdownConfig::default();
        for body in bodies {
            assert!(!body.contains('<'), "{body:?} must be one that streams");
            let summary = |reading| {
                let (r, errors) = render_events(None, body, &config, reading);
                let headings: Vec<_> = r.headings.into_iter().map(|h| (h.id, h.title, h.text)).collect();
                let mut ids: Vec<_> = r.ids.into_iter().collect();
                ids.sort();
                (r.html, r.words, headings, ids, r.references, errors)
            };
            assert_eq!(summary(Reading::AsChosen), summary(Reading::Ahead), "{body:?}");
        }
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
