//! HTML as juxta writes and reads it: escaping ([`escape`]), character references
//! ([`decode_entities`]), and a small reader of the HTML juxta emits: text, start tags and their
//! attributes, and end tags, as a browser would see them, skipping comments and the contents of
//! `<script>`, `<style>` and `<textarea>`. The reader serves the checks run on every emitted page
//! ([`scan`] reads a page for the reference guard and its ids in one pass), the search index and
//! `juxta check`.

use std::borrow::Cow;

/// A start tag.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tag<'a> {
    /// The element name, lowercase.
    pub(crate) name: Cow<'a, str>,
    /// Attributes in order: name (lowercase) and value (entities not decoded).
    pub(crate) attributes: Vec<(Cow<'a, str>, &'a str)>,
    /// Byte offset of the `<` in the document.
    pub(crate) offset: usize,
}

impl Tag<'_> {
    /// The value of attribute `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }

    /// The tag as it would be quoted in a message: `<a href="…">`, with the attribute that matters.
    pub(crate) fn describe(&self, attribute: &str) -> String {
        match self.get(attribute) {
            Some(value) => format!("<{} {attribute}=\"{value}\">", self.name),
            None => format!("<{}>", self.name),
        }
    }
}

/// The start tags of `html`, in document order.
pub(crate) fn tags(html: &str) -> Vec<Tag<'_>> {
    let mut tags = Vec::new();
    each_token(html, |token| {
        if let Token::Start(name, offset, attributes) = token {
            let attributes = attributes.map(|(name, value)| (lowercase(name), value)).collect();
            tags.push(Tag { name, attributes, offset });
        }
    });
    tags
}

/// A piece of HTML as [`tokens`] reads it.
#[derive(Debug, PartialEq)]
pub(crate) enum Piece<'a> {
    /// Text between tags, character references not decoded.
    Text(&'a str),
    /// A start tag.
    Start(Tag<'a>),
    /// An end tag's lowercase name.
    End(Cow<'a, str>),
}

/// The text, start tags and end tags of `html`, in document order.
pub(crate) fn tokens(html: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    each_token(html, |token| {
        pieces.push(match token {
            Token::Text(text) => Piece::Text(text),
            Token::End(name) => Piece::End(name),
            Token::Start(name, offset, attributes) => {
                let attributes = attributes.map(|(name, value)| (lowercase(name), value)).collect();
                Piece::Start(Tag { name, attributes, offset })
            }
        });
    });
    pieces
}

/// What [`each_token`] hands its visitor: a start tag comes with the offset of its `<` and its
/// attributes, read as the visitor asks for them.
enum Token<'a, 'r> {
    Text(&'a str),
    Start(Cow<'a, str>, usize, &'r mut Attributes<'a>),
    End(Cow<'a, str>),
}

/// Calls `visit` with each piece of `html` in document order. Attributes `visit` leaves unread
/// are read past to find the end of the tag. A `<` that starts no tag is text.
fn each_token<'a>(html: &'a str, mut visit: impl FnMut(Token<'a, '_>)) {
    let bytes = html.as_bytes();
    let (mut i, mut text) = (0, 0);
    let flush = |visit: &mut dyn FnMut(Token<'a, '_>), text: usize, end: usize| {
        if text < end {
            visit(Token::Text(&html[text..end]));
        }
    };
    while let Some(found) = memchr::memchr(b'<', &bytes[i..]) {
        let start = i + found;
        i = start + 1;
        if bytes[i..].starts_with(b"!--") {
            flush(&mut visit, text, start);
            i = html[i..].find("-->").map_or(bytes.len(), |end| i + end + 3);
            text = i;
            continue;
        }
        let closing = bytes.get(i) == Some(&b'/');
        let name_start = i + usize::from(closing);
        if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        flush(&mut visit, text, start);
        let name_end = find_byte(bytes, name_start, |b| b.is_ascii_whitespace() || b == b'>' || b == b'/');
        let name = lowercase(&html[name_start..name_end]);
        if closing {
            i = memchr::memchr(b'>', &bytes[name_end..]).map_or(bytes.len(), |end| name_end + end + 1);
            text = i;
            visit(Token::End(name));
            continue;
        }
        let raw_text = matches!(&*name, "script" | "style" | "textarea");
        let close = raw_text.then(|| format!("</{name}"));
        let mut attributes = Attributes { html, i: name_end };
        visit(Token::Start(name, start, &mut attributes));
        while attributes.next().is_some() {}
        i = attributes.i;
        if let Some(close) = close {
            i = find_ignore_case(&html[i..], &close).map_or(bytes.len(), |n| i + n);
        }
        text = i;
    }
    flush(&mut visit, text, bytes.len());
}

/// The attributes of a start tag as written, read from the document one at a time: the name
/// (not lowercased) and the value (entities not decoded). Reading ends after the tag's `>`.
struct Attributes<'a> {
    html: &'a str,
    /// Where reading goes on.
    i: usize,
}

impl<'a> Iterator for Attributes<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<(&'a str, &'a str)> {
        let (html, bytes) = (self.html, self.html.as_bytes());
        let mut i = self.i;
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            self.i = i;
            return None;
        }
        if bytes[i] == b'>' {
            self.i = i + 1;
            // Past the end: a second call must not read on into the document.
            self.html = &html[..i + 1];
            return None;
        }
        let end = find_byte(bytes, i, |b| b.is_ascii_whitespace() || b == b'=' || b == b'>');
        let name = &html[i..end];
        i = end;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = "";
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            match bytes.get(i) {
                Some(&quote @ (b'"' | b'\'')) => {
                    let close = memchr::memchr(quote, &bytes[i + 1..]).map_or(bytes.len(), |n| i + 1 + n);
                    value = &html[i + 1..close];
                    i = (close + 1).min(bytes.len());
                }
                Some(_) => {
                    let end = find_byte(bytes, i, |b| b.is_ascii_whitespace() || b == b'>');
                    value = &html[i..end];
                    i = end;
                }
                None => {}
            }
        }
        self.i = i;
        Some((name, value))
    }
}

/// The offset of the first byte from `start` on that is `wanted`, or the end. The bytes looked
/// for are ASCII, so the offset is always on a character boundary.
fn find_byte(bytes: &[u8], start: usize, wanted: impl Fn(u8) -> bool) -> usize {
    bytes[start..].iter().position(|&b| wanted(b)).map_or(bytes.len(), |n| start + n)
}

/// `name` in lowercase, borrowed when it already is (as in nearly all HTML).
fn lowercase(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    let needle = needle.as_bytes();
    haystack.as_bytes().windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle))
}

/// Where an author's HTML leaves a browser reading everything after it as something other than
/// the page: a comment, a tag or a `<!…>` never closed, an element whose content is read as text
/// up to its closing tag (`<script>`, `<style>`, `<textarea>`, `<title>`…) without one, or
/// `<plaintext>`, which nothing closes. Returns the offset of the construct's `<` and what is
/// wrong, as a sentence.
pub(crate) fn unclosed(html: &str) -> Option<(usize, String)> {
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(found) = memchr::memchr(b'<', &bytes[i..]) {
        let start = i + found;
        let rest = &html[start + 1..];
        if let Some(body) = rest.strip_prefix("!--") {
            // `<!-->` and `<!--->` end where they start, as in browsers.
            let skip = ["->", ">"].iter().find(|end| body.starts_with(**end)).map(|end| end.len());
            match skip.or_else(|| comment_end(body)) {
                Some(length) => i = start + 4 + length,
                None => {
                    return Some((
                        start,
                        "this HTML comment (`<!--`) is never closed with `-->`: browsers would hide \
                         everything after it, the end of the page included; close it"
                            .into(),
                    ));
                }
            }
            continue;
        }
        if rest.starts_with(['!', '?']) {
            match memchr::memchr(b'>', &bytes[start..]) {
                Some(end) => i = start + end + 1,
                None => return Some((start, "this `<!` or `<?` is never closed with `>`: browsers would hide everything after it; close it".into())),
            }
            continue;
        }
        let closing = rest.starts_with('/');
        let name_start = start + 1 + usize::from(closing);
        if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            i = start + 1;
            continue;
        }
        let name_end = find_byte(bytes, name_start, |b| b.is_ascii_whitespace() || b == b'>' || b == b'/');
        let name = html[name_start..name_end].to_ascii_lowercase();
        let Some(end) = tag_end(bytes, name_end) else {
            return Some((
                start,
                format!(
                    "the tag `<{}` is never closed (a `>` or a closing quote is missing): browsers would \
                     read the rest of the page as part of it",
                    &html[start + 1..name_end]
                ),
            ));
        };
        i = end;
        if closing {
            continue;
        }
        if name == "plaintext" {
            return Some((
                start,
                "`<plaintext>` makes the rest of the page plain text, and nothing can close it: remove it"
                    .into(),
            ));
        }
        if RAW_TEXT.split_whitespace().any(|raw| raw == name) {
            let Some(at) = closing_tag(bytes, i, &name) else {
                return Some((
                    start,
                    format!(
                        "`<{name}>` is never closed with `</{name}>`: browsers would read the rest of \
                         the page as its text; close it"
                    ),
                ));
            };
            i = at;
        }
    }
    None
}

/// The elements whose content a browser reads as text up to their closing tag.
const RAW_TEXT: &str = "script style textarea title xmp iframe noembed noframes noscript";

/// The offset of the closing tag `</name>` (in any case) from `from` on.
fn closing_tag(bytes: &[u8], from: usize, name: &str) -> Option<usize> {
    let close = format!("</{name}");
    memchr::memchr_iter(b'<', &bytes[from..]).map(|at| from + at).find(|&at| {
        bytes.get(at..at + close.len()).is_some_and(|b| b.eq_ignore_ascii_case(close.as_bytes()))
            && bytes.get(at + close.len()).is_none_or(|&b| b.is_ascii_whitespace() || b == b'/' || b == b'>')
    })
}

/// The length of a comment's text and its end (`-->`, or `--!>`, which browsers accept).
fn comment_end(body: &str) -> Option<usize> {
    let dashes = body.find("-->").map(|at| at + 3);
    let bang = body.find("--!>").map(|at| at + 4);
    match (dashes, bang) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The offset after the `>` that ends a tag whose name ends at `from`, read as browsers do: a
/// quote opens an attribute's value only right after its `=`.
fn tag_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    let mut after_equals = false;
    while i < bytes.len() {
        match bytes[i] {
            b'>' => return Some(i + 1),
            quote @ (b'"' | b'\'') if after_equals => {
                i += 1 + memchr::memchr(quote, &bytes[i + 1..])?;
                after_equals = false;
            }
            b'=' => after_equals = true,
            b if b.is_ascii_whitespace() => {}
            _ => after_equals = false,
        }
        i += 1;
    }
    None
}

/// Attributes holding a URL the browser follows or loads.
const URL_ATTRIBUTES: [&str; 7] = ["href", "src", "srcset", "action", "poster", "data", "formaction"];

/// What [`scan`] finds in a piece of HTML.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Scan<'a> {
    /// One message per element whose reference breaks a site published under a sub-path or
    /// opened from disk.
    pub(crate) problems: Vec<String>,
    /// Each element's `id`, in document order.
    pub(crate) ids: Vec<&'a str>,
}

/// Reads the tags of `html` in one pass that keeps none of them, for the reference guard and the
/// anchor check. The guard finds root-relative addresses (`href="/about/"`), and absolute links
/// to the site's own `base_url` anywhere but `<link rel="canonical">` and
/// `<link rel="alternate">`; `allow_base` permits the `<base>` juxta adds to `404.html`.
pub(crate) fn scan<'a>(html: &'a str, base_url: &str, allow_base: bool) -> Scan<'a> {
    let mut scan = Scan::default();
    each_token(html, |token| {
        let Token::Start(name, _, attributes) = token else { return };
        let mut element = Element::default();
        for (attribute, value) in attributes {
            element.read(attribute, value);
        }
        if let Some(id) = element.id {
            scan.ids.push(id);
        }
        element.check(&name, base_url, allow_base, &mut scan.problems);
    });
    scan
}

/// The attributes of an element that the reference guard and the anchor check read: the first
/// value of each.
#[derive(Default)]
struct Element<'a> {
    id: Option<&'a str>,
    rel: Option<&'a str>,
    /// One for each of [`URL_ATTRIBUTES`].
    urls: [Option<&'a str>; URL_ATTRIBUTES.len()],
    /// Whether any of `urls` is there.
    any_url: bool,
}

impl<'a> Element<'a> {
    /// Takes note of attribute `name` (in any case) with `value`.
    fn read(&mut self, name: &str, value: &'a str) {
        // Every element of every page comes here: the names are told apart by length first.
        let slot = match name.len() {
            2 if name.eq_ignore_ascii_case("id") => &mut self.id,
            3 if name.eq_ignore_ascii_case("rel") => &mut self.rel,
            3..=10 => match URL_ATTRIBUTES.iter().position(|a| a.eq_ignore_ascii_case(name)) {
                Some(k) => {
                    self.any_url = true;
                    &mut self.urls[k]
                }
                None => return,
            },
            _ => return,
        };
        *slot = slot.or(Some(value));
    }

    /// Adds the problems of this element, named `name` (lowercase), to `problems`.
    fn check(&self, name: &str, base_url: &str, allow_base: bool, problems: &mut Vec<String>) {
        if !self.any_url || (name == "base" && allow_base) {
            return;
        }
        let own_address_allowed = name == "link"
            && self
                .rel
                .unwrap_or_default()
                .split_ascii_whitespace()
                .any(|r| r.eq_ignore_ascii_case("canonical") || r.eq_ignore_ascii_case("alternate"));
        for (attribute, value) in URL_ATTRIBUTES.into_iter().zip(self.urls) {
            let Some(value) = value else { continue };
            let srcset =
                (attribute == "srcset").then(|| value.split(',').filter_map(|c| c.split_whitespace().next()));
            let single = (attribute != "srcset").then(|| value.trim());
            for url in srcset.into_iter().flatten().chain(single) {
                problems.extend(reference_problem(url, base_url, own_address_allowed, || {
                    format!("<{name} {attribute}=\"{value}\">")
                }));
            }
        }
    }
}

/// What is wrong with `url`, written in an element that `describe` quotes, for the reference
/// guard ([`scan`]): a root-relative address, or (unless `own_address_allowed`) an absolute
/// one to the site's own `base_url`.
pub(crate) fn reference_problem(
    url: &str,
    base_url: &str,
    own_address_allowed: bool,
    describe: impl FnOnce() -> String,
) -> Option<String> {
    if url.starts_with('/') && !url.starts_with("//") {
        Some(format!(
            "`{}`: a root-relative address breaks under a sub-path and offline; use \
             `url(path=…)` in templates or a relative link",
            describe()
        ))
    } else if !own_address_allowed && url.starts_with(base_url) {
        Some(format!(
            "`{}`: an absolute link to the site's own base_url breaks under another address \
             and offline; use `url(path=…)` in templates or a relative link",
            describe()
        ))
    } else {
        None
    }
}

/// Decodes the character references of HTML text or an attribute value: named (`&amp;`,
/// `&mdash;`) and numeric ones; others are left as written. Text and attribute values read by
/// the search index and by `juxta check` go through it.
pub(crate) fn decode_entities(text: &str) -> Cow<'_, str> {
    html_escape::decode_html_entities(text)
}

/// Appends `text` escaped for HTML text and attribute values: `&amp;`, `&lt;`, `&gt;`, `&quot;`
/// and `&#39;`, as the Markdown writer escapes.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    // Writing to a `String` cannot fail.
    let _ = pulldown_cmark_escape::escape_html(out, text);
}

/// `text` escaped for HTML (see [`escape_into`]).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_into(&mut out, text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_that_would_swallow_the_rest_of_a_page_is_found() {
        for closed in [
            "<p>a</p><!-- note --> <!--> <!---> <!-- x --!> <!DOCTYPE html>",
            "<div title=\"a > b\" data-x='\"'>x</div><script>if (a < b) {}</script>",
            "<STYLE>p{}</style ><textarea></TEXTAREA><a href=x>y</a> a < b",
            "<img alt=\"it's\"> <p class=x\"y>",
        ] {
            assert_eq!(unclosed(closed), None, "{closed}");
        }
        for (open, at, said) in [
            ("<p>a</p>\n<!-- TODO: the rest", 9, "comment"),
            ("x <div class=\"note\n\nrest", 2, "tag `<div`"),
            ("<script>var a = 1;", 0, "`</script>`"),
            ("<title>x</titlex>", 0, "`</title>`"),
            ("<!DOCTYPE html", 0, "`<!`"),
            ("<plaintext>", 0, "plain text"),
        ] {
            let (offset, message) = unclosed(open).unwrap_or_else(|| panic!("{open}"));
            assert_eq!(offset, at, "{open}");
            assert!(message.contains(said), "{open}: {message}");
        }
    }

    #[test]
    fn entities_are_decoded_by_name_and_number() {
        assert_eq!(decode_entities("a&amp;b&#39;c&#x41;&bogus;&nbsp;&mdash;"), "a&b'cA&bogus;\u{a0}—");
    }

    #[test]
    fn escaping_covers_the_five_characters() {
        assert_eq!(escape("a & <b> \"c\" 'd' é"), "a &amp; &lt;b&gt; &quot;c&quot; &#39;d&#39; é");
    }

    #[test]
    fn tags_skip_comments_and_script_text() {
        let html = "<!-- <a href=\"/x\"> --><p class=a id='b' hidden>t</p><script>if (a<b) x='<a href=\"/y\">'</script><IMG SRC=z.png>";
        let names: Vec<String> = tags(html).into_iter().map(|t| t.name.into_owned()).collect();
        assert_eq!(names, ["p", "script", "img"]);
        let p = &tags(html)[0];
        assert_eq!(p.attributes, [("class".into(), "a"), ("id".into(), "b"), ("hidden".into(), "")]);
        assert_eq!(tags(html)[2].get("src"), Some("z.png"));
    }

    #[test]
    fn the_scan_finds_the_ids_the_tags_show_and_the_first_url_of_each_kind() {
        let base = "https://example.com/docs/";
        let pages = [
            "<link REL=\"Canonical\" href=\"https://example.com/docs/a/\"><a HREF=\"/x\" id=a id=b>t</a>",
            "<img srcset=\"a.png 1x, /b.png 2x\" src=/c.png><base href=\"/docs/\"><p id='q>r'>",
            "<!-- <a href=\"/no\"> --><script>x = '<a href=\"/no\" id=no>'</script><A Id=yes href=ok>",
            "<form action=https://example.com/docs/f/><button formaction=\"/g\">b</button></form>",
            "<video poster=\" /p.png \"><object data=//cdn.example.org/o></object><a href=\"/half",
            "<p id>empty</p><p id = spaced >x</p><a href=\"https://example.com/docs/\" href=\"/second\">",
            "<div/id=slash><textarea><a href=/t id=t></TEXTAREA><b id=after>",
        ];
        for html in pages {
            let tags = tags(html);
            let ids: Vec<&str> = tags.iter().filter_map(|t| t.get("id")).collect();
            assert_eq!(scan(html, base, false).ids, ids, "{html}");
        }
        let quoted = |html: &str, allow_base: bool| -> Vec<String> {
            let problems = scan(html, base, allow_base).problems;
            problems.iter().map(|p| p.split('`').nth(1).unwrap().to_string()).collect()
        };
        assert_eq!(
            quoted(pages[1], false),
            ["<img src=\"/c.png\">", "<img srcset=\"a.png 1x, /b.png 2x\">", "<base href=\"/docs/\">"]
        );
        assert_eq!(quoted(pages[1], true), ["<img src=\"/c.png\">", "<img srcset=\"a.png 1x, /b.png 2x\">"]);
        assert_eq!(quoted(pages[2], false), Vec::<String>::new());
        assert_eq!(
            quoted(pages[3], false),
            ["<form action=\"https://example.com/docs/f/\">", "<button formaction=\"/g\">"]
        );
        // A tag cut off at the end of the text is still read.
        assert_eq!(quoted(pages[4], false), ["<video poster=\" /p.png \">", "<a href=\"/half\">"]);
        // The first of two `href`s is the one a browser follows.
        assert_eq!(quoted(pages[5], false), ["<a href=\"https://example.com/docs/\">"]);
        assert_eq!(quoted(pages[6], false), Vec::<String>::new());
        // Every URL attribute, in any case, is read.
        let every = "<IMG SRC=/i.png><form ACTION=\"/f\"><button formAction=/g><video poster='/p'>\
            <object Data=\"/o\"><img srcset=\"/s 1x\"><a href=ok rel=x id=k>";
        let found: Vec<String> = scan(every, base, false)
            .problems
            .iter()
            .map(|p| p.split('`').nth(1).unwrap().to_string())
            .collect();
        assert_eq!(
            found,
            [
                "<img src=\"/i.png\">",
                "<form action=\"/f\">",
                "<button formaction=\"/g\">",
                "<video poster=\"/p\">",
                "<object data=\"/o\">",
                "<img srcset=\"/s 1x\">",
            ]
        );
        let page = scan(pages[0], base, false);
        assert_eq!(page.ids, ["a"]);
        assert_eq!(page.problems.len(), 1, "{:?}", page.problems);
        assert!(
            page.problems[0].starts_with("`<a href=\"/x\">`: a root-relative address"),
            "{:?}",
            page.problems
        );
    }

    #[test]
    fn root_relative_and_own_absolute_links_are_reported() {
        let base = "https://example.com/docs/";
        let html = "<link rel=\"canonical\" href=\"https://example.com/docs/a/\">\
            <a href=\"/about/\">x</a><a href=\"//cdn.example.org/x\">y</a>\
            <img srcset=\"a.png 1x, /b.png 2x\"><a href=\"https://example.com/docs/b/\">z</a>\
            <a href=\"https://other.example/\">ok</a><base href=\"/docs/\">";
        let problems = scan(html, base, false).problems;
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(problems[0].starts_with("`<a href=\"/about/\">`: a root-relative address"));
        assert!(problems[1].starts_with("`<img srcset=\"a.png 1x, /b.png 2x\">`"));
        assert!(problems[2].contains("an absolute link to the site's own base_url"));
        assert!(problems[3].starts_with("`<base href=\"/docs/\">`"));
        assert_eq!(scan(html, base, true).problems.len(), 3);
    }
}
