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
//! A body with no template tag never reaches Tera. Otherwise every `{` of the body that would
//! open a Tera tag but is text gets a marker after it, a Unicode noncharacter the body does not
//! contain, so that Tera passes it through; the markers are taken out of what Tera writes.

use std::ops::Range;

use pulldown_cmark::{Event, Tag};

use crate::error::Position;
use crate::markdown::Item;

/// A body as Tera reads it, with its text tags shielded.
#[derive(Debug)]
pub(crate) struct Prepared {
    /// The body as Tera reads it.
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
        offset - marks_before * self.marker.len_utf8()
    }
}

/// `body` as Tera must read it, or `None` when `body` has no template tag; `events` are
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
    if tags.is_empty() {
        return Ok(None);
    }
    let Some(marker) = (0xFDD0..=0xFDEF).filter_map(char::from_u32).find(|&c| !body.contains(c)) else {
        return Err("the page holds every Unicode noncharacter from U+FDD0 to U+FDEF: take them out".into());
    };
    Ok(Some(shield(body, &tags, marker)))
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

/// `body` with a `marker` after every `{` that would open a Tera tag (`{{`, `{%`, `{#`) but does
/// not start one of `tags`.
fn shield(body: &str, tags: &[usize], marker: char) -> Prepared {
    let bytes = body.as_bytes();
    let mut text = String::with_capacity(body.len() + 16);
    let mut marks = Vec::new();
    let mut from = 0;
    for at in memchr::memchr_iter(b'{', bytes) {
        if !matches!(bytes.get(at + 1), Some(b'{' | b'%' | b'#')) || tags.binary_search(&at).is_ok() {
            continue;
        }
        text.push_str(&body[from..=at]);
        marks.push(text.len());
        text.push(marker);
        from = at + 1;
    }
    text.push_str(&body[from..]);
    Prepared { text, marker, marks }
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
        assert_eq!(text, body, "shielding only adds markers");
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
        assert_eq!(tags(body), ["{{ page.title }}."]);
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
    fn text_tags_are_shielded_and_restored() {
        let body = "a {{ x }} `{{ y }}` {{ .z }} {#id} {{ w }} b";
        let prepared = prepare(body).unwrap().unwrap();
        assert_eq!(prepared.marks.len(), 3);
        assert_eq!(prepared.restore(&prepared.text), body);
        // The `w` of the last tag, on line 1, column 41 of what Tera read.
        let w = prepared.text.find(" w ").unwrap() + 1;
        let column = prepared.text[..w].chars().count() + 1;
        assert_eq!(prepared.body_offset(Position::new(1, column)), body.find(" w ").unwrap() + 1);
    }

    #[test]
    fn offsets_map_back_across_lines() {
        let body = "intro\n\n`{{ a }}` {{ b }}\n```\n{{ c }}\n```\nx {{ d }}\n";
        let prepared = prepare(body).unwrap().unwrap();
        // `d` is on the seventh line, column 6.
        assert_eq!(prepared.body_offset(Position::new(7, 6)), body.find("d }}").unwrap());
    }

    #[test]
    fn a_body_holding_every_marker_is_refused() {
        let markers: String = (0xFDD0..=0xFDEF).filter_map(char::from_u32).collect();
        assert!(prepare(&format!("{markers} {{{{ x }}}}")).is_err());
        let one_short: String = markers.chars().skip(1).collect();
        assert!(prepare(&format!("{one_short} {{{{ x }}}}")).unwrap().is_some());
    }
}
