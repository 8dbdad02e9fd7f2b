//! Code blocks: fenced code in a known language highlighted at build time into CSS classes
//! ([`crate::highlight`]), every block scrollable with the keyboard, lines highlighted or numbered
//! and a caption added as the info string asks ([`super::fence`]). The page's words are counted
//! here too, where every text but code's passes.

use pulldown_cmark::{CodeBlockKind, Event, Tag, TagEnd};

use super::Item;
use super::fence::Fence;

/// Writes every code block of `events` as HTML; returns the number of words of the other texts
/// (each text's words count on their own: `foo*bar*` is two texts, two words).
pub(super) fn highlight_blocks(events: &mut [Item<'_>], highlight: bool) -> usize {
    let mut words = 0;
    let mut i = 0;
    while i < events.len() {
        match &events[i].0 {
            Event::Start(Tag::CodeBlock(_)) => {
                let length = events[i..].iter().position(|(e, _)| matches!(e, Event::End(TagEnd::CodeBlock)));
                let end = i + length.expect("a code block ends");
                let mut code = String::new();
                for (event, _) in &mut events[i + 1..=end] {
                    if let Event::Text(text) = event {
                        code.push_str(text);
                    }
                    *event = super::taken_out();
                }
                let Event::Start(Tag::CodeBlock(kind)) = &events[i].0 else { unreachable!() };
                events[i].0 = Event::Html(block(kind, &code, highlight).into());
                i = end + 1;
                continue;
            }
            Event::Text(text) => words += count_words(text),
            _ => {}
        }
        i += 1;
    }
    words
}

/// The number of words of `text`, as `split_whitespace` counts them. Every text of every page
/// comes here: ASCII text, nearly all of it, is read as bytes.
fn count_words(text: &str) -> usize {
    if !text.is_ascii() {
        return text.split_whitespace().count();
    }
    // The ASCII characters `char::is_whitespace` takes: tab to carriage return, and space. A word
    // starts at a byte that is not one, first or after one. Pairs of bytes are compared without
    // branches and counted in bytes, 64 at a time, so that the compiler compares many at once.
    let space = |b: u8| (b == b' ') | (b.wrapping_sub(b'\t') < 5);
    let bytes = text.as_bytes();
    let Some(&first) = bytes.first() else { return 0 };
    let pairs = bytes.chunks(64).zip(bytes[1..].chunks(64));
    let starts =
        pairs.map(|(a, b)| a.iter().zip(b).map(|(&a, &b)| u8::from(space(a) & !space(b))).sum::<u8>());
    usize::from(!space(first)) + starts.map(usize::from).sum::<usize>()
}

/// The HTML of a code block: `<pre>` with the language as `data-lang`, `<code>` with its
/// `language-` class, the code highlighted when `highlight` is on and the language known. The
/// options of the info string ([`super::fence`]) put each line in an element of its own (`<mark>`
/// for a highlighted line, `data-n` for its number) and a caption in a `<figure>` around it; a
/// block without options is written as it always was. Options that cannot be read are reported
/// by [`super::fence::check`] and left out here.
fn block(kind: &CodeBlockKind<'_>, code: &str, highlight: bool) -> String {
    let fence = match kind {
        CodeBlockKind::Fenced(info) => super::fence::parse(info)
            .unwrap_or_else(|_| Fence { language: super::fence::language(info), ..Fence::default() }),
        CodeBlockKind::Indented => Fence::default(),
    };
    let language = fence.language;
    let shown = crate::html::escape(language);
    let (data, class) = match language.is_empty() {
        true => (String::new(), String::new()),
        false => (format!(" data-lang=\"{shown}\""), format!(" class=\"language-{shown}\"")),
    };
    let highlighted =
        (highlight && !language.is_empty()).then(|| crate::highlight::highlight(code, language));
    let mut html = highlighted.flatten().unwrap_or_else(|| crate::html::escape(code));
    if fence.by_line() {
        html = by_line(&html, &fence);
    }
    // tabindex makes a horizontally scrolling block reachable with the keyboard.
    let pre = format!("<pre class=\"code\" tabindex=\"0\"{data}><code{class}>{html}</code></pre>\n");
    match &fence.title {
        None => pre,
        Some(title) => format!(
            "<figure class=\"code-block\">\n<figcaption>{}</figcaption>\n{pre}</figure>\n",
            crate::html::escape(title)
        ),
    }
}

/// The code's HTML (escaped text and `<span>`s of highlighting) with each line in an element of
/// its own: `<mark class="line">` when highlighted, `<span class="line">` otherwise, with its
/// number as `data-n` when lines are numbered. A highlighting span open at the end of a line
/// (a comment or string over several lines) is closed there and opened again on the next line,
/// so that the elements nest.
fn by_line(html: &str, fence: &Fence<'_>) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 4);
    let mut open: Vec<&str> = Vec::new();
    for (index, line) in html.split_inclusive('\n').enumerate() {
        // After the last line only the closing tags of highlighting are left: every element is
        // closed at the end of its line already.
        if !line.ends_with('\n') && only_tags(line) {
            break;
        }
        let n = index + 1;
        let element = if fence.is_marked(n) { "mark" } else { "span" };
        out.push('<');
        out.push_str(element);
        out.push_str(" class=\"line\"");
        if let Some(first) = fence.first_number {
            out.push_str(&format!(" data-n=\"{}\"", first + index));
        }
        out.push('>');
        open.iter().for_each(|tag| out.push_str(tag));
        let (text, newline) = match line.strip_suffix('\n') {
            Some(text) => (text, "\n"),
            None => (line, ""),
        };
        let mut rest = text;
        while let Some(at) = rest.find('<') {
            out.push_str(&rest[..at]);
            let end = rest[at..].find('>').map_or(rest.len(), |e| at + e + 1);
            let tag = &rest[at..end];
            if tag.starts_with("</") {
                open.pop();
            } else {
                open.push(tag);
            }
            out.push_str(tag);
            rest = &rest[end..];
        }
        out.push_str(rest);
        open.iter().for_each(|_| out.push_str("</span>"));
        out.push_str("</");
        out.push_str(element);
        out.push('>');
        out.push_str(newline);
    }
    out
}

/// Whether `html` is nothing but tags.
fn only_tags(html: &str) -> bool {
    let mut rest = html;
    while let Some(rest_after) = rest.strip_prefix('<') {
        match rest_after.find('>') {
            Some(end) => rest = &rest_after[end + 1..],
            None => return false,
        }
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fenced(info: &str, code: &str) -> String {
        block(&CodeBlockKind::Fenced(info.into()), code, true)
    }

    #[test]
    fn a_block_without_options_is_written_as_before() {
        assert_eq!(
            fenced("text", "a < b\n"),
            "<pre class=\"code\" tabindex=\"0\" data-lang=\"text\"><code class=\"language-text\">a &lt; b\n</code></pre>\n"
        );
    }

    #[test]
    fn lines_are_marked_numbered_and_captioned() {
        let html = fenced("text {2} linenos=9 title=\"a <b>\"", "one\ntwo\nthree\n");
        assert_eq!(
            html,
            "<figure class=\"code-block\">\n<figcaption>a &lt;b&gt;</figcaption>\n\
             <pre class=\"code\" tabindex=\"0\" data-lang=\"text\"><code class=\"language-text\">\
             <span class=\"line\" data-n=\"9\">one</span>\n<mark class=\"line\" data-n=\"10\">two</mark>\n\
             <span class=\"line\" data-n=\"11\">three</span>\n</code></pre>\n</figure>\n"
        );
    }

    #[test]
    fn highlighting_spans_over_lines_are_closed_and_opened_again() {
        let html = fenced("rust {2}", "/* one\ntwo */ fn x() {}\n");
        let lines: Vec<&str> = html.lines().collect();
        // Every line's element holds balanced spans.
        for line in &lines[..2] {
            assert_eq!(line.matches("<span").count(), line.matches("</span>").count(), "{line}");
        }
        assert!(
            lines[1].starts_with(
                "<mark class=\"line\"><span class=\"hl-source hl-rust\"><span class=\"hl-comment"
            ),
            "{html}"
        );
        assert_eq!(lines.len(), 3, "no line is added after the last: {html}");
        assert!(
            lines[1]
                .contains("two <span class=\"hl-punctuation hl-definition hl-comment hl-rust\">*/</span>"),
            "{html}"
        );
    }

    #[test]
    fn words_are_counted_as_split_whitespace_counts_them() {
        let long = "a word,\tthen  another\n".repeat(20);
        for text in [
            long.as_str(),
            &long[1..],
            &long[..64],
            &long[..65],
            "",
            " ",
            "one",
            " two  words ",
            "a\tb\nc\x0bd\x0ce\rf",
            "x\u{a0}y",
            "café au lait",
            "\u{2003}a b\u{85}",
        ] {
            assert_eq!(count_words(text), text.split_whitespace().count(), "{text:?}");
        }
    }
}
