//! Which `{{` and `{%` of a Markdown body are template tags, and the body as Tera reads it.
//!
//! Documentation is full of text that looks like a template: Helm and Go templates, GitHub
//! Actions expressions, Jinja, Ansible, Hugo shortcodes, mdBook includes. A body goes through
//! Tera only for the tags its author means as templates, found by these rules, in order:
//!
//! 1. Code (fenced, indented, inline) and HTML comments are text, byte for byte. They are found
//!    by pulldown-cmark on the body as written, before Tera runs.
//! 2. `\{{` and `\{%` are text: the backslash is Markdown's escape, which drops it, as GitHub does.
//! 3. A tag whose first character (after `-` and spaces) cannot start a template expression or
//!    statement is another tool's syntax and text: `{{ .Values.tag }}`, `{{< ref "x" >}}`,
//!    `{{% note %}}`, `{{#include file.rs}}`, `{{{ body }}}`, `{{/each}}`, `{{ $x }}`.
//! 4. Every other `{{` or `{%` is a template tag: Tera runs it, and its errors are the author's
//!    to fix, at the line and column of the Markdown file, with how to write it as text instead.
//!
//! A body with no template tag never reaches Tera. Otherwise Tera reads the part from the first
//! tag's line to past the last tag ([`template_span`]): every `{` there that would open a Tera
//! tag but is text gets a marker after it, a Unicode noncharacter the body does not contain, so
//! that Tera passes it through; the markers are taken out of what Tera writes.

use std::ops::Range;

use pulldown_cmark::{Event, Tag};

use crate::error::Position;
use crate::markdown::Item;

/// The part of a body Tera must read, with its text tags shielded.
#[derive(Debug)]
pub(crate) struct Prepared {
    /// Where the part is in the body.
    pub(crate) span: Range<usize>,
    /// The part as Tera reads it.
    pub(crate) text: String,
    marker: char,
    /// Byte offsets in `text` of the markers, in order.
    marks: Vec<usize>,
}

impl Prepared {
    /// What Tera wrote, without the markers.
    pub(crate) fn restore(&self, rendered: &str) -> String {
        if self.marks.is_empty() {
            return rendered.to_string();
        }
        rendered.replace(self.marker, "")
    }

    /// The byte offset in the body of the character at `position` (line and column as Tera
    /// counts them, from 1) in [`Prepared::text`].
    pub(crate) fn body_offset(&self, position: Position) -> usize {
        let text = &self.text;
        let line_start = match position.line {
            0 | 1 => 0,
            n => memchr::memchr_iter(b'\n', text.as_bytes()).nth(n - 2).map_or(text.len(), |at| at + 1),
        };
        let column = position.column.saturating_sub(1);
        let offset =
            text[line_start..].char_indices().nth(column).map_or(text.len(), |(at, _)| line_start + at);
        let marks_before = self.marks.partition_point(|&m| m < offset);
        self.span.start + offset - marks_before * self.marker.len_utf8()
    }
}

/// The part of `body` Tera must read, or `None` when `body` has no template tag; `events` are
/// the body's Markdown, parsed as it is rendered. `Err` when the body holds every character that
/// could serve as a marker (it never does in practice).
pub(crate) fn prepare(body: &str, events: &[Item<'_>]) -> Result<Option<Prepared>, String> {
    let bytes = body.as_bytes();
    let mut tags: Vec<usize> = memchr::memchr_iter(b'{', bytes)
        .filter(|&at| opens_tag(bytes, at) && may_be_template(body, at))
        .collect();
    let Some(&last) = tags.last() else { return Ok(None) };
    let literal = literal_regions(body, events, last);
    tags.retain(|&at| !literal.iter().any(|r| r.contains(&at)));
    let (Some(&first), Some(&last)) = (tags.first(), tags.last()) else { return Ok(None) };
    let span = template_span(body, first, last);
    let Some(marker) =
        (0xFDD0..=0xFDEF).filter_map(char::from_u32).find(|&c| !body[span.clone()].contains(c))
    else {
        return Err("the page holds every Unicode noncharacter from U+FDD0 to U+FDEF: take them out".into());
    };
    Ok(Some(shield(body, span, &tags, marker)))
}

/// Whether the `{` at `at` opens a Tera tag: `{{`, `{%`; `{#` is never one in a body.
fn opens_tag(bytes: &[u8], at: usize) -> bool {
    matches!(bytes.get(at + 1), Some(b'{' | b'%'))
}

/// Whether the `{{` or `{%` at `at` can be a template tag by rules 2 and 3 of the module's
/// documentation: not escaped, not inside a longer run of braces, and its first character one
/// that can start an expression (`{{`) or a statement (`{%`).
fn may_be_template(body: &str, at: usize) -> bool {
    let bytes = body.as_bytes();
    let backslashes = bytes[..at].iter().rev().take_while(|&&b| b == b'\\').count();
    if backslashes % 2 == 1 || (at > 0 && bytes[at - 1] == b'{') {
        return false;
    }
    let statement = bytes[at + 1] == b'%';
    let rest = &body[at + 2..];
    let mut inside = rest.strip_prefix('-').unwrap_or(rest).trim_start().chars();
    match inside.next() {
        Some(c) if c.is_alphabetic() || c == '_' => true,
        // A component: `{{ <name … /> }}`, `{% <name(…)> %}`, `{% </name> %}`. Hugo's
        // shortcodes put a space after the `<`.
        Some('<') => inside.next().is_some_and(|c| c.is_ascii_alphabetic() || (statement && c == '/')),
        Some(c) if !statement => c.is_ascii_digit() || matches!(c, '"' | '\'' | '`' | '(' | '[' | '-'),
        _ => false,
    }
}

/// The byte ranges of `body` that are code (fenced, indented, inline) or HTML comments, in
/// order, read from its `events` up to the element holding byte `until`.
fn literal_regions(body: &str, events: &[Item<'_>], until: usize) -> Vec<Range<usize>> {
    let mut regions = Vec::new();
    for (event, range) in events.iter().take_while(|(_, range)| range.start <= until) {
        match event {
            Event::Code(_) | Event::Start(Tag::CodeBlock(_)) => regions.push(range.clone()),
            Event::InlineHtml(html) if html.starts_with("<!--") => regions.push(range.clone()),
            Event::Start(Tag::HtmlBlock) => comments(body, range.clone(), &mut regions),
            _ => {}
        }
    }
    regions
}

/// Adds the HTML comments of the HTML block at `block` to `regions`. A comment the block does
/// not close runs to the block's end, as the browser reads it.
fn comments(body: &str, block: Range<usize>, regions: &mut Vec<Range<usize>>) {
    let mut from = block.start;
    while let Some(open) = body[from..block.end].find("<!--").map(|at| from + at) {
        // `<!-->` and `<!--->` are whole comments.
        let end = body[open + 2..block.end].find("-->").map_or(block.end, |at| open + 2 + at + 3);
        regions.push(open..end);
        from = end;
    }
}

/// The part of `text` that Tera must read, given the first and last template tags: from the
/// start of the line where the whitespace before the first tag begins (a `{%-` removes it), to
/// past the whitespace after the last `}}` or `%}` (a `-%}` removes it). Up to the end of the
/// text when no tag is closed after the last one opened, so that Tera reports the mistake.
pub(crate) fn template_span(text: &str, first: usize, last: usize) -> Range<usize> {
    let bytes = text.as_bytes();
    // The `}` found ends a tag if the byte before it is `}` or `%`.
    let closes_tag = |at: usize| at > 0 && matches!(bytes[at - 1], b'}' | b'%');
    let close = memchr::memrchr_iter(b'}', bytes).find(|&at| closes_tag(at)).filter(|&end| end > last + 2);
    let text_before = text[..first].trim_end_matches(char::is_whitespace).len();
    let start = memchr::memrchr(b'\n', &bytes[..text_before]).map_or(0, |at| at + 1);
    let end = match close {
        Some(close) => text.len() - text[close + 1..].trim_start_matches(char::is_whitespace).len(),
        None => text.len(),
    };
    start..end
}

/// `span` of `body` with a `marker` after every `{` that would open a Tera tag (`{{`, `{%`, `{#`)
/// but does not start one of `tags`.
fn shield(body: &str, span: Range<usize>, tags: &[usize], marker: char) -> Prepared {
    let bytes = body.as_bytes();
    let mut text = String::with_capacity(span.len() + 16);
    let mut marks = Vec::new();
    let mut from = span.start;
    for at in memchr::memchr_iter(b'{', &bytes[span.clone()]).map(|at| span.start + at) {
        if !matches!(bytes.get(at + 1), Some(b'{' | b'%' | b'#')) || tags.binary_search(&at).is_ok() {
            continue;
        }
        text.push_str(&body[from..=at]);
        marks.push(text.len());
        text.push(marker);
        from = at + 1;
    }
    text.push_str(&body[from..span.end]);
    Prepared { span, text, marker, marks }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`prepare`] for `body` parsed as juxta parses a page by default.
    fn prepare(body: &str) -> Result<Option<Prepared>, String> {
        super::prepare(body, &crate::markdown::parse(body, &crate::config::MarkdownConfig::default()))
    }

    /// The template tags `prepare` finds in `body`, as the text from each to the end of its line.
    fn tags(body: &str) -> Vec<String> {
        let Some(prepared) = prepare(body).unwrap() else { return Vec::new() };
        let text = prepared.text.replace(prepared.marker, "");
        assert_eq!(text, body[prepared.span.clone()], "shielding only adds markers");
        let shown = prepared.text.replace(prepared.marker, "\u{2062}");
        let mut found = Vec::new();
        for (at, _) in shown.match_indices("{{").chain(shown.match_indices("{%")) {
            found.push(shown[at..].lines().next().unwrap_or_default().to_string());
        }
        found.sort();
        found
    }

    #[test]
    fn code_and_comments_are_never_template_tags() {
        let body = "Use `{{ .Values.tag }}` and `{{ page.title }}`.\n\n\
                    ```yaml\ntoken: ${{ secrets.GITHUB_TOKEN }}\n{% if user %}x{% endif %}\n```\n\n\
                    <!-- {{ todo }} -->\n\n    {{ indented }}\n\n<div>\n<!-- {% if x %} -->\n</div>\n\n\
                    Prose {{ page.title }}.\n";
        assert_eq!(tags(body), ["{{ page.title }}"]);
    }

    #[test]
    fn escaped_and_foreign_tags_are_text() {
        for body in [
            "\\{{ page.title }}",
            "{{ .Values.image.tag }}",
            "{{- .Release.Name }}",
            "{{< ref \"x\" >}}",
            "{{</* comment */>}}",
            "{{% notice %}}",
            "{{#include file.rs}}",
            "{{{ body }}}",
            "{{/each}}",
            "{{> partial}}",
            "{{! note}}",
            "{{ $x := 1 }}",
            "{{}}",
            "{% %}",
            "{%",
            "{{",
        ] {
            assert_eq!(tags(body), Vec::<String>::new(), "{body:?}");
            assert!(prepare(body).unwrap().is_none(), "{body:?}");
        }
    }

    #[test]
    fn template_tags_are_those_that_can_start_an_expression_or_statement() {
        for body in [
            "{{ page.title }}",
            "{{page.title}}",
            "{{- x -}}",
            "{{ \"{{\" }}",
            "{{ 1 + 1 }}",
            "{{ [1, 2] | length }}",
            "{{ <badge label=\"x\" /> }}",
            "{{<badge label=\"x\"/>}}",
            "{% if x %}y{% endif %}",
            "{%- for i in items %}{% endfor -%}",
            "{% raw %}{{ x }}{% endraw %}",
            "{% <card()> %}body{% </card> %}",
            "\\\\{{ x }}",
            "{{ comparison_tabel(dataset=\"x\") }}",
            "{{ states('sensor.temp') }}",
        ] {
            assert!(prepare(body).unwrap().is_some(), "{body:?}");
        }
    }

    #[test]
    fn text_tags_inside_the_span_are_shielded_and_restored() {
        let body = "a {{ x }} `{{ y }}` {{ .z }} {#id} {{ w }} b";
        let prepared = prepare(body).unwrap().unwrap();
        assert_eq!(&body[prepared.span.clone()], "a {{ x }} `{{ y }}` {{ .z }} {#id} {{ w }} ");
        assert_eq!(prepared.marks.len(), 3);
        assert_eq!(prepared.restore(&prepared.text), &body[prepared.span.clone()]);
        // The `w` of the last tag, on line 1, column 41 of what Tera read.
        let w = prepared.text.find(" w ").unwrap() + 1;
        let column = prepared.text[..w].chars().count() + 1;
        assert_eq!(prepared.body_offset(Position::new(1, column)), body.find(" w ").unwrap() + 1);
    }

    #[test]
    fn offsets_map_back_across_lines() {
        let body = "intro\n\n`{{ a }}` {{ b }}\n```\n{{ c }}\n```\nx {{ d }}\n";
        let prepared = prepare(body).unwrap().unwrap();
        assert_eq!(prepared.span.start, 7);
        // `d` is on the fifth line of the span, column 6.
        assert_eq!(prepared.body_offset(Position::new(5, 6)), body.find("d }}").unwrap());
    }

    #[test]
    fn the_template_span_runs_from_the_first_tag_line_to_past_the_last_tag() {
        let cases = [
            ("a\n\nb {{ x }} c\n\nd", "b {{ x }} "),
            ("{{ x }}", "{{ x }}"),
            ("a\n\n   {%- if x %}y{% endif -%}\n\n  z", "a\n\n   {%- if x %}y{% endif -%}\n\n  "),
            ("a\nb\n{% raw %}{{ }}{% endraw %}\nc", "b\n{% raw %}{{ }}{% endraw %}\n"),
            ("a\n{{ one }}\nb\n{{ two }}\nc", "a\n{{ one }}\nb\n{{ two }}\n"),
            ("a\n\n{{ one }}", "a\n\n{{ one }}"),
            ("a\nb\n\nc {{ one }}", "c {{ one }}"),
            ("a {{ \"}}\" }} b", "a {{ \"}}\" }} "),
            // No tag closed after the last opened: all of it, for Tera to report.
            ("a {{ x", "a {{ x"),
            ("a {{ x }} b {{ y", "a {{ x }} b {{ y"),
            ("a {{ x }} b {% if", "a {{ x }} b {% if"),
        ];
        for (text, span) in cases {
            let opens: Vec<usize> = (0..text.len())
                .filter(|&at| text[at..].starts_with("{{") || text[at..].starts_with("{%"))
                .collect();
            let range = template_span(text, opens[0], *opens.last().unwrap());
            assert_eq!(&text[range], span, "{text:?}");
        }
    }

    #[test]
    fn rendering_the_template_span_alone_gives_what_rendering_everything_gives() {
        let tera = tera::Tera::default();
        let mut context = tera::Context::new();
        context.insert("x", &"X");
        context.insert("items", &[1, 2]);
        for text in [
            "# Title\n\nSome {{ x }} text.\n\n- a\n- b\n",
            "a\n\n   {%- if x %}y{% endif -%}\n\n  z",
            "a  \t\n {{- x -}} \n\t b",
            "line\n{% for i in items %}\n* {{ i }}\n{% endfor %}\ntail {{ x }} end\n",
            "é  {{- x }}\u{a0}\u{2003}{{ x -}}\u{2003}\u{a0} ü",
            "{% raw %}{{ x }}{% endraw %} and {{ x }}",
        ] {
            let whole = tera.render_str(text, &context, true).unwrap();
            let prepared = prepare(text).unwrap().unwrap();
            let part = prepared.restore(&tera.render_str(&prepared.text, &context, true).unwrap());
            let span = prepared.span;
            assert_eq!([&text[..span.start], &part, &text[span.end..]].concat(), whole, "{text:?}");
        }
    }

    #[test]
    fn a_body_holding_every_marker_is_refused() {
        let markers: String = (0xFDD0..=0xFDEF).filter_map(char::from_u32).collect();
        assert!(prepare(&format!("{markers} {{{{ x }}}}")).is_err());
        let one_short: String = markers.chars().skip(1).collect();
        assert!(prepare(&format!("{one_short} {{{{ x }}}}")).unwrap().is_some());
    }
}
