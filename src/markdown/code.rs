//! Code blocks: fenced code in a known language highlighted at build time into CSS classes
//! ([`crate::highlight`]), every block scrollable with the keyboard. The page's words are counted
//! here too, where every text but code's passes.

use pulldown_cmark::{CodeBlockKind, Event, Tag, TagEnd};

use super::Item;

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
/// `language-` class, the code highlighted when `highlight` is on and the language known.
fn block(kind: &CodeBlockKind<'_>, code: &str, highlight: bool) -> String {
    let language = match kind {
        CodeBlockKind::Fenced(info) => {
            info.split(|c: char| c.is_whitespace() || c == ',' || c == '{').next().unwrap_or("")
        }
        CodeBlockKind::Indented => "",
    };
    let shown = crate::html::escape(language);
    let (data, class) = match language.is_empty() {
        true => (String::new(), String::new()),
        false => (format!(" data-lang=\"{shown}\""), format!(" class=\"language-{shown}\"")),
    };
    let highlighted =
        (highlight && !language.is_empty()).then(|| crate::highlight::highlight(code, language));
    // tabindex makes a horizontally scrolling block reachable with the keyboard.
    format!(
        "<pre class=\"code\" tabindex=\"0\"{data}><code{class}>{}</code></pre>\n",
        highlighted.flatten().unwrap_or_else(|| crate::html::escape(code))
    )
}

#[cfg(test)]
mod tests {
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
            assert_eq!(super::count_words(text), text.split_whitespace().count(), "{text:?}");
        }
    }
}
