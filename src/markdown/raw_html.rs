//! The raw HTML of a page. Its ids are reserved before any heading takes an id, and the
//! reference guard reads it once ([`reserve`]); a comment, tag or `<script>` it leaves open is an
//! error ([`unclosed`]).
//!
//! `[markdown] raw_html = false`: HTML written in Markdown is shown as text, while the HTML of
//! juxta's components (`comparison_table` in a page body) still reaches the page.
//!
//! A component called from a body returns its HTML sealed in a placeholder: the HTML as hex
//! digits between two private-use characters, with a key drawn at random when juxta starts.
//! Markdown sees only letters and digits there, so it cannot parse or split the HTML, and
//! [`filter`] opens each placeholder into the HTML again. The key never reaches the output, so
//! nothing an author writes (in content, front matter or data) can pass for a component's HTML.

use std::hash::BuildHasher;
use std::ops::Range;
use std::sync::OnceLock;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::headings::{Headings, explicit_id};
use super::{Item, Page};

const OPEN: char = '\u{E001}';
const CLOSE: char = '\u{E002}';

/// The random key of this process, as 16 hex digits.
fn key() -> &'static str {
    static KEY: OnceLock<String> = OnceLock::new();
    KEY.get_or_init(|| {
        let random = std::collections::hash_map::RandomState::new().hash_one(std::process::id());
        format!("{random:016x}")
    })
}

/// Seals a component's HTML for a body rendered with raw HTML off.
pub(crate) fn seal(html: &str) -> String {
    let mut out = String::with_capacity(html.len() * 2 + 24);
    out.push(OPEN);
    out.push_str(key());
    for byte in html.bytes() {
        out.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
    }
    out.push(CLOSE);
    out
}

/// The HTML sealed in `text`, when `text` is exactly one intact placeholder.
fn open(text: &str) -> Option<String> {
    let hex = text.strip_prefix(OPEN)?.strip_suffix(CLOSE)?.strip_prefix(key())?;
    if hex.len() % 2 != 0 {
        return None;
    }
    let bytes: Option<Vec<u8>> = hex
        .as_bytes()
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

/// Splits `text` into plain text and sealed HTML, in order (`true` marks HTML).
fn pieces(text: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        let Some(length) = rest[start..].find(CLOSE) else { break };
        let end = start + length + CLOSE.len_utf8();
        match open(&rest[start..end]) {
            Some(html) => {
                if start > 0 {
                    out.push((false, rest[..start].to_string()));
                }
                out.push((true, html));
            }
            None => out.push((false, unseal_broken(&rest[..end]))),
        }
        rest = &rest[end..];
    }
    if !rest.is_empty() || out.is_empty() {
        out.push((false, unseal_broken(rest)));
    }
    out
}

/// The text of a placeholder that a template filter cut or changed: its digits stay, but the
/// key and the marks go, so that the output stays the same from one build to the next.
fn unseal_broken(text: &str) -> String {
    text.replace(&format!("{OPEN}{}", key()), "").replace([OPEN, CLOSE], "")
}

/// Turns the author's HTML into text and opens the components' placeholders. A placeholder
/// alone in a paragraph becomes a block of HTML; elsewhere it becomes inline HTML, and inside
/// code it becomes the HTML's text.
pub(crate) fn filter<'a>(events: Vec<(Event<'a>, Range<usize>)>) -> Vec<(Event<'a>, Range<usize>)> {
    let events = merge_text(events);
    let mut out: Vec<(Event<'a>, Range<usize>)> = Vec::with_capacity(events.len());
    let mut in_code = false;
    let mut iter = events.into_iter().peekable();
    while let Some((event, range)) = iter.next() {
        let event = match event {
            Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
            Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
            Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code = true;
                Event::Start(Tag::CodeBlock(kind))
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                Event::End(TagEnd::CodeBlock)
            }
            Event::Code(code) if code.contains(OPEN) => Event::Code(as_text(&code).into()),
            Event::Text(text) if text.contains(OPEN) && in_code => Event::Text(as_text(&text).into()),
            Event::Text(text) if text.contains(OPEN) => {
                let mut pieces = pieces(&text);
                let alone = matches!(out.last(), Some((Event::Start(Tag::Paragraph), _)))
                    && matches!(iter.peek(), Some((Event::End(TagEnd::Paragraph), _)))
                    && matches!(pieces.as_slice(), [(true, _)]);
                if alone {
                    let (_, html) = pieces.pop().expect("one piece");
                    out.pop();
                    iter.next();
                    out.push((Event::Html(with_newline(html).into()), range));
                    continue;
                }
                for (is_html, piece) in pieces {
                    let event =
                        if is_html { Event::InlineHtml(piece.into()) } else { Event::Text(piece.into()) };
                    out.push((event, range.clone()));
                }
                continue;
            }
            other => other,
        };
        out.push((event, range));
    }
    out
}

/// `text` with every placeholder replaced by the HTML it holds, as text.
fn as_text(text: &str) -> String {
    pieces(text).into_iter().map(|(_, piece)| piece).collect()
}

fn with_newline(mut html: String) -> String {
    if !html.ends_with('\n') {
        html.push('\n');
    }
    html
}

/// Joins runs of text events, which the Markdown parser may split anywhere.
fn merge_text<'a>(events: Vec<(Event<'a>, Range<usize>)>) -> Vec<(Event<'a>, Range<usize>)> {
    let mut out: Vec<(Event<'a>, Range<usize>)> = Vec::with_capacity(events.len());
    for (event, range) in events {
        if let (Event::Text(next), Some((Event::Text(previous), previous_range))) = (&event, out.last_mut()) {
            let mut joined = previous.to_string();
            joined.push_str(next);
            *previous = CowStr::from(joined);
            previous_range.end = range.end;
            continue;
        }
        out.push((event, range));
    }
    out
}

/// Reserves the ids written in the raw HTML of `events` (the page's text, or the footnote
/// `note`), and the explicit ids of the headings of the page's text (a heading of a footnote
/// takes its id when the footnote is written), so
/// that an automatic id never takes one written later; raw HTML ids count as anchors of the page
/// (the rows of a comparison table). The reference guard reads the raw HTML here, once.
pub(super) fn reserve(page: &mut Page<'_>, headings: &mut Headings, events: &[Item<'_>], note: Option<&str>) {
    // Raw HTML is read a run at a time: a block's lines are separate events, and a tag may span
    // lines.
    let mut run = String::new();
    for (event, _) in events {
        if let Event::Html(html) | Event::InlineHtml(html) = event {
            run.push_str(html);
            continue;
        }
        read_run(page, headings, &mut run, note);
        if let Event::Start(Tag::Heading { id, attrs, .. }) = event
            && note.is_none()
            && let Some(id) = explicit_id(id.as_deref(), attrs)
        {
            headings.reserve(id);
        }
    }
    read_run(page, headings, &mut run, note);
}

/// Reserves the ids of a run of raw HTML and runs the reference guard over it.
fn read_run(page: &mut Page<'_>, headings: &mut Headings, run: &mut String, note: Option<&str>) {
    if run.is_empty() {
        return;
    }
    let base_url = page.page.map_or("", |(site, _)| site.config.base_url.as_str());
    let scan = crate::html::scan(run, base_url, false);
    for id in scan.ids {
        headings.reserve(id.to_string());
        page.rendered.ids.insert(id.to_string());
    }
    if page.page.is_some() {
        for problem in scan.problems {
            page.references.push((note.map(str::to_string), problem));
        }
    }
    run.clear();
}

/// The error of a comment, tag or `<script>` the page's raw HTML leaves open, at its offset in
/// the body: browsers would swallow the rest of the page, footer and scripts included
/// ([`crate::html::unclosed`]). It is not closed for the author: where it should end is not
/// known, and text meant to stay hidden would be published.
pub(super) fn unclosed(events: &[Item<'_>]) -> Option<(usize, String)> {
    // All the raw HTML of the page in order, with where each piece starts in it and in the body.
    let mut html = String::new();
    let mut starts = Vec::new();
    for (event, range) in events {
        if let Event::Html(piece) | Event::InlineHtml(piece) = event {
            starts.push((html.len(), range.start));
            html.push_str(piece);
        }
    }
    let (at, message) = crate::html::unclosed(&html)?;
    let piece = starts.partition_point(|&(start, _)| start <= at).saturating_sub(1);
    let (start, offset) = starts.get(piece).copied().unwrap_or_default();
    Some((offset + (at - start), message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_component_opens_and_a_forged_one_does_not() {
        let sealed = seal("<table id=\"x\">é</table>");
        assert_eq!(open(&sealed).as_deref(), Some("<table id=\"x\">é</table>"));
        let forged = format!("{OPEN}0000000000000000{}{CLOSE}", "3c623e");
        assert_eq!(open(&forged), None);
        let cut = &sealed[..20];
        assert_eq!(pieces(cut), [(false, cut[OPEN.len_utf8() + 16..].to_string())]);
        assert_eq!(
            pieces(&format!("a{sealed}b")),
            [
                (false, "a".to_string()),
                (true, "<table id=\"x\">é</table>".to_string()),
                (false, "b".to_string())
            ]
        );
    }
}
